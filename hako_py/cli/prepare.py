"""What the commands acting on AWS share once the definition is checked: clients, scripts,
the app's traffic resources and the preflight verification."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from hako_py.aws import AwsClients, AwsOptions
from hako_py.aws.throttle import TokenBucket
from hako_py.cli.checks_output import checks_data, show_checks
from hako_py.definition import AppDefinition
from hako_py.loading.repo import ScriptSettings
from hako_py.pipeline import CheckedApp
from hako_py.record import Record
from hako_py.redaction import remember
from hako_py.render import RenderedApp, RenderOptions, render_app
from hako_py.reporter import Reporter
from hako_py.schedules.manager import Schedules
from hako_py.scripts.base import ScriptContext
from hako_py.scripts.runner import ScriptSet
from hako_py.traffic.manager import Traffic
from hako_py.verify.check import Check, failed
from hako_py.verify.prerequisites import verify


@dataclass
class Prepared:
    app: AppDefinition
    rendered: RenderedApp
    clients: AwsClients
    scripts: ScriptSet


def clients_for(checked: CheckedApp, aws: dict[str, Any], rate_limit: TokenBucket | None = None) -> AwsClients:
    """The AWS clients of a command; a loopback endpoint without credentials is taken for the sandbox.
    *rate_limit*: the request budget shared by every app of a fleet deploy."""
    from hako_py.sandbox.credentials import SANDBOX_CREDENTIALS

    options = AwsOptions(region=aws["region"], profile=aws["profile"], endpoint_url=aws["endpoint_url"],
                         loopback_credentials=SANDBOX_CREDENTIALS, rate_limit=rate_limit)
    return AwsClients(options, default_region=checked.app.region)


class SharedClients:
    """One :class:`AwsClients` per region for the apps of a fleet deploy or drift: boto3 clients
    are thread-safe, and creating them (~0.1 s of CPU each) once per app would cost more than
    the requests. Every client takes its requests from the one *rate_limit*."""

    def __init__(self, aws: dict[str, Any], rate_limit: TokenBucket | None) -> None:
        self.aws = aws
        self.rate_limit = rate_limit
        self.by_region: dict[str | None, AwsClients] = {}
        self.lock = threading.Lock()

    def for_app(self, checked: CheckedApp) -> AwsClients:
        with self.lock:
            made = clients_for(checked, self.aws, self.rate_limit)
            return self.by_region.setdefault(made.region, made)


def traffic_for(app: AppDefinition, rendered: RenderedApp, clients: AwsClients) -> Traffic | None:
    """The app's load balancer / Cloud Map / autoscaling manager over the traffic specs render
    derived (never derived again), or None when it declares none."""
    return Traffic(clients, app, rendered.specs) if rendered.specs.declared else None


def schedules_for(app: AppDefinition, clients: AwsClients, rendered: RenderedApp, tag: str | None = None,
                  sleep: Callable[[float], None] = time.sleep,
                  settings: ScriptSettings | None = None) -> Schedules | None:
    """The app's schedules manager, or None when it has none: it runs the oneshot task
    definition ``hako oneshot`` registers (app and the containers it depends on), and reports
    failed runs when a ``notify_webhook`` script asks (its URL from this environment, the
    variable hako.toml's ``[scripts.notify_webhook] url_env`` names first: *settings*)."""
    if not app.schedules and not app.schedules_declared:
        return None  # no `schedules` key: nothing of EventBridge Scheduler is read (see AppDefinition)
    from hako_py.oneshot.request import oneshot_task_definition
    from hako_py.specs.failed_runs import SCRIPT_TYPE, failed_runs_spec

    trusted = (settings.for_type(SCRIPT_TYPE) if settings is not None else {}).get("url_env")
    notifier = failed_runs_spec(app, os.environ, trusted if isinstance(trusted, str) else None)
    if notifier is not None and notifier.url:
        remember([notifier.url])  # a credential: no error (an AWS one quoting the endpoint) may show it
    return Schedules(clients, app, rendered.schedules, oneshot_task_definition(app, (), tag), sleep=sleep,
                     notifier=notifier)


def configured_scripts(checked: CheckedApp, clients: AwsClients, dry_run: bool, quiet: bool = False) -> ScriptSet:
    """The definition's scripts for commands without a *_starting hook (rollback, remove)."""
    scripts = ScriptSet(checked.app, ScriptContext(checked.app, dry_run=dry_run, aws=clients, stderr=sys.stderr,
                                                   settings=checked.loaded.config.scripts, quiet=quiet))
    scripts.fire("configure")
    return scripts


def prepare(checked: CheckedApp, aws: dict[str, Any], *, hook: str | None, tag: str | None, dry_run: bool,
            stderr: TextIO, clients: AwsClients | None = None, quiet: bool = False) -> Prepared:
    """Run configure and the *_starting hook (None: none, for hako diff) and, for a deploy, the
    scripts' shape_containers; then render what the scripts left (*clients*: the ones a fleet
    deploy shares between its apps; by default the command's own; *quiet*: the scripts say
    only problems, for ``-q``)."""
    clients = clients or clients_for(checked, aws)
    context = ScriptContext(checked.app, dry_run=dry_run, tag_override=tag, aws=clients, stderr=stderr,
                            settings=checked.loaded.config.scripts, quiet=quiet)
    scripts = ScriptSet(checked.app, context)
    app = scripts.prepared(hook)
    # rendered again only when the scripts changed the containers (a tag, an env entry): the
    # requests of an unchanged app are the ones check_file rendered
    changed = app is not checked.app and app.containers != checked.app.containers
    rendered = render_app(app, RenderOptions(tag=tag)) if changed else checked.rendered
    return Prepared(app, rendered, clients, scripts)


def as_deployed(checked: CheckedApp, aws: dict[str, Any], *, tag: str | None,
                clients: AwsClients) -> tuple[Prepared, str]:
    """What hako diff and drift compare with the live service: the containers as a deploy's
    scripts leave them (shape_containers, e.g. nginx_front's front; no *_starting hook, so no
    tag lookups), and the unified diff of what the scripts would write (made printable: it
    quotes an object read from AWS)."""
    from hako_py.printable import printable

    prepared = prepare(checked, aws, hook=None, tag=tag, dry_run=True, stderr=sys.stderr, clients=clients)
    return prepared, printable("".join(write.diff for write in prepared.scripts.planned_writes()))


def run_checks(prepared: Prepared, task_definition: dict[str, Any]) -> list[Check]:
    """The checks of hako verify for this task definition (nothing printed)."""
    return verify(prepared.app, task_definition, prepared.scripts.context.lookups(), prepared.rendered.specs,
                  scripts_create_log_groups=prepared.scripts.creates_log_groups,
                  script_buckets=prepared.scripts.s3_buckets())


def preflight(prepared: Prepared, task_definition: dict[str, Any], reporter: Reporter,
              record: Record | None = None) -> bool:
    """deploy's and oneshot's verification before any write: a summary line when all is OK (see
    :mod:`hako_py.cli.checks_output`); the checks go into *record* for --output json. True when nothing is NG."""
    started = time.monotonic()
    checks = run_checks(prepared, task_definition)
    show_checks(checks, reporter)
    if record is not None:
        record.fields["verification"] = {"passed": not failed(checks), "checks": checks_data(checks)}
        record.fields.setdefault("timings", {})["verifySeconds"] = round(time.monotonic() - started, 3)
    return not failed(checks)
