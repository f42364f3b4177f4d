"""Parity of EVENT_BUS_PRODUCER_CONFIG validation and merge_producer_configs with the real openedx-events.

Validation: the oracle is the real start-up path. For each config of the table, Django's settings get
EVENT_BUS_PRODUCER_CONFIG = config (override_settings) and the real `OpenedxEventsConfig.ready()` runs
(openedx_events/apps.py: the top-level dict check, then `_get_validated_signal_config` per event type).
The C++ side (tests/parity/settings_probe.cpp) validates the same config three ways:

* `parse_producer_config(config)` directly;
* through `Settings::load` with the config as JSON text in the environment;
* through `Settings::load` with the config written by PyYAML (block and flow style) into an
  OPENEDX_EVENTS_CONFIG file, so that the YAML typing (what is a bool, an int, a str) is held to PyYAML.

All must agree on accept/reject and, on reject, give exactly `str(exc)` of the reference's
ProducerConfigurationError; on accept, the same event types, topics and values in the same order.

Merge: `merge_producer_configs(original, overrides)` of the real package against the C++ one on pairs
that cover every branch, compared as JSON text (so key order counts too), including the inputs where
the reference raises (non-dict levels): there the C++ side must refuse as well.

Not compared: integers beyond 64 bits (nlohmann/json reads them as floats, so a huge `enabled` would be
reported as <class 'float'> where Python says <class 'int'>).
"""
import copy
import json

import pytest
import yaml
from django.test import override_settings

import openedx_events
from conftest import run_probe_lines
from openedx_events.apps import OpenedxEventsConfig, general_signal_handler
from openedx_events.event_bus import merge_producer_configs
from openedx_events.exceptions import ProducerConfigurationError
from openedx_events.tooling import OpenEdxPublicSignal

E1 = "org.openedx.content_authoring.xblock.published.v1"
E2 = "org.openedx.learning.course.enrollment.created.v1"
AUTHZ = "org.openedx.authz.role_assignment.created"  # no .v1: ADR 0002's exception
UNSERIALIZABLE = "org.openedx.content_authoring.course.certificate_config.changed.v1"
ALL_EVENTS = [s.event_type for s in OpenEdxPublicSignal.all_events()]


def topic(key="xblock_info.usage_key", enabled=True):
    return {"event_key_field": key, "enabled": enabled}


ABSENT = object()  # the setting not defined at all

