"""``hako diff --base REF``: which apps' rendered requests a change alters, and how.

Only apps that can have changed are rendered: one of its inputs (the app file,
``hako.toml``, every file it imports at either revision, every symlink on the way) differs
byte for byte between REF and the working tree, or the app was added or removed. Inputs
are compared directly rather than taken from ``git diff``, which filters content
(``.gitattributes`` eol and clean filters) and skips ignored files.

REF is read from git objects, scanned from memory and written whole to a temporary
folder it is rendered from, so a render at REF reads exactly the files of REF, whatever
the scan found; the user's working tree and index are never touched.

The apps folders looked in are those of ``hako.toml`` at *both* revisions, and a changed
setting is reported on its own (``review.settings``): the pull request under review can
edit ``hako.toml``, so it must not get to narrow what its review looks at.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from hako_py.errors import HakoError, UsageError
from hako_py.loading import LoadOptions
from hako_py.loading.loader import hands_in_secrets
from hako_py.loading.render_cache import Entry, RenderCache
from hako_py.loading.repo import CONFIG_NAME, load_config
from hako_py.paths import DEFINITION_SUFFIXES, app_id_clashes
from hako_py.review.cached import cached_side, handed_on, keep, side_cache, side_key, store_side
from hako_py.review.compare import PROVIDER_INPUTS, AppChange, Rendered, compare, render_both, render_view
from hako_py.review.deps import ALWAYS, DependencyScanner
from hako_py.review.git import Revision, resolve_ref, toplevel
from hako_py.review.inputs import Differences
from hako_py.review.jsonnet_lexer import LexError
from hako_py.review.jsonnet_scan import scan
from hako_py.review.revision import read_revision
from hako_py.review.settings import apps_folder, changed_settings, committed_config, settings_of
from hako_py.review.tree import SnapshotTree
from hako_py.workers.budget import budget_from_environment
from hako_py.workers.failure import Failure
from hako_py.workers.launch import forkserver_worker, start_forkserver
from hako_py.workers.pool import BudgetPool

PARALLEL_THRESHOLD = 16


@dataclass
class Review:
    ref: str
    changes: list[AppChange]
    definitions: int
    rendered: int
    #: settings of hako.toml that differ between the revisions (see review.settings)
    settings: list[str] = field(default_factory=list)
    #: the commit *ref* resolved to, and warnings about the name (see review.git.resolve_ref)
    revision: Revision | None = None

    @property
    def broken(self) -> list[AppChange]:
        return [c for c in self.changes if c.status == "broken"]


def definitions_in(names: set[str], folders: list[str]) -> set[str]:
    """Definition files directly inside each folder (or the files given), from a set of paths."""
    found: set[str] = set()
    for folder in folders:
        folder = "" if folder in ("", ".") else folder.rstrip("/")
        if folder in names:
            found.add(folder)
            continue
        prefix = f"{folder}/" if folder else ""
        for name in names:
            if name.startswith(prefix) and "/" not in name[len(prefix):] and name.lower().endswith(
                    DEFINITION_SUFFIXES) and not posixpath.basename(name).startswith("."):
                found.add(name)
    return found


def listed_files(scanner: DependencyScanner, folders: list[str], side: str = "") -> set[str]:
    """Files directly inside each folder (or the file given), as repository-relative paths.

    A folder must stay inside the repository through symlinks too: a revision whose ``apps``
    is a symlink out of it must not list (and so render and report) outside files.
    """
    names: set[str] = set()
    for folder in folders:
        found = scanner.files_in(folder)
        if found is None:
            raise HakoError(f"{folder}{side}: resolves (through a symlink) outside the repository root")
        names |= found
    return names


def default_folders(root: Path) -> list[str]:
    return [load_config(root).apps]


def head_settings(root: Path) -> dict[str, object] | str:
    """The working tree's hako.toml settings (already checked by :func:`default_folders`)."""
    try:
        data = (root / CONFIG_NAME).read_bytes() if (root / CONFIG_NAME).is_file() else None
    except OSError:
        data = None
    return settings_of(data)


def cli_folder(path: str, root: Path) -> str:
    """A PATH argument as a repository-relative folder; one outside the repository is an error."""
    # real paths: git's top level is one, and a path given through a symlink to the
    # repository (repo-link/apps) names the same folder
    real = os.path.realpath(os.path.abspath(path))
    if not (real == str(root) or real.startswith(f"{root}{os.sep}")):
        raise UsageError(f"{path}: outside the repository {root} (hako diff --base reviews files of one repository)")
    rel = os.path.relpath(real, root)
    return rel


