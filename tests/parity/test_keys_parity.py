"""Parity of the C++ opaque keys with the real edx-opaque-keys and edx-ccx-keys packages.

Every string of a generated table is parsed by the real Python `from_string` of a class and by the C++
probe (tests/parity/keys_probe.cpp, one process per class). For each string the two must agree on:

* accept or reject (Python's InvalidKeyError or any other exception counts as reject);
* for accepted strings, `str(key)`, the concrete Python class, and the equality key: the canonical
  namespace, the deprecated flag and every KEY_FIELDS value (nested keys recursively). Agreeing on the
  equality key means C++ `operator==` sees the same identity Python's `__eq__` does.

The table holds every example of /work/shared/reference/opaque-keys.md (§3-§14), upstream test strings,
aside keys built with the real encoder, single-character mutations (insert / replace / delete at every
position with a set of tricky characters), case and Unicode-folding variants of every prefix, version
length variants, whitespace around the key, random token soups, and finally the printed form of every
accepted key (so re-parsing is compared too).

Not expressible, hence not compared: strings with lone surrogates and byte strings that are not UTF-8.
Python never sees bytes, and a str with a lone surrogate cannot be UTF-8-encoded for the event bus; the
C++ side rejects ill-formed UTF-8 (pinned by the unit tests instead).
"""
import json
import os
import pathlib
import random
import re
import subprocess
import sys
from collections import Counter

import pytest
from bson.objectid import ObjectId
from ccx_keys.locator import CCXLocator
from opaque_keys import InvalidKeyError, OpaqueKey
from opaque_keys.edx.asides import AsideUsageKeyV1, AsideUsageKeyV2
from opaque_keys.edx.keys import CourseKey, UsageKey
from opaque_keys.edx.locator import (
    BlockUsageLocator,
    CourseLocator,
    LibraryCollectionLocator,
    LibraryContainerLocator,
    LibraryLocatorV2,
    LibraryUsageLocatorV2,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]

CLASSES = {
    "CourseKey": CourseKey,
    "CCXLocator": CCXLocator,
    "UsageKey": UsageKey,
    "LibraryLocatorV2": LibraryLocatorV2,
    "LibraryUsageLocatorV2": LibraryUsageLocatorV2,
    "LibraryCollectionLocator": LibraryCollectionLocator,
    "LibraryContainerLocator": LibraryContainerLocator,
}

# (class, input) -> reason. Every row here is a deliberate divergence from Python. Keep it empty.
EXCLUSIONS: dict = {}

V = "519665f6223ebd6980884f2b"
SURROGATE = re.compile("[\ud800-\udfff]")

