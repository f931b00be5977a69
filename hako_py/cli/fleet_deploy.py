"""``hako deploy`` of many apps: folders, several files, or ``--changed-since REF``.

Selection (:mod:`hako_py.cli.fleet_select`) reuses PR review exactly (``hako diff --base``: an
app is deployed when its rendered task definition, service or traffic settings differ between
REF and the working tree, through imports, or it was added); every definition is then checked
in this thread (through the render cache), and each app is deployed by the single deploy's own
path (scripts, preflight, register, update, follow, roll back) on a bounded pool of threads,
all sharing one AWS request budget.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

from hako_py.aws.throttle import TokenBucket
from hako_py.cli.deploy_app import deploy_prepared
from hako_py.cli.fleet_select import Selected, definitions_of, refuse_overrides, repository_of, select
from hako_py.cli.hints import warnings_hint
from hako_py.cli.options import build_load_options
from hako_py.cli.outcome import Outcome
from hako_py.cli.output import show
from hako_py.cli.prepare import SharedClients, preflight, prepare
from hako_py.deploy.deployer import DeployOptions
from hako_py.errors import HakoError
from hako_py.fleet.plan import ONESHOT, FleetPlan, Step, parse_shard, parse_wave, plan_fleet
from hako_py.fleet.report import FleetOutput, result_data, summary_table
from hako_py.fleet.runner import SKIPPED, AppResult, run_plan
from hako_py.fleet.waves import check_waves
from hako_py.interrupts import Interrupted, InterruptFlag, exit_code, flagging_on
from hako_py.oneshot.logs import DEFAULT_LOG_GRACE_SECONDS
from hako_py.oneshot.request import Overrides, oneshot_task_definition
from hako_py.oneshot.runner import EXIT_NOT_STARTED, Interrupts, OneshotOptions, OneshotRunner
from hako_py.paths import DEFINITION_PATTERNS, expand_paths
from hako_py.pipeline import CheckedApp, check_file
from hako_py.record import Record
from hako_py.render import RenderOptions
from hako_py.reporter import level_of


@dataclass(frozen=True)
class FleetSettings:
    """What the command line says about the fleet (the per-app settings are DeployOptions)."""

    jobs: int = 4
    fail_fast: bool = False
    shard: str | None = None
    wave: str | None = None
    changed_since: str | None = None
    rate: float = 10.0
    tag: str | None = None
    verify: bool = True


def _checked(files: list[str], loader: dict[str, Any], tag: str | None) -> dict[str, CheckedApp | str]:
    """Each definition loaded, validated and rendered (through the render cache), or its error."""
    options = replace(build_load_options(**loader, expand=True), cache=True)
    checked: dict[str, CheckedApp | str] = {}
    for file in files:
        try:
            checked[file] = check_file(file, options, RenderOptions(tag=tag))
        except HakoError as exc:
            checked[file] = str(exc)
    return checked


def _batch_only(checked: CheckedApp) -> str:
    """Why a batch-only app without schedules is skipped (nothing to deploy: hako deploy of it alone refuses)."""
    return (f"batch app: run it with hako oneshot {shlex.quote(checked.loaded.file)} -- COMMAND, or as a oneshot "
            "of a wave ([deploy] waves in hako.toml)")


def deploy_fleet(paths: list[str], settings: FleetSettings, options: DeployOptions, output: str, quiet: bool,
                 verbose: bool, aws: dict[str, Any], loader: dict[str, Any]) -> None:
    outcome = Outcome("deploy", output)
    config = repository_of(paths, loader)
    shard = parse_shard(settings.shard) if settings.shard else None
    wave = parse_wave(settings.wave, config.waves) if settings.wave else None
    defined = definitions_of(config, expand_paths(paths))
    selected = select(paths, settings.changed_since, loader, None, defined)
    if settings.changed_since is None and not selected.files:
        raise HakoError(f"no app definitions found in {', '.join(paths)} ({DEFINITION_PATTERNS})")
    refuse_overrides(settings.tag, selected)
    check_waves(config, [*defined, *selected.files])
    plan = plan_fleet(selected.files, waves=config.waves, shard=shard, wave=wave, removed=selected.removed,
                      root=config.root)
    checked = _checked([step.file for step in plan.steps], loader, settings.tag)
    bucket = TokenBucket(settings.rate, burst=max(1, int(settings.rate)))
    stream = sys.stderr
    fleet = FleetOutput(stream, live=stream.isatty() and not quiet, level=level_of(quiet, verbose))
    _announce(fleet, plan, selected, settings)

    clients = SharedClients(aws, bucket)
    interrupt = InterruptFlag()

    def deploy_one(step: Step) -> AppResult:
        if interrupt.set:
            return AppResult(step.file, step.app, SKIPPED, interrupt_code(interrupt), "not started: interrupted")
        if step.operation == ONESHOT:
            return _oneshot_app(step, checked[step.file], fleet, settings, options, aws, clients, interrupt)
        return _deploy_app(step, checked[step.file], fleet, settings, options, aws, clients, interrupt)

    def interrupted() -> int:
        return interrupt_code(interrupt) if interrupt.set else 0

    started = time.monotonic()
    # SIGINT/SIGTERM stop the following of every app (each says its deployment continues in ECS),
    # stop a running oneshot's task (as hako oneshot does) and the start of any other app, as for
    # a single deploy; the summary and -o json still come
    with fleet, flagging_on(interrupt, signal.SIGINT, signal.SIGTERM):
        results = run_plan(plan, deploy_one, jobs=settings.jobs, fail_fast=settings.fail_fast, on_phase=fleet.phase,
                           interrupted=interrupted)
    results += [AppResult(file, os.path.splitext(os.path.basename(file))[0], "broken", 1, error)
                for file, error in selected.broken]
    seconds = time.monotonic() - started
    failed = [r for r in results if not r.ok]
    if results:
        fleet.say(summary_table(results))
    skipped = [r for r in results if r.ok and r.result == SKIPPED]
    done = len(results) - len(failed) - len(skipped)
    message = (f"{done} of {len(results)} apps {'would be ' if options.dry_run else ''}deployed or unchanged"
               + (f", {len(skipped)} skipped (batch apps: {', '.join(r.app for r in skipped)})" if skipped else "")
               + f" in {seconds:.1f}s"
               + (f"; {len(failed)} failed or not started: {', '.join(r.app for r in failed)}" if failed else ""))
    fleet.say(message)
    if interrupt.set:
        stopped = [r.app for r in results if r.operation == ONESHOT and r.result == "interrupted"]
        note = (f"interrupted ({signal.Signals(interrupt.signum).name}): stopped following; the deployments "
                "started continue in ECS (watch them with hako status FILE)"
                + (f"; the oneshot tasks of {', '.join(stopped)} were stopped, as hako oneshot stops its task"
                   if stopped else ""))
        fleet.say(note)
        message += f"; {note}"
    outcome.record.result = ("interrupted" if interrupt.set else "failed" if failed
                             else ("dry-run" if options.dry_run else "deployed"))
    outcome.record.message = message
    outcome.record.fields.update(
        dryRun=options.dry_run, apps=[result_data(r) for r in results], removed=list(plan.removed),
        moved=[{"from": before, "to": now} for before, now in selected.moved],
        summary={"apps": len(results), "failed": len(failed), "otherShards": plan.other_shards,
                 "otherWaves": plan.other_waves,
                 "requests": bucket.taken, "throttleWaitSeconds": round(bucket.waited, 3)})
    if output != "json" and not results and not plan.removed and not selected.moved:
        show("nothing to deploy")
    outcome.finish(interrupt_code(interrupt) if interrupt.set else 1 if failed else 0)


def interrupt_code(interrupt: InterruptFlag) -> int:
    """128 + the signal's number, as a single deploy exits when interrupted."""
    return 128 + (interrupt.signum or signal.SIGINT)


