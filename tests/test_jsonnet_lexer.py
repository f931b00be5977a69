"""The review's Jsonnet lexer agrees with go-jsonnet (the evaluator hako uses) on generated
input: every file go-jsonnet imports is found, string values decode identically, text
go-jsonnet lexes is lexed, and adversarial input is scanned in linear time."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hako_py.review.jsonnet_lexer import LexError, tokenize
from hako_py.review.jsonnet_scan import scan

PIECES = ["import", "importstr", "importbin", " ", "\n", "\t", "'a'", '"b"', "'lib/x'", "@'c'", '@"d"',
          r"'\u002f'", r"'\/'", r"'\ud83d\ude00'", "'a''b'", "@'a''b'", "/*", "*/", "//", "#", "|||", "|||-",
          "\n  ", "'", '"', "\\", "@", "x", "+", "[", "]", ",", "(", ")", "{", "}", "local", "=", ";", "1",
          "0_1", "1e", "1.", "1e5", "std", ".", "native", "$", "|", "||", ":", "-", "\r", "_", "é"]
SNIPPETS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)
STRING_BODY = st.lists(st.sampled_from(["a", "\\", "u", "d", "8", "3", "D", "e", "0", "f", "F", "'", '"', "/",
                                        "n", "t", "b", "x", "\n", "é", "+", " ", "_"]), max_size=14).map("".join)


def go(snippet: str) -> tuple[str | None, list[str]]:
    """go-jsonnet's error (None when it evaluated) and the paths it asked the importer for."""
    import _gojsonnet

    asked: list[str] = []

    def importer(base: str, rel: str) -> tuple[str, bytes]:
        asked.append(rel)
        return rel, b"null"

    try:
        _gojsonnet.evaluate_snippet("x.jsonnet", snippet, import_callback=importer)
    except (RuntimeError, UnicodeDecodeError) as exc:
        return str(exc).partition("\n")[0], asked
    return None, asked


@settings(max_examples=400, deadline=None)
@given(SNIPPETS)
def test_every_import_go_jsonnet_performs_is_found(snippet: str) -> None:
    _, asked = go(snippet)
    try:
        found = {path for _, path in scan(snippet).imports}
    except LexError:
        return  # unanalysable: the review treats the file as depending on everything
    assert set(asked) <= found


@settings(max_examples=400, deadline=None)
@given(SNIPPETS)
def test_text_go_jsonnet_lexes_is_lexed_and_lex_errors_agree(snippet: str) -> None:
    error, _ = go(snippet)
    lex_error = error is not None and not error.startswith("RUNTIME ERROR") and any(
        word in error for word in ("lex", "Unterminated", "Text block", "Unexpected EOF", "terminating",
                                   "Could not", "junk", "consecutive", "leading 0"))
    try:
        tokenize(snippet)
        mine = None
    except LexError as exc:
        mine = str(exc)
    if error is None or error.startswith("RUNTIME ERROR"):
        assert mine is None, (snippet, mine)
    if lex_error:
        assert mine is not None, (snippet, error)


@settings(max_examples=400, deadline=None)
@given(STRING_BODY, st.sampled_from(["'", '"', "@'", '@"']))
def test_string_values_decode_like_go_jsonnet(body: str, quote: str) -> None:
    snippet = quote + body + quote[-1]
    error, _ = go(snippet)
    try:
        tokens = tokenize(snippet)
    except LexError:
        assert error is not None and not error.startswith("RUNTIME ERROR"), snippet
        return
    if len(tokens) != 1:
        return  # the body closed the string early: not one string literal
    if error is None:
        import _gojsonnet

        assert tokens[0].value == json.loads(_gojsonnet.evaluate_snippet("x", snippet))
    else:
        assert not error.startswith("RUNTIME ERROR")


@pytest.mark.parametrize("text", [
    "import 'a';" * 50_000,
    "'" + "\\'" * 300_000,
    "@'" + "''" * 300_000,
    "/*" * 300_000,
    "std " * 200_000,
    "#" + " " * 600_000 + "\nimport 'x'",
    "|||\n" + "  import 'x'\n" * 60_000 + "|||",
    "x" * 1_000_000,
    "std /* */ " * 60_000 + "std",
])
def test_adversarial_input_is_scanned_in_linear_time(text: str) -> None:
    start = time.process_time()  # CPU time: a loaded machine does not count against it
    with contextlib.suppress(LexError):
        scan(text)
    assert time.process_time() - start < 2.0
