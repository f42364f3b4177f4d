"""Shared set-up of the parity tests: the real openedx-events package (the oracle) and our build.

The C++ side is reached through small probe programs built next to the unit tests
(tests/parity/*_probe.cpp → $OPENEDX_EVENTS_BUILD_DIR/tests/<name>) so that hundreds of cases run
in one process each.
"""
import json
import os
import pathlib
import subprocess

import pytest

import django
from django.conf import settings

if not settings.configured:
    settings.configure(EVENTS_SERVICE_NAME="parity-tests", USE_TZ=True)
    django.setup()

from openedx_events.tooling import load_all_signals  # noqa: E402

load_all_signals()

ROOT = pathlib.Path(__file__).resolve().parents[2]


def build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("OPENEDX_EVENTS_BUILD_DIR", ROOT / "build"))


def probe_path(name: str) -> pathlib.Path:
    path = build_dir() / "tests" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build the project first (scripts/test.sh does)")
    return path


def run_probe_lines(name: str, requests: list) -> list:
    """Send one JSON request per line to a probe and return its JSON answers, in order."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
    done = subprocess.run([str(probe_path(name))], input=text.encode(), capture_output=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{name} exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(answers) == len(requests), f"{name} answered {len(answers)} of {len(requests)} requests"
    return answers


@pytest.fixture(scope="session")
def cli_path() -> pathlib.Path:
    path = build_dir() / "cli" / "openedx-events"
    if not path.exists():
        pytest.fail(f"{path} is missing: build the project first")
    return path
