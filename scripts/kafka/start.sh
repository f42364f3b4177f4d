#!/usr/bin/env bash
# Start a single-node Apache Kafka broker (KRaft, broker+controller in one JVM) and a
# Confluent-compatible schema registry (Apicurio Registry, schemas kept in that broker) on free
# loopback ports, in the background, and write STATE_DIR/env:
#
#   KAFKA_BOOTSTRAP=127.0.0.1:P
#   SCHEMA_REGISTRY_URL=http://127.0.0.1:R/apis/ccompat/v7   (the Confluent REST API)
#   KAFKA_SASL_SSL_BOOTSTRAP=127.0.0.1:S  KAFKA_SASL_USERNAME  KAFKA_SASL_PASSWORD  KAFKA_CA_FILE
#                                         (a SASL_SSL/PLAIN listener, as the reference's API key setup uses)
#   KAFKA_PID=…  SCHEMA_REGISTRY_PID=…  and the ports, directories and versions
#
#   scripts/kafka/start.sh [STATE_DIR]     # default STATE_DIR: build-kafka-server/state in the repo
#   . STATE_DIR/env                        # then use $KAFKA_BOOTSTRAP and $SCHEMA_REGISTRY_URL
#   scripts/kafka/stop.sh [STATE_DIR]
#
# Every start is fresh: STATE_DIR's old data is removed. If STATE_DIR's broker and registry are
# still running, start.sh says so and leaves them be.
# Environment: KAFKA_VERSION (3.9.1), APICURIO_VERSION (3.0.9), KAFKA_START_TIMEOUT (90 s),
# REGISTRY_START_TIMEOUT (120 s), KAFKA_JAVA_OPTS, REGISTRY_JAVA_OPTS, OPENEDX_EVENTS_CACHE.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

STATE_DIR="${1:-${KAFKA_STATE_DIR:-$DEFAULT_STATE_DIR}}"
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
ENV_FILE="$STATE_DIR/env"

if [[ -f "$ENV_FILE" ]]; then
    # shellcheck disable=SC1090
    old_kafka_pid="$(. "$ENV_FILE"; echo "${KAFKA_PID:-}")"
    old_registry_pid="$(. "$ENV_FILE"; echo "${SCHEMA_REGISTRY_PID:-}")"
    if alive "$old_kafka_pid" && alive "$old_registry_pid"; then
        log "already running (broker pid $old_kafka_pid, registry pid $old_registry_pid): $ENV_FILE"
        exit 0
    fi
    log "stopping what is left of an earlier start in $STATE_DIR"
    stop_pid "$old_registry_pid" "schema registry" 20
    stop_pid "$old_kafka_pid" "Kafka broker" 30
fi

t0=$(now_ms)
export KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
KAFKA_HOME="$("$KAFKA_SCRIPTS/fetch-kafka.sh")"
REGISTRY_HOME="$(APICURIO_VERSION="$APICURIO_VERSION" "$KAFKA_SCRIPTS/install-registry.sh")"

rm -rf "$STATE_DIR/kafka" "$STATE_DIR/registry" "$ENV_FILE"
KDIR="$STATE_DIR/kafka"
RDIR="$STATE_DIR/registry"
mkdir -p "$KDIR/data" "$RDIR"

read -r KAFKA_PORT CONTROLLER_PORT REGISTRY_PORT SASL_SSL_PORT <<<"$(free_ports 4)"
export KAFKA_PORT

# A second listener, SASL_SSL with the PLAIN mechanism: what the reference configures when
# EVENT_BUS_KAFKA_API_KEY / _API_SECRET are set (Confluent Cloud's way). Its certificate comes from
# a CA made here (STATE_DIR/kafka/tls/ca.pem, for the clients' ssl.ca.location), for 127.0.0.1;
# the one user and its password are written to STATE_DIR/env.
TLS_DIR="$KDIR/tls"
mkdir -p "$TLS_DIR"
SASL_USERNAME="openedx"
SASL_PASSWORD="$(openssl rand -hex 16)"
(
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 7 \
        -subj "/CN=openedx-events test CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 7 \
        -extfile broker.ext 2>/dev/null
    # Kafka's PEM key store: the PKCS#8 key, then the certificate chain.
    cat broker.key broker.pem ca.pem >broker-keystore.pem
) || die "making the test certificates in $TLS_DIR failed (openssl)"

cat >"$KDIR/server.properties" <<PROPS
# Single-node KRaft test broker written by scripts/kafka/start.sh
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USERNAME="$SASL_PASSWORD";
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker-keystore.pem
log.dirs=$KDIR/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# After a crash (restart-broker.sh with RESTART_BROKER_KILL=1) the controller keeps the dead
# broker's registration until its session times out (default 9 s); shorter here.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=168
PROPS