def _announce(fleet: FleetOutput, plan: FleetPlan, selected: Selected, settings: FleetSettings) -> None:
    where = f" changed since {selected.since}" if selected.since else ""
    only = f" of wave {settings.wave} ({plan.other_waves} in other waves)" if settings.wave else ""
    shard = f" (shard {settings.shard}; {plan.other_shards} in other shards)" if settings.shard else ""
    fleet.say(f"Deploying {len(plan.steps)} app{'s' if len(plan.steps) != 1 else ''}{where}{only}{shard}, "
              f"{settings.jobs} at a time" + (f", in {len(plan.waves)} waves" if len(plan.waves) > 1 else ""))
    for index, wave in enumerate(plan.waves):
        if len(plan.waves) > 1 or settings.wave:
            fleet.say(f"  wave {plan.number(index)}: {', '.join(_named(step) for step in wave)}")
    for before, now in selected.moved:
        fleet.say(f"moved/renamed since {settings.changed_since}: {before} → {now} (the same app id, still defined: "
                  "deployed from its new file, nothing to remove)")
    for file in plan.removed:
        ref, path = shlex.quote(settings.changed_since or ""), shlex.quote(file)  # paths are data, not shell
        fleet.say(f"removed since {settings.changed_since}: {file} (not removed from ECS; to remove it: "
                  f"git checkout {ref} -- {path} && hako remove {path} && git rm -q {path})")
    for file, error in selected.broken:
        fleet.say(f"not deployed: {file} is broken in the working tree: {error}")


