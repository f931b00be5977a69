"""The git operations PR review needs; the user's working tree and index are never touched."""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hako_py.errors import HakoError


class GitError(HakoError):
    """git failed or the revision is missing; the message says what to do."""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None


def git(root: Path, *args: str, binary: bool = False) -> bytes:
    result = _run(root, *args)
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


def toplevel(path: Path) -> Path:
    try:
        out = git(path, "rev-parse", "--show-toplevel")
    except GitError:
        raise GitError(f"{path} is not inside a git repository (hako diff --base needs one)") from None
    return Path(out.decode().strip())


@dataclass(frozen=True)
class Revision:
    """A base revision as the user named it and the commit it resolved to; *warnings* say
    what the user may not have meant (an ambiguous name), to be shown before any result."""

    ref: str
    commit: str
    short: str
    warnings: tuple[str, ...] = ()


# git's null object id (SHA-1 and SHA-256): what GitHub gives as github.event.before when a
# push created the branch, i.e. "there was no previous commit", not a commit to fetch
_NULL_ID = re.compile(r"0{40}|0{64}")
_AMBIGUOUS = re.compile(r"warning: refname '(.+)' is ambiguous\.")
# the order git tries a short name in (refs.c, ref_rev_parse_rules) after $GIT_DIR/NAME
_RULES = ("refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}", "refs/remotes/{}/HEAD")
_OBJECT_NAMES = {"tree": "a tree (a folder of a commit)", "blob": "a file's contents", "tag": "a tag"}


def resolve_ref(root: Path, ref: str) -> Revision:
    """The commit *ref* names, for every command that takes a base revision (``diff --base``,
    ``validate``/``deploy --changed-since``), or a message that says what is wrong and what to
    do: a name that is no commit (``HEAD~1:`` is a tree), git's null id (no previous commit),
    or a revision this clone lacks (shallow CI clones often do). A name git finds ambiguous
    (a tag ``master`` beside the branch) resolves as git resolves it, with git's warning and
    which ref was used."""
    if _NULL_ID.fullmatch(ref.strip()):
        raise GitError(f"base revision '{ref}' is git's null id: there is no previous commit (GitHub gives it as "
                       "github.event.before when a push created the branch), so nothing can be compared with it; "
                       "act on every app instead, e.g. hako deploy apps/ or hako validate apps/ (or compare with "
                       "the default branch: --base origin/main)")
    found = _run(root, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise GitError(_not_a_commit(root, ref))
    commit = found.stdout.decode().strip()
    short = git(root, "rev-parse", "--short", "--end-of-options", commit).decode().strip()
    names = _AMBIGUOUS.findall(found.stderr.decode("utf-8", "replace"))
    return Revision(ref, commit, short, tuple(_ambiguity(root, name, ref, short) for name in dict.fromkeys(names)))


def _not_a_commit(root: Path, ref: str) -> str:
    """Why *ref* names no commit: another kind of object, a path inside a revision, or missing."""
    named = _run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref)
    if named.returncode == 0:
        kind = _run(root, "cat-file", "-t", named.stdout.decode().strip()).stdout.decode().strip()
        peeled = _run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{}}")
        if kind == "tag" and peeled.returncode == 0:
            kind = _run(root, "cat-file", "-t", peeled.stdout.decode().strip()).stdout.decode().strip()
        what = _OBJECT_NAMES.get(kind, f"a {kind or 'non-commit object'}")
        return (f"base revision '{ref}' names {what}, not a commit: give a commit"
                + (f", e.g. '{ref.partition(':')[0] or 'HEAD'}'" if ":" in ref else ""))
    if ":" in ref:
        return (f"base revision '{ref}': REV:PATH names a file or folder of a revision, not a commit; give the "
                f"commit alone, e.g. '{ref.partition(':')[0] or 'HEAD'}'")
    return (f"base revision '{ref}' not found in this repository; fetch it first "
            f"(e.g. git fetch --depth=1 origin {shlex.quote(ref.removeprefix('origin/'))})")  # a ref is data


def _ambiguity(root: Path, name: str, ref: str, short: str) -> str:
    """git's ambiguity warning, with the refs the name matches and the one git used."""
    candidates = [rule.format(name) for rule in _RULES]
    listed = set(git(root, "for-each-ref", "--format=%(refname)", *candidates).decode().split())
    matches = [candidate for candidate in candidates if candidate in listed]
    if not matches:
        return f"refname '{name}' is ambiguous; '{ref}' resolved to {short}"
    others = ", ".join(matches[1:])
    return (f"refname '{name}' is ambiguous ({', '.join(matches)}): '{ref}' resolved to {short} through "
            f"{matches[0]}" + (f", not {others}" if others else "") + f"; name the one you mean in full "
            f"(e.g. {matches[-1]})")
