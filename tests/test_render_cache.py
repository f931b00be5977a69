"""The render cache: a hit is exactly what evaluating now would give, never a stale result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hako_py.loading import LoadOptions, load_definition
from hako_py.loading.cached_evaluation import evaluate_cached
from hako_py.loading.evaluation import Evaluated, Evaluation, Refused, evaluate
from hako_py.loading.render_cache import cache_folder, flush
from hako_py.review.reviewer import Job
from hako_py.workers.failure import Failure
from tests.conftest import Hako, HakoProcess, Repo
from tests.test_review import LIB, app, git


class Counting:
    """The evaluation a lookup falls back to, counted: a hit must not evaluate."""

    def __init__(self, request: Evaluation) -> None:
        self.request = request
        self.calls = 0

    def __call__(self) -> Evaluated | Refused | Failure:
        self.calls += 1
        return evaluate(self.request)


def request_for(repo: Repo, file: str, jpath: tuple[Path, ...] = ()) -> Evaluation:
    from hako_py.loading.loader import _prepare

    return _prepare(str(repo.root / file), LoadOptions(jpath=jpath)).request


def memory_of(outcome: object) -> object:
    assert isinstance(outcome, Evaluated), outcome
    return outcome.value["app"]["memory"]


def test_a_hit_does_not_evaluate_and_one_changed_imported_byte_is_a_miss(repo: Repo) -> None:
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web"))
    first = Counting(request_for(repo, "apps/web.jsonnet"))
    assert memory_of(evaluate_cached(first.request, first)) == 256 and first.calls == 1
    again = Counting(request_for(repo, "apps/web.jsonnet"))
    hit = evaluate_cached(again.request, again)
    assert again.calls == 0 and memory_of(hit) == 256
    assert isinstance(hit, Evaluated) and repo.root / "apps/lib/base.libsonnet" in {p for p in hit.read_files}
    # one byte of the imported library (the same length: a stat-based check would miss it)
    library = repo.root / "apps/lib/base.libsonnet"
    library.write_text(library.read_text().replace("memory:: 256", "memory:: 257"))
    changed = Counting(request_for(repo, "apps/web.jsonnet"))
    assert memory_of(evaluate_cached(changed.request, changed)) == 257 and changed.calls == 1
    # and back: the first entry is still there (several per app), a hit again
    library.write_text(library.read_text().replace("memory:: 257", "memory:: 256"))
    back = Counting(request_for(repo, "apps/web.jsonnet"))
    assert memory_of(evaluate_cached(back.request, back)) == 256 and back.calls == 0


def test_a_file_added_where_an_import_looked_first_is_a_miss(repo: Repo, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "sizes.libsonnet").write_text("{ memory:: 300 }\n")
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web", lib="sizes.libsonnet"))
    first = Counting(request_for(repo, "apps/web.jsonnet", (shared,)))
    assert memory_of(evaluate_cached(first.request, first)) == 300
    # the definition's own folder is searched before the jpath: this file now wins
    repo.write("apps/sizes.libsonnet", "{ memory:: 400 }\n")
    shadowed = Counting(request_for(repo, "apps/web.jsonnet", (shared,)))
    assert memory_of(evaluate_cached(shadowed.request, shadowed)) == 400 and shadowed.calls == 1


def test_ext_vars_and_hako_toml_are_part_of_the_key(repo: Repo) -> None:
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web", extra=", cpu: std.parseInt(std.extVar('hako').account_id[0:2])"))
    first = Counting(request_for(repo, "apps/web.jsonnet"))
    assert isinstance(evaluate_cached(first.request, first), Evaluated) and first.calls == 1
    (repo.root / "hako.toml").write_text('region = "ap-northeast-1"\naccount_id = "993456789012"\n')
    changed = Counting(request_for(repo, "apps/web.jsonnet"))
    outcome = evaluate_cached(changed.request, changed)
    assert changed.calls == 1 and isinstance(outcome, Evaluated) and outcome.value["app"]["cpu"] == 99


def test_provider_values_and_errors_are_never_stored(repo: Repo) -> None:
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web", env="MODE: std.native('provide.env')('{}', 'HAKO_TEST_MODE')"))
    options = LoadOptions(expand=True, cache=True)
    import os

    os.environ["HAKO_TEST_MODE"] = "one"
    try:
        assert load_definition("apps/web.jsonnet", options).data["app"]["env"]["MODE"] == "one"
        os.environ["HAKO_TEST_MODE"] = "two"
        assert load_definition("apps/web.jsonnet", options).data["app"]["env"]["MODE"] == "two"
    finally:
        del os.environ["HAKO_TEST_MODE"]
    repo.write("apps/broken.jsonnet", "{ app: error 'nope' }")
    broken = Counting(request_for(repo, "apps/broken.jsonnet"))
    assert isinstance(evaluate_cached(broken.request, broken), Refused)
    assert isinstance(evaluate_cached(broken.request, broken), Refused) and broken.calls == 2


def test_deleting_or_corrupting_the_cache_only_costs_an_evaluation(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("HAKO_CACHE_DIR", str(tmp_path / "own"))
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web"))
    first = Counting(request_for(repo, "apps/web.jsonnet"))
    evaluate_cached(first.request, first)
    flush()  # as a command does when it ends
    folder = cache_folder()
    assert folder is not None
    entries = list((folder / "evaluation").rglob("*.jsonl"))
    assert entries
    for entry in entries:
        entry.write_text("{ not json")
    corrupt = Counting(request_for(repo, "apps/web.jsonnet"))
    assert memory_of(evaluate_cached(corrupt.request, corrupt)) == 256 and corrupt.calls == 1
    flush()
    assert len(list((folder / "evaluation").rglob("*.jsonl"))) == 2  # the corrupt one is left alone
    shutil.rmtree(folder / "evaluation")
    deleted = Counting(request_for(repo, "apps/web.jsonnet"))
    assert memory_of(evaluate_cached(deleted.request, deleted)) == 256 and deleted.calls == 1


def test_hako_cache_off_stores_nothing(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HAKO_CACHE_DIR", str(tmp_path / "off"))
    monkeypatch.setenv("HAKO_CACHE", "off")
    repo.write("apps/lib/base.libsonnet", LIB)
    repo.write("apps/web.jsonnet", app("web"))
    request = Counting(request_for(repo, "apps/web.jsonnet"))
    evaluate_cached(request.request, request)
    evaluate_cached(request.request, request)
    assert request.calls == 2 and not (tmp_path / "off" / "renders").exists()


@pytest.fixture
def reviewed(repo: Repo) -> Repo:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    repo.write("apps/lib/base.libsonnet", LIB)
    for name in ("alpha", "beta"):
        repo.write(f"apps/{name}.jsonnet", app(name))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")
    return repo


def test_review_uses_the_cache_and_one_changed_byte_changes_the_report(hako: Hako, reviewed: Repo) -> None:
    library = reviewed.root / "apps/lib/base.libsonnet"
    library.write_text(LIB.replace("memory:: 256", "memory:: 384"))
    cold = hako("diff", "--base", "main", "--format", "json")
    warm = hako("diff", "--base", "main", "--format", "json")
    assert cold.code == warm.code == 0 and cold.out == warm.out
    assert sorted(a["file"] for a in json.loads(warm.out)["apps"]) == ["apps/alpha.jsonnet", "apps/beta.jsonnet"]
    job = Job("apps/alpha.jsonnet", "main", None, str(reviewed.root), (), (), (), (), run="check")
    head = job.cached(base=False)
    assert head is not None and head.view is not None
    assert head.view["taskDefinition"]["containerDefinitions"][0]["memory"] == 384
    # one byte, the same length: the stored head no longer applies, and the report follows
    library.write_text(LIB.replace("memory:: 256", "memory:: 385"))
    assert Job("apps/alpha.jsonnet", "main", None, str(reviewed.root), (), (), (), (), run="after").cached(
        base=False) is None
    after = hako("diff", "--base", "main")
    assert "385" in after.out and "384" not in after.out
    library.write_text(LIB)
    assert "no changes" in hako("diff", "--base", "main").out


def test_a_review_writes_one_file_and_keeps_what_it_used_when_older_files_go(
        hako: Hako, reviewed: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HAKO_CACHE_DIR", str(tmp_path / "own"))
    library = reviewed.root / "apps/lib/base.libsonnet"
    library.write_text(LIB.replace("memory:: 256", "memory:: 384"))
    folder = cache_folder()
    assert folder is not None
    assert hako("diff", "--base", "main", "--format", "json").code == 0
    first = sorted((folder / "review").glob("*.jsonl"))
    assert len(first) == 1  # four entries (two apps at two revisions), one file
    assert hako("diff", "--base", "main", "--format", "json").code == 0
    packs = sorted((folder / "review").glob("*.jsonl"))
    assert len(packs) == 2
    packs[0].unlink()  # the oldest goes (as beyond MAX_PACKS): the second run's file holds what it used
    for name in ("alpha", "beta"):
        job = Job(f"apps/{name}.jsonnet", "main", None, str(reviewed.root), (), (), (), (), run=f"after-{name}")
        head = job.cached(base=False)
        assert head is not None and head.view is not None
        assert head.view["taskDefinition"]["containerDefinitions"][0]["memory"] == 384


def test_a_cache_inside_the_checkout_is_refused_so_a_committed_poisoned_render_is_never_used(
        hako: Hako, hako_process: HakoProcess, reviewed: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's attack: a PR commits .hako-cache/ with web's render edited; the deploy
    workflow kept HAKO_CACHE_DIR in the checkout, so after merge the poisoned render decided
    the review and the deploy. A cache folder inside a git work tree is refused, tracked or not."""
    cache = reviewed.root / ".hako-cache"
    monkeypatch.setenv("HAKO_CACHE_DIR", str(cache))
    (reviewed.root / "apps/lib/base.libsonnet").write_text(LIB.replace("memory:: 256", "memory:: 384"))
    refused = hako("diff", "--base", "main")
    assert refused.code == 1
    assert "refusing the cache folder" in refused.err and "inside the git work tree" in refused.err
    assert "HAKO_CACHE_DIR" in refused.err
    # every command (a process of its own): the ECS model and the compiled schema validator live there too
    validate = hako_process("validate", "apps/alpha.jsonnet", env={"HAKO_CACHE_DIR": str(cache)})
    assert validate.code == 1 and "refusing the cache folder" in validate.out + validate.err
    assert not (cache / "renders").exists()


