"""
Settings from Django settings, with the reference's names and defaults, handed to the C++ side as the
text the environment would hold (the C++ ``Settings::load`` validates every value and names the
setting of a bad one).

The backend is chosen by the dotted path in ``EVENT_BUS_PRODUCER`` / ``EVENT_BUS_CONSUMER``, so those
are not passed on; neither is ``EVENT_BUS_PRODUCER_CONFIG``, which openedx-events applies itself in
Python (signals the C++ catalog does not know may be listed there).
"""
import json
import os
from functools import lru_cache

from django.conf import settings as django_settings
from django.dispatch import receiver
from django.test.signals import setting_changed

from . import _core

_PREFIXES = ("EVENT_BUS_", "EVENTS_")
_OTHER_NAMES = ("SERVICE_VARIANT",)
_NOT_PASSED = frozenset({"EVENT_BUS_PRODUCER", "EVENT_BUS_CONSUMER", "EVENT_BUS_PRODUCER_CONFIG"})
# The embedded bus's default database path follows these (XDG base directories).
_ENVIRONMENT_NAMES = ("HOME", "XDG_STATE_HOME")


def _is_ours(name):
    return (name.startswith(_PREFIXES) or name in _OTHER_NAMES) and name not in _NOT_PASSED


def _as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


@lru_cache(maxsize=1)
def settings_map():
    """The settings for the C++ side: {name: text}, unset (None) ones left out, so they get defaults."""
    values = {}
    for name in dir(django_settings):
        if not _is_ours(name):
            continue
        value = getattr(django_settings, name)
        if value is not None:
            values[name] = _as_text(value)
    for name in _ENVIRONMENT_NAMES:
        if name in os.environ:
            values[name] = os.environ[name]
    return values


@receiver(setting_changed)
def _reset_settings(sender, setting, **kwargs):  # pylint: disable=unused-argument
    """Follow Django's setting_changed (override_settings in tests), as openedx-events does."""
    if _is_ours(setting):
        settings_map.cache_clear()


def check_settings():
    """Validate the settings now; raises SettingsError naming the first bad one."""
    _core.configure(settings_map())
