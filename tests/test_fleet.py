"""hako deploy of many apps against the sandbox: folders, --changed-since, waves, shards,
--fail-fast, --dry-run, -o json, and throttling injected by the fault proxy."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hako_py.errors import HakoError
from hako_py.fleet.plan import Step, parse_shard, plan_fleet, shard_of
from hako_py.fleet.runner import AppResult, run_plan
from hako_py.loading.repo import WaveOneshot, load_config
from hako_py.sandbox.faults import FaultProxy, FaultRates
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, Deployable, Hako, Job, Repo, SandboxControl, aws_client
from tests.test_deploy import cluster_of
from tests.test_oneshot import next_task
from tests.test_review import git
from tests.test_schedules import ROLE

FAST = (*POLL, "--no-verify")


def deployed(document: dict[str, object]) -> dict[str, str]:
    apps = document["apps"]
    assert isinstance(apps, list)
    return {a["app"]: a["result"] for a in apps}


# --- the plan and the runner, without AWS ------------------------------------------------------

def test_shards_are_stable_disjoint_and_cover_every_app() -> None:
    files = [f"apps/app{i:03d}.jsonnet" for i in range(200)]
    shards = [plan_fleet(files, shard=(k, 4)).steps for k in range(1, 5)]
    covered = [step.file for steps in shards for step in steps]
    assert sorted(covered) == files and len(set(covered)) == len(files)
    assert all(20 < len(steps) < 80 for steps in shards)
    # a known value: the hash is sha256 of the path, the same in every process and Python
    assert shard_of("apps/web.jsonnet", 4) == shard_of("apps/web.jsonnet", 4)
    assert plan_fleet(files, shard=(2, 4)).other_shards == 200 - len(shards[1])
    for bad in ("0/3", "4/3", "x", "1/"):
        with pytest.raises(Exception, match="K/N"):
            parse_shard(bad)


def test_waves_order_apps_and_the_rest_come_last() -> None:
    plan = plan_fleet(["apps/web.jsonnet", "apps/migrate.jsonnet", "apps/api-a.jsonnet", "apps/worker.jsonnet"],
                      waves=[["migrate"], ["api-*", "apps/web.jsonnet"]])
    assert [[s.app for s in wave] for wave in plan.waves] == [["migrate"], ["api-a", "web"], ["worker"]]


def test_a_oneshot_entry_of_a_wave_runs_its_app_with_the_command() -> None:
    waves: list[list[str | WaveOneshot]] = [[WaveOneshot("migrate*", ("bin/rails", "db:migrate"))], ["web"]]
    plan = plan_fleet(["apps/web.jsonnet", "apps/migrate-db.jsonnet", "apps/worker.jsonnet"], waves=waves)
    assert [[(s.app, s.operation, s.command) for s in wave] for wave in plan.waves] == [
        [("migrate-db", "oneshot", ("bin/rails", "db:migrate"))], [("web", "deploy", ())], [("worker", "deploy", ())]]


@pytest.mark.parametrize("entry", ['{ oneshot = "m" }', '{ oneshot = "m", command = [] }', '{ oneshot = "m", '
                                   'command = "rake" }', '{ oneshot = "m", command = ["rake"], extra = 1 }', '""'])
def test_a_wave_entry_that_is_neither_a_pattern_nor_a_oneshot_is_refused(tmp_path: Path, entry: str) -> None:
    (tmp_path / "hako.toml").write_text(f'[deploy]\nwaves = [[{entry}]]\n')
    with pytest.raises(HakoError, match=r"deploy\.waves: each entry must be an app name or pattern, or a oneshot"):
        load_config(tmp_path)


def test_a_failed_wave_stops_the_next_and_fail_fast_stops_new_starts() -> None:
    plan = plan_fleet([f"apps/a{i}.jsonnet" for i in range(6)] + ["apps/last.jsonnet"], waves=[["a*"]])
    started: list[str] = []

    def deploy_one(step: Step) -> AppResult:
        started.append(step.app)
        failed = step.app == "a0"
        return AppResult(step.file, step.app, "rolled-back" if failed else "deployed", int(failed))

    results = {r.app: r.result for r in run_plan(plan, deploy_one, jobs=2)}
    assert results["a0"] == "rolled-back" and results["a5"] == "deployed"  # the others in its wave go on
    assert results["last"] == "skipped" and "last" not in started
    started.clear()
    fast = {r.app: r.result for r in run_plan(plan, deploy_one, jobs=1, fail_fast=True)}
    assert started == ["a0"] and fast["a1"] == "skipped" and fast["last"] == "skipped"


def test_an_exception_in_one_app_is_that_apps_error() -> None:
    def deploy_one(step: Step) -> AppResult:
        if step.app == "bad":
            raise RuntimeError("boom")
        return AppResult(step.file, step.app, "unchanged", 0)

    results = run_plan(plan_fleet(["apps/bad.jsonnet", "apps/good.jsonnet"]), deploy_one, jobs=2)
    assert [(r.app, r.result) for r in results] == [("bad", "error"), ("good", "unchanged")]
    assert "boom" in results[0].message


# --- against the sandbox -----------------------------------------------------------------------

def test_a_folder_deploys_each_app_with_prefixed_lines_and_a_summary(
        hako: Hako, deployable: Callable[..., str], aws: SandboxControl) -> None:
    for name in ("one", "two", "three"):
        deployable(name)
    result = hako("deploy", "apps", "-j", "3", "-o", "json", *FAST)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert deployed(document) == {"one": "deployed", "two": "deployed", "three": "deployed"}
    assert document["summary"]["failed"] == 0 and document["summary"]["requests"] > 0
    assert "[one] registered task definition one:1" in result.err
    assert "APP" in result.err and "- → one:1" in result.err and "3 of 3 apps deployed" in result.err
    again = hako("deploy", "apps", "-o", "json", *FAST)
    assert again.code == 0 and set(deployed(json.loads(again.out)).values()) == {"unchanged"}


def test_changed_since_deploys_exactly_what_review_finds(
        hako: Hako, deployable: Callable[..., str], repo: Repo, aws: SandboxControl) -> None:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    for name in ("same", "edited", "gone"):
        deployable(name)
    assert hako("deploy", "apps", *FAST).code == 0
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")
    deployable("edited", env="{ MODE: 'two' }")
    deployable("added")
    (repo.root / "apps/gone.jsonnet").unlink()
    dry = hako("deploy", "--changed-since", "main", "--dry-run", "-o", "json", *FAST)
    assert dry.code == 0, dry.err
    document = json.loads(dry.out)
    assert deployed(document) == {"added": "dry-run", "edited": "dry-run"}
    plans = {a["app"]: [(i["kind"], i.get("operation")) for i in a["plan"]] for a in document["apps"]}
    assert plans["added"][-1] == ("call", "CreateService") and plans["edited"][-1] == ("call", "UpdateService")
    assert document["removed"] == ["apps/gone.jsonnet"]
    assert "hako remove apps/gone.jsonnet" in dry.err and "MODE" in dry.err
    real = hako("deploy", "--changed-since", "main", "-o", "json", *FAST)
    assert real.code == 0, real.err
    assert deployed(json.loads(real.out)) == {"added": "deployed", "edited": "deployed"}
    assert hako("diff", "apps/edited.jsonnet", "--exit-code").code == 0


def test_one_failed_app_is_rolled_back_and_the_others_deploy(
        hako: Hako, deployable: Callable[..., str], aws: SandboxControl, repo: Repo) -> None:
    deployable("steady")
    path = deployable("flaky")
    assert hako("deploy", "apps", *FAST).code == 0
    deployable("steady", env="{ MODE: 'two' }")
    deployable("flaky", env="{ MODE: 'two' }")
    aws.call("POST", "fail-next-rollout", {"service": "flaky", "cluster": cluster_of(repo, path)})
    result = hako("deploy", "apps", "-o", "json", *FAST, "--timeout", "20")
    document = json.loads(result.out)
    assert result.code == 1
    results = deployed(document)
    assert results == {"steady": "deployed", "flaky": "rolled-back"}, result.err
    assert "[flaky] rolling back service flaky to flaky:1" in result.err
    flaky = next(a for a in document["apps"] if a["app"] == "flaky")
    assert flaky["taskDefinition"]["after"].endswith("flaky:1")


@pytest.mark.slow
def test_throttling_does_not_fail_any_app(
        hako: Hako, deployable: Callable[..., str], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"app{i}" for i in range(8)]
    for name in names:
        deployable(name)
    proxy = FaultProxy(sandbox.url, FaultRates(throttle=0.3), seed=18)
    proxy.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        result = hako("deploy", "apps", "-j", "8", "--rate", "40", "-o", "json", *FAST)
    finally:
        proxy.stop()
    assert result.code == 0, result.err
    assert set(deployed(json.loads(result.out)).values()) == {"deployed"}
    assert proxy.injected["throttle"] > 5


def test_waves_from_hako_toml_and_fail_fast(
        hako: Hako, deployable: Callable[..., str], repo: Repo, aws: SandboxControl) -> None:
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + '\n[deploy]\nwaves = [["first"]]\n')
    path = deployable("first")
    deployable("second")
    assert hako("deploy", "apps", *FAST).code == 0
    deployable("first", env="{ MODE: 'two' }")
    deployable("second", env="{ MODE: 'two' }")
    aws.call("POST", "fail-next-rollout", {"service": "first", "cluster": cluster_of(repo, path)})
    result = hako("deploy", "apps", "-o", "json", *FAST, "--timeout", "20")
    assert result.code == 1
    document = json.loads(result.out)
    assert deployed(document) == {"first": "rolled-back", "second": "skipped"}
    assert "wave 1: first" in result.err


def test_a_oneshot_wave_runs_before_the_services_and_its_failure_stops_them(
        hako: Hako, deployable: Callable[..., str], job: Job, repo: Repo, aws: SandboxControl) -> None:
    migrate = job()
    name = Path(migrate).stem
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + (
        f'\n[deploy]\nwaves = [[{{ oneshot = "{name}", command = ["bin/rails", "db:migrate"] }}], ["web"]]\n'))
    deployable("web")
    dry = hako("deploy", "apps", "--dry-run", *FAST)
    assert dry.code == 0, dry.err
    assert f"wave 1: {name} (oneshot: bin/rails db:migrate)" in dry.err and "wave 2: web" in dry.err
    assert f'[{name}]           "bin/rails",' in dry.err  # the RunTask request it would send, with the command
    next_task(aws, migrate, exitCode=3, logLines=["migrating", "duplicate column"], runSeconds=0.2)
    failed = hako("deploy", "apps", "-o", "json", *FAST)
    assert failed.code == 1
    document = json.loads(failed.out)
    assert deployed(document) == {name: "failed", "web": "skipped"}
    first = next(a for a in document["apps"] if a["app"] == name)
    assert first["exitCode"] == 3 and first["operation"] == "oneshot" and first["wave"] == 1
    assert f"[{name}] duplicate column" in failed.err and "failed (exit 3)" in failed.err
    assert "[web]" not in failed.err.split("APP")[0]  # nothing of web happened before the summary
    next_task(aws, migrate, exitCode=0, logLines=["migrated"], runSeconds=0.2)
    done = hako("deploy", "apps", "-o", "json", *FAST)
    assert done.code == 0, done.err
    assert deployed(json.loads(done.out)) == {name: "succeeded", "web": "deployed"}
    assert done.err.index(f"[{name}] migrated") < done.err.index("[web] registered task definition")
    assert "succeeded (exit 0)" in done.err


def test_many_paths_and_a_broken_definition(hako: Hako, repo: Repo, aws: SandboxControl) -> None:
    repo.write("apps/broken.jsonnet", "{ app: }")
    result = hako("deploy", "apps", "-o", "json", *FAST)
    assert result.code == 1
    assert deployed(json.loads(result.out)) == {"broken": "error"}
    assert "[broken]" in result.err
    assert not Path("apps/missing").exists()


def with_schedules(text: str, schedules: str) -> str:
    """A definition's text with a top-level ``schedules`` field added."""
    body = text.rstrip()
    assert body.endswith("}")
    return body[:-1] + f"  schedules: {schedules},\n}}\n"


