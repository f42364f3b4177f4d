"""Parity of the C++ DateTime and Uuid with Python 3.11's datetime and uuid modules.

Every string of generated tables goes through the real Python function and through the C++ probe
(tests/parity/types_probe.cpp, one process per table):

* datetime.fromisoformat vs DateTime::from_isoformat (and try_from_isoformat, which the probe
  cross-checks): same accept/reject; for accepted strings the same isoformat(), the same
  awareness, the same utcoffset() and the same UTC instant (in microseconds since the epoch).
  Error messages must match Python's for ASCII input ("Invalid isoformat string: '...'"); a
  range error carries Python's reason in parentheses.
* datetime(...) constructor and datetime.fromtimestamp(x, timezone.utc) vs the C++ constructors
  and DateTime::from_timestamp_utc.
* ==, <, > between parsed datetimes (naive vs aware: never equal, unordered where Python raises).
* uuid.UUID(s) vs Uuid::parse: same accept/reject, str() and version.
* Uuid::generate_v1 gives a version-1 RFC 4122 UUID whose timestamp is now, per Python.

The ISO table holds hand-picked strings of every shape Python 3.11 accepts or almost accepts,
every month end of leap and common years, ISO week dates around year boundaries, offsets up to
and past +-24h with seconds and microseconds, fractions of 0-9 digits, single-character mutations
(insert/replace/delete at every position with tricky characters) of a set of seeds, random
structured strings, and finally Python's isoformat() of every accepted string.

Not expressible, hence not compared: strings with lone surrogates (Python's fromisoformat accepts
one as a separator, but such a str cannot be UTF-8-encoded for the event bus; the C++ side
rejects ill-formed UTF-8, pinned by the unit tests), and NaN/infinite timestamps (not JSON; the
unit tests cover NaN).
"""
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from conftest import run_probe_lines

EPOCH = datetime(1970, 1, 1)
US = timedelta(microseconds=1)

# input -> reason. Every row here is a deliberate divergence from Python. Keep it empty.
EXCLUSIONS: dict = {}


