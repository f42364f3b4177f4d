"""An app of the tests' Django project. In subprocess tests (manage.py consume_events) with
TEST_RECORD_EVENTS_TO set, a receiver on every openedx-events signal appends each event's metadata id
to that file, one line per event, once it has slept TEST_RECORD_DELAY seconds (a slow receiver): a
line is an event the receivers finished."""
import os
import time

from django.apps import AppConfig


def _recorder(path, delay):
    def record(signal, sender, **kwargs):  # pylint: disable=unused-argument
        if delay:
            time.sleep(delay)
        with open(path, "a", encoding="utf-8") as file:
            file.write(f"{kwargs['metadata'].id}\n")
    return record


class RecordingConfig(AppConfig):
    name = "recording"

    def ready(self):
        path = os.environ.get("TEST_RECORD_EVENTS_TO")
        if not path:
            return
        from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals  # pylint: disable=import-outside-toplevel

        load_all_signals()
        record = _recorder(path, float(os.environ.get("TEST_RECORD_DELAY", "0")))
        for signal in OpenEdxPublicSignal.all_events():
            signal.connect(record, weak=False)