def schedule_targets(sandbox: Sandbox, app: str) -> dict[str, str]:
    """The schedules named after *app* in the sandbox, each with the task definition it runs (family:revision)."""
    scheduler = aws_client(sandbox.url, "scheduler")
    found = {}
    for summary in scheduler.list_schedules(NamePrefix=f"{app}.")["Schedules"]:
        schedule = scheduler.get_schedule(GroupName=summary["GroupName"], Name=summary["Name"])
        found[summary["Name"]] = schedule["Target"]["EcsParameters"]["TaskDefinitionArn"].rsplit("/", 1)[-1]
    return found


def test_a_fleet_deploy_of_an_app_does_what_its_single_deploy_does_schedules_included(
        hako: Hako, deployable: Deployable, job: Job, repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> None:
    """Issue 18's tester: fleet deploys ignored schedules (web "unchanged" after schedules were
    added, schedules left on the old oneshot task definition, batch-only apps failing the fleet
    and the waves after them)."""
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    web = deployable("web")
    batch = Path(job())  # a batch app without schedules: nothing to deploy
    repo.write("apps/nightly.jsonnet", with_schedules(batch.read_text(), "{ n: { expression: 'rate(1 hour)', "
                                                      f"command: ['bin/sync'], role_arn: '{ROLE}' }} }}"))
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text()
                                         + f'\n[deploy]\nwaves = [["{batch.stem}"], ["web", "nightly"]]\n')
    first = hako("deploy", "apps", "-o", "json", *FAST)
    assert first.code == 0, first.err
    assert deployed(json.loads(first.out)) == {batch.stem: "skipped", "web": "deployed", "nightly": "deployed"}
    assert f"[{batch.stem}] skipped (batch app: run it with hako oneshot" in first.err
    assert "2 of 3 apps deployed or unchanged, 1 skipped (batch apps: " in first.err
    assert schedule_targets(sandbox, "nightly") == {"nightly.n": "nightly-oneshot:1"}
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")

    # schedules added to web, nightly's rate changed: both deployed as `hako deploy FILE` would
    repo.write(web, with_schedules((repo.root / web).read_text(), "{ cleanup: { expression: 'rate(1 day)', "
                                   f"command: ['bin/cleanup'], role_arn: '{ROLE}' }} }}"))
    nightly = (repo.root / "apps/nightly.jsonnet")
    nightly.write_text(nightly.read_text().replace("rate(1 hour)", "rate(2 hours)"))
    dry = hako("deploy", "--changed-since", "HEAD", "--dry-run", *FAST)
    assert dry.code == 0 and "2 of 2 apps would be deployed or unchanged" in dry.err, dry.err
    changed = hako("deploy", "--changed-since", "HEAD", "-o", "json", *FAST)
    assert changed.code == 0, changed.err
    assert deployed(json.loads(changed.out)) == {"web": "updated", "nightly": "deployed"}  # as hako deploy FILE says
    assert schedule_targets(sandbox, "web") == {"web.cleanup": "web-oneshot:1"}
    assert "UpdateSchedule" in changed.err and "rate(2 hours)" in changed.err
    assert hako("diff", "apps/web.jsonnet", "--exit-code").code == 0
    assert hako("diff", "apps/nightly.jsonnet", "--exit-code").code == 0

    # web's env changes: its schedules run the new code (a new oneshot revision), as a single deploy does
    text = (repo.root / web).read_text()
    repo.write(web, text.replace("MODE: 'one'", "MODE: 'two'"))
    moved = hako("deploy", web, "apps/nightly.jsonnet", "-o", "json", *FAST)
    assert moved.code == 0, moved.err
    assert deployed(json.loads(moved.out)) == {"web": "deployed", "nightly": "unchanged"}
    assert schedule_targets(sandbox, "web") == {"web.cleanup": "web-oneshot:2"}


