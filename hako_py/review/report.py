"""Review output: text for terminals, Markdown for PR comments, JSON for bots.

The Markdown goes into a public PR comment: everything taken from a definition is made
inert (``markdown_safe``), and the comment always fits GitHub's limit: the counts come
first, then as many table rows and app details as fit, with a note that the full report
is in the file ``--output-file`` wrote (an artifact of the workflow run).
"""

from __future__ import annotations

import json

from hako_py.compare.diff import colorize
from hako_py.printable import json_text, printable
from hako_py.review.compare import AppChange
from hako_py.review.markdown_safe import MAX_MARKDOWN_CHARS, fenced, fit, inline, shorten
from hako_py.review.reviewer import Review

MAX_DIFF_LINES = 200
MAX_DIFF_CHARS = 20_000
MAX_ERROR_CHARS = 5_000
MARKER = "<!-- hako-diff -->"
FULL_REPORT = ("This comment is shortened to fit GitHub's size limit: the full report is attached to the "
               "workflow run (written by <code>hako diff --output-file</code>), or run <code>hako diff --base</code> "
               "locally.")
_TABLE_HEAD = "| app | status | what changed |\n| --- | --- | --- |\n"


def _headline(change: AppChange) -> str:
    return ", ".join(change.changes) if change.changes else ""


def against(review: Review) -> str:
    """The base as named and, unless the name is the commit's id already, the commit it resolved
    to: a branch moves, and a name can be ambiguous (a tag ``master`` beside the branch)."""
    revision = review.revision
    if revision is None or revision.commit.startswith(review.ref.lower()):
        return review.ref
    return f"{review.ref} at {revision.short}"


def warnings(review: Review) -> str:
    """The base revision's warnings (an ambiguous name) as lines for stderr, or nothing."""
    revision = review.revision
    return "".join(printable(f"warning: {line}") + "\n" for line in revision.warnings) if revision else ""


def counts(review: Review) -> str:
    tally: dict[str, int] = {}
    for change in review.changes:
        tally[change.status] = tally.get(change.status, 0) + 1
    parts = [f"{n} {status}" for status, n in sorted(tally.items())]
    if review.settings:
        parts.insert(0, f"{len(review.settings)} hako.toml settings changed")
    parts = parts or ["no changes"]
    return (f"{', '.join(parts)} (against {against(review)}; {review.definitions} definitions, "
            f"{review.rendered} renders)")


SETTINGS_NOTE = ("hako.toml changed: these settings differ from the base revision. Review looks in the apps "
                 "folders of both revisions, but settings can also change what hako trusts (scripts, providers) "
                 "without changing any rendered request.")


def text(review: Review, *, color: bool = False) -> str:
    out = []
    if review.settings:
        out.append(f"== {SETTINGS_NOTE}")
        out.extend(printable(f"  {line}") for line in review.settings)
    for change in review.changes:
        headline = _headline(change)
        out.append(printable(f"== {change.file}: {change.status}{' (' + headline + ')' if headline else ''}"))
        if change.error:
            out.append(printable(change.error))
        if change.diff:  # made printable before colouring: the colours are hako's own escapes
            diff = printable(change.diff)
            out.append((colorize(diff) if color else diff).rstrip("\n"))
        elif change.changes:  # nothing to diff (provider values): say what is known
            out.extend(printable(f"  {category}: {item}") for category, items in change.changes.items()
                       for item in items)
    out.append(counts(review))
    return "\n".join(out) + "\n"


def _row(change: AppChange, limit: int | None) -> str:
    cap = None if limit is None else limit // 2
    details = "<br>".join(f"**{inline(category)}**: {inline('; '.join(items), cap)}"
                          for category, items in change.changes.items())
    if change.error:
        first = change.error.splitlines()[0] if change.error.strip() else change.error
        details = (details + "<br>" if details else "") + "**error**: " + inline(first, cap)
    return f"| <code>{inline(change.file, limit)}</code> | {change.status} | {details or '-'} |\n"


def _details(change: AppChange, full: bool) -> tuple[str, bool]:
    """One app's collapsible block, and whether its content was shortened."""
    parts = [f"<details><summary><code>{inline(change.file, None if full else 300)}</code> "
             f"({change.status})</summary>\n\n"]
    cut = False
    if change.error:
        error, cut_error = (change.error, False) if full else shorten(
            change.error, MAX_DIFF_LINES, MAX_ERROR_CHARS, "see the full report")
        parts.append(fenced(error) + "\n")
        cut = cut or cut_error
    if change.diff:
        diff, cut_diff = (change.diff, False) if full else shorten(
            change.diff, MAX_DIFF_LINES, MAX_DIFF_CHARS, "see the full report or run hako diff --base locally")
        parts.append(fenced(diff.rstrip("\n"), "diff") + "\n")
        cut = cut or cut_diff
    elif change.changes:  # nothing to diff (provider values): what is known, as text
        parts.append(fenced("\n".join(f"{category}: {item}" for category, items in change.changes.items()
                                       for item in items)) + "\n")
    parts.append("</details>\n")
    return "".join(parts), cut


def markdown(review: Review, *, limit: int | None = MAX_MARKDOWN_CHARS) -> str:
    """The PR comment; ``limit=None`` gives the full report (for ``--output-file``)."""
    revision = review.revision
    at = f" (<code>{inline(revision.short)}</code>)" if revision is not None and against(review) != review.ref else ""
    top = (f"{MARKER}\n### hako diff against <code>{inline(review.ref, 200)}</code>{at}\n"
           f"{inline(counts(review), 1000)}\n")
    if revision is not None and revision.warnings:
        top += "".join(f"\n> [!WARNING]\n> {inline(warning, 1000)}\n" for warning in revision.warnings)
    if review.settings:  # first, and never shortened away: each line is capped (review.settings.MAX_SHOWN)
        top += (f"\n> [!WARNING]\n> **{inline(SETTINGS_NOTE)}**\n"
                + "".join(f"> - {inline(line, 1000)}\n" for line in review.settings[:50]))
    if not review.changes:
        return top + "\nNo app's rendered ECS requests change.\n"
    full = limit is None
    rows = [_row(change, None if full else 300) for change in review.changes]
    return fit(top, _TABLE_HEAD, rows, lambda index: _details(review.changes[index], full), limit=limit,
               full_note=FULL_REPORT)


def as_json(review: Review) -> str:
    return json_text(json.dumps({
        "base": review.ref,
        "commit": review.revision.commit if review.revision is not None else None,
        "warnings": list(review.revision.warnings) if review.revision is not None else [],
        "definitions": review.definitions,
        "settings": review.settings,
        "apps": [{"file": c.file, "status": c.status, "changes": c.changes, "error": c.error, "diff": c.diff}
                 for c in review.changes],
    }, indent=2, ensure_ascii=False)) + "\n"


def render(review: Review, fmt: str, *, color: bool = False, full: bool = False) -> str:
    """The report in *fmt* (text, markdown or json); ``full`` never shortens the Markdown.

    A file name git holds in bytes that are not UTF-8 reaches here with lone surrogates,
    which no output can encode: they are written as ``\\udcXX`` escapes instead.
    """
    if fmt == "markdown":
        out = markdown(review, limit=None if full else MAX_MARKDOWN_CHARS)
    elif fmt == "json":
        out = as_json(review)
    else:
        out = text(review, color=color)
    return out.encode("utf-8", "backslashreplace").decode("utf-8")