def test_an_entry_copied_under_another_key_or_a_shared_writable_cache_is_not_trusted(
        hako: Hako, reviewed: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = tmp_path / "own"
    monkeypatch.setenv("HAKO_CACHE_DIR", str(own))
    library = reviewed.root / "apps/lib/base.libsonnet"
    library.write_text(LIB.replace("memory:: 256", "memory:: 384"))
    assert hako("diff", "--base", "main", "--format", "json").code == 0
    pack = next((own / "renders/review").glob("*.jsonl"))
    # alpha's entries rewritten to poison beta's key: the index says beta, the entries say alpha
    header, *entries = pack.read_bytes().split(b"\n")
    index = json.loads(header)["index"]
    beta = [row for row in index if b"beta" in entries[index.index(row)]]
    alpha = [row for row in index if b"alpha" in entries[index.index(row)]]
    assert beta and alpha
    poisoned = [[b_row[0], a_row[1], a_row[2], a_row[3]] for b_row, a_row in zip(beta, alpha, strict=True)]
    body = b"\n".join(entries)
    pack.write_bytes(json.dumps({"format": 3, "index": poisoned}).encode() + b"\n" + body)
    for name in ("alpha", "beta"):
        assert Job(f"apps/{name}.jsonnet", "main", None, str(reviewed.root), (), (), (), (),
                   run=f"poisoned-{name}").cached(base=False) is None
    report = json.loads(hako("diff", "--base", "main", "--format", "json").out)
    assert sorted(a["file"] for a in report["apps"]) == ["apps/alpha.jsonnet", "apps/beta.jsonnet"]
    own.chmod(0o777)
    refused = hako("diff", "--base", "main")
    assert refused.code == 1 and "writable by group or others (mode 777)" in refused.err
    own.chmod(0o700)
    (own / "renders").chmod(0o775)
    refused = hako("diff", "--base", "main")
    assert refused.code == 1 and "writable by group or others (mode 775)" in refused.err


def test_every_folder_hako_creates_in_its_cache_is_mode_0700(
        hako_process: HakoProcess, reviewed: Repo, tmp_path: Path) -> None:
    """Issue 18's tester: ``renders/`` was created 0755 (mkdir's parents get the default mode),
    though the README says the cache's folders are 0700: it holds rendered requests."""
    cache = tmp_path / "fresh" / "hako-cache"
    (reviewed.root / "apps/lib/base.libsonnet").write_text(LIB.replace("memory:: 256", "memory:: 384"))
    result = hako_process("diff", "--base", "main", env={"HAKO_CACHE_DIR": str(cache)})
    assert result.code == 0, result.err
    folders = [tmp_path / "fresh", *(path for path in (tmp_path / "fresh").rglob("*") if path.is_dir())]
    assert cache / "renders" / "review" in folders  # the render cache, the ECS model and the validator wrote there
    assert {str(folder.relative_to(tmp_path)): oct(folder.stat().st_mode & 0o777) for folder in folders} == {
        str(folder.relative_to(tmp_path)): "0o700" for folder in folders}
