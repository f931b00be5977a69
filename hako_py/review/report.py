"""Review output: text for terminals, Markdown for PR comments, JSON for bots."""

from __future__ import annotations

import json

from hako_py.deploy.diff import colorize
from hako_py.review.compare import AppChange
from hako_py.review.run import Review

MAX_DIFF_LINES = 200
MAX_MARKDOWN_CHARS = 60000  # GitHub comments are limited to 65536 characters
MARKER = "<!-- hako-diff -->"


def _shorten(diff: str, limit: int = MAX_DIFF_LINES) -> str:
    lines = diff.splitlines()
    if len(lines) <= limit:
        return diff
    return "\n".join(lines[:limit]) + f"\n... {len(lines) - limit} more lines (run hako diff --base locally)\n"


def _headline(change: AppChange) -> str:
    return ", ".join(change.changes) if change.changes else ""


def counts(review: Review) -> str:
    tally: dict[str, int] = {}
    for change in review.changes:
        tally[change.status] = tally.get(change.status, 0) + 1
    parts = [f"{n} {status}" for status, n in sorted(tally.items())] or ["no changes"]
    return (f"{', '.join(parts)} (against {review.ref}; {review.definitions} definitions, "
            f"{review.rendered} renders)")


def text(review: Review, *, color: bool = False) -> str:
    out = []
    for change in review.changes:
        headline = _headline(change)
        out.append(f"== {change.file}: {change.status}{' (' + headline + ')' if headline else ''}")
        if change.error:
            out.append(change.error)
        if change.diff:
            out.append((colorize(change.diff) if color else change.diff).rstrip("\n"))
    out.append(counts(review))
    return "\n".join(out) + "\n"


def _cell(text_: str) -> str:
    return text_.replace("|", "\\|").replace("\n", "<br>")


def markdown(review: Review) -> str:
    head: list[str] = [MARKER, f"### hako diff against `{review.ref}`", ""]
    if not review.changes:
        return "\n".join([*head, "No app's rendered ECS requests change.", ""])
    head += ["| app | status | what changed |", "| --- | --- | --- |"]
    for change in review.changes:
        details = "<br>".join(f"**{category}**: {'; '.join(items)}" for category, items in change.changes.items())
        if change.error:
            details = (details + "<br>" if details else "") + "**error**: " + _cell(change.error.splitlines()[0])
        head.append(f"| `{change.file}` | {change.status} | {details or '-'} |")
    head.append("")
    body: list[str] = []
    for change in review.changes:
        lines = [f"<details><summary><code>{change.file}</code> ({change.status})</summary>", ""]
        if change.error:
            lines += ["```", change.error, "```", ""]
        if change.diff:
            lines += ["```diff", _shorten(change.diff).rstrip("\n"), "```", ""]
        lines += ["</details>", ""]
        body.append("\n".join(lines))
    footer = f"\n{counts(review)}\n"
    result = "\n".join(head)
    for index, block in enumerate(body):
        if len(result) + len(block) + len(footer) > MAX_MARKDOWN_CHARS:
            left_out = len(body) - index
            result += f"\n_{left_out} more app diffs left out to fit a comment; run `hako diff --base` locally._\n"
            break
        result += "\n" + block
    return result + footer


def as_json(review: Review) -> str:
    return json.dumps({
        "base": review.ref,
        "definitions": review.definitions,
        "apps": [{"file": c.file, "status": c.status, "changes": c.changes, "error": c.error, "diff": c.diff}
                 for c in review.changes],
    }, indent=2, ensure_ascii=False) + "\n"
