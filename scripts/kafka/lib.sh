# Helpers shared by start.sh, stop.sh and restart-broker.sh (sourced, not run).
# shellcheck shell=bash

KAFKA_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPTS/../.." && pwd)"
DEFAULT_STATE_DIR="$REPO_ROOT/build-kafka-server/state"

log() { echo "[kafka-scripts $(date +%H:%M:%S)] $*" >&2; }
die() { echo "[kafka-scripts] ERROR: $*" >&2; exit 1; }

# free_ports N: N distinct free TCP ports on 127.0.0.1, space-separated (all held while picking).
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# http_code URL: the HTTP status of GET URL ("000" when nothing answers); curl, else python3.
http_code() {
    if command -v curl >/dev/null; then
        curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
    else
        python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
PY
    fi
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID NAME TIMEOUT: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
    local pid="$1" name="$2" timeout="$3" i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
        alive "$pid" || { log "$name (pid $pid) stopped"; return 0; }
        sleep 0.1
    done
    log "$name (pid $pid) still running after ${timeout}s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || return 0; sleep 0.1; done
    return 0
}

# spawn PIDFILE LOGFILE CMD...: run CMD in its own session, detached, output into LOGFILE.
# The pid written is the pid of CMD itself (bash execs it).
spawn() {
    local pidfile="$1" logfile="$2"
    shift 2
    rm -f "$pidfile"
    setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
    local i
    for ((i = 0; i < 100; i++)); do [[ -s "$pidfile" ]] && break; sleep 0.05; done
    cat "$pidfile"
}

# set_env_var FILE KEY VALUE: replace or add KEY=VALUE in a sourceable env file.
set_env_var() {
    local file="$1" key="$2" value="$3"
    if grep -q "^$key=" "$file" 2>/dev/null; then
        sed -i "s|^$key=.*|$key=$value|" "$file"
    else
        echo "$key=$value" >>"$file"
    fi
}

# start_broker STATE_DIR: start the already formatted broker described by STATE_DIR/kafka and wait
# until it serves; prints its pid. Needs KAFKA_HOME, KAFKA_VERSION, KAFKA_PORT set.
start_broker() {
    local state="$1" kdir="$1/kafka"
    local log_opts
    case "$KAFKA_VERSION" in
        3.*) log_opts=(-Dlog4j.configuration="file:$KAFKA_SCRIPTS/log4j.properties") ;;
        *) log_opts=(-Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2.properties") ;;
    esac
    : >"$kdir/stdout.log"
    # The log file is appended to across restarts: only what this start writes counts.
    local log_from=1
    [[ -f "$kdir/server.log" ]] && log_from=$(($(stat -c %s "$kdir/server.log") + 1))
    # Heap kept modest; KAFKA_JAVA_OPTS replaces the defaults.
    # shellcheck disable=SC2206
    local jopts=(${KAFKA_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC})
    local pid
    pid="$(spawn "$kdir/broker.pid" "$kdir/stdout.log" java "${jopts[@]}" \
        -Djava.awt.headless=true -Dkafka.log.file="$kdir/server.log" "${log_opts[@]}" \
        -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$kdir/server.properties")"
    local timeout="${KAFKA_START_TIMEOUT:-90}" i
    for ((i = 0; i < timeout * 5; i++)); do
        if ! alive "$pid"; then
            tail -n 40 "$kdir/stdout.log" "$kdir/server.log" >&2 2>/dev/null || true
            die "the Kafka broker exited during start-up (logs above: $kdir/server.log)"
        fi
        if port_open "$KAFKA_PORT" && tail -c "+$log_from" "$kdir/server.log" 2>/dev/null | grep -q "Kafka Server started"; then
            echo "$pid"
            return 0
        fi
        sleep 0.2
    done
    tail -n 40 "$kdir/stdout.log" "$kdir/server.log" >&2 2>/dev/null || true
    stop_pid "$pid" "Kafka broker" 10
    die "the Kafka broker did not accept connections on 127.0.0.1:$KAFKA_PORT within ${timeout}s (logs above: $kdir/server.log)"
}