COURSE_SEEDS = [
    # §3 CourseLocator
    "course-v1:edX+DemoX+Demo_Course",
    f"course-v1:mit.eecs+~6002x+2014_T2+branch@draft-1+version@{V}",
    f"course-v1:version@{V}+block@hw3",
    f"course-v1:org+course+version@{V}",
    "course-v1:org+course+run+type@problem+block@x",
    "course-v1:org+course+run+type@problem+block@a%20b",
    f"course-v1:org+course+branch@b+version@{V}",
    f"course-v1:branch@draft+version@{V}",
    f"course-v1:org+course+run+version@{V.upper()}",
    f"course-v1:org+course+run+version@{V[:-1]}",
    f"course-v1:org+course+run+version@{V}00",
    "course-v1:",
    "course-v1:org+course",
    "course-v1:org+course+run+",
    "course-v1:org+course+run\n",
    "course-v1:org+course+run ",
    "course-v1:org++run",
    "course-v1:+course+run",
    "course-v1:a+b+c+d",
    "course-v1:org+course+run+branch@",
    "course-v1:org+course+run+branch@b+branch@c",
    f"course-v1:org+course+run+version@{V}+branch@b",
    "course-v1:org+course+run+ccx@1",
    "course-v1:org+co%20urse+run",
    "course-v1:test+mit.ee cs+2014_T2",
    "course-v1:org+c\u0301ourse+run",
    "Course-V1:org+course+run",
    "course-v1:org/course/run",
    "course-v1:Ωrg+cöurse+rün",
    "course-v1:org:x+cou:rse+run:1",
    "course-v1:course-v1:a+b+c",
    " course-v1:a+b+c",
    "course-v1:org+course+run+branch@b+type@t",
    "course-v1:org+course+run+block@x",
    "course-v1:org+course+run+type@t+block@x+",
    "course-v1:mit+course+run+",
    "course-v1:mit+course+run\n",
    "course-v1:Ａ+²+Ⅻ+branch@١ß",
    # §4 deprecated and slashes
    "org/course/run",
    "org/course/",
    "/course/run",
    "org//run",
    "org/cou rse/run",
    "org/course/run:x",
    "org/course/run~1",
    "org/course/run/extra",
    "org/course",
    "foo!/bar/baz",
    "org/course/run%20",
    "Ωrg/cöurse/rün",
    "org.x-y%z/c_1/r.2-3%",
    "slashes:DemoUniversity+DM01+2014",
    "slashes:org/course/run",
    "slashes:org+course+run+branch@b",
    # §5 CCX
    f"ccx-v1:mit.eecs+6002x+2014_T2+branch@draft-1+version@{V}+ccx@1",
    "ccx-v1:org+course+run+CCX@1",
    f"ccx-v1:org+course+run+version@{V.upper()}+ccx@1",
    "ccx-v1:org+course+run",
    "ccx-v1:org+course+run+Branch@b+ccx@1",
    f"ccx-v1:org+course+version@{V}+ccx@1",
    "ccx-v1:org+course+ccx@1",
    "ccx-v1:ccx@1",
    f"ccx-v1:version@{V}+ccx@1",
    "ccx-v1:org+course+run+ccx@01",
    "ccx-v1:org+course+run+ccx@١٢",
    "ccx-v1:org+course+run+ccx@",
    "ccx-v1:org+course+run+ccx@-1",
    "ccx-v1:org+course+run+ccx@abc",
    "ccx-v1:org+course+run+ccx@1+ccx@2",
    "ccx-v1:org+course+run+ccx@1+branch@b",
    "ccx-v1:org+course+run+ccx@1+type@problem+block@x",
    "ccx-v1:org+course+run+ccx@1+block@a%20b",
    f"ccx-v1:org+course+run+verſion@{V}+ccx@1",
    "ccx-v1:org+course+run+ccx@1+bloc\u212a@x",
    "ccx-v1:org+course+run+ccx@1+TYPE@t+BLOCK@b",
    "ccx-v1:org+course+run+İccx@1",
    "ccx-v1:org+course+run+brancH@b+ccx@1",
    "CCX-V1:org+course+run+ccx@1",
    # §6 LibraryLocator
    "library-v1:org+lib+run",
    "library-v1:org+lib+run+branch@b",
    "library-v1:org+lib",
    "library-v1:org",
    "library-v1:org+lib+",
    "library-v1:org+lib%",
    f"library-v1:org+lib+version@{V}",
    f"library-v1:branch@b+version@{V}",
    f"library-v1:version@{V}",
    "library-v1:org+lib+type@problem+block@x",
    "library-v1:UniX+PhysicsProbs+branch@draft",
    # not course keys
    "lib:MITx:reallyhardproblems",
]

