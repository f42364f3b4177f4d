#!/usr/bin/env bash
# Download an Apache Kafka broker (the kafka_2.13 jar and its runtime dependencies) from Maven
# Central into a cache directory, with Maven. Idempotent: a finished download is reused at once.
#
#   scripts/kafka/fetch-kafka.sh            # prints the Kafka home, e.g. ~/.cache/openedx-events/kafka-3.9.1
#
# Environment:
#   KAFKA_VERSION          default 3.9.1 (4.x works too; its logging uses log4j2)
#   OPENEDX_EVENTS_CACHE   cache root, default ~/.cache/openedx-events
# The Kafka home holds libs/*.jar; start.sh adds the logging config kept beside this script
# (log4j.properties for 3.x, log4j2.properties for 4.x).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
CACHE="${OPENEDX_EVENTS_CACHE:-$HOME/.cache/openedx-events}"
HOME_DIR="$CACHE/kafka-$KAFKA_VERSION"
STAMP="$HOME_DIR/.complete"

if [[ -f "$STAMP" && -f "$HOME_DIR/libs/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
    echo "$HOME_DIR"
    exit 0
fi

command -v mvn >/dev/null || { echo "fetch-kafka.sh: mvn (Maven) is needed" >&2; exit 1; }
command -v java >/dev/null || { echo "fetch-kafka.sh: java (17+) is needed" >&2; exit 1; }

profile=()
case "$KAFKA_VERSION" in
    3.*) ;;
    *) profile=(-Dkafka4) ;;
esac

mkdir -p "$CACHE"
tmp="$(mktemp -d "$CACHE/.kafka-$KAFKA_VERSION.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-kafka.sh: downloading Apache Kafka $KAFKA_VERSION with Maven into $HOME_DIR" >&2
if ! mvn -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies \
        -Dkafka.version="$KAFKA_VERSION" "${profile[@]}" \
        -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
    tail -40 "$tmp/mvn.log" >&2
    echo "fetch-kafka.sh: Maven could not download Apache Kafka $KAFKA_VERSION" >&2
    exit 1
fi
rm -f "$tmp/mvn.log"
[[ -f "$tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || {
    echo "fetch-kafka.sh: Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing" >&2; exit 1; }
echo "$KAFKA_VERSION" > "$tmp/.complete"

rm -rf "$HOME_DIR"
mv "$tmp" "$HOME_DIR"
trap - EXIT
echo "$HOME_DIR"
