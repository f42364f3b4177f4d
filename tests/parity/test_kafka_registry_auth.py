"""Schema registry credentials and caching, both sides (EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY /
_API_SECRET).

The real registry (Apicurio, started by scripts/kafka/start.sh) has no authentication of its own,
so these tests put a gate in front of it: an HTTP server on a loopback port that answers 401
unless the request carries HTTP basic credentials for one key and secret, and forwards everything
else, unchanged, to the registry. It records every request, which also shows what each client
caches. The Python reference (edx-event-bus-kafka + confluent-kafka's SchemaRegistryClient) and the
C++ backend go through the same gate.
"""
import base64
import http.server
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED, STUDENT_REGISTRATION_COMPLETED
from openedx_events.data import EventsMetadata

from conftest import run_probe_lines
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from bus_cases import metadata_json, view
from test_kafka_interop import python_produce, read_all

KEY, SECRET = "registry-key", "registry-secret"


class RegistryGate:
    """Basic auth in front of the real registry; every request is recorded as (method, path, status)."""

    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.requests = []
        gate = self
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.headers.get("Authorization") != expected:
                    gate.requests.append((self.command, self.path, 401))
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="registry"')
                    self.send_header("Content-Type", "application/json")
                    payload = b'{"error_code": 401, "message": "Unauthorized"}'
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                request = urllib.request.Request(gate.upstream + self.path, data=body, method=self.command)
                for name in ("Content-Type", "Accept"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, payload, content_type = answer.status, answer.read(), answer.headers.get("Content-Type")
                except urllib.error.HTTPError as error:
                    status, payload, content_type = error.code, error.read(), error.headers.get("Content-Type")
                gate.requests.append((self.command, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", content_type or "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # The registry's Confluent API lives below a path (Apicurio: /apis/ccompat/v7): keep it.
        path = self.upstream.split("://", 1)[1].partition("/")[2]
        if path:
            self.url += "/" + path
            self.upstream = self.upstream[: -len(path) - 1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gate(kafka_env):  # noqa: F811
    g = RegistryGate(kafka_env["SCHEMA_REGISTRY_URL"])
    yield g
    g.close()


@pytest.fixture
def bus(kafka_env, kafka_settings, gate):  # noqa: F811
    prefix = "auth" + uuid.uuid4().hex[:10]
    topic = "logins"
    with kafka_settings(prefix, EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL=gate.url,
                        EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY=KEY, EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET=SECRET):
        yield {"env": kafka_env, "bootstrap": kafka_env["KAFKA_BOOTSTRAP"], "registry": gate.url, "prefix": prefix,
               "topic": topic, "full_topic": f"{prefix}-{topic}"}


def logins(n: int, first: int = 0):
    cases = []
    for i in range(first, first + n):
        signal = SESSION_LOGIN_COMPLETED if i % 2 == 0 else STUDENT_REGISTRATION_COMPLETED
        data = {"user": UserData(id=i + 1, is_active=True,
                                 pii=UserPersonalData(username=f"user{i}", email=f"u{i}@example.com", name="U"))}
        cases.append((signal, data, EventsMetadata(event_type=signal.event_type, minorversion=1), "user.pii.username"))
    return cases


def cpp(bus, op, secret=SECRET, **fields):
    request = {"op": op, "bootstrap": bus["bootstrap"], "registry": bus["registry"], "topic": bus["topic"],
               "prefix": bus["prefix"], "registry_api_key": KEY, "registry_api_secret": secret, **fields}
    [answer] = run_probe_lines("kafka_probe", [request])
    return answer


def produce_request(cases):
    return [{"event_type": s.event_type, "data": view(s, d), "metadata": metadata_json(m), "event_key_field": k}
            for s, d, m, k in cases]


def test_both_sides_authenticate_and_cache(bus, gate, caplog):
    # C++ producer: 20 events of two types with one key field → one registration per subject,
    # however many events: the key subject "{topic}-string" and two value subjects.
    answer = cpp(bus, "produce", events=produce_request(logins(20)))
    assert answer["ok"], answer
    cpp_requests = list(gate.requests)
    assert all(status == 200 for _, _, status in cpp_requests), cpp_requests
    posts = sorted(path for method, path, _ in cpp_requests if method == "POST")
    assert len(posts) == 3, cpp_requests
    full = bus["full_topic"]
    assert any(f"/subjects/{full}-string/versions" in p for p in posts)
    for signal in (SESSION_LOGIN_COMPLETED, STUDENT_REGISTRATION_COMPLETED):
        assert any(f"/subjects/{full}-{signal.event_type}.CloudEvent/versions" in p for p in posts)

    # The Python reference, same credentials through the same gate: its records are the same bytes.
    gate.requests.clear()
    python_produce(bus, logins(20), caplog)
    assert gate.requests and all(status == 200 for _, _, status in gate.requests), gate.requests
    records = read_all(bus, 40)
    assert [r.key() for r in records[:20]] == [r.key() for r in records[20:]]
    assert [r.value() for r in records[:20]] == [r.value() for r in records[20:]]

    # C++ consumer: all 40 events; each writer schema fetched once (two ids), not once per record.
    gate.requests.clear()
    answer = cpp(bus, "consume", group="auth-reader", extra={"check_backlog": True}, count=40, timeout_s=60)
    assert answer["ok"] and answer["errors"] == [], answer
    assert len(answer["events"]) == 40
    fetches = [path for method, path, _ in gate.requests if method == "GET"]
    assert all(status == 200 for _, _, status in gate.requests), gate.requests
    assert len(fetches) == 2, gate.requests
    assert all("/schemas/ids/" in path for path in fetches), fetches


def test_a_wrong_secret_is_refused_with_the_status_and_nothing_is_lost(bus, gate):
    # Producer: the send is logged as failed, naming the registry's answer; nothing is produced.
    answer = cpp(bus, "produce", secret="wrong", events=produce_request(logins(1)))
    assert not answer["ok"]
    assert any("answered HTTP 401" in line for line in answer["errors"]), answer["errors"]
    assert all(status == 401 for _, _, status in gate.requests)

    # Consumer: a record it cannot read because the registry refuses its credentials is not
    # skipped: nothing is received, nothing committed; with the right secret it is read.
    assert cpp(bus, "produce", events=produce_request(logins(1)))["ok"]
    refused = cpp(bus, "consume", secret="wrong", group="auth-group", extra={"check_backlog": True}, count=1,
                  timeout_s=4)
    assert refused["events"] == []
    assert any("answered HTTP 401" in line for line in refused["errors"]), refused["errors"]
    accepted = cpp(bus, "consume", group="auth-group", extra={"check_backlog": True}, count=1, timeout_s=60)
    assert accepted["ok"] and len(accepted["events"]) == 1, accepted
