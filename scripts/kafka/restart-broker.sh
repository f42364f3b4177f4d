#!/usr/bin/env bash
# Stop only the Kafka broker of STATE_DIR (SIGTERM: a clean shutdown; SIGKILL after
# KAFKA_STOP_TIMEOUT, 30 s) and start it again on the same ports with the same data directory,
# for fault tests ("broker restarted mid-stream: nothing committed is lost"). The schema
# registry keeps running (its Kafka client reconnects). Updates KAFKA_PID in STATE_DIR/env.
#
#   scripts/kafka/restart-broker.sh STATE_DIR
#   RESTART_BROKER_KILL=1 scripts/kafka/restart-broker.sh STATE_DIR   # SIGKILL instead: a crash
#   RESTART_BROKER_DOWN_SECONDS=5 …                                     # stay down that long first
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[[ $# -ge 1 ]] || die "usage: restart-broker.sh STATE_DIR"
STATE_DIR="$(cd "$1" && pwd)"
ENV_FILE="$STATE_DIR/env"
[[ -f "$ENV_FILE" ]] || die "no $ENV_FILE: start.sh has not started anything there"
# shellcheck disable=SC1090
. "$ENV_FILE"
export KAFKA_VERSION KAFKA_HOME KAFKA_PORT

t0=$(now_ms)
if [[ "${RESTART_BROKER_KILL:-0}" == 1 ]]; then
    if alive "${KAFKA_PID:-}"; then kill -KILL "$KAFKA_PID"; fi
    for ((i = 0; i < 100; i++)); do alive "${KAFKA_PID:-}" || break; sleep 0.1; done
    log "Kafka broker (pid ${KAFKA_PID:-?}) killed"
else
    stop_pid "${KAFKA_PID:-}" "Kafka broker" "${KAFKA_STOP_TIMEOUT:-30}"
fi
# The ports must be free again before the new broker binds them.
for ((i = 0; i < 300; i++)); do
    port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT" || break
    sleep 0.1
done
sleep "${RESTART_BROKER_DOWN_SECONDS:-0}"

KAFKA_PID="$(start_broker "$STATE_DIR")"
set_env_var "$ENV_FILE" KAFKA_PID "$KAFKA_PID"
log "Kafka broker restarted (pid $KAFKA_PID) on 127.0.0.1:$KAFKA_PORT in $(secs $(($(now_ms) - t0)))s"