# A cluster id is a URL-safe base64 UUID; like Kafka's own Uuid.randomUuid(), never one that starts
# with "-": the storage tool would read it as an option (1 start in 64 failed that way).
CLUSTER_ID="$(python3 -c '
import base64, uuid
while True:
    text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not text.startswith("-"):
        break
print(text)')"
if ! java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dlog4j.configuration="file:$KAFKA_SCRIPTS/log4j.properties" \
        -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2.properties" -Dkafka.log.file="$KDIR/format.log" \
        -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format \
        -t "$CLUSTER_ID" -c "$KDIR/server.properties" >"$KDIR/format.out" 2>&1; then
    cat "$KDIR/format.out" >&2
    die "formatting the KRaft storage in $KDIR/data failed"
fi

{
    echo "# written by scripts/kafka/start.sh; source it"
    echo "KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
    echo "SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
    echo "SCHEMA_REGISTRY_KIND=apicurio-$APICURIO_VERSION"
    echo "KAFKA_VERSION=$KAFKA_VERSION"
    echo "KAFKA_HOME=$KAFKA_HOME"
    echo "KAFKA_PORT=$KAFKA_PORT"
    echo "KAFKA_CONTROLLER_PORT=$CONTROLLER_PORT"
    echo "KAFKA_CLUSTER_ID=$CLUSTER_ID"
    echo "KAFKA_DATA_DIR=$KDIR/data"
    echo "KAFKA_LOG=$KDIR/server.log"
    echo "SCHEMA_REGISTRY_PORT=$REGISTRY_PORT"
    echo "SCHEMA_REGISTRY_LOG=$RDIR/registry.log"
    echo "KAFKA_SASL_SSL_BOOTSTRAP=127.0.0.1:$SASL_SSL_PORT"
    echo "KAFKA_SASL_USERNAME=$SASL_USERNAME"
    echo "KAFKA_SASL_PASSWORD=$SASL_PASSWORD"
    echo "KAFKA_CA_FILE=$TLS_DIR/ca.pem"
    echo "KAFKA_STATE_DIR=$STATE_DIR"
} >"$ENV_FILE"

log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller $CONTROLLER_PORT)"
KAFKA_PID="$(start_broker "$STATE_DIR")"
set_env_var "$ENV_FILE" KAFKA_PID "$KAFKA_PID"
t1=$(now_ms)
log "Kafka is up (pid $KAFKA_PID) after $(secs $((t1 - t0)))s"

# Apicurio Registry with its storage in the broker ("kafkasql": a journal topic replayed at start).
# GET /subjects lists at most apicurio.ccompat.max-subjects (1000 by default, silently cut; a
# whole test run registers hundreds): raised so that a listing is complete.
# shellcheck disable=SC2206
REGISTRY_JOPTS=(${REGISTRY_JAVA_OPTS:--Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1})
log "starting the schema registry (Apicurio $APICURIO_VERSION, kafkasql) on 127.0.0.1:$REGISTRY_PORT"
REGISTRY_PID="$(cd "$RDIR" && spawn "$RDIR/registry.pid" "$RDIR/registry.log" java "${REGISTRY_JOPTS[@]}" \
    -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.storage.kind=kafkasql \
    -Dapicurio.kafkasql.bootstrap.servers="127.0.0.1:$KAFKA_PORT" \
    -Dapicurio.storage.snapshot.location="$RDIR" \
    -Dapicurio.ccompat.max-subjects=1000000 \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Djava.io.tmpdir="$RDIR" \
    -jar "$REGISTRY_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar")"
set_env_var "$ENV_FILE" SCHEMA_REGISTRY_PID "$REGISTRY_PID"

timeout="${REGISTRY_START_TIMEOUT:-120}"
url="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"
for ((i = 0; ; i++)); do
    if ! alive "$REGISTRY_PID"; then
        tail -n 60 "$RDIR/registry.log" >&2 || true
        die "the schema registry exited during start-up (log above: $RDIR/registry.log); the broker is left running: scripts/kafka/stop.sh $STATE_DIR"
    fi
    code="$(http_code "$url")"
    [[ "$code" == 200 ]] && break
    if ((i >= timeout * 4)); then
        tail -n 60 "$RDIR/registry.log" >&2 || true
        die "the schema registry did not answer GET $url within ${timeout}s (last HTTP code $code)"
    fi
    sleep 0.25
done
t2=$(now_ms)
log "schema registry is up (pid $REGISTRY_PID) after $(secs $((t2 - t1)))s; total $(secs $((t2 - t0)))s"
log "environment: $ENV_FILE"
cat "$ENV_FILE"
