#!/usr/bin/env bash
# Installs everything the build, the tests and the parity oracle need on a fresh Debian 12 machine.
# Idempotent: a second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debs=(build-essential cmake ninja-build pkg-config git
      libboost1.81-dev nlohmann-json3-dev libcli11-dev libfmt-dev
      libgtest-dev libgmock-dev libbenchmark-dev uuid-dev
      clang libclang-rt-14-dev python3-venv
      libyaml-cpp-dev libhiredis-dev libssl-dev openssl libsqlite3-dev libspdlog-dev redis-server librdkafka-dev libcurl4-openssl-dev ccache)
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

# The Python package (pyproject.toml) is tested on Python 3.12 (openedx-events 11.2.0 requires it):
# python3.12 on PATH, else pyenv's. Without one, scripts/test.sh's Python step fails and says so.
venv312="${OPENEDX_EVENTS_VENV312:-$here/.venv312}"
if [ ! -x "$venv312/bin/python" ]; then
  # pyenv's shim answers `command -v python3.12` but fails without PYENV_VERSION: try each
  # candidate, keep the first that runs.
  python312=""
  for candidate in $(command -v python3.12 2>/dev/null || true) \
                   $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3.12 2>/dev/null | sort -V -r || true); do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then
      python312=$candidate
      break
    fi
  done
  if [ -n "$python312" ]; then
    "$python312" -m venv "$venv312"
  else
    echo "install-deps: no Python 3.12 (python3.12 on PATH or pyenv's): the Python package's tests will fail" >&2
  fi
fi
# find_spec, not import: edx_event_bus_redis/kafka read Django settings at import.
if [ -x "$venv312/bin/python" ] && ! "$venv312/bin/python" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ("openedx_events", "edx_event_bus_redis", "edx_event_bus_kafka", "confluent_kafka", "cachetools", "fastavro", "scikit_build_core", "nanobind", "pytest")))' 2>/dev/null; then
  "$venv312/bin/pip" install -q --disable-pip-version-check -r "$here/tests/python/requirements.txt"
fi
echo "install-deps: ok ($venv)"
