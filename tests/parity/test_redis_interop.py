"""The Redis backend against the real edx-event-bus-redis, both ways, through one redis-server.

  * C++ RedisProducer (tests/parity/redis_probe.cpp, "produce") → Python RedisEventConsumer: the
    Python receivers see the data and the metadata that were sent.
  * Python RedisEventProducer (create_producer()) → C++ RedisConsumer (probe, "consume"): the C++
    receivers see them too.

Metadata is compared field by field (id, time with its microseconds, source, sourcehost, sourcelib,
minorversion); data through the reference's to_dict() view.

redis-server is required: the tests fail, not skip, without it.
"""
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
from django.conf import settings
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes

import bus_cases
from bus_cases import metadata_json, view
from conftest import run_probe_lines
from redis_server import REDIS_SERVER, free_port, private_redis_server
from test_avro_parity import same_json


@pytest.fixture(scope="module")
def redis_url():
    with private_redis_server("oe-redis-interop-") as url:
        yield url


@pytest.fixture
def bus(redis_url, monkeypatch):
    """The reference's settings for this server; the consumer module's import-time settings too."""
    import edx_event_bus_redis.internal.consumer as consumer_module

    monkeypatch.setattr(settings, "EVENT_BUS_REDIS_CONNECTION_URL", redis_url, raising=False)
    monkeypatch.setattr(settings, "EVENT_BUS_TOPIC_PREFIX", "interop", raising=False)
    # Read once at import by the reference: patched where it is used, so that the Python consumer
    # notices its shut-down flag within a second.
    monkeypatch.setattr(consumer_module, "CONSUMER_POLL_TIMEOUT", 1)
    monkeypatch.setattr(consumer_module, "POLL_FAILURE_SLEEP", 0.05)
    return {"url": redis_url, "prefix": "interop", "topic": f"topic-{uuid.uuid4().hex[:12]}"}


def hand_cases():
    """(signal, data, metadata) of bus_cases.hand_cases() (a Redis entry has no key)."""
    return [case[:3] for case in bus_cases.hand_cases()]


def sweep_cases():
    return bus_cases.sweep_cases("redis")


class PythonConsumer:
    """The real RedisEventConsumer, run until it has re-emitted `count` events."""

    def __init__(self, bus, signals, count, group):
        from edx_event_bus_redis import RedisEventConsumer

        self.count = count
        self.received = []
        self.consumer = RedisEventConsumer(bus["topic"], group, "py1", check_backlog=True)
        self.signals = {s.event_type: s for s in signals}
        for signal in self.signals.values():
            signal.connect(self.receiver, weak=False)

    def receiver(self, signal, sender, **kwargs):  # pylint: disable=unused-argument
        data = {key: kwargs[key] for key in signal.init_data}
        self.received.append((signal, data, kwargs["metadata"], kwargs["from_event_bus"]))
        if len(self.received) >= self.count:
            self.consumer._shut_down()  # pylint: disable=protected-access

    def run(self, timeout=30):
        watchdog = threading.Timer(timeout, self.consumer._shut_down)  # pylint: disable=protected-access
        watchdog.start()
        try:
            self.consumer.consume_indefinitely()
        finally:
            watchdog.cancel()
            for signal in self.signals.values():
                signal.disconnect(self.receiver)
        return self.received


def cpp_produce(bus, cases):
    request = {"op": "produce", "url": bus["url"], "topic": bus["topic"], "prefix": bus["prefix"],
               "events": [{"event_type": signal.event_type, "data": view(signal, data),
                           "metadata": metadata_json(metadata), "event_key_field": "user.id"}
                          for signal, data, metadata in cases]}
    [answer] = run_probe_lines("redis_probe", [request])
    assert answer["ok"], answer["errors"]
    return answer["sent"]


def cpp_consume(bus, count, group):
    request = {"op": "consume", "url": bus["url"], "topic": bus["topic"], "prefix": bus["prefix"], "group": group,
               "extra": {"consumer_name": "c1", "check_backlog": True}, "count": count, "timeout_s": 30}
    [answer] = run_probe_lines("redis_probe", [request])
    assert answer["errors"] == []
    assert answer["ok"], answer
    return answer["events"]


def python_produce(bus, cases, caplog):
    from edx_event_bus_redis import create_producer

    producer = create_producer()
    assert producer is not None
    with caplog.at_level(logging.INFO, logger="edx_event_bus_redis.internal.producer"):
        for signal, data, metadata in cases:
            producer.send(signal=signal, topic=bus["topic"], event_key_field="user.id", event_data=data,
                          event_metadata=metadata)
    assert "Error delivering message" not in caplog.text
    assert caplog.text.count("Message delivered to Redis event bus") == len(cases)


def assert_same_metadata(got: dict, sent: EventsMetadata):
    expected = metadata_json(sent)
    for field in ("event_type", "id", "minorversion", "source", "sourcehost", "time", "sourcelib"):
        assert got[field] == expected[field], field


# --------------------------------------------------------------------------------------------------