def ext_code_reads(options: LoadOptions) -> bool:
    """Whether an --ext-code snippet may read files (it is evaluated with every app)."""
    for _, code in options.ext_code:
        try:
            found = scan(code)
        except LexError:
            return True
        if found.imports or found.reads_anything:
            return True
    return False


def _repo_relative(path: Path, root: Path) -> str:
    """A --jpath folder inside the repository as a repository path, so each revision resolves
    its own symlinks in it (not the working tree's); a folder outside stays absolute."""
    for candidate in (os.path.abspath(path), os.path.realpath(path)):
        rel = os.path.relpath(candidate, root)
        if rel != ".." and not rel.startswith(".." + os.sep):
            return Path(rel).as_posix()
    return os.path.realpath(path)


def candidates(head_scan: DependencyScanner, base_scan: DependencyScanner, head: set[str], base: set[str],
               differs: Differences, everything: bool = False) -> set[str]:
    """Apps whose rendered output can differ between base and head."""
    chosen: set[str] = set()
    for file in head | base:
        if everything or file not in head or file not in base:
            chosen.add(file)
            continue
        deps = head_scan.dependencies(file) | base_scan.dependencies(file)
        if ALWAYS in deps or any(differs(dep) for dep in deps):
            chosen.add(file)
    return chosen


@dataclass(frozen=True)
class Job:
    """Render one app at the sides where it exists and compare (runs in a worker process)."""

    file: str
    ref: str
    base_root: str | None
    head_root: str | None
    base_jpath: tuple[str, ...]
    head_jpath: tuple[str, ...]
    ext_str: tuple[tuple[str, str], ...]
    ext_code: tuple[tuple[str, str], ...]
    together: bool = True  # False when one evaluation of both sides could mix them (see review())
    run: str = ""  # this review's id: the render cache hashes each file once per run
    #: (base, head) as the render cache had them when the parent looked (None: not looked up)
    looked_up: tuple[Rendered | None, Rendered | None] | None = None

    def __call__(self) -> AppChange | None:
        base, head = self.looked_up or (self.cached(base=True), self.cached(base=False))
        need_base, need_head = self.base_root is not None and base is None, self.head_root is not None and head is None
        if (need_base and need_head and self.together and self.base_root is not None and self.head_root is not None
                and not self.base_jpath and not self.head_jpath):
            both = render_both(self.file, self.base_root, self.head_root, self.ext_str, self.ext_code)
            if both is not None:
                self.store(both[0], base=True)
                self.store(both[1], base=False)
                return compare(self.file, both[0], both[1], self.ref)
        if need_head:
            head = self.render(base=False)
        if head is not None and head.error:
            return compare(self.file, None, head, self.ref)  # broken, whatever the base was: skip it
        if need_base:
            base = self.render(base=True)
        return compare(self.file, base, head, self.ref)

    def _side(self, base: bool) -> tuple[str | None, tuple[str, ...]]:
        return (self.base_root, self.base_jpath) if base else (self.head_root, self.head_jpath)

    def _cache(self, base: bool) -> tuple[RenderCache | None, dict[str, Any]]:
        root, jpath = self._side(base)
        secrets = hands_in_secrets(self.ext_str, self.ext_code)  # never on disk; remembered by the loader
        cache = side_cache(root, self.run) if root is not None and not secrets else None
        return cache, side_key(cache, self.file, jpath, self.ext_str, self.ext_code) if cache is not None else {}

    def cached(self, *, base: bool) -> Rendered | None:
        """The side from the render cache, or None (also where the app does not exist)."""
        cache, key = self._cache(base)
        return cached_side(cache, key)

    def store(self, rendered: Rendered, *, base: bool) -> None:
        cache, key = self._cache(base)
        store_side(cache, key, self.file, rendered)

    def render(self, *, base: bool) -> Rendered | None:
        """One side alone, or None where the app does not exist."""
        root, jpath = self._side(base)
        if root is None:
            return None
        rendered = render_view(self.file, root, jpath, self.ext_str, self.ext_code)
        self.store(rendered, base=base)
        return rendered


@dataclass(frozen=True)
class Side:
    """One side of a job, rendered alone when the job as a whole ran out of budget or crashed:
    only then can the result say which revision is broken."""

    job: Job
    base: bool


T = TypeVar("T", covariant=True)


@dataclass(frozen=True)
class Done(Generic[T]):
    """What a worker answers: the result, and the render cache entries it made on the way,
    which the review's process writes with its own (one file for the whole review)."""

    result: T
    entries: tuple[Entry, ...] = ()


