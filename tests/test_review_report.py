"""The PR comment (hako diff --format markdown) shows definition text as text: it cannot end a
code fence, add Markdown or HTML, or open an HTML comment; and it always fits GitHub's
comment limit, with the full report written by --output-file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.conftest import Hako, Repo
from tests.test_review import LIB, app, git, gitrepo  # noqa: F401  (fixture)

GITHUB_LIMIT = 65536
PIECES = st.one_of(st.sampled_from([*"`~<>!-*_|[]()#\n\r\\&;:@ab ", "```", "<!--", "-->", "</details>",
                                    "<img src=x>", "**", "\n```\n"]), st.characters())


def hostile(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(PIECES, min_size=min_size, max_size=max_size).map("".join)

INJECTION = "oops\n```\n\n**All clear — no app changes.**\n\n<!--"


def html(markdown: str) -> str:
    """Rendered as GitHub does (CommonMark with tables; raw HTML allowed)."""
    rendered: str = MarkdownIt("commonmark").enable("table").render(markdown)
    return rendered


def assert_inert(markdown: str) -> str:
    """Only hako's own markup: one HTML comment (the marker), no tag or emphasis from a definition."""
    rendered = html(markdown)
    assert markdown.startswith("<!-- hako-diff -->\n")
    assert rendered.count("<!--") == 1, rendered
    for tag in ("<img", "<script", "<b>", "<strong>All clear", "<a ", "<em>"):
        assert tag not in rendered, (tag, rendered)
    assert rendered.count("<details>") == rendered.count("</details>")
    return rendered


def test_error_text_cannot_end_the_fence_or_hide_the_report(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    escaped = INJECTION.replace("\n", "\\n")
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=f", cpu: error '{escaped}'"))
    result = hako("diff", "--base", "main", "--format", "markdown")
    assert result.code == 1
    rendered = assert_inert(result.out)
    assert "1 broken (against main" in re.sub(r"<[^>]+>", "", rendered.split("<pre>")[0])  # summary first, as text
    code_blocks = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", rendered, re.S)
    assert any("**All clear — no app changes.**\n\n&lt;!--" in block for block in code_blocks), rendered
    assert "All clear" not in re.sub(r"<pre>.*?</pre>", "", rendered, flags=re.S)


def test_values_shown_in_the_summary_and_diff_are_text(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    # (images and tags follow Docker's grammar, which has no room for markup: the hostile text
    # comes through env names and values, shown in the diff)
    hostile = app("beta", env="'<script>x</script>|': '1', 'a`b': '```', "
                              "'x`y<b>|**b**': '<img src=x onerror=alert(1)>'")
    gitrepo.write("apps/beta.jsonnet", hostile)
    result = hako("diff", "--base", "main", "--format", "markdown")
    assert result.code == 0, result.err
    rendered = assert_inert(result.out)
    rows = re.findall(r"<tr>(.*?)</tr>", rendered, re.S)
    assert len(rows) == 2 and all(row.count("<td") == 3 for row in rows[1:]), rows
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered and "&lt;script&gt;" in rendered


def test_file_names_are_text(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    names = ["a|b", "x`<b>y<b>`", "new\nline", "<!--c", "**s**"]
    for name in names:
        gitrepo.write(f"apps/{name}.jsonnet", app("n"))
    result = hako("diff", "--base", "main", "--format", "markdown")
    assert result.code == 1, result.err  # such names are not valid app ids: each is listed as broken
    rendered = assert_inert(result.out)
    rows = re.findall(r"<tr>(.*?)</tr>", rendered, re.S)
    assert len(rows) == 1 + len(names), rendered
    assert all(row.count("<td") == 3 for row in rows[1:])
    assert rendered.count("<summary>") == len(names)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(hostile(1, 20), st.sampled_from(["added", "changed", "broken"]), hostile(0, 80),
                          hostile(0, 40)), min_size=1, max_size=6))
def test_any_text_stays_inert(items: list[tuple[str, str, str, str]]) -> None:
    from hako_py.review import report
    from hako_py.review.compare import AppChange
    from hako_py.review.reviewer import Review

    changes = [AppChange(f"apps/{name}", status, {"image": [detail]}, diff=diff, error=diff if status == "broken"
                         else None) for name, status, diff, detail in items]
    markdown = report.markdown(Review("main", changes, len(changes), len(changes)))
    assert len(markdown) <= GITHUB_LIMIT
    assert_inert(markdown)


def test_a_huge_review_fits_one_comment_in_every_part() -> None:
    from hako_py.review import report
    from hako_py.review.compare import AppChange
    from hako_py.review.reviewer import Review

    many = [AppChange(f"apps/{'n' * 200}{i}.jsonnet", "changed", {"env": ["`<x>` " * 100]}, diff="+ x\n" * 500)
            for i in range(3000)]
    huge_error = [AppChange("apps/x.jsonnet", "broken", error="`" * 100_000 + "<!--" * 10_000)]
    for changes in (many, huge_error, many + huge_error):
        markdown = report.markdown(Review("main", changes, len(changes), len(changes)))
        assert len(markdown) <= GITHUB_LIMIT
        assert "full report" in markdown
        assert_inert(markdown)