USAGE_SEEDS = [
    # §7 BlockUsageLocator
    "block-v1:org+course+run+branch@revision+type@category+block@name",
    "block-v1:org.dept.sub-prof+course.num.section-4+run.hour.min-99+type@category+block@name:12.33-44",
    "block-v1:org+course+run+type@problem+block@a%20b",
    "block-v1:org+course+run+block@abc",
    "block-v1:org+course+run+type@None+block@abc",
    f"block-v1:org+course+run+branch@draft+version@{V}+type@problem+block@lab2",
    f"block-v1:org+course+version@{V}+type@problem+block@lab2",
    f"block-v1:version@{V}+type@problem+block@lab2",
    "block-v1:org+course+run+type@problem",
    "block-v1:org+course+run",
    "block-v1:org+course+run+type@problem+block@abc+",
    "block-v1:org+course+run+type@problem+block@abc\n",
    "block-v1:org+course+run+type@problem+block@",
    "block-v1:org+course+run+block@abc+type@problem",
    "block-v1:org+course+type@problem+block@abc",
    "block-v1:org+course+run+type@problem+block@a b",
    "block-v1:org+course+run+Type@t+block@x",
    "block-v1:org+course+run+type@problem+block@x@y",
    "block-v1:org+course+run+type@problem+block@x\u00a0",
    "block-v1:org+course+run+type@pro:blem+block@name:12.33-44~x",
    "course-v1:org+course+run",
    # §8 i4x
    "i4x://org/course/category/name@revision",
    "i4x://org.dept%sub-prof/course.num%section-4/category/name:12%33-44",
    "i4x://org/course/category/name",
    "i4x://org/course/category/na me",
    "i4x://org/course/category/name@",
    "i4x://org/course/category/name@rev/x",
    "i4x://org/course/category/name@rev@x",
    "i4x://org/course/category/",
    "i4x://org/course/category",
    "i4x://org/course/category/a/b",
    "i4x://org/course/run/category/name",
    "i4x://or:g/course/category/name",
    "i4x://org/cour~se/category/name",
    "i4x:///course/category/name",
    "I4X://org/course/category/name",
    "i4x:/org/course/category/name",
    "i4x://org/course/category/name\n",
    "i4x://org/course/category/name@re:v~1",
    "i4x://org/course/category/name%2F",
    "i4x://org/course/category/name@rev%",
    "i4x://org/course/category/été",
    "i4x://org/course/cat egory/name",
    "i4x://org/course/cat@gory/name",
    "i4x://org/course/ca+t/name",
    "i4x://org/course/ca:t/name",
    "i4x://org/course/ca\nt/name",
    "i4x://org/course/\x00/name",
    # §9 location
    "location:GradingUniv+GT101+2014+chapter+4420ef6679b34ee8ba0cfd6d514b1b38",
    "location:org+course+run+type+id",
    "location:org+course+run+type",
    "location:org+course+run+type+id+x",
    "location:org+course+run+type+i%d",
    "location:org+course+run+branch@b+id",
    # §10
    f"lib-block-v1:org+lib+version@{V}+type@category+block@name",
    f"lib-block-v1:version@{V}+type@category+block@name",
    "lib-block-v1:org+lib+run+type@problem+block@x",
    "lib-block-v1:org+lib+block@x",
    "lib-block-v1:org+lib+type@problem",
    "lib-block-v1:org+lib+type@problem+block@a%20b",
    "lib-block-v1:org+lib+branch@b+type@problem+block@x",
    "ccx-block-v1:org+course+run+branch@revision+ccx@1+type@category+block@name",
    "ccx-block-v1:org+course+run+CCX@1+TYPE@problem+BLOCK@x",
    "ccx-block-v1:org+course+run+ccx@1+block@x",
    "ccx-block-v1:org+course+run+ccx@1+type@problem",
    "ccx-block-v1:org+course+run+ccx@1+type@problem+block@a%20b",
    f"ccx-block-v1:org+course+version@{V.upper()}+ccx@1+type@t+block@b",
    # §11 lb
    "lb:UnicodeX:i18n-lib:html:έψιλον",
    "lb:org:lib:ρroblem:p1",
    "lb:org:Ωlib:problem:p1",
    "lb:org\n:lib:problem:p1",
    "lb:org:lib:problem\n:p1",
    "lb:org:lib:problem:p1\n",
    "lb:org:lib:problem:p1\n\n",
    "lb:org:lib:problem",
    "lb:org:lib:problem:p1:extra",
    "lb:org:lib:pro blem:p1",
    "lb:Ωrg:lib:problem:p1",
    "lb:org:lib:problem:p~1",
    "lb:org:lib:problem:",
    "lb::lib:problem:p1",
    "lb:org:lib:problem:p1 ",
    "lb:MITx:reallyhardproblems:problem:problem1",
    # asides (upstream test_aside_keys.py)
    "aside-usage-v1:i4x://org/course/cat/name::aside",
    "aside-usage-v1:block-v1:org+course+cat+type@block_type+block@name::aside",
    f"aside-usage-v2:lib-block-v1$:$:+-+branch@-+version@{'0' * 24}+type@-+block@-::0",
    "aside-usage-v2:i4x$://-/-/-/$:$:-::0",
    "aside-usage-v2:i4x$://-/-/-/$:$:$:-::0",
    "aside-usage-v2:i4x$://-/-/$:$:$:$:$:/-::0",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::aside",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b",
    "aside-usage-v2:block-v1:org+course+run+type@t+block@b::aside",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::as$$ide",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::as$ide",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::a$:b",
    "aside-usage-v2:block-v1$:org+course+run+type@t+block@b:::",
    "aside-usage-v2:::",
    "aside-usage-v2:",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b::a::b",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b:::b",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b::$$",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b::$",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b::$::x",
    "aside-usage-v1:aside-usage-v1:block-v1:org+course+run+type@t+block@b::x",
    "aside-usage-v1:lb:org:lib:problem:p1::a",
    "aside-usage-v2:lb$:org$:lib$:problem$:p1::a",
    "aside-usage-v1:block-v1:org+course+run+block@b::a",
    "aside-usage-v2:block-v1$:org+course+run+block@b::a",
    "aside-usage-v1:location:org+course+run+type+id::a",
    "aside-usage-v1:block-v1:org+course+run+type@t+block@b:::a",
    "aside-usage-v1:block-v1:o:+course+run+type@t+block@b::a",
]

