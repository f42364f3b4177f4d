"""The installed wheel works in a fresh virtual environment (scripts/test.sh runs this with that
environment's python, outside the repository): openedx_events_cpp comes from site-packages, and an
event goes through the embedded bus from its producer to its consumer's receiver.

Usage: python wheel_smoke.py DIRECTORY   (a scratch directory for the bus's database)
"""
import os
import sys
import threading

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["openedx_events"], USE_TZ=True, EVENTS_SERVICE_NAME="wheel-smoke",
    EVENT_BUS_EMBEDDED_PATH=os.path.join(sys.argv[1], "bus.sqlite3"), EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=0.2,
)
django.setup()

import openedx_events_cpp  # noqa: E402
from openedx_events.learning.data import UserData, UserPersonalData  # noqa: E402
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED  # noqa: E402
from openedx_events_cpp import embedded  # noqa: E402

where = os.path.dirname(openedx_events_cpp.__file__)
assert "site-packages" in where, f"openedx_events_cpp imported from {where}, not from the environment"

user = UserData(id=7, is_active=True, pii=UserPersonalData(username="wheel", email="w@example.com", name="W"))
metadata = SESSION_LOGIN_COMPLETED.generate_signal_metadata()
producer = embedded.create_producer()
producer.send(signal=SESSION_LOGIN_COMPLETED, topic="smoke", event_key_field="user.id", event_data={"user": user},
              event_metadata=metadata)
producer.flush()
assert producer.delivery_counts() == (1, 1, 0), producer.delivery_counts()

consumer = embedded.EmbeddedEventConsumer("smoke", "group", "c1", check_backlog=True)
received = []


def receiver(signal, sender, **kwargs):  # pylint: disable=unused-argument
    received.append((kwargs["user"], kwargs["metadata"]))
    consumer.stop()


SESSION_LOGIN_COMPLETED.connect(receiver, weak=False)
watchdog = threading.Timer(30, consumer.stop)
watchdog.start()
consumer.consume_indefinitely()
watchdog.cancel()
assert received == [(user, metadata)], received
print(f"wheel ok: {where}")
