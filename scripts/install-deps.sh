#!/usr/bin/env bash
# Installs everything the build, the tests and the parity oracle need on a fresh Debian 12 machine.
# Idempotent: a second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debs=(build-essential cmake ninja-build pkg-config git
      libboost1.81-dev nlohmann-json3-dev libcli11-dev libfmt-dev
      libgtest-dev libgmock-dev libbenchmark-dev uuid-dev
      clang libclang-rt-14-dev python3-venv
      libyaml-cpp-dev libhiredis-dev libssl-dev openssl libsqlite3-dev libspdlog-dev redis-server librdkafka-dev libcurl4-openssl-dev)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Java and Maven run the Kafka broker and the schema registry of the Kafka tests (scripts/kafka).
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  apt-get install -y -qq --no-install-recommends default-jre-headless maven >/dev/null
fi

# The Python reference stack, used only as the oracle of the parity tests and benchmarks.
venv="${OPENEDX_EVENTS_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import openedx_events, fastavro, opaque_keys, ccx_keys' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check --ignore-requires-python \
    -r "$here/scripts/requirements-oracle.txt"
fi
# The Kafka reference (edx-event-bus-kafka + confluent-kafka). find_spec, not import: importing
# edx_event_bus_kafka needs Django settings.
if ! "$venv/bin/python" -c 'import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in ("confluent_kafka", "edx_event_bus_kafka")))'; then
  "$venv/bin/pip" install -q --disable-pip-version-check --ignore-requires-python \
    -r "$here/scripts/requirements-kafka.txt"
fi
echo "install-deps: ok ($venv)"