# --- hako drift ----------------------------------------------------------------------------------

def test_drift_reports_drifted_missing_and_unmanaged_services(
        hako: Hako, deployable: Callable[..., str], repo: Repo, aws: SandboxControl) -> None:
    for name in ("calm", "moved", "orphan"):
        deployable(name)
    assert hako("deploy", "apps", *FAST).code == 0
    clean = hako("drift", "--exit-code")
    assert clean.code == 0, clean.out + clean.err
    assert "3 apps: 3 in-sync" in clean.out
    deployable("moved", env="{ MODE: 'two' }")  # the repository moved on, ECS did not
    deployable("fresh")  # defined, never deployed
    (repo.root / "apps/orphan.jsonnet").unlink()  # deployed, no longer defined
    result = hako("drift", "--exit-code", "--format", "json")
    assert result.code == 2, result.err
    document = json.loads(result.out)
    statuses = {a["app"]: a["status"] for a in document["apps"]}
    assert statuses == {"calm": "in-sync", "moved": "drifted", "fresh": "missing"}
    assert "MODE" in next(a["diff"] for a in document["apps"] if a["app"] == "moved")
    assert [u["service"] for u in document["unmanaged"]] == ["orphan"]
    markdown = hako("drift", "--format", "markdown")
    assert markdown.code == 0 and "| moved | drifted |" in markdown.out and "| orphan | no definition |" in markdown.out
    text = hako("drift", "apps")
    assert "drifted: moved (apps/moved.jsonnet)" in text.out and "no definition: service orphan" in text.out