def no_surrogates(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def describe(d: datetime) -> dict:
    off = d.utcoffset()
    off_us = None if off is None else off // US
    utc_us = (d.replace(tzinfo=None) - EPOCH) // US - (off_us or 0)
    return {"ok": True, "iso": d.isoformat(), "aware": off is not None, "utc_us": utc_us, "offset_us": off_us}


def python_fromisoformat(text: str):
    try:
        return describe(datetime.fromisoformat(text)), None
    except ValueError as e:
        return {"ok": False}, str(e)


# --------------------------------------------------------------------------------------------
# The ISO table.

HAND_PICKED = [
    # The shapes of datetime.isoformat() and the 3.11 extensions.
    "2020-01-01", "20200101", "2020-01-01T12", "2020-01-01T12:34", "2020-01-01T12:34:56",
    "2020-01-01T12:34:56.789012", "2020-01-01T12:34:56.789", "2020-01-01T12:34:56,789",
    "20200101T123456", "20200101T1234", "2020-01-01T1234", "20200101T12:34", "2020-01-01T123456.5",
    "2020-01-01T12:34:56Z", "2020-01-01T12Z", "2020-01-01T12:34:56.000001Z", "2020-01-01T12:00z",
    "2020-01-01t12:00", "2020-01-01 12:00", "2020-01-01é12:00", "2020-01-01€12:00", "2020-01-01😀12:00",
    "2020-01-01\x0012:00", "2020-01-01012:00", "2020-01-0112:00", "20200101-12", "20200101+12",
    "2020-01-01T12.5", "2020-01-01T12:00.5", "2020-01-01T12,5:00", "2020-01-01T12:00:00:5",
    "2020-01-01T1200001", "2020-01-01T120000:5", "2020-01-01T1200005Z", "2020-01-01T12:0000",
    "2020-01-01T1200:00", "2020-01-01T12:00:00x5", "2020-01-01T12:00:00:",
    # Week and ordinal dates.
    "2011-W01-2", "2011-W01-2T00:05:23.283", "2020-W01-2", "2020W012", "2020W01", "2020-W01", "2020-W53",
    "2020-W53-7", "2021-W53", "2020-W00", "2020-W01-0", "2020-W01-8", "2020-W1", "2020-W1-1", "2020W01-1",
    "2020-W011", "2020W0112", "2020W01120000", "2020W011T12", "2020-W01-0000", "2020-W01-1T00",
    "2020-W01-12:00", "2020-W0112:00", "0000-W01-1", "0001-W01-1", "9999-W52-7", "9998-W53-1",
    "2020-123", "2020123", "2020-123T12:00", "2020-366",
    # Fractions.
    "2020-01-01T12:00:00.", "2020-01-01T12:00:00.1", "2020-01-01T12:00:00.1234567",
    "2020-01-01T12:00:00.0000001", "2020-01-01T12:00:00.123456789012345678", "2020-01-01T12:00:00.12345６",
    "2020-01-01T12:00:00.1234567x", "2020-01-01T12:00:00.1234567:", "1999-12-31T23:59:59,999999999Z",
    # Offsets.
    "2020-01-01T12:00+01:00", "2020-01-01T12:00-01:00", "2020-01-01T12:00+0100", "2020-01-01T12:00+01",
    "2020-01-01T12:00+1", "2020-01-01T12:00+01:0", "2020-01-01T12:00+010", "2020-01-01T12:00+01:00:",
    "2020-01-01T12:00+01:00:30", "2020-01-01T12:00+01:00:30.5", "2020-01-01T12:00+01:00.5",
    "2020-01-01T12:00+01:00,5", "2020-01-01T12:00+01:00:00.1234567", "2020-01-01T12:00+01:00:00.",
    "2020-01-01T12:00+01:00:00:5", "2020-01-01T12:00+0100005", "2020-01-01T12:00+00:99",
    "2020-01-01T12:00+00:00:99", "2020-01-01T12:00+99:99", "2020-01-01T12:00+24:00", "2020-01-01T12:00-24:00",
    "2020-01-01T12:00+23:59:59.999999", "2020-01-01T12:00-23:59:59.999999", "2020-01-01T12:00+23:59:60",
    "2020-01-01T12:00-00:00", "2020-01-01T12:00+00:00:00.000001", "2020-01-01T12:00-00:00:00.5",
    "2020-01-01T12:00-01:00:00.5", "2020-01-01T12:00+", "2020-01-01T12:00-", "2020-01-01T12:00+-01:00",
    "2020-01-01T12:00+01:00Z", "2020-01-01T12:00Z+01:00", "2020-01-01T12-01", "2020-01-01T+01:00",
    "2020-01-01TZ", "2020-01-01T-01", "2020-01-01T12:00:00 +01:00", "2020-01-01T12:00:00.123456x+01:00",
    "2020-01-01T12:00:00.1234567x+01:00", "2020-01-01T12:00:00.123456+01:00x",
    "2020-01-01T12:30:45.6-03:30", "0001-01-01T00:00+01:00", "9999-12-31T23:59:59.999999-01:00",
    "9999-12-31T23:59:59.999999+23:59", "0001-01-01T00:00:00-23:59:59.999999",
    # NUL: the C parser stops there.
    "2020-01-01T12:00\x00", "2020-01-01T12\x00", "2020-01-01T12:00:00\x00", "2020-01-01T12:00:00.5\x00",
    "2020-01-01T12:00:00.123456\x00", "2020-01-01T12:00:00.12345\x00", "2020-01-01T12:00:00.123456\x00x",
    "2020-01-01T12:00Z\x00", "2020-01-01T12:00Z\x00abc", "2020-01-01T12:00:00.1234567\x00garbage",
    "2020-01-01T12:00:00.1234567\x00gar+bage", "2020-01-01T12:00:00.1234567\x00+01:00",
    "2020-01-01T12:00\x00+01:00", "2020-01-01T12:00:00.1234567\x00-", "2020-01-01T12:00:00.1234567\x00Z",
    # Out-of-range fields and malformed strings.
    "2020-01-01T24:00", "2020-01-01T24:00:00", "2020-01-01T12:60", "2020-01-01T12:00:60", "2020-02-30",
    "0000-01-01", "2020-13-01", "2020-00-10", "2019-02-29", "1900-02-29", "2000-02-29", "2020-02-29",
    "", "2", "2020", "2020-01", "2020-1-01", "2020-01-1", "2020-01-01T", "2020-01-01T1", "2020-01-01T1:00",
    "2020-01-01T12:0", " 2020-01-01", "2020-01-01 ", "2020-01-01T12:00 ", "２０２０-01-01",
    "2020-01-01T１２:00", "202001011200", "2020010112", "it's", "'\"\\\t\n\x7f",
]

TRICKY = list("0123456789-:T .,+ZzW\x00\tt_é") + ["€", "😀", "\x85", "\u2028"]

MUTATION_SEEDS = [
    "2020-01-01T12:34:56.789012+05:30",
    "20200101T123456,5Z",
    "2020-W53-7T00:00:00-23:59:59.999999",
    "2011-W01-2 01:02",
    "2020W011T1200+0100",
    "2024-02-29 23:59:59.1234567-00:00:00.5",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999Z",
]


def mutations(seed: str):
    for i in range(len(seed) + 1):
        for ch in TRICKY:
            yield seed[:i] + ch + seed[i:]
            if i < len(seed):
                yield seed[:i] + ch + seed[i + 1:]
        if i < len(seed):
            yield seed[:i] + seed[i + 1:]


def boundary_dates():
    for year in (1, 4, 99, 100, 400, 1600, 1900, 2000, 2019, 2020, 2021, 2100, 9996, 9999):
        for month in range(0, 14):
            for day in (0, 1, 28, 29, 30, 31, 32):
                yield "%04d-%02d-%02d" % (year, month, day)
                yield "%04d%02d%02dT235959.999999" % (year, month, day)


def week_dates():
    for year in (0, 1, 2004, 2009, 2015, 2020, 2021, 2026, 9998, 9999):
        for week in (0, 1, 2, 26, 52, 53, 54):
            yield "%04d-W%02d" % (year, week)
            yield "%04dW%02d" % (year, week)
            for day in (0, 1, 4, 7, 8):
                yield "%04d-W%02d-%d" % (year, week, day)
                yield "%04dW%02d%dT12" % (year, week, day)


def offsets():
    for sign in "+-":
        for hh in ("00", "01", "05", "12", "23", "24", "99"):
            for rest in ("", ":00", ":30", ":59", "30", ":00:01", ":59:59", "5959", ":59:59.999999", ":00:00.000001",
                         ":00:00,5", ":00.5", ":60", ":00:60"):
                yield "2020-06-15T08:09:10" + sign + hh + rest


def fractions():
    for sep in ".,":
        for n in range(0, 10):
            digits = "123456789"[:n]
            yield "2020-06-15T08:09:10" + sep + digits
            yield "2020-06-15T08:09:10" + sep + digits + "Z"
            yield "2020-06-15T08:09" + sep + digits + "+01:00"


def random_structured(rnd: random.Random):
    year = rnd.choice([rnd.randint(0, 9999), 1, 9999, 2000, 1900, 2020, 0, 2024])
    shape = rnd.random()
    if shape < 0.15:
        date = "%04dW%02d%s" % (year, rnd.randint(0, 54), rnd.choice(["", str(rnd.randint(0, 9))]))
    elif shape < 0.3:
        date = "%04d-W%02d%s" % (year, rnd.randint(0, 54), rnd.choice(["", "-" + str(rnd.randint(0, 9))]))
    elif shape < 0.5:
        date = "%04d%02d%02d" % (year, rnd.randint(0, 13), rnd.randint(0, 32))
    else:
        date = "%04d-%02d-%02d" % (year, rnd.randint(0, 13), rnd.randint(0, 32))
    if rnd.random() < 0.1:
        return date
    sep = rnd.choice("TTTt  -+Z0:x\x00é€😀")
    tsep = rnd.choice([":", ":", ""])
    t = "%02d" % rnd.randint(0, 25)
    for _ in range(rnd.randint(0, 2)):
        t += tsep + "%02d" % rnd.randint(0, 61)
    if rnd.random() < 0.5:
        t += rnd.choice(".,:") + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(0, 9)))
    r = rnd.random()
    if r < 0.2:
        t += "Z"
    elif r < 0.7:
        o = rnd.choice("+-") + "%02d" % rnd.randint(0, 25)
        for _ in range(rnd.randint(0, 2)):
            o += rnd.choice([":", ":", ""]) + "%02d" % rnd.randint(0, 61)
        if rnd.random() < 0.3:
            o += rnd.choice(".,") + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(0, 8)))
        t += o
    text = date + sep + t
    if rnd.random() < 0.3:
        chars = list(text)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(chars) + 1)
            op = rnd.random()
            ch = rnd.choice(TRICKY)
            if op < 0.3 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op < 0.6:
                chars.insert(i, ch)
            elif chars:
                chars[min(i, len(chars) - 1)] = ch
        text = "".join(chars)
    return text


