"""Every pattern hako applies to definition text runs in linear time.

Definition text comes from pull requests, and some of this work (secret shapes, masking,
redaction, printing, error parsing, review's scans) runs in the main process, outside the
evaluation budget: one quadratic pattern let a 190-byte definition keep validate busy for
88 s. Each check runs on adversarial inputs (repetitions of the prefixes that make a
pattern start a match and then fail) and must end within a bound measured in this
process's CPU time (time.process_time), so other work on a loaded machine does not count
against it. Every check meets every seed at 64 KB, where a linear check takes < 0.08 s (the
worst: redact and secret_entry) and the bound is 0.5 s: a quadratic pattern is caught from 2 s
at 128 KB on (the n² pattern took 30 s there). At 128 KB and 1.5 s, the same test cost the suite
15 s more CPU and caught nothing more. The text functions every output passes meet the worst
seeds at 1 MB.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from hako_py.compare.masking import secret_paths
from hako_py.ecr_images import parse_ecr_image
from hako_py.loading.errors import format_jsonnet_error
from hako_py.loading.legacy_env import variables_in
from hako_py.loading.nesting import nesting_problem
from hako_py.printable import printable
from hako_py.redaction import code_literals, redact
from hako_py.review.jsonnet_lexer import LexError
from hako_py.review.jsonnet_scan import scan
from hako_py.secret_detection import SECRET_FLAG, hide_shapes, is_harmless, looks_secret, secret_entry

SIZE = 64 * 1024
CPU_BOUND = 0.5  # seconds of this process's CPU time for one check on one input (linear: < 0.08 s at 64 KB)
MEGABYTE = 1_000_000
MEGABYTE_BOUND = 1.5  # the same at 1 MB (linear: hide_shapes's worst seed takes ~0.5 s)

# Prefixes that start a match of some pattern and then need something that never comes.
SEEDS = [
    "a://:", "a://", "a.", "a://:/", "a://aaaaaaaaaaaaaaaa", "a:a@", ":", "@", "/", "\t", " \n", "#{",
    "eyJaaaaaaaa-", "eyJaaaaaaaa.eyJ", "eyJaaaaaaaa.eyJaaaaaaaa.", "-----BEGIN A ", "-----BEGIN PRIVATE KEY-----",
    "-----END a", "ghp_", "github_pat_", "xoxb-", "AKIA", "AIza", "sk_live_", "password=", "--password",
    "password", "'\\", '"\\', "'", '"', "\\", "Field \"", "a:1:", "::", "##[", "\u2028::", "std.native(",
    "import ", "[", "{", "(", "|||", "@'", "/*", "//", "#", "-", "_", "=", "0.",
]


def _inputs(seeds: list[str], size: int) -> list[str]:
    out = []
    for seed in seeds:
        body = seed * (size // len(seed))
        out += [body, body + "!"]
    return out


INPUTS = _inputs(SEEDS, SIZE)


def _scan(text: str) -> object:
    try:
        return scan(text)
    except LexError:
        return None


def _flag(text: str) -> object:
    return SECRET_FLAG.match("--" + text)


CHECKS: dict[str, Callable[[str], object]] = {
    "hide_shapes": lambda text: hide_shapes(text, "<masked>"),
    "secret_entry": lambda text: secret_entry(text, text),
    "looks_secret": looks_secret,
    "is_harmless": is_harmless,
    "SECRET_FLAG": _flag,
    "masking": lambda text: list(secret_paths({"command": ["--password", text], "env": {text[:100]: text}})),
    "redact": redact,
    "code_literals": code_literals,
    "printable": printable,
    "legacy variables": variables_in,
    "jsonnet errors": format_jsonnet_error,
    "ecr image": parse_ecr_image,
    "nesting": lambda text: nesting_problem(text, "x.jsonnet"),
    "review scan": _scan,
}


def _slow(check: Callable[[str], object], inputs: list[str], bound: float = CPU_BOUND) -> list[str]:
    slow = []
    for text in inputs:
        start = time.process_time()
        check(text)
        spent = time.process_time() - start
        if spent > bound:
            slow.append(f"{text[:24]!r}...: {spent:.1f} s")
    return slow


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_pattern_is_linear_on_adversarial_input(name: str) -> None:
    assert not _slow(CHECKS[name], INPUTS), name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hide_shapes", "printable", "legacy variables"])
def test_the_text_functions_take_adversarial_megabytes(name: str) -> None:
    worst = ["a://:", "a.", "eyJaaaaaaaa-", "#{", "\u2028::"]
    assert not _slow(CHECKS[name], _inputs(worst, MEGABYTE), MEGABYTE_BOUND), name


def test_the_tester_s_definition_value_is_masked_quickly() -> None:
    """The reported case: 40,000 × 'a://:' took 0.76 s per 20 KB and ~80 s per 200 KB."""
    value = "a://:" * 40_000
    start = time.process_time()
    assert hide_shapes(value, "<masked>") == value
    assert time.process_time() - start < 0.5


def test_shapes_are_still_found() -> None:
    cases = {
        "postgres://app:pw@db/x": "postgres://<masked>@db/x",
        "https://0123456789abcdef0123@o1.ingest.sentry.io/1": "https://<masked>@o1.ingest.sentry.io/1",
        "x eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl y": "x <masked> y",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----": "<masked>",
        "--db-password=hunter22": "--db-password=<masked>",
    }
    for value, masked in cases.items():
        assert hide_shapes(value, "<masked>") == masked, value
    assert SECRET_FLAG.match("--db-password=hunter2").group("value") == "hunter2"  # type: ignore[union-attr]
    assert SECRET_FLAG.match("--verbose") is None
