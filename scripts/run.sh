#!/usr/bin/env bash
# The main command: installs what it needs, builds the library and the `openedx-events` tool, then
# lists the event catalog and checks every stored schema snapshot against the current events.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${JOBS:-2}" --target openedx-events
build/cli/openedx-events list-events
build/cli/openedx-events check-schemas
