#!/usr/bin/env bash
# Download a real Confluent-compatible schema registry into a cache directory and print its home.
#
# The registry is Apicurio Registry (Apache-2.0, Quarkus/Java), whose "ccompat" API
# (/apis/ccompat/v7) speaks the Confluent Schema Registry REST API that confluent-kafka's
# SchemaRegistryClient (and so edx-event-bus-kafka) uses. Its runnable distribution
# (io.apicurio:apicurio-registry-app:<v>:zip:all) is on Maven Central, so Maven fetches it;
# start.sh runs it with the machine's Java, storing its schemas in the test broker (kafkasql).
#
# Why not Karapace: it is not on PyPI (pip: "from versions: none"), nor on Maven Central or
# npm, and Confluent's own registry is not on Maven Central; see scripts/kafka/README.md.
#
# Environment:
#   APICURIO_VERSION       default 3.0.9 (the newest whose distribution zip Maven Central serves)
#   OPENEDX_EVENTS_CACHE   cache root, default ~/.cache/openedx-events
set -euo pipefail

APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
CACHE="${OPENEDX_EVENTS_CACHE:-$HOME/.cache/openedx-events}"
HOME_DIR="$CACHE/apicurio-registry-$APICURIO_VERSION"
JAR="$HOME_DIR/apicurio-registry-app-$APICURIO_VERSION-runner.jar"

if [[ -f "$HOME_DIR/.complete" && -f "$JAR" ]]; then
    echo "$HOME_DIR"
    exit 0
fi

command -v mvn >/dev/null || { echo "install-registry.sh: mvn (Maven) is needed" >&2; exit 1; }
command -v java >/dev/null || { echo "install-registry.sh: java (17+) is needed" >&2; exit 1; }

mkdir -p "$CACHE"
tmp="$(mktemp -d "$CACHE/.apicurio-$APICURIO_VERSION.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "install-registry.sh: downloading Apicurio Registry $APICURIO_VERSION with Maven into $HOME_DIR" >&2
# Any directory works for a goal run without a project; use the empty temp dir.
if ! (cd "$tmp" && mvn -B -Dstyle.color=never dependency:copy \
        -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" \
        -DoutputDirectory="$tmp/zip" >"$tmp/mvn.log" 2>&1); then
    tail -40 "$tmp/mvn.log" >&2
    echo "install-registry.sh: Maven could not download Apicurio Registry $APICURIO_VERSION" >&2
    exit 1
fi
mkdir -p "$tmp/home"
if command -v unzip >/dev/null; then
    unzip -q "$tmp/zip/"*.zip -d "$tmp/home"
else
    (cd "$tmp/home" && jar xf "$tmp/zip/"*.zip)
fi
[[ -f "$tmp/home/$(basename "$JAR")" ]] || {
    echo "install-registry.sh: the distribution has no $(basename "$JAR")" >&2; exit 1; }
echo "$APICURIO_VERSION" > "$tmp/home/.complete"

rm -rf "$HOME_DIR"
mv "$tmp/home" "$HOME_DIR"
rm -rf "$tmp"
trap - EXIT
echo "$HOME_DIR"