def test_cpp_producer_to_python_consumer(bus, caplog):
    cases = hand_cases()
    sent = cpp_produce(bus, cases)
    for (signal, data, metadata), as_sent in zip(cases, sent):
        assert_same_metadata(as_sent, metadata)

    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [c[0] for c in cases], len(cases), "py-group").run()
    assert "Error consuming event from Redis" not in caplog.text
    assert len(received) == len(cases)
    for (signal, data, metadata), (got_signal, got_data, got_metadata, from_bus) in zip(cases, received):
        assert got_signal is signal
        assert from_bus is True
        assert view(signal, got_data) == view(signal, data)
        assert got_metadata == metadata
        assert got_metadata.time.microsecond == metadata.time.microsecond


def test_python_producer_to_cpp_consumer(bus, caplog):
    cases = hand_cases()
    python_produce(bus, cases, caplog)
    events = cpp_consume(bus, len(cases), "cpp-group")
    assert len(events) == len(cases)
    for (signal, data, metadata), event in zip(cases, events):
        assert event["event_type"] == signal.event_type
        assert event["from_event_bus"] is True
        assert event["data"] == view(signal, data)
        assert_same_metadata(event["metadata"], metadata)


def test_entries_are_byte_identical(bus, caplog):
    """The same event and metadata from either producer gives the same stream entry fields."""
    import redis

    cases = hand_cases()[:3]
    python_produce(bus, cases, caplog)
    cpp_produce(bus, cases)
    client = redis.Redis.from_url(bus["url"])
    entries = client.xrange(f"{bus['prefix']}-{bus['topic']}")
    assert len(entries) == 2 * len(cases)
    for i in range(len(cases)):
        python_fields = list(entries[i][1].items())
        cpp_fields = list(entries[len(cases) + i][1].items())
        assert cpp_fields == python_fields


def test_every_event_type_both_ways(bus, caplog):
    cases = sweep_cases()
    assert len(cases) > 60

    # C++ → Python. What Python's own consumer would hand its receivers (its deserializer has
    # quirks of its own, e.g. falsy optionals become None) is the expectation.
    cpp_produce(bus, cases)
    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [c[0] for c in cases], len(cases), "py-sweep").run(timeout=60)
    assert "Error consuming event from Redis" not in caplog.text
    assert len(received) == len(cases)
    for (signal, data, metadata), (got_signal, got_data, got_metadata, _) in zip(cases, received):
        expected = deserialize_bytes_to_event_data(serialize_event_data_to_bytes(data, signal), signal)
        assert got_signal is signal
        assert same_json(view(signal, got_data), view(signal, expected)), signal.event_type
        assert got_metadata == metadata, signal.event_type

    # Python → C++, on a new topic.
    bus = dict(bus, topic=bus["topic"] + "-back")
    caplog.clear()
    python_produce(bus, cases, caplog)
    events = cpp_consume(bus, len(cases), "cpp-sweep")
    assert len(events) == len(cases)
    for (signal, data, metadata), event in zip(cases, events):
        assert event["event_type"] == signal.event_type
        assert same_json(event["data"], view(signal, data)), signal.event_type
        assert_same_metadata(event["metadata"], metadata)


# --------------------------------------------------------------------------------------------------
# rediss://: the same exchange through redis-server's TLS port, redis-py's SSLConnection on one side
# and the C++ TLS bridge on the other, with one URL (ssl_ca_certs names a throwaway CA).

@pytest.fixture(scope="module")
def rediss_url():
    if not os.path.exists(REDIS_SERVER):
        pytest.fail(f"{REDIS_SERVER} is required by the Redis interop tests (apt-get install redis-server)")
    import redis

    workdir = tempfile.mkdtemp(prefix="oe-redis-interop-tls-")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=workdir, check=True, capture_output=True)

    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=oe-interop-ca")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(workdir, "server.ext"), "w", encoding="ascii") as ext:
        ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "server.ext", "-out", "server.crt")
    port = free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", workdir, "--tls-cert-file", os.path.join(workdir, "server.crt"),
         "--tls-key-file", os.path.join(workdir, "server.key"), "--tls-ca-cert-file", os.path.join(workdir, "ca.crt"),
         "--tls-auth-clients", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"rediss://localhost:{port}/0?ssl_ca_certs={os.path.join(workdir, 'ca.crt')}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(url, socket_timeout=1).ping():
                    break
            except redis.exceptions.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server (TLS) did not start")
            time.sleep(0.05)
        yield url
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def test_both_ways_over_tls(rediss_url, bus, monkeypatch, caplog):
    monkeypatch.setattr(settings, "EVENT_BUS_REDIS_CONNECTION_URL", rediss_url, raising=False)
    bus = dict(bus, url=rediss_url)
    cases = hand_cases()

    cpp_produce(bus, cases)
    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [c[0] for c in cases], len(cases), "py-tls").run()
    assert "Error consuming event from Redis" not in caplog.text
    assert len(received) == len(cases)
    for (signal, data, metadata), (got_signal, got_data, got_metadata, _) in zip(cases, received):
        assert got_signal is signal
        assert view(signal, got_data) == view(signal, data)
        assert got_metadata == metadata

    bus = dict(bus, topic=bus["topic"] + "-back")
    caplog.clear()
    python_produce(bus, cases, caplog)
    events = cpp_consume(bus, len(cases), "cpp-tls")
    assert len(events) == len(cases)
    for (signal, data, metadata), event in zip(cases, events):
        assert event["data"] == view(signal, data)
        assert_same_metadata(event["metadata"], metadata)
