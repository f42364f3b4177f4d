"""Producing and consuming through our package or the reference's, shared by the backends' tests."""
import json
import logging
import os
import signal as signals
import subprocess
import sys

from cases import key_field, signals_of
from consuming import run_consumer
from openedx_events_cpp._producer import CppEventBusProducer


def send_all(producer, topic, cases):
    """producer.send() each (signal, data, metadata), keyed on the event's first primitive field."""
    for signal, data, metadata in cases:
        producer.send(signal=signal, topic=topic, event_key_field=key_field(signal), event_data=data,
                      event_metadata=metadata)


def our_produce(create_producer, topic, cases, caplog):
    """Sends the cases with our producer (create_producer: openedx_events_cpp.<backend>.create_producer)
    and flushes: every one delivered, no error logged. Returns the producer."""
    producer = create_producer()
    assert isinstance(producer, CppEventBusProducer)
    with caplog.at_level(logging.INFO, logger="openedx_events_cpp"):
        send_all(producer, topic, cases)
        producer.flush()
    assert producer.delivery_counts() == (len(cases), len(cases), 0)
    assert "Error" not in caplog.text, caplog.text
    return producer


def consume(consumer, cases, stop, timeout=30):
    """Runs the consumer until its receivers got as many events as there are cases (or `timeout`):
    [(signal, data, metadata, from_event_bus)]."""
    return run_consumer(consumer, signals_of(cases), len(cases), stop, timeout)


def consume_events_command(topic, group, extra, env):
    """openedx-events' own `manage.py consume_events -t TOPIC -g GROUP --extra JSON` on the tests'
    Django project (django_settings.py), in a subprocess; `env`: the TEST_* variables it reads."""
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen(
        [sys.executable, "-m", "django", "consume_events", "-t", topic, "-g", group, "--extra", json.dumps(extra)],
        env=dict(os.environ, DJANGO_SETTINGS_MODULE="django_settings", PYTHONPATH=here, **env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_with_sigterm(process, timeout=30):
    """SIGTERM, then its exit status and output."""
    try:
        process.send_signal(signals.SIGTERM)
        output, _ = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, output