def run_job(job: Job) -> Done[AppChange | None]:
    return Done(job(), tuple(handed_on(job.run)))


def run_side(side: Side) -> Done[Rendered | None]:
    return Done(side.job.render(base=side.base), tuple(handed_on(side.job.run)))


def _results(done: list[Done[T] | Failure], entries: list[Entry]) -> list[T | Failure]:
    """The workers' results, their entries added to *entries*."""
    for item in done:
        if isinstance(item, Done):
            entries.extend(item.entries)
    return [item.result if isinstance(item, Done) else item for item in done]


def _run_all(jobs: list[Job], workers: int, entries: list[Entry]) -> list[AppChange | None]:
    """Every job's change: those the render cache holds both sides of here, the others as below
    (the render cache entries workers made are added to *entries*)."""
    cached: dict[int, AppChange | None] = {}
    rest: list[Job] = []
    renders = 0
    for index, job in enumerate(jobs):
        base, head = job.cached(base=True), job.cached(base=False)
        if (base is not None or job.base_root is None) and (head is not None or job.head_root is None):
            cached[index] = compare(job.file, base, head, job.ref)
            continue
        rest.append(replace(job, looked_up=(base, head)))  # what was found travels with the job
        renders += (base is None and job.base_root is not None) + (head is None and job.head_root is not None)
        if workers > 1 and renders == PARALLEL_THRESHOLD:
            start_forkserver()  # a pool will be needed: it starts while the other lookups run
    evaluated = iter(_evaluate_all(rest, workers, entries))
    return [cached[index] if index in cached else next(evaluated) for index in range(len(jobs))]


def _evaluate_all(jobs: list[Job], workers: int, entries: list[Entry]) -> list[AppChange | None]:
    """Every job's change; in a budget pool when there are many renders, where a job that overran
    its budget or crashed its worker is retried side by side, each side with a budget of its own."""
    renders = sum((j.base_root is not None) + (j.head_root is not None) for j in jobs)
    if workers <= 1 or renders < PARALLEL_THRESHOLD:
        return [job() for job in jobs]  # evaluated one by one by the shared budgeted worker
    with BudgetPool(workers, forkserver_worker, budget_from_environment()) as pool:
        changes = _results(pool.map(run_job, jobs), entries)
        failed = [(job, change) for job, change in zip(jobs, changes, strict=True) if isinstance(change, Failure)]
        # heads first, and a base only where its head rendered: a bomb costs at most twice the
        # time limit (the job, then its head alone), never three times
        heads = [Side(job, False) for job, _ in failed if job.base_root is not None and job.head_root is not None]
        rendered: dict[tuple[str, bool], Rendered | Failure | None] = dict(
            zip(((side.job.file, side.base) for side in heads), _results(pool.map(run_side, heads), entries),
                strict=True))
        bases = [Side(side.job, True) for side in heads
                 if not isinstance(rendered[(side.job.file, False)], Failure)]
        rendered.update(zip(((side.job.file, side.base) for side in bases),
                            _results(pool.map(run_side, bases), entries), strict=True))
    retried = {job.file: compare(job.file, _side(job, True, failure, rendered), _side(job, False, failure, rendered),
                                 job.ref) for job, failure in failed}
    return [retried[job.file] if isinstance(change, Failure) else change
            for job, change in zip(jobs, changes, strict=True)]


def _side(job: Job, base: bool, failure: Failure, rendered: dict[tuple[str, bool], Rendered | Failure | None]
          ) -> Rendered | None:
    """A side of a failed job: as rendered alone, or the job's failure when it has only this side."""
    if (job.base_root if base else job.head_root) is None:
        return None
    result = rendered.get((job.file, base), failure)
    return Rendered(error=result.located(job.file)) if isinstance(result, Failure) else result


def _provider_inputs(change: AppChange | None, differs: Differences) -> AppChange | None:
    """An app that renders the same at both revisions but reads provider values: the review
    shows those values as ``${KEY}`` (they may be secrets, and a deploy's environment is not
    the review's), so a definition could branch on them and deploy something else than it
    shows. Such an app is reported whenever a file it reads changed, with a note saying the
    rendered diff cannot show everything; otherwise it is dropped like any unchanged app."""
    if change is None or change.status != PROVIDER_INPUTS:
        return change
    changed = [rel for rel in change.read if differs(rel)]
    if not changed:
        return None
    names = ", ".join(f"provide.{name}" for name in change.changes.get("providers", []))
    note = (f"changed inputs {', '.join(changed[:10])}{' ...' if len(changed) > 10 else ''}; it reads values "
            f"from {names}, which review shows as ${{KEY}}, so what it deploys may differ from the rendered "
            "requests")
    return AppChange(change.file, "changed", {"provider values": [note]})