def test_drift_compares_schedules_as_hako_diff_does_and_lists_those_of_removed_apps(
        hako: Hako, job: Job, repo: Repo, aws: SandboxControl, sandbox: Sandbox) -> None:
    """Issue 18's tester: a schedule disabled or changed in AWS, a rogue schedule named after the
    app, and the schedules of a removed app (still firing) were all "in-sync"."""
    batch = Path(job())
    schedules = f"{{ n: {{ expression: 'rate(1 hour)', command: ['bin/sync'], role_arn: '{ROLE}' }} }}"
    repo.write("apps/nightly.jsonnet", with_schedules(batch.read_text(), schedules))
    assert hako("deploy", "apps", *FAST).code == 0
    clean = hako("drift", "--exit-code")
    assert clean.code == 0, clean.out + clean.err
    assert "2 apps: 2 in-sync" in clean.out
    scheduler = aws_client(sandbox.url, "scheduler")
    live = scheduler.get_schedule(GroupName=next(iter(scheduler.list_schedules(NamePrefix="nightly.")["Schedules"]))[
        "GroupName"], Name="nightly.n")
    group = live["GroupName"]
    fields = {k: live[k] for k in ("ScheduleExpression", "FlexibleTimeWindow", "Target")}
    scheduler.update_schedule(Name="nightly.n", GroupName=group, State="DISABLED", **fields)
    disabled = hako("drift", "--exit-code", "--format", "json")
    assert disabled.code == 2, disabled.out + disabled.err
    document = json.loads(disabled.out)
    nightly = next(a for a in document["apps"] if a["app"] == "nightly")
    assert nightly["status"] == "drifted" and "DISABLED" in nightly["diff"]
    assert hako("diff", "apps/nightly.jsonnet", "--exit-code").code == 2  # the same comparison
    assert hako("deploy", "apps/nightly.jsonnet", *FAST).code == 0
    scheduler.create_schedule(Name="nightly.rogue", GroupName=group, **fields)
    rogue = hako("drift", "--exit-code")
    assert rogue.code == 2 and "drifted: nightly" in rogue.out and "nightly.rogue" in rogue.out, rogue.out
    assert hako("deploy", "apps/nightly.jsonnet", *FAST).code == 0
    assert hako("drift", "--exit-code").code == 0

    (repo.root / "apps/nightly.jsonnet").unlink()  # removed from the repository, its schedule keeps firing
    removed = hako("drift", "--exit-code")
    assert removed.code == 2, removed.out + removed.err
    assert f"no definition: schedule nightly.n in group {group}" in removed.out
    assert "1 schedule without a definition" in removed.out
    markdown = hako("drift", "--format", "markdown").out
    assert "| nightly.n | schedule with no definition |" in markdown