LIB_SEEDS = [
    "lib:MITx:reallyhardproblems",
    "lib:EpsilonX:έψιλον",
    "lib:org:slug\n",
    "lib:org\n:slug",
    "lib:org:slug\n\n",
    "lib:org:slug\r",
    "lib:org:slug ",
    "lib:org",
    "lib:org:slug:extra",
    "lib::slug",
    "lib:org:",
    "lib:org:sl ug",
    "lib:org:sl~ug",
    "lib:org:sl+ug",
    "lib:org:sl:ug",
    "lib:έψιλον:foobar",
    "LIB:org:slug",
    "lib:ORG:slug",
    "lib:hogwarts:p300-potions-exercises",
    "lib:o_r-g.1:s_l-u.g²",
    "lib-collection:TestX:LibraryX:test-problem-bank",
    "lib-collection:org\n:lib:c",
    "lib-collection:TestX:LibraryX",
    "lib-collection:TestX:LibraryX:test:too:many:colons",
    "lib-collection:TestX::coll",
    "lib-collection:TestX:LibraryX:coll ection",
    "lib-collection:TestX:LibraryX:colléction",
    "lct:TestX:LibraryX:unit:test-container",
    "lct:org:lib:unit\n:u1",
    "lct:TestX:LibraryX:unit",
    "lct:TestX:LibraryX:unit:u1:x",
    "lct:TestX:LibraryX:ünit:u1",
    "lct:TestX:LibraryX:unit:u~1",
    "lct:TestX:LibraryX::u1",
    "lct:TestX:LibraryX:unit:ü1",
    "lct:TestX:LibraryX:un-it.x_y:u1",
]

# Characters that sit on the edges of the grammars: separators, Python's special cases of `\w`,
# `$` and IGNORECASE, whitespace Python might trim (it does not), and non-BMP text.
ALPHABET = [
    "+", "@", ":", "/", " ", "\n", "\r", "\t", "\x00", "%", "~", "$", ".", "-", "_",
    "é", "ſ", "\u212a", "İ", "ı", "١", "²", "Ⅻ", "\u0301", "\u00a0", "·", "!", "A", "0", "f", "F", "😀",
]

PREFIX_WORDS = [
    "branch", "version", "ccx", "type", "block", "course-v1", "ccx-v1", "library-v1", "block-v1",
    "ccx-block-v1", "lib-block-v1", "location", "slashes", "i4x", "lib", "lb", "lct", "lib-collection",
    "aside-usage-v1", "aside-usage-v2",
]
FOLDS = {"s": ["ſ"], "i": ["İ", "ı"], "k": ["\u212a"]}

SOUP_TOKENS = [
    "course-v1:", "ccx-v1:", "library-v1:", "block-v1:", "ccx-block-v1:", "lib-block-v1:", "location:",
    "slashes:", "lb:", "lib:", "lct:", "lib-collection:", "i4x://", "aside-usage-v1:", "aside-usage-v2:",
    "org", "course", "run", "x", "1", "+", "@", ":", "::", "$", "$:", "$$", "/", "branch@", "version@" + V,
    "version@" + V.upper(), "ccx@", "ccx@1", "type@", "type@t", "block@", "block@b", "%", "~", "\n", " ", "é",
]


