#!/usr/bin/env bash
# The main command: installs what it needs, builds the library, the `openedx-events` tool and the
# examples, checks the stored schemas, then runs a demonstration on the embedded event bus (one
# SQLite file, no server): one process consumes the "learning" topic as a member of a consumer
# group and prints what its receivers get, another publishes catalog events to it.
# The same programs run on Redis with EVENT_BUS_PRODUCER=redis EVENT_BUS_CONSUMER=redis and
# EVENT_BUS_REDIS_CONNECTION_URL=redis://localhost:6379/0 (see the README).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build build -j"${JOBS:-2}" --target openedx-events bus_producer_example bus_consumer_example
build/cli/openedx-events list-events
build/cli/openedx-events check-schemas

export EVENT_BUS_PRODUCER=${EVENT_BUS_PRODUCER:-local}
export EVENT_BUS_CONSUMER=${EVENT_BUS_CONSUMER:-local}
export EVENT_BUS_EMBEDDED_PATH=${EVENT_BUS_EMBEDDED_PATH:-$root/build/demo-bus.sqlite3}
export EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=${EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT:-1}
export EVENTS_SERVICE_NAME=${EVENTS_SERVICE_NAME:-demo}
events=${DEMO_EVENTS:-3}
echo "== demo on the ${EVENT_BUS_PRODUCER} bus: consumer group 'demo' on topic 'learning'"
build/examples/bus_consumer_example $((2 * events)) &
consumer=$!
sleep 1  # let the consumer join its group before anything is published
build/examples/bus_producer_example "$events"
wait "$consumer"