def iso_table():
    rnd = random.Random(20240311)
    table = list(HAND_PICKED)
    table += [s for seed in MUTATION_SEEDS for s in mutations(seed)]
    table += list(boundary_dates()) + list(week_dates()) + list(offsets()) + list(fractions())
    table += [random_structured(rnd) for _ in range(20000)]
    printed = []
    for text in table:
        try:
            printed.append(datetime.fromisoformat(text).isoformat())
        except ValueError:
            pass
    table += printed
    return list(dict.fromkeys(s for s in table if no_surrogates(s)))


@pytest.fixture(scope="module")
def iso_strings():
    return iso_table()


def test_fromisoformat_parity(iso_strings, capsys):
    answers = run_probe_lines("types_probe", [{"op": "dt", "text": s} for s in iso_strings])
    mismatches = []
    accepted = messages = 0
    for text, answer in zip(iso_strings, answers):
        expected, error = python_fromisoformat(text)
        got = {k: v for k, v in answer.items() if k != "error"}
        if expected != got and text not in EXCLUSIONS:
            mismatches.append((text, expected, answer))
            continue
        if expected["ok"]:
            accepted += 1
            continue
        message = answer["error"]
        if text.isascii() and len(text) <= 200:
            messages += 1
            if error.startswith("Invalid isoformat string"):
                ok = message == error
            else:  # a range error: Python names the field, we add the input
                ok = message.startswith("Invalid isoformat string: " + repr(text)) and error.split(", not")[0] in message
            if not ok:
                mismatches.append((text, error, message))
    with capsys.disabled():
        print(f"\n[types parity] fromisoformat: {len(iso_strings)} strings compared, {accepted} accepted by Python, "
              f"{messages} error messages compared, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:40])


def test_isoformat_of_constructed_values(capsys):
    rnd = random.Random(7)
    cases = []
    for _ in range(4000):
        fields = [rnd.choice([0, 1, 2020, 9999, 10000, rnd.randint(1, 9999)]), rnd.randint(0, 13), rnd.randint(0, 32),
                  rnd.choice([-1, 0, 23, 24, rnd.randint(0, 23)]), rnd.choice([0, 59, 60, rnd.randint(0, 59)]),
                  rnd.choice([0, 59, 60, rnd.randint(0, 59)]),
                  rnd.choice([-1, 0, 1, 999999, 1000000, rnd.randint(0, 999999), rnd.randint(0, 999) * 1000])]
        offset = rnd.choice([None, None, 0, 1, -1, 86399999999, -86399999999, 86400000000, -86400000000,
                             3600000000, -12600000000, 3630500000, rnd.randint(-86400000000, 86400000000),
                             rnd.randint(-1440, 1440) * 60000000])
        cases.append((fields, offset))
    answers = run_probe_lines("types_probe", [{"op": "mk", "fields": f, "offset_us": o} for f, o in cases])
    mismatches = []
    for (fields, offset), answer in zip(cases, answers):
        try:
            tz = None if offset is None else timezone(timedelta(microseconds=offset))
            expected = describe(datetime(*fields, tzinfo=tz))
        except ValueError:
            expected = {"ok": False}
        got = {k: v for k, v in answer.items() if k != "error"}
        if expected != got:
            mismatches.append((fields, offset, expected, answer))
    with capsys.disabled():
        print(f"[types parity] constructor: {len(cases)} field sets compared, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:40])


def test_fromtimestamp_utc(capsys):
    rnd = random.Random(11)
    values = [0.0, 1.5, -1.5, 0.5e-6, 1.5e-6, 2.5e-6, -0.5e-6, -1.5e-6, -2.5e-6, 1e9 + 0.5e-6, 1700000000.123456,
              -62135596800.0, -62135596800.5, -62135596799.9999995, -62135596801.0, 253402300799.0,
              253402300799.999999, 253402300799.9999995, 253402300800.0, 1e20, -1e20, 1e300, 5e-324]
    values += [rnd.uniform(-62135596800, 253402300800) for _ in range(3000)]
    # Halfway cases of the microsecond rounding.
    values += [rnd.randint(-2**33, 2**33) + rnd.choice([0.5, 0.25, 0.0000005, 0.0000015, 0.0000025])
               for _ in range(1000)]
    values += [rnd.randint(-10**6, 10**6) / 2 ** rnd.randint(1, 30) for _ in range(1000)]
    answers = run_probe_lines("types_probe", [{"op": "ts", "seconds": v} for v in values])
    mismatches = []
    for value, answer in zip(values, answers):
        try:
            expected = describe(datetime.fromtimestamp(value, timezone.utc))
        except (ValueError, OverflowError, OSError):
            expected = {"ok": False}
        got = {k: v for k, v in answer.items() if k != "error"}
        if expected != got:
            mismatches.append((value, expected, answer))
    with capsys.disabled():
        print(f"[types parity] fromtimestamp: {len(values)} timestamps compared, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:40])


def test_comparisons(iso_strings, capsys):
    rnd = random.Random(5)
    accepted = []
    for text in iso_strings:
        try:
            accepted.append((text, datetime.fromisoformat(text)))
        except ValueError:
            pass
    pairs = [(rnd.choice(accepted), rnd.choice(accepted)) for _ in range(3000)]
    # Same instants written with other offsets, and same wall times with and without an offset.
    for _ in range(2000):
        text, d = rnd.choice(accepted)
        other = d
        if d.tzinfo is not None:
            try:
                other = d.astimezone(timezone(timedelta(minutes=rnd.randint(-1439, 1439))))
            except OverflowError:
                pass
        else:
            other = d.replace(tzinfo=timezone.utc) if rnd.random() < 0.5 else d + timedelta(microseconds=rnd.choice([-1, 0, 1]))
        pairs.append(((text, d), (other.isoformat(), other)))
    answers = run_probe_lines("types_probe", [{"op": "cmp", "a": a[0], "b": b[0]} for a, b in pairs])
    mismatches = []
    for (a, b), answer in zip(pairs, answers):
        try:
            order = "lt" if a[1] < b[1] else "gt" if a[1] > b[1] else "eq"
        except TypeError:
            order = "un"
        expected = {"eq": a[1] == b[1], "order": order}
        if expected != answer:
            mismatches.append((a[0], b[0], expected, answer))
    with capsys.disabled():
        print(f"[types parity] comparisons: {len(pairs)} pairs compared, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:40])


def test_utc_now_is_python_utc_now(capsys):
    answers = run_probe_lines("types_probe", [{"op": "now"}] * 5)
    for answer in answers:
        d = datetime.fromisoformat(answer["value"])
        assert d.tzinfo == timezone.utc
        assert abs(d - datetime.now(timezone.utc)) < timedelta(minutes=5)


# --------------------------------------------------------------------------------------------
# UUIDs.

UUID_HAND_PICKED = [
    "12345678-1234-5678-1234-567812345678", "12345678123456781234567812345678",
    "{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
    "URN:UUID:12345678-1234-5678-1234-567812345678", "{urn:uuid:12345678123456781234567812345678}",
    "urn:uuid:{12345678123456781234567812345678}", "{12345678123456781234567812345678",
    "12345678123456781234567812345678}", "{{12345678123456781234567812345678}}",
    "1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0-1-2", "----12345678123456781234567812345678----",
    " 12345678123456781234567812345678", "12345678123456781234567812345678 ", "0x12345678123456781234567812345678",
    "1234567812345678123456781234567", "123456781234567812345678123456789", "ABCDEFABCDEFABCDEFABCDEFABCDEFAB",
    "abcdefabcdefabcdefabcdefabcdefag", "１2345678123456781234567812345678", "+2345678123456781234567812345678",
    "_2345678123456781234567812345678", "1_345678123456781234567812345678",
    "urn:uuid:urn:uuid:12345678123456781234567812345678", "{}12345678123456781234567812345678", "urn:uuid:", "",
    "12345678-1234-5678-1234-567812345678\x00", "٣2345678123456781234567812345678",
    "Urn:Uuid:12345678123456781234567812345678", "urn:UUID:12345678123456781234567812345678",
    "00000000-0000-0000-0000-000000000000", "-0x1234567123456781234567812345678", "  1234567812345678123456781234567",
    "}12345678123456781234567812345678{", "urn:uuid:{1234567812345678123456781234567}8",
    "12345678 1234 5678 1234 567812345678", "1234567812345678123456781234567-8", "123456781234567812345678123456L",
    "-" + "0" * 31, "+" + "0" * 31, "0x_" + "0" * 29, "1_2_" + "3" * 28, "1__2" + "3" * 28, "1" * 31 + "_",
    "0" * 30 + "0x", "0x0x" + "0" * 28, "  " + "0" * 30, " " + "0" * 30 + " ", " +" + "0" * 30, "+ " + "0" * 30,
    "0_x" + "1" * 29, "urn:uuid:uuid:" + "1" * 32, "uurn:uid:" + "1" * 32, "uuurn:id:" + "1" * 32,
    "{-{" + "1" * 32 + "}", "-{" + "1" * 32 + "}", "{" + "1" * 32 + "-}", "urn:" + "1" * 32, "uuid:" + "1" * 32,
    "١" * 32, "𝟎" * 32, "a" * 31 + "Ａ", "１" * 32, "\u3000" + "1" * 30 + "\u3000", "0" * 31 + "\u200b",
    "{" * 40, "-" * 40, "urn:" * 10,
]
for _pre in ["\x1c", " ", "\t", "\x0b", "\x0c", "\r", "\n", "\u3000", "\x85", "\xa0", "+", "-", "0x", "0X", "-0x",
             "+0x", "0x_", "_", "\x7f", "\x00"]:
    _h = "1234567812345678123456781234567"[:32 - len(_pre)]
    UUID_HAND_PICKED += [_pre + _h, _h + _pre]

UUID_PIECES = ["urn:", "uuid:", "{", "}", "-", "0x", "0X", "_", "+", " ", "\t", "\u3000", "١", "１", "𝟎", "\x00", "Ａ",
               "é", "\x1c", "\x85", "u", "r", "n", ":", "U", "g"]


def python_uuid(text: str) -> dict:
    try:
        u = uuid.UUID(text)
    except ValueError:
        return {"ok": False}
    return {"ok": True, "str": str(u), "version": u.version}


def uuid_table():
    rnd = random.Random(99)
    table = list(UUID_HAND_PICKED)
    for seed in ("12345678-1234-5678-1234-567812345678", "{urn:uuid:0123456789abcdef0123456789ABCDEF}"):
        for i in range(len(seed) + 1):
            for piece in UUID_PIECES:
                table.append(seed[:i] + piece + seed[i:])
                if i < len(seed):
                    table.append(seed[:i] + piece + seed[i + 1:])
            if i < len(seed):
                table.append(seed[:i] + seed[i + 1:])
    for _ in range(20000):
        u = uuid.UUID(int=rnd.getrandbits(128))
        base = rnd.choice([str(u), u.hex, u.hex.upper(), "{%s}" % u, "urn:uuid:%s" % u, str(u).upper()])
        chars = list(base)
        for _ in range(rnd.randint(0, 4)):
            i = rnd.randrange(len(chars) + 1)
            op = rnd.random()
            if op < 0.3 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op < 0.7:
                chars[i:i] = list(rnd.choice(UUID_PIECES))
            elif chars:
                chars[min(i, len(chars) - 1)] = rnd.choice(UUID_PIECES)[0]
        table.append("".join(chars))
    # Every version and variant nibble, canonical.
    for version in range(16):
        for variant in (0x0, 0x8, 0xC, 0xE):
            u = uuid.UUID(int=rnd.getrandbits(128))
            b = bytearray(u.bytes)
            b[6] = (b[6] & 0x0F) | (version << 4)
            b[8] = (b[8] & 0x1F) | (variant << 4)
            table.append(str(uuid.UUID(bytes=bytes(b))))
    return list(dict.fromkeys(s for s in table if no_surrogates(s)))


def test_uuid_parity(capsys):
    table = uuid_table()
    answers = run_probe_lines("types_probe", [{"op": "uuid", "text": s} for s in table])
    mismatches = []
    accepted = 0
    for text, answer in zip(table, answers):
        expected = python_uuid(text)
        accepted += expected["ok"]
        got = {k: v for k, v in answer.items() if k != "error"}
        if expected != got and text not in EXCLUSIONS:
            mismatches.append((text, expected, answer))
    with capsys.disabled():
        print(f"[types parity] uuid.UUID: {len(table)} strings compared, {accepted} accepted by Python, "
              f"{len(mismatches)} mismatches")
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:40])


def test_generated_v1_is_a_python_uuid1_of_now():
    answers = run_probe_lines("types_probe", [{"op": "v1"}] * 200)
    values = [uuid.UUID(a["value"]) for a in answers]
    assert len(set(values)) == len(values)
    now_100ns = int(time.time() * 1e7) + 0x01B21DD213814000  # uuid1's epoch is 1582-10-15
    assert all(str(u) == a["value"] for u, a in zip(values, answers))  # canonical lowercase
    for u in values:
        assert u.version == 1
        assert u.variant == uuid.RFC_4122
        assert abs(u.time - now_100ns) < 300 * 10**7


def test_generated_v4_is_random():
    answers = run_probe_lines("types_probe", [{"op": "v4"}] * 50)
    values = [uuid.UUID(a["value"]) for a in answers]
    assert len(set(values)) == len(values)
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in values)


def test_exclusions_are_documented():
    for text, reason in EXCLUSIONS.items():
        assert reason, text


# --- repr() of str and bytes (the quoting of log lines and error texts) -----------------------------

def repr_cases():
    rnd = random.Random("repr")
    ascii_cases = ["", "plain", "it's", 'say "hi"', "both ' and \"", "back\\slash", "tab\tnew\nline\rcr",
                   "\x00\x07\x1b\x7f", "course-v1:edX+DemoX+Demo_Course"]
    for _ in range(300):
        ascii_cases.append("".join(chr(rnd.randrange(0, 128)) for _ in range(rnd.randrange(0, 12))))
    # Printable non-ASCII characters (str.isprintable()) are kept by both.
    printable = [c for c in "éüßñ漢字🎓Ωж" if c.isprintable()]
    text_cases = ascii_cases + ["".join(rnd.choice(printable + list("ab'\"\\\n")) for _ in range(8)) for _ in range(100)]
    byte_cases = [bytes(rnd.randrange(0, 256) for _ in range(rnd.randrange(0, 12))) for _ in range(300)]
    byte_cases += [b"", b"\x00\x00\x00\x00\x05\x10learner2", "é".encode(), b"'\"", b"'"]
    return text_cases, byte_cases


def test_str_and_bytes_repr_are_pythons():
    text_cases, byte_cases = repr_cases()
    requests = [{"op": "repr", "hex": t.encode().hex(), "bytes": False} for t in text_cases]
    requests += [{"op": "repr", "hex": b.hex(), "bytes": True} for b in byte_cases]
    answers = run_probe_lines("types_probe", requests)
    expected = [repr(t) for t in text_cases] + [repr(b) for b in byte_cases]
    mismatches = [(r, a["repr"], e) for r, a, e in zip(requests, answers, expected) if a["repr"] != e]
    assert not mismatches, mismatches[:5]