def _fast_tmp() -> str | None:
    """A memory-backed folder when there is one: creating many small files on disk is slow."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def review(paths: list[str], ref: str, options: LoadOptions, *, jobs: int | None = None,
           head_only: bool = False) -> Review:
    """Compare every definition under *paths* at *ref* and in the working tree."""
    root = toplevel(Path.cwd())
    revision = resolve_ref(root, ref)
    commit = revision.commit
    folders = [cli_folder(p, root) for p in paths] if paths else default_folders(root)
    jpath = tuple(_repo_relative(p, root) for p in options.jpath)
    head_jpath = tuple(str(root / p) if not os.path.isabs(p) else p for p in jpath)
    with tempfile.TemporaryDirectory(prefix="hako-base-", dir=_fast_tmp()) as tmp:
        base_root = Path(os.path.realpath(tmp))
        base_jpath = tuple(str(base_root / p) if not os.path.isabs(p) else p for p in jpath)
        # git reads the base revision (in its own process) and it is written out for rendering
        # as it arrives, while the working tree is scanned; the revision is then scanned from
        # memory. The worker is joined before the folder is removed.
        with ThreadPoolExecutor(max_workers=1) as worker:
            pending = worker.submit(read_revision, root, commit, None if head_only else base_root, root)
            head_scan = DependencyScanner(str(root), head_jpath)
            head_defs = definitions_in(listed_files(head_scan, folders), folders)
            for file in head_defs:
                head_scan.dependencies(file)
            files, contained = pending.result()
        base_settings = settings_of(committed_config(files))
        settings = changed_settings(base_settings, head_settings(root))
        if not paths:  # the pull request's hako.toml must not narrow what review looks at: both apps folders
            extra = apps_folder(base_settings)
            if extra is not None and extra not in folders:
                folders.append(extra)
                head_defs = definitions_in(listed_files(head_scan, folders), folders)
                for file in head_defs:
                    head_scan.dependencies(file)
        base_scan = DependencyScanner(str(base_root), base_jpath, contents=head_scan.contents,
                                      tree=SnapshotTree(files, str(base_root), str(root)))
        base_defs = definitions_in(listed_files(base_scan, folders, f" (at {ref})"), folders)
        differs = Differences(root, files, head_scan.read_files)
        ext_reads = ext_code_reads(options)
        if files.unavailable:  # apps rendered at the base without a scan there must not silently miss a file
            for file in base_defs if ext_reads else base_defs - head_defs:
                base_scan.dependencies(file)  # raises MissingSubmodule when it reads into one
        chosen = sorted(candidates(head_scan, base_scan, head_defs, base_defs, differs, everything=ext_reads))
        if head_only:
            return Review(ref, [AppChange(f, "candidate") for f in chosen if f in head_defs], len(head_defs), 0,
                          settings, revision)
        workers = jobs or (os.cpu_count() or 1)
        run = uuid.uuid4().hex
        work = [
            Job(file, ref, str(base_root) if file in base_defs else None, str(root) if file in head_defs else None,
                base_jpath, head_jpath, options.ext_str, options.ext_code,
                # one VM evaluates --ext-code once, so an import in it would read one side's file for both
                together=contained and not ext_reads, run=run)
            for file in chosen
        ]
        made: list[Entry] = []
        changes = [change for change in (_provider_inputs(c, differs) for c in _run_all(work, workers, made))
                   if change is not None]
        keep(run, [*made, *handed_on(run)])  # written as the command ends
        renders = sum((j.base_root is not None) + (j.head_root is not None) for j in work)
    return Review(ref, with_clashes(changes, head_defs), len(head_defs | base_defs), renders, settings, revision)


def with_clashes(changes: list[AppChange], definitions: set[str]) -> list[AppChange]:
    """*changes*, with every definition whose app id another definition also has as broken
    (see :func:`hako_py.paths.app_id_clashes`): listed as an added app, it could replace a live
    service through ``hako deploy --changed-since`` while its review showed a new one."""
    clashing = app_id_clashes(definitions)
    if not clashing:
        return changes
    kept = [AppChange(c.file, "broken", error=clashing[c.file]) if c.file in clashing else c for c in changes]
    listed = {c.file for c in kept}
    added = [AppChange(file, "broken", error=error) for file, error in clashing.items() if file not in listed]
    return sorted([*kept, *added], key=lambda c: c.file)