VALIDATION_CASES = [
    # --- valid ---
    ("absent", ABSENT),
    ("empty", {}),
    ("empty event", {E1: {}}),
    ("one topic", {E1: {"t": topic()}}),
    ("disabled topic", {E1: {"t": topic(enabled=False)}}),
    ("two topics in order", {E1: {"z-topic": topic(), "a-topic": topic(enabled=False)}}),
    ("two events in order", {E2: {"t": topic("enrollment.user.id")}, E1: {"t": topic()}}),
    ("extra keys ignored", {E1: {"t": {"event_key_field": "k", "enabled": True, "mode": "outbox", "n": 1}}}),
    ("keys in the other order", {E1: {"t": {"enabled": False, "event_key_field": "k"}}}),
    ("empty topic name and key field", {E1: {"": topic(key="")}}),
    ("unicode topic and key field", {E1: {"тема-ü": topic(key="ключ.é")}}),
    ("authz event without version", {AUTHZ: {"t": topic("role")}}),
    ("event kept off the bus is still a signal", {UNSERIALIZABLE: {"t": topic("x")}}),
    ("every catalog event", {e: {f"topic-{i}": topic(f"k{i}", i % 2 == 0)} for i, e in enumerate(ALL_EVENTS)}),
    # --- the setting itself ---
    ("setting is a list", []),
    ("setting is None", None),
    ("setting is a str", "config"),
    ("setting is an int", 1),
    ("setting is a bool", True),
    ("setting is a list of dicts (ADR 0012 shape)", [{"event_type": E1, "topic": "t"}]),
    # --- per event type ---
    ("event value list", {E1: []}),
    ("event value None", {E1: None}),
    ("event value str", {E1: "t"}),
    ("event value int", {E1: 3}),
    ("unknown event", {"org.openedx.no.such.event.v1": {}}),
    ("unknown event, bad value: dict check first", {"no.such": []}),
    ("empty event type", {"": {}}),
    ("event type case differs", {E1.upper(): {}}),
    ("event type with trailing space", {E1 + " ": {}}),
    ("unknown event with a quote", {"it's": {"t": topic()}}),
    ("unknown after a valid one", {E1: {"t": topic()}, "nope": {}}),
    ("unknown before a bad value", {"nope": {}, E1: []}),
    ("second event bad", {E1: {"t": topic()}, E2: {"t": {"enabled": True}}}),
    # --- per topic ---
    ("topic value list", {E1: {"t": []}}),
    ("topic value None", {E1: {"t": None}}),
    ("topic value str", {E1: {"t": "k"}}),
    ("topic value bool", {E1: {"t": True}}),
    ("second topic bad", {E1: {"ok": topic(), "bad": 1}}),
    ("topic empty dict", {E1: {"t": {}}}),
    ("missing event_key_field", {E1: {"t": {"enabled": True}}}),
    ("missing enabled", {E1: {"t": {"event_key_field": "k"}}}),
    ("event_key_field int", {E1: {"t": {"event_key_field": 1, "enabled": True}}}),
    ("event_key_field None", {E1: {"t": {"event_key_field": None, "enabled": True}}}),
    ("event_key_field list", {E1: {"t": {"event_key_field": ["a", "b"], "enabled": True}}}),
    ("event_key_field dict", {E1: {"t": {"event_key_field": {"a": 1}, "enabled": True}}}),
    ("event_key_field bool", {E1: {"t": {"event_key_field": True, "enabled": True}}}),
    ("event_key_field float", {E1: {"t": {"event_key_field": 1.5, "enabled": True}}}),
    ("event_key_field bad and enabled missing", {E1: {"t": {"event_key_field": 0}}}),
    ("enabled int 1", {E1: {"t": {"event_key_field": "k", "enabled": 1}}}),
    ("enabled int 0", {E1: {"t": {"event_key_field": "k", "enabled": 0}}}),
    ("enabled negative int", {E1: {"t": {"event_key_field": "k", "enabled": -1}}}),
    ("enabled str 'true'", {E1: {"t": {"event_key_field": "k", "enabled": "true"}}}),
    ("enabled str 'yes'", {E1: {"t": {"event_key_field": "k", "enabled": "yes"}}}),
    ("enabled None", {E1: {"t": {"event_key_field": "k", "enabled": None}}}),
    ("enabled float 1.0", {E1: {"t": {"event_key_field": "k", "enabled": 1.0}}}),
    ("enabled float 1e20", {E1: {"t": {"event_key_field": "k", "enabled": 1e20}}}),
    ("enabled list", {E1: {"t": {"event_key_field": "k", "enabled": [True]}}}),
    ("enabled dict", {E1: {"t": {"event_key_field": "k", "enabled": {}}}}),
]


def python_validate(config):
    """Run the real app start-up with the setting; return the answer in the probe's shape."""
    app = OpenedxEventsConfig("openedx_events", openedx_events)
    try:
        if config is ABSENT:
            app.ready()
        else:
            with override_settings(EVENT_BUS_PRODUCER_CONFIG=copy.deepcopy(config)):
                app.ready()
    except ProducerConfigurationError as exc:
        return {"ok": False, "class": "ProducerConfigurationError", "error": str(exc)}
    finally:
        # ready() connects the bus handler to every configured signal; leave other tests a clean slate.
        for signal in OpenEdxPublicSignal.all_events():
            signal.disconnect(general_signal_handler)
    if config is ABSENT:
        config = {}
    return {
        "ok": True,
        "config": [
            [event_type, [[name, t["event_key_field"], t["enabled"]] for name, t in topics.items()]]
            for event_type, topics in config.items()
        ],
    }


def yaml_text(config, flow):
    document = {"LMS_BASE": "localhost:18000"}  # a setting that is not ours, as real files have
    if config is not ABSENT:
        document["EVENT_BUS_PRODUCER_CONFIG"] = config
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=flow)


@pytest.fixture(scope="module")
def validation_answers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("producer-config")
    requests = []
    for index, (_, config) in enumerate(VALIDATION_CASES):
        requests.append({"op": "validate", "config": {} if config is ABSENT else config})
        requests.append({"op": "env", "text": "{}" if config is ABSENT else json.dumps(config, ensure_ascii=False)})
        for flow in (False, True):
            path = directory / f"case-{index}-{'flow' if flow else 'block'}.yaml"
            text = yaml_text(config, flow)
            # The file must say what the table says: PyYAML reads back the same value.
            assert yaml.safe_load(text).get("EVENT_BUS_PRODUCER_CONFIG", ABSENT) == config
            path.write_text(text, encoding="utf-8")
            requests.append({"op": "file", "path": str(path)})
    answers = run_probe_lines("settings_probe", requests)
    return [answers[i:i + 4] for i in range(0, len(answers), 4)]