def test_paths_in_suggested_commands_are_shell_quoted(hako: Hako, repo: Repo) -> None:
    """A committed file name is data: printed inside a command to copy, it must not run anything."""
    from tests.conftest import service_app

    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    name = "apps/x$(touch${IFS}pwn);y.jsonnet"
    repo.write(name, service_app("c", "subnet-1", "sg-1"))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")
    git(repo.root, "rm", "-q", name)
    result = hako("deploy", "--changed-since", "HEAD", "--dry-run")
    assert result.code == 0, result.err
    quoted = "'apps/x$(touch${IFS}pwn);y.jsonnet'"
    assert f"git checkout HEAD -- {quoted} && hako remove {quoted} && git rm -q {quoted}" in result.err


def test_drift_of_named_files_lists_no_unmanaged_services_and_no_apps_found_is_an_error(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    web = deployable("web")
    deployable("other")
    assert hako("deploy", "apps", *FAST).code == 0
    named = hako("drift", web, "--exit-code")
    assert named.code == 0, named.out + named.err
    assert "no definition" not in named.out and "1 apps: 1 in-sync" in named.out
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + 'apps = "apps/lib"\n')
    (repo.root / "apps/lib").mkdir()
    empty = hako("drift")
    assert empty.code == 1 and "no app definitions found in apps/lib" in empty.err
    fleet = hako("deploy", "apps/lib", *FAST)
    assert fleet.code == 1 and "no app definitions found in apps/lib" in fleet.err


