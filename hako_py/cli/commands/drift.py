"""``hako drift [PATH...]``: which live services no longer match the repository."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from hako_py.aws.throttle import TokenBucket
from hako_py.cli.options import FiniteFloat, aws_options, build_load_options, loader_options, split_aws
from hako_py.cli.output import show, write_output_file
from hako_py.cli.prepare import SharedClients, as_deployed, schedules_for, traffic_for
from hako_py.deploy.service_ops import live_diff
from hako_py.errors import HakoError
from hako_py.fleet import drift as drifting
from hako_py.loading.repo import find_root, load_config
from hako_py.paths import DEFINITION_PATTERNS, app_id_clashes, app_id_for, display_path, expand_paths
from hako_py.pipeline import CheckedApp, check_file
from hako_py.schedules.reader import read_group
from hako_py.specs.schedules import default_group, schedule_specs


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown is made for an issue body (see examples/ci).")
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), metavar="PATH",
              help="Also write the full report (never shortened) in the chosen format to PATH, e.g. for a "
                   "workflow artifact beside a shortened issue body.")
@click.option("--exit-code", is_flag=True, help="Exit 2 when anything drifted, 0 when none (1 on errors).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=8, show_default=True,
              help="Apps compared at the same time.")
@click.option("--rate", type=FiniteFloat(min=0.1), default=20.0, show_default=True,
              help="AWS requests per second shared by every app.")
@aws_options
@loader_options
def drift(paths: tuple[str, ...], fmt: str, output_file: str | None, exit_code: bool, jobs: int, rate: float,
          **kwargs: Any) -> None:
    """Compare every app's live service and task definition with the repository, as hako diff
    FILE does, and list the services in their clusters that no definition describes.

    \b
    hako drift                      every definition in the apps folder of hako.toml
    hako drift --format markdown --exit-code > drift.md   (nightly, see examples/ci)
    \b
    Each app is in-sync, drifted (the diff says how), missing (no service in ECS),
    broken (the definition does not render) or error (AWS said no).
    """
    aws, loader = split_aws(kwargs)
    root = find_root(Path.cwd())
    apps_folder = root / load_config(root).apps
    folders = list(paths) or [display_path(apps_folder)]
    files = expand_paths(folders)
    if not files:  # an empty report would close the nightly issue: finding nothing is an error
        message = (f"no app definitions found in {', '.join(folders)} ({DEFINITION_PATTERNS}; check the PATHs or "
                   "apps in hako.toml)")
        if fmt == "json":  # still a document, as every -o json of a failed command: no apps, and why
            show(json.dumps({**drifting.data(drifting.DriftReport(())), "error": message}, indent=2))
        raise HakoError(message)
    # services and schedules with no definition are listed only when every definition is read:
    # with a few files named, every other app of the cluster would look unmanaged
    whole = any(Path(folder).resolve() == apps_folder.resolve() for folder in folders)
    options = replace(build_load_options(**loader, expand=True), cache=True)
    checked: dict[str, CheckedApp | str] = {}
    clashing = app_id_clashes(files)  # two definitions of one service: neither is its definition
    for file in files:  # evaluated here, in order, by the shared budgeted worker (and the render cache)
        try:
            checked[file] = clashing[file] if file in clashing else check_file(file, options)
        except HakoError as exc:
            checked[file] = str(exc)
    shared = SharedClients(aws, TokenBucket(rate, burst=max(1, int(rate))))

    def compare_one(file: str) -> drifting.AppDrift:
        """The comparison of ``hako diff FILE``: service, traffic and schedules (a batch-only app: its schedules)."""
        app = checked[file]
        if isinstance(app, str):
            return drifting.AppDrift(file, app_id_for(file), drifting.BROKEN, message=app)
        groups = tuple(sorted({default_group(app.app.cluster), *(s.group for s in schedule_specs(app.app))}))
        where: dict[str, Any] = {"cluster": app.app.cluster, "region": app.app.region, "groups": groups}
        if not app.app.has_service and not app.app.schedules:
            shared.for_app(app)  # no request: the region's clients, to list its cluster's schedule group
            return drifting.AppDrift(file, app.app.app_id, drifting.IN_SYNC, **where,
                                     message="batch app without schedules: nothing deployed to compare")
        try:
            aws_clients = shared.for_app(app)
            ecs = aws_clients.ecs()
            schedules = schedules_for(app.app, aws_clients, app.rendered)
            if app.app.has_service and ecs.describe_service(app.app.cluster, app.app.app_id) is None:
                return drifting.AppDrift(file, app.app.app_id, drifting.MISSING, **where,
                                         message=f"no service {app.app.app_id} in cluster {app.app.cluster}")
            prepared, script_diff = as_deployed(app, aws, tag=None, clients=aws_clients)  # e.g. nginx_front's
            diff = live_diff(ecs, prepared.app, prepared.rendered,
                             traffic_for(prepared.app, prepared.rendered, aws_clients), schedules) + script_diff
        except HakoError as exc:
            return drifting.AppDrift(file, app.app.app_id, drifting.ERROR, **where, message=str(exc))
        return drifting.AppDrift(file, app.app.app_id, drifting.DRIFTED if diff else drifting.IN_SYNC, **where,
                                 diff=diff)

    def list_services(region: str | None, cluster: str) -> list[str]:
        if not whole:
            return []
        try:
            clients = shared.by_region.get(region)
            return list(clients.ecs().list_services(cluster)) if clients is not None else []
        except HakoError:
            return []

    def active_services(region: str | None, cluster: str, names: list[str]) -> list[str]:
        """Those of *names* still ACTIVE (DescribeServices also shows DRAINING and INACTIVE ones)."""
        clients = shared.by_region.get(region)
        if clients is None:
            return names
        try:
            return [str(s["serviceName"]) for s in clients.ecs().describe_services(cluster, names)
                    if s.get("status") == "ACTIVE"]
        except HakoError:
            return names  # as listed: the apps of that region already report what AWS said

    def list_schedules(region: str | None, group: str) -> list[str]:
        """The schedules of *group* when hako owns it (its tag), else none: others' groups are not ours to report."""
        clients = shared.by_region.get(region)
        if clients is None or not whole:
            return []
        api = clients.scheduler()
        try:
            if not read_group(api, group).owned:
                return []
            return [str(s["Name"]) for s in api.schedules_in(group)]
        except HakoError:
            return []  # as for services: the apps of that region already report what AWS said

    report = drifting.find_drift(files, compare_one, list_services, jobs=jobs, list_schedules=list_schedules,
                                 active=active_services)
    if output_file is not None:
        write_output_file(output_file, drifting.render(report, fmt, full=True))
    show(drifting.render(report, fmt), nl=False)
    if report.failed:
        sys.exit(1)
    sys.exit(2 if exit_code and report.drifted else 0)
