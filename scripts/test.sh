#!/usr/bin/env bash
# The test command: on a fresh Debian 12 machine it installs what it needs, builds, and runs every
# test — unit tests, parity tests against the real Python packages, the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer, bounded fuzzing, the CLI, and a downstream
# find_package() build of the examples against the installed library.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-30}
passed=0
failed=0
# ccache: the Python package's build (build-python/) reuses the objects of build/ (same compiler and
# flags; paths relative to the repository, and not the build directory, in the hashes).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
step() { printf '\n=== %s\n' "$*"; }
record() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi; }

step "dependencies"
bash scripts/install-deps.sh

step "build (RelWithDebInfo, warnings are errors)"
cmake --preset dev -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null  # CMakePresets.json
cmake --build build -j"$jobs"

step "Kafka broker (KRaft, from Maven Central) and schema registry for the Kafka tests"
kafka_state="$root/build-kafka-server/state"
stop_kafka() { bash scripts/kafka/stop.sh "$kafka_state" >/dev/null 2>&1 || true; }
trap stop_kafka EXIT
set +e
bash scripts/kafka/start.sh "$kafka_state"
kafka_started=$?
record $kafka_started "Kafka broker and schema registry start"
set -e
if [ "$kafka_started" -eq 0 ]; then
  # The unit tests' broker cases and the parity tests use this pair (restarting the broker when a
  # test asks for it); without it they fail rather than skip.
  set -a
  # shellcheck disable=SC1091
  . "$kafka_state/env"
  set +a
  export KAFKA_STATE_DIR="$kafka_state"
fi

step "unit tests"
set +e
ctest --test-dir build --output-on-failure -j"$jobs"
record $? "unit tests"

step "parity tests against openedx-events 11.2.0, edx-opaque-keys, edx-ccx-keys, fastavro"
OPENEDX_EVENTS_BUILD_DIR="$root/build" .venv/bin/python -m pytest tests/parity -q -p no:cacheprovider
record $? "parity tests"

step "CLI: list-events and check-schemas on the stored snapshots"
build/cli/openedx-events list-events >/dev/null && build/cli/openedx-events check-schemas
record $? "check-schemas"

step "Python package openedx-events-cpp: pip install . (Python 3.12, ccache-warm from build/), then its tests"
python_package_config=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache -C cmake.define.CMAKE_CXX_COMPILER="$(command -v c++)")
# pip wheel . in the same build directory (build-python/, so it only packs), the extension in the
# wheel, and the wheel installed with its dependencies into a fresh venv, where an event goes
# through the embedded bus (tests/python/wheel_smoke.py, run outside the repository).
check_python_wheel() {
  local start wheel python_base scratch
  start=$(date +%s)
  rm -rf build-python/wheel
  .venv312/bin/pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps -w build-python/wheel . \
    "${python_package_config[@]}" || return 1
  wheel=$(ls build-python/wheel/openedx_events_cpp-*.whl) || return 1
  if ! .venv312/bin/python -m zipfile -l "$wheel" | grep -Eq '^openedx_events_cpp/_core[^/ ]*\.so '; then
    echo "$wheel holds no openedx_events_cpp/_core*.so"
    return 1
  fi
  python_base=$(.venv312/bin/python -c 'import sys; print(sys._base_executable)')
  "$python_base" -m venv --clear build-python/wheel-venv || return 1
  build-python/wheel-venv/bin/pip install -q --disable-pip-version-check "$wheel" || return 1
  scratch=$(mktemp -d)
  (cd "$scratch" && "$root/build-python/wheel-venv/bin/python" "$root/tests/python/wheel_smoke.py" "$scratch")
  local status=$?
  rm -rf "$scratch"
  [ "$status" -eq 0 ] && echo "wheel $(basename "$wheel") built, checked and installed into a fresh venv in $(($(date +%s) - start)) s"
}
if [ -x .venv312/bin/python ]; then
  python_build_start=$(date +%s)
  .venv312/bin/pip install -q --disable-pip-version-check --no-build-isolation . "${python_package_config[@]}" &&
    echo "python package built and installed in $(($(date +%s) - python_build_start)) s" &&
    .venv312/bin/python -m pytest tests/python -q
  record $? "python package"
  check_python_wheel
  record $? "python wheel"
else
  echo "no .venv312: the Python package needs Python 3.12 (python3.12 on PATH or pyenv's; see scripts/install-deps.sh)"
  record 1 "python package (no Python 3.12)"
fi
set -e

step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"  # unit_tests and the probes the tests run as child processes
set +e
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  build-asan/tests/unit_tests --gtest_brief=1
record $? "sanitized unit tests"
set -e

step "fuzzing (libFuzzer, ${fuzz_seconds}s per target)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
set +e
for fuzzer in build-fuzz/fuzz/*_fuzz; do
  corpus="build-fuzz/corpus/$(basename "$fuzzer")"
  mkdir -p "$corpus"
  "$fuzzer" -max_total_time="$fuzz_seconds" -print_final_stats=0 "$corpus" 2>&1 | tail -n 3
  record "${PIPESTATUS[0]}" "fuzz $(basename "$fuzzer")"
done
set -e

step "install, then build and run the examples against it with find_package()"
rm -rf build/install
cmake --install build --prefix "$root/build/install" >/dev/null
cmake -S examples -B build-examples -G Ninja -DCMAKE_PREFIX_PATH="$root/build/install" >/dev/null
cmake --build build-examples -j"$jobs"
set +e
for example in custom_event catalog_event; do
  "build-examples/${example}_example" >/dev/null
  record $? "example $example"
done
set -e

step "the bus examples on the embedded bus: a producer process and a consumer process"
demo_dir=$(mktemp -d)
set +e
(
  export EVENT_BUS_PRODUCER=local EVENT_BUS_CONSUMER=local EVENT_BUS_EMBEDDED_PATH="$demo_dir/bus.sqlite3" \
         EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=1 EVENTS_SERVICE_NAME=demo
  timeout 60 build-examples/bus_consumer_example 6 >"$demo_dir/consumer.out" 2>&1 &
  consumer=$!
  timeout 60 build-examples/bus_producer_example 3 >/dev/null 2>&1 && wait "$consumer" &&
    grep -q "consumed 6 events" "$demo_dir/consumer.out"
)
record $? "bus examples"
set -e
rm -rf "$demo_dir"

printf '\nsuites: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