def namespace_classes(seed):
    """The classes a seed's mutations are compared on, from its namespace."""
    ns = seed.split(":", 1)[0] if ":" in seed else None
    if ns in ("course-v1", "slashes", "library-v1") or ns is None:
        return ["CourseKey"]
    if ns == "ccx-v1":
        return ["CourseKey", "CCXLocator"]
    if ns == "lb":
        return ["UsageKey", "LibraryUsageLocatorV2"]
    if ns == "lib":
        return ["LibraryLocatorV2"]
    if ns == "lib-collection":
        return ["LibraryCollectionLocator"]
    if ns == "lct":
        return ["LibraryContainerLocator"]
    return ["UsageKey"]


def mutations(seed):
    """Single-character inserts, replacements and deletions at every position."""
    out = set()
    for i in range(len(seed) + 1):
        for ch in ALPHABET:
            out.add(seed[:i] + ch + seed[i:])
            if i < len(seed):
                out.add(seed[:i] + ch + seed[i + 1:])
        if i < len(seed):
            out.add(seed[:i] + seed[i + 1:])
    return out


def prefix_variants(seed):
    """Upper-case and Unicode-folded spellings of every prefix word, one occurrence at a time."""
    out = set()
    for word in PREFIX_WORDS:
        start = seed.find(word)
        while start != -1:
            end = start + len(word)
            spellings = {word.upper(), word.capitalize(), word[:-1] + word[-1].upper()}
            for i, ch in enumerate(word):
                for fold in FOLDS.get(ch, []):
                    spellings.add(word[:i] + fold + word[i + 1:])
                    spellings.add(word.replace(ch, fold))
            for spelling in spellings:
                out.add(seed[:start] + spelling + seed[end:])
            start = seed.find(word, start + 1)
    return out


def structural_variants(seed):
    out = {seed + "\n", seed + "\n\n", "\n" + seed, seed + " ", " " + seed, seed + "\r\n", seed + seed,
           seed.upper(), seed.lower()}
    if V in seed:
        for version in (V[:23], V + "0", V + "00", V.upper(), "0" * 24, "A" * 24, V[:12], ""):
            out.add(seed.replace(V, version))
    tokens = seed.split("+")
    if len(tokens) > 2:
        for i in range(1, len(tokens) - 1):
            swapped = tokens[:]
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            out.add("+".join(swapped))
            out.add("+".join(tokens[:i] + tokens[i + 1:]))
            out.add("+".join(tokens[:i + 1] + [tokens[i]] + tokens[i + 1:]))
    return out


def aside_seeds():
    """Aside keys printed by the real encoder, including nesting and awkward aside types."""
    block = BlockUsageLocator(CourseLocator("org", "course", "run"), "problem", "p1")
    i4x = UsageKey.from_string("i4x://org/course/category/name@rev")
    lb = UsageKey.from_string("lb:org:lib:html:h1")
    out = []
    for inner in (block, i4x, lb):
        for aside_type in ("aside", "", "a:b", "a::b", "a$b", "$:", ":", "a:::", "tag$$:$"):
            out.append(str(AsideUsageKeyV2(inner, aside_type)))
            try:
                out.append(str(AsideUsageKeyV1(inner, aside_type)))
            except ValueError:
                pass
    v2 = AsideUsageKeyV2(block, "in:ner")
    out.append(str(AsideUsageKeyV2(v2, "outer")))
    out.append(str(AsideUsageKeyV2(AsideUsageKeyV2(v2, "mid"), "out$er")))
    out.append(str(AsideUsageKeyV2(AsideUsageKeyV1(block, "v1"), "v2")))
    return out


def soups(rng, count):
    out = set()
    for _ in range(count):
        out.add("".join(rng.choice(SOUP_TOKENS) for _ in range(rng.randint(1, 12))))
    return out


def key_repr(key):
    """Python's equality identity of a key: namespace, deprecated flag, KEY_FIELDS (see OpaqueKey._key)."""
    out = [key.CANONICAL_NAMESPACE, bool(key.deprecated)]
    for field in key.KEY_FIELDS:
        value = getattr(key, field)
        if isinstance(value, OpaqueKey):
            value = key_repr(value)
        elif isinstance(value, ObjectId):
            value = str(value)
        out.append(value)
    return out