def test_drift_markdown_fits_an_issue_body_and_says_what_was_cut() -> None:
    """1,500 extra env vars made a 400 KB report, which gh issue create/edit --body-file refuses
    (GitHub's limit: 65,536 characters); bounded as hako diff --format markdown is."""
    from hako_py.fleet import drift as drifting
    from hako_py.review.markdown_safe import size

    diff = "".join(f'+    "VARIABLE_{i:04d}": "{"x" * 200}",\n' for i in range(1500))
    apps = tuple(drifting.AppDrift(f"apps/a{i}.jsonnet", f"a{i}", drifting.DRIFTED, "c", "us-east-1", diff)
                 for i in range(5))
    report = drifting.DriftReport(apps, (("us-east-1", "c", "orphan"),))
    markdown = drifting.render(report, "markdown")
    assert size(markdown) <= 65_536 and len(diff) * 5 > 1_000_000
    assert "| a4 | drifted |" in markdown and "| orphan | no definition |" in markdown
    assert "more lines (run hako diff apps/a0.jsonnet)" in markdown
    assert "shortened to fit GitHub's size limit" in markdown
    assert "The details of 3 listed apps are left out." in markdown


def signalled_fleet(repo: Repo, signum: signal.Signals, after: str, times: int) -> tuple[int, str, str, float]:
    """``hako deploy apps -o json`` in a process of its own, sent *signum* once *times* lines of
    its stderr said *after*: its exit code, stdout, stderr and the seconds it took to end then."""
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "deploy", "apps", "-o", "json", *FAST],
                               cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        seen = 0
        for line in process.stderr:
            seen += after in line
            if seen == times:
                break
        sent = time.monotonic()
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
        return process.returncode, out, err, time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"])