@pytest.mark.slow
def test_900_apps_changed_by_one_library_edit(hako: Hako, gitrepo: Repo, tmp_path: Path) -> None:  # noqa: F811
    env = ", ".join(f"LONG_SETTING_{i}: 'value-{i}-' + std.toString(lib.memory)" for i in range(12))
    for i in range(900):
        gitrepo.write(f"apps/app{i:03d}.jsonnet", app(f"app{i:03d}", env=env))
    git(gitrepo.root, "add", "-A")
    git(gitrepo.root, "commit", "-qm", "900 apps")
    gitrepo.write("apps/lib/base.libsonnet", LIB.replace("memory:: 256", "memory:: 512"))
    comment = hako("diff", "--base", "main", "--format", "markdown")
    assert comment.code == 0, comment.err
    assert len(comment.out) <= GITHUB_LIMIT, len(comment.out)
    full = tmp_path / "full.md"
    result = hako("diff", "--base", "main", "--format", "markdown", "--output-file", str(full))
    assert result.out == comment.out
    assert result.out.splitlines()[2].startswith("903 changed")  # summary first
    assert "full report" in result.out
    assert_inert(result.out)
    written = full.read_text()
    assert len(written) > GITHUB_LIMIT and all(f"app{i:03d}.jsonnet" in written for i in range(900))
    as_json = tmp_path / "full.json"
    hako("diff", "--base", "main", "--format", "json", "--output-file", str(as_json))
    assert len(json.loads(as_json.read_text())["apps"]) == 903


def test_a_file_name_that_is_not_utf8(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    import os

    with open(os.fsencode(gitrepo.root / "apps") + b"/bad\xff.jsonnet", "w") as handle:
        handle.write(app("bad"))
    for fmt in ("text", "json", "markdown"):
        result = hako("diff", "--base", "main", "--format", fmt)
        assert result.code == 1, (fmt, result.err)  # listed as broken, with a located message
        assert "bad\\udcff.jsonnet" in result.out and "the file name is not UTF-8" in result.out.replace(
            "&#45;", "-"), result.out
    assert_inert(hako("diff", "--base", "main", "--format", "markdown").out)


def test_control_characters_in_code_blocks_are_shown_not_sent(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    """The comment is also printed (CI logs, terminals): an escape sequence or carriage return
    from a definition, in an error or a diff, must not act there."""
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: error 'boom\\u001b[2K\\r[a] all good'"))
    gitrepo.write("apps/gamma.jsonnet", app("gamma", env="BANNER: 'x\\u001b]0;pwned\\u0007y\\r'"))
    for args in ((), ("--output-file", str(gitrepo.root.parent / "full.md"))):
        result = hako("diff", "--base", "main", "--format", "markdown", *args)
        assert result.code == 1, result.err
        for control in ("\x1b", "\r", "\x07"):
            assert control not in result.out, repr(control)
        assert "boom\\x1b[2K\\x0d[a] all good" in result.out
        assert "pwned" in result.out  # the value's change is shown (JSON-escaped in the diff)
    full = (gitrepo.root.parent / "full.md").read_text()
    assert "\x1b" not in full and "boom\\x1b[2K" in full


def test_json_reports_carry_c1_controls_escaped(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    """JSON escapes only U+0000-U+001F; U+009B (CSI to some terminals) from a definition is
    written as \\u009b, and the document still parses to the same text."""
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: error 'boom\\u009b2K\\u0085end'"))
    review = hako("diff", "--base", "main", "--format", "json")
    validate = hako("validate", "apps/beta.jsonnet", "-o", "json")
    for result in (review, validate):
        assert result.code == 1, result.err
        assert "\x9b" not in result.out and "\x85" not in result.out
        assert "\\u009b2K\\u0085end" in result.out
    assert "boom\x9b2K\x85end" in json.loads(review.out)["apps"][0]["error"]
    assert "boom\x9b2K\x85end" in json.dumps(json.loads(validate.out), ensure_ascii=False)


def test_separators_and_bidirectional_controls_are_shown_not_sent(hako: Hako, gitrepo: Repo) -> None:  # noqa: F811
    """U+2028 starts a line to editors and the Actions runner; U+202E reverses what follows on
    a terminal (CVE-2021-42574): both from a definition were printed raw while U+0085 was escaped."""
    gitrepo.write("apps/beta.jsonnet", app("beta", extra=", cpu: error 'x\\u2028y\\u202eevil\\u2066'"))
    for fmt in ("text", "markdown"):
        result = hako("diff", "--base", "main", "--format", fmt)
        assert result.code == 1, result.err
        assert not any(c in result.out for c in "\u2028\u202e\u2066"), (fmt, result.out)
    validate = hako("validate", "apps/beta.jsonnet")
    assert "x\\u2028y\\u202eevil\\u2066" in validate.out + validate.err
