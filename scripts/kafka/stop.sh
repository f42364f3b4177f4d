#!/usr/bin/env bash
# Stop the broker and schema registry that scripts/kafka/start.sh started for STATE_DIR:
# SIGTERM, then SIGKILL after a timeout (registry 20 s, broker 30 s). The logs stay in STATE_DIR;
# STATE_DIR/env is renamed env.stopped.
#
#   scripts/kafka/stop.sh [STATE_DIR]
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

STATE_DIR="${1:-${KAFKA_STATE_DIR:-$DEFAULT_STATE_DIR}}"
ENV_FILE="$STATE_DIR/env"
if [[ ! -f "$ENV_FILE" ]]; then
    log "nothing to stop: no $ENV_FILE"
    exit 0
fi
# shellcheck disable=SC1090
kafka_pid="$(. "$ENV_FILE"; echo "${KAFKA_PID:-}")"
registry_pid="$(. "$ENV_FILE"; echo "${SCHEMA_REGISTRY_PID:-}")"
# The registry first: it is a client of the broker.
stop_pid "$registry_pid" "schema registry" "${REGISTRY_STOP_TIMEOUT:-20}"
stop_pid "$kafka_pid" "Kafka broker" "${KAFKA_STOP_TIMEOUT:-30}"
mv -f "$ENV_FILE" "$ENV_FILE.stopped"
