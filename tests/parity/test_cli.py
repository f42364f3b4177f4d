"""The `openedx-events` command line, checked against the reference where the reference has an
answer (schema files, bytes) and against the issue's contract elsewhere (exit codes, streams)."""
import json
import os
import pathlib
import subprocess

import pytest
from openedx_events.event_bus.avro.schema import schema_from_signal
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_events.event_bus.avro.deserializer import AvroSignalDeserializer
from openedx_events.tooling import KNOWN_UNSERIALIZABLE_SIGNALS, OpenEdxPublicSignal

LOGIN = "org.openedx.learning.auth.session.login.completed.v1"
LOGIN_DATA = {"user": {"id": 123, "is_active": True,
                       "pii": {"username": "foobob", "email": "bob@foo.example", "name": "Bob Foo"}}}


def run(cli, *args, input=None, check=True):
    done = subprocess.run([str(cli), *args], input=input, capture_output=True, timeout=60,
                          stdin=None if input is not None else subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, done.stderr.decode()
    return done


def test_every_subcommand_has_help(cli_path):
    for sub in ["list-events", "show-schema", "generate-avro-schemas", "check-schemas", "encode", "decode"]:
        done = run(cli_path, sub, "--help")
        assert b"Usage" in done.stdout or b"usage" in done.stdout.lower()


def test_list_events_lists_the_reference_catalog_in_order_and_marks_unserializable(cli_path):
    lines = run(cli_path, "list-events").stdout.decode().splitlines()
    types = [line.split("\t")[0] for line in lines]
    assert types == [s.event_type for s in OpenEdxPublicSignal.all_events()]
    marked = {line.split("\t")[0] for line in lines if "unserializable" in line}
    assert marked == set(KNOWN_UNSERIALIZABLE_SIGNALS)


def test_show_schema_prints_the_reference_schema(cli_path):
    text = run(cli_path, "show-schema", LOGIN).stdout.decode()
    expected = json.dumps(schema_from_signal(OpenEdxPublicSignal.get_signal_by_type(LOGIN)), indent=2)
    assert text == expected + "\n"


def test_generate_writes_the_files_the_reference_command_writes(cli_path, tmp_path):
    done = run(cli_path, "generate-avro-schemas", "--all", "--output-dir", str(tmp_path))
    assert done.stdout == b""
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 72
    for signal in OpenEdxPublicSignal.all_events():
        if signal.event_type in KNOWN_UNSERIALIZABLE_SIGNALS:
            assert f"Known unserializable signal: {signal.event_type}. Skipping." in done.stderr.decode()
            continue
        name = signal.event_type.replace(".", "+") + "_schema.avsc"
        assert (tmp_path / name).read_text() == json.dumps(schema_from_signal(signal), indent=2), name


def test_generate_refuses_to_overwrite_without_a_terminal_unless_yes(cli_path, tmp_path):
    run(cli_path, "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path))
    target = next(tmp_path.iterdir())
    target.write_text("old")
    done = run(cli_path, "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path), check=False)
    assert done.returncode != 0 and b"--yes" in done.stderr
    assert target.read_text() == "old"
    run(cli_path, "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path), "--yes")
    assert target.read_text() != "old"


def test_generate_asks_on_a_terminal_and_skips_unless_yes(cli_path, tmp_path):
    run(cli_path, "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path))
    target = next(tmp_path.iterdir())
    target.write_text("old")
    # A pseudo-terminal makes the tool interactive; answering "n" keeps the file.
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(str(cli_path), [str(cli_path), "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path)])
    os.write(fd, b"n\n")
    output = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Are you sure you want to continue [y/n]?" in output
    assert target.read_text() == "old"


def test_check_schemas_passes_on_the_repo_snapshots(cli_path):
    done = run(cli_path, "check-schemas")
    assert done.stdout == b""
    assert b"72 of 72" in done.stderr


def test_check_schemas_names_a_missing_file_and_the_command(cli_path, tmp_path):
    done = run(cli_path, "check-schemas", "--schemas-dir", str(tmp_path), check=False)
    assert done.returncode == 1
    assert b"Missing file" in done.stderr and b"generate-avro-schemas" in done.stderr


def test_encode_matches_python_bytes_and_decode_gives_the_json_view(cli_path, tmp_path):
    signal = OpenEdxPublicSignal.get_signal_by_type(LOGIN)
    expected = serialize_event_data_to_bytes(AvroSignalDeserializer(signal).from_dict(LOGIN_DATA), signal)
    assert expected == b"\xf6\x01\x01\x0cfoobob\x1ebob@foo.example\x0eBob Foo"
    assert run(cli_path, "encode", LOGIN, "--data", json.dumps(LOGIN_DATA)).stdout == expected
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(LOGIN_DATA))
    assert run(cli_path, "encode", LOGIN, "--data", f"@{data_file}", "--hex").stdout.decode().strip() == expected.hex()
    assert json.loads(run(cli_path, "decode", LOGIN, input=expected).stdout) == LOGIN_DATA
    bytes_file = tmp_path / "event.avro"
    bytes_file.write_bytes(expected)
    assert json.loads(run(cli_path, "decode", LOGIN, "--input", str(bytes_file)).stdout) == LOGIN_DATA


@pytest.mark.parametrize("args, message", [
    (["encode", LOGIN, "--data", "{not json"], b"not valid JSON"),
    (["encode", LOGIN, "--data", json.dumps({"user": {"id": "x"}})], b"user.id"),
    (["encode", "org.openedx.nope.v1", "--data", "{}"], b"unknown event type"),
    (["encode", "org.openedx.learning.course.enrollment.created.v1", "--data",
      json.dumps({"enrollment": {"course": {"course_key": "course-v1:bad"}}})], b"enrollment."),
])
def test_errors_go_to_stderr_with_a_nonzero_status(cli_path, args, message):
    done = run(cli_path, *args, check=False)
    assert done.returncode != 0
    assert done.stdout == b""
    assert message in done.stderr, done.stderr


def test_decode_of_truncated_bytes_names_the_field(cli_path):
    done = run(cli_path, "decode", LOGIN, input=b"\xf6\x01\x01\x0cfoobob\x1ebob@foo", check=False)
    assert done.returncode == 1 and done.stdout == b""
    assert b"user.pii.email" in done.stderr, done.stderr