def _deploy_app(step: Step, checked: CheckedApp | str, fleet: FleetOutput, settings: FleetSettings,
                options: DeployOptions, aws: dict[str, Any], clients: SharedClients,
                interrupt: InterruptFlag) -> AppResult:
    """One app, as ``hako deploy FILE`` deploys it (the same function: service, schedules and the
    oneshot task definition they run), talking through a prefixed reporter. A batch-only app
    without schedules has nothing to deploy: skipped, which does not fail the fleet."""
    reporter = fleet.reporter(step)
    started = time.monotonic()
    if isinstance(checked, CheckedApp) and not checked.app.has_service and not checked.app.schedules:
        why = _batch_only(checked)
        reporter.line(f"skipped ({why})")
        return AppResult(step.file, step.app, SKIPPED, 0, why)
    if isinstance(checked, str):
        reporter.problem(checked)
        return AppResult(step.file, step.app, "error", 1, checked)
    warnings_hint(checked, reporter)
    record = Record()
    record.fields["timings"] = {"verifySeconds": None, "rolloutSeconds": None}
    lines = fleet.lines(step)  # what its scripts say: prefixed and escaped like every line of the fleet
    try:
        prepared = prepare(checked, aws, hook="deploy_starting", tag=settings.tag, dry_run=options.dry_run,
                           stderr=lines, clients=clients.for_app(checked), quiet=reporter.quiet)

        code = deploy_prepared(prepared, reporter, record, options, tag=settings.tag, verify=settings.verify,
                               sleep=interrupt.sleep)
    except KeyboardInterrupt as exc:  # interrupted while not following (a retry's wait): nothing else to say
        reporter.problem("interrupted")
        return AppResult(step.file, step.app, "interrupted", exit_code(exc), "interrupted",
                         seconds=round(time.monotonic() - started, 3))
    except HakoError as exc:
        reporter.problem(str(exc))
        return AppResult(step.file, step.app, "error", exc.exit_code or 1, str(exc),
                         seconds=round(time.monotonic() - started, 3))
    finally:
        lines.finish()
    td = record.fields.get("taskDefinition") or {}
    return AppResult(step.file, step.app, record.result, code, record.message, td.get("before"), td.get("after"),
                     round(time.monotonic() - started, 3),
                     document={"writes": record.writes, **({"plan": record.fields["plan"]} if "plan" in record.fields
                                                           else {})})


def _named(step: Step) -> str:
    """A step in the announcement of the waves: a oneshot with its command."""
    return f"{step.app} (oneshot: {shlex.join(step.command)})" if step.operation == ONESHOT else step.app


def _oneshot_app(step: Step, checked: CheckedApp | str, fleet: FleetOutput, settings: FleetSettings,
                 options: DeployOptions, aws: dict[str, Any], clients: SharedClients,
                 interrupt: InterruptFlag) -> AppResult:
    """One app run once with the wave's command, as ``hako oneshot FILE -- COMMAND`` runs it
    (its output prefixed like every line of the fleet); the app's exit code is the result's code,
    so a failed migration stops the later waves. A signal reaches its runner at once (it runs in
    a worker thread, where no handler runs): the task is stopped, as ``hako oneshot`` stops it."""
    reporter = fleet.reporter(step)
    started = time.monotonic()
    if isinstance(checked, str):
        reporter.problem(checked)
        return AppResult(step.file, step.app, "error", EXIT_NOT_STARTED, checked)
    warnings_hint(checked, reporter)
    lines = fleet.lines(step)
    try:
        prepared = prepare(checked, aws, hook="oneshot_starting", tag=settings.tag, dry_run=options.dry_run,
                           stderr=lines, clients=clients.for_app(checked))
        task_definition = oneshot_task_definition(prepared.app, (), settings.tag)
        if settings.verify and not preflight(prepared, task_definition, reporter):
            message = "verification failed: no task was started (fix the [NG] items, or --no-verify)"
            reporter.problem(message)
            return AppResult(step.file, step.app, "error", EXIT_NOT_STARTED, message,
                             seconds=round(time.monotonic() - started, 3))
        run = OneshotOptions(overrides=Overrides(command=step.command), tag=settings.tag, dry_run=options.dry_run,
                             timeout=options.follow.timeout, interval=options.follow.interval, log_grace=_log_grace())
        signals = Interrupts()
        runner = OneshotRunner(prepared.clients, prepared.clients.logs, lines, lines, run,
                               scripts=prepared.scripts, quiet=reporter.quiet, interrupts=signals)
        with interrupt.forwarding(signals.received):
            if interrupt.set:  # came during the preflight: start no task
                raise Interrupted(interrupt.signum)
            code = runner.run(prepared.app, prepared.rendered, task_definition)
    except KeyboardInterrupt as exc:  # before the task started (a retry's wait)
        reporter.problem("interrupted: no task was started")
        return AppResult(step.file, step.app, "interrupted", exit_code(exc), "interrupted: no task was started",
                         seconds=round(time.monotonic() - started, 3))
    except HakoError as exc:
        reporter.problem(str(exc))
        return AppResult(step.file, step.app, "error", EXIT_NOT_STARTED, str(exc),
                         seconds=round(time.monotonic() - started, 3))
    finally:
        lines.finish()
    result = ("interrupted" if signals.signum is not None and code != 0 else "dry-run" if options.dry_run and code == 0
              else "succeeded" if code == 0 else "failed")
    return AppResult(step.file, step.app, result, code, f"{shlex.join(step.command)}: exit {code}",
                     seconds=round(time.monotonic() - started, 3))


def _log_grace() -> float:
    """``$HAKO_LOG_GRACE`` as ``hako oneshot`` reads it (deploy has no --log-grace option)."""
    try:
        return min(600.0, max(0.0, float(os.environ["HAKO_LOG_GRACE"])))
    except (KeyError, ValueError):
        return DEFAULT_LOG_GRACE_SECONDS