def python_answer(cls_name, text):
    try:
        key = CLASSES[cls_name].from_string(text)
    except InvalidKeyError:
        return {"ok": False}, None
    except Exception as exc:  # pylint: disable=broad-except
        return {"ok": False}, type(exc).__name__
    return {"ok": True, "str": str(key), "cls": type(key).__name__, "key": key_repr(key)}, None


def probe_path():
    build = pathlib.Path(os.environ.get("OPENEDX_EVENTS_BUILD_DIR", ROOT / "build"))
    path = build / "tests" / "keys_probe"
    if not path.exists():
        pytest.fail(f"{path} is missing: build the keys_probe target first")
    return path


def cpp_answers(cls_name, texts):
    payload = "".join(f"{cls_name}\t{json.dumps(t)}\n" for t in texts).encode()
    done = subprocess.run([str(probe_path())], input=payload, capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(answers) == len(texts), f"keys_probe answered {len(answers)} of {len(texts)} lines"
    return answers


def build_table():
    """{class name: set of strings}."""
    rng = random.Random(20240611)
    table = {name: set() for name in CLASSES}
    seeds = COURSE_SEEDS + USAGE_SEEDS + LIB_SEEDS + aside_seeds()
    for seed in seeds:
        for name in CLASSES:  # every example against every class: cross-type rejections
            table[name].add(seed)
        derived = mutations(seed) | prefix_variants(seed) | structural_variants(seed)
        for name in namespace_classes(seed):
            table[name] |= derived
    for name in CLASSES:
        table[name] |= soups(rng, 3000)
    for texts in table.values():
        assert not any(SURROGATE.search(t) for t in texts), "lone surrogates cannot be UTF-8"
    return table


@pytest.fixture(scope="module")
def table():
    return build_table()


def compare(cls_name, texts):
    texts = sorted(texts)
    cpp = cpp_answers(cls_name, texts)
    mismatches, accepted, other_exceptions = [], 0, Counter()
    reprinted = set()
    for text, cpp_answer in zip(texts, cpp):
        expected, exception = python_answer(cls_name, text)
        if exception:
            other_exceptions[exception] += 1
        if expected["ok"]:
            accepted += 1
            reprinted.add(expected["str"])
        if "error" in cpp_answer:
            mismatches.append((text, expected, cpp_answer))
        elif expected != cpp_answer and (cls_name, text) not in EXCLUSIONS:
            mismatches.append((text, expected, cpp_answer))
    return len(texts), accepted, mismatches, other_exceptions, reprinted


@pytest.mark.parametrize("cls_name", list(CLASSES))
def test_keys_parity(cls_name, table, capsys):
    compared, accepted, mismatches, other, reprinted = compare(cls_name, table[cls_name])
    # Re-parse what Python printed: round-trips must match too (type@None, dropped fields...).
    extra = reprinted - table[cls_name]
    if extra:
        more = compare(cls_name, extra)
        compared += more[0]
        accepted += more[1]
        mismatches += more[2]
        other += more[3]
    with capsys.disabled():
        print(f"\n[keys parity] {cls_name}: {compared} strings compared, {accepted} accepted by Python, "
              f"{compared - len(mismatches)} matched, {len(mismatches)} mismatched"
              + (f"; Python raised non-InvalidKeyError exceptions: {dict(other)}" if other else ""),
              file=sys.stderr)
    shown = "\n".join(f"  {t!r}\n    python: {p}\n    c++:    {c}" for t, p, c in mismatches[:25])
    assert not mismatches, f"{len(mismatches)} mismatches for {cls_name}:\n{shown}"


def test_exclusions_are_documented():
    for (cls_name, text), reason in EXCLUSIONS.items():
        assert cls_name in CLASSES and isinstance(text, str) and reason.strip()


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the table is generated from CPython 3.11")
def test_unicode_table_is_what_this_python_generates(tmp_path):
    """src/keys/unicode_word_table.cpp must be the generator's output for this CPython (no hand edits)."""
    out = tmp_path / "table.cpp"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_unicode_tables.py"), "--output", str(out)],
                   check=True, capture_output=True)
    generated = out.read_text(encoding="utf-8").splitlines()[1:]  # line 1 names the exact CPython patch release
    committed = (ROOT / "src" / "keys" / "unicode_word_table.cpp").read_text(encoding="utf-8").splitlines()[1:]
    assert generated == committed