def test_the_table_covers_both_outcomes():
    outcomes = [python_validate(config)["ok"] for _, config in VALIDATION_CASES]
    assert len(VALIDATION_CASES) >= 40
    assert outcomes.count(True) >= 10 and outcomes.count(False) >= 30


@pytest.mark.parametrize("index", range(len(VALIDATION_CASES)), ids=[name for name, _ in VALIDATION_CASES])
def test_validation_matches_the_reference(index, validation_answers):
    _, config = VALIDATION_CASES[index]
    expected = python_validate(config)
    direct, env, block_file, flow_file = validation_answers[index]
    assert direct == expected
    assert env == expected
    assert block_file == expected
    assert flow_file == expected


def test_messages_name_python_classes():
    # A spot check that the comparison above is not vacuous: the texts are the reference's own.
    answer = python_validate({E1: {"t": {"event_key_field": "k", "enabled": 1}}})
    assert answer["error"] == (f"ProducerConfigurationError {E1}: Expected type: <class 'bool'> for 'enabled', "
                               "found: <class 'int'>")
    assert python_validate([])["error"].startswith("ProducerConfigurationError : Setting")


BASE = {
    E1: {"topic-a": {"event_key_field": "xblock_info.usage_key", "enabled": True},
         "topic-b": {"event_key_field": "xblock_info.usage_key", "enabled": False}},
    E2: {"topic-c": {"event_key_field": "enrollment.course.course_key", "enabled": True}},
}

MERGE_CASES = [
    ("both empty", {}, {}),
    ("empty original", {}, BASE),
    ("empty overrides", BASE, {}),
    ("disable one topic", BASE, {E1: {"topic-a": {"enabled": False}}}),
    ("enable one topic", BASE, {E1: {"topic-b": {"enabled": True}}}),
    ("change the key field only", BASE, {E2: {"topic-c": {"event_key_field": "enrollment.user.id"}}}),
    ("both given", BASE, {E1: {"topic-a": {"event_key_field": "x", "enabled": False}}}),
    ("None values are ignored", BASE, {E1: {"topic-a": {"enabled": None, "event_key_field": None}}}),
    ("new topic on an existing event", BASE, {E1: {"topic-new": {"event_key_field": "k", "enabled": True}}}),
    ("new topic, key field listed first", BASE, {E2: {"t": {"event_key_field": "k", "enabled": False}}}),
    ("new event type", BASE, {"org.example.new.v1": {"t": {"enabled": True, "event_key_field": "k"}}}),
    ("extra override keys are not copied", BASE, {E1: {"topic-a": {"enabled": False, "mode": "outbox"}}}),
    ("empty topic override adds an empty topic", BASE, {E1: {"topic-z": {}}}),
    ("empty event override adds an empty event", BASE, {"org.example.other.v1": {}}),
    ("falsy but not None values are copied", BASE, {E1: {"topic-a": {"enabled": False, "event_key_field": ""}}}),
    ("non-bool values are copied as given", BASE, {E1: {"topic-a": {"enabled": "yes", "event_key_field": 5}}}),
    ("nested values are copied", {}, {E1: {"t": {"enabled": {"deep": [1, {"x": None}]}}}}),
    ("order: existing keys keep their place", BASE, {"org.example.new.v1": {}, E2: {}, E1: {"topic-b": {}}}),
    ("original key order inside a topic survives",
     {E1: {"t": {"enabled": True, "event_key_field": "k"}}}, {E1: {"t": {"event_key_field": "k2"}}}),
    ("original topic with other keys keeps them", {E1: {"t": {"mode": "x"}}}, {E1: {"t": {"enabled": True}}}),
    ("repeated application is stable", merge_producer_configs(BASE, {E1: {"topic-a": {"enabled": False}}}),
     {E1: {"topic-a": {"enabled": False}}}),
    # The reference raises on these (a level that is not a dict, reached by the overrides)...
    ("overrides a list", BASE, []),
    ("overrides None", BASE, None),
    ("original a list, overrides non-empty", [], {E1: {}}),
    ("override event value a list", BASE, {E1: []}),
    ("override event value None", BASE, {E1: None}),
    ("override topic value a list", BASE, {E1: {"topic-a": []}}),
    ("override topic value a str", BASE, {E1: {"topic-a": "off"}}),
    ("original event value a list, reached", {E1: []}, {E1: {"t": {}}}),
    ("original topic value None, written", {E1: {"t": None}}, {E1: {"t": {"enabled": True}}}),
    ("original topic value a str, written", {E1: {"t": "x"}}, {E1: {"t": {"event_key_field": "k"}}}),
    # ...and returns on these (the bad level is never touched).
    ("original a list, overrides empty", [], {}),
    ("original None, overrides empty", None, {}),
    ("original event value a list, not reached", {E1: []}, {E1: {}}),
    ("original topic value None, nothing written", {E1: {"t": None}}, {E1: {"t": {"enabled": None}}}),
]