def test_a_signal_stops_following_every_app_of_a_fleet_at_once_and_reports_them(
        deployable: Deployable, aws: SandboxControl, repo: Repo, signum: signal.Signals, code: int) -> None:
    """Issue 18's tester: SIGINT was ignored until every rollout ended, then printed no app;
    SIGTERM killed the fleet at once with an empty stdout. Both now do what a single deploy does."""
    deployable("one")
    deployable("two")
    aws.call("POST", "settings", {"rolloutSeconds": 60})
    try:
        returncode, out, err, seconds = signalled_fleet(repo, signum, "Following the rollout", 2)
    finally:
        aws.call("POST", "settings", {"rolloutSeconds": 0.3})
    assert returncode == code, out + err
    assert seconds < 20  # promptly (one poll), not after the 60 s rollouts; generous for a loaded machine
    document = json.loads(out)
    assert document["result"] == "interrupted"
    assert deployed(document) == {"one": "interrupted", "two": "interrupted"}
    assert "[one] interrupted: stopped following; the deployment of one:1 continues in ECS" in err
    assert "the deployments started continue in ECS" in err


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"])
def test_a_signal_during_a_oneshot_wave_stops_its_task_at_once_and_reports_the_later_waves_interrupted(
        deployable: Deployable, job: Job, aws: SandboxControl, repo: Repo, signum: signal.Signals, code: int) -> None:
    """Issue 18's tester: a signal while a wave's oneshot ran was ignored until the task ended (up to
    --timeout), the later waves said "an earlier wave failed" and exit 1. Now the task is stopped,
    as hako oneshot stops it, at once; the later waves are interrupted; summary and JSON come."""
    migrate = job()
    name = Path(migrate).stem
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + (
        f'\n[deploy]\nwaves = [[{{ oneshot = "{name}", command = ["migrate"] }}], ["web"]]\n'))
    deployable("web")
    next_task(aws, migrate, exitCode=0, logLines=["migrating"], runSeconds=40)
    returncode, out, err, seconds = signalled_fleet(repo, signum, "started task", 1)
    assert returncode == code, out + err
    assert seconds < 20  # at once (one poll), not after the 40 s task; generous for a loaded machine
    document = json.loads(out)
    assert document["result"] == "interrupted"
    assert deployed(document) == {name: "interrupted", "web": "skipped"}
    web = next(a for a in document["apps"] if a["app"] == "web")
    assert web["message"] == "not started: interrupted" and web["exitCode"] == code
    assert f"[{name}] received {signal.Signals(signum).name}: stopping task" in err
    assert f"the oneshot tasks of {name} were stopped, as hako oneshot stops its task" in err


def test_drift_reports_two_definitions_of_one_app_as_broken(
        hako: Hako, deployable: Callable[..., str], repo: Repo, aws: SandboxControl) -> None:
    """``apps/calm.json`` beside ``apps/calm.jsonnet``: neither is the service's definition
    (drift said one drifted and the other in sync, and exited 0)."""
    path = deployable("calm")
    assert hako("deploy", path, *FAST).code == 0
    (repo.root / "apps/calm.json").write_text((repo.root / path).read_text().replace("'v1'", "'evil'"))
    result = hako("drift", "--exit-code", "--format", "json")
    assert result.code == 1, result.out + result.err
    statuses = {a["file"]: a["status"] for a in json.loads(result.out)["apps"]}
    assert statuses == {"apps/calm.json": "broken", "apps/calm.jsonnet": "broken"}, statuses
    assert "app id 'calm' is also defined by apps/calm.jsonnet" in result.out