def python_merge(original, overrides):
    original_copy, overrides_copy = copy.deepcopy(original), copy.deepcopy(overrides)
    try:
        result = merge_producer_configs(original_copy, overrides_copy)
    except (AttributeError, TypeError):
        return {"ok": False}
    assert original_copy == original and overrides_copy == overrides  # the reference mutates neither
    return {"ok": True, "result": result}


@pytest.fixture(scope="module")
def merge_answers():
    return run_probe_lines("settings_probe", [{"op": "merge", "original": a, "overrides": b}
                                              for _, a, b in MERGE_CASES])


@pytest.mark.parametrize("index", range(len(MERGE_CASES)), ids=[name for name, _, _ in MERGE_CASES])
def test_merge_matches_the_reference(index, merge_answers):
    _, original, overrides = MERGE_CASES[index]
    expected = python_merge(original, overrides)
    got = merge_answers[index]
    assert got["ok"] == expected["ok"], got
    if expected["ok"]:
        # As JSON text: values and key order both count.
        assert json.dumps(got["result"]) == json.dumps(expected["result"])
    else:
        assert got["class"] == "SettingsError" and got["error"].startswith("merge_producer_configs: ")


# Hand-written YAML scalars (what PyYAML never emits itself but people write), placed as `enabled`
# and as `event_key_field` values: the C++ reader must type them as PyYAML does, so that validation
# accepts and rejects the same files with the same "found: <class '...'>" texts.
YAML_SCALARS = [
    "true", "True", "TRUE", "false", "yes", "Yes", "NO", "on", "Off", "y", "n", "tRUE",
    "1", "0", "-1", "+1", "-0", "0x1F", "0b101", "017", "08", "1_000", "1:30", "190:20:30",
    "1.0", "1.", ".5", "-.5", "1e3", "1.0e+3", "1.0e3", "1_0.5", "1:30.5", ".inf", "-.Inf", ".NaN", ".nan",
    "~", "null", "Null", "NULL", "", "nul",
    "''", "'true'", '"1"', "x", "a.b", "!!str true", "!!str 1", "!!int '3'", "!!bool 'TrUe'", "!!float '1'",
    "!!null ''", "2020-01-01", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2020-1-1",
    "[]", "[true]", "{}", "{a: 1}", "&anchor yes",
    # PyYAML cannot construct these: an int without digits, the "value" tag, a tagged non-int.
    "0b_", "=", "!!int 'abc'",
]


def yaml_scalar_document(field, scalar):
    other = "enabled: true" if field == "event_key_field" else "event_key_field: k"
    return (f"LMS_BASE: x\nEVENT_BUS_PRODUCER_CONFIG:\n  {E1}:\n    topic:\n"
            f"      {other}\n      {field}: {scalar}\n")


YAML_SCALAR_CASES = [(field, scalar) for field in ("enabled", "event_key_field") for scalar in YAML_SCALARS]


def python_validate_yaml(text):
    try:
        config = yaml.safe_load(text)["EVENT_BUS_PRODUCER_CONFIG"]
    except (yaml.YAMLError, ValueError):
        return {"ok": False, "class": "YAMLError"}
    return python_validate(config)


@pytest.fixture(scope="module")
def yaml_scalar_answers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("yaml-scalars")
    requests = []
    for index, (field, scalar) in enumerate(YAML_SCALAR_CASES):
        path = directory / f"scalar-{index}.yaml"
        path.write_text(yaml_scalar_document(field, scalar), encoding="utf-8")
        requests.append({"op": "file", "path": str(path)})
    return run_probe_lines("settings_probe", requests)


@pytest.mark.parametrize("index", range(len(YAML_SCALAR_CASES)),
                         ids=[f"{field}={scalar}" for field, scalar in YAML_SCALAR_CASES])
def test_yaml_scalars_are_typed_as_pyyaml_types_them(index, yaml_scalar_answers):
    field, scalar = YAML_SCALAR_CASES[index]
    expected = python_validate_yaml(yaml_scalar_document(field, scalar))
    got = yaml_scalar_answers[index]
    if not expected["ok"] and expected["class"] == "YAMLError":
        # PyYAML cannot build the value at all: the C++ reader refuses the file too (its own text).
        assert got["ok"] is False and got["class"] == "SettingsError", got
    else:
        assert got == expected
