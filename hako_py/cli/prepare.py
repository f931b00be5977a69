"""Shared start of deploy, oneshot and verify: scripts, rendering and preflight verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from hako_py.aws import AwsClients, AwsOptions
from hako_py.definition import AppDefinition
from hako_py.pipeline import CheckedApp
from hako_py.render import RenderedApp, RenderOptions, render_app
from hako_py.scripts.base import ScriptContext
from hako_py.scripts.runner import ScriptSet


@dataclass
class Prepared:
    app: AppDefinition
    rendered: RenderedApp
    clients: AwsClients
    scripts: ScriptSet


def clients_for(checked: CheckedApp, aws: dict[str, Any]) -> AwsClients:
    options = AwsOptions(region=aws["region"], profile=aws["profile"], endpoint_url=aws["endpoint_url"])
    return AwsClients(options, default_region=checked.app.region)


def prepare(checked: CheckedApp, aws: dict[str, Any], *, hook: str, tag: str | None, dry_run: bool,
            stderr: TextIO) -> Prepared:
    """Run configure and the *_starting hook, then render what the scripts left."""
    clients = clients_for(checked, aws)
    context = ScriptContext(checked.app, dry_run=dry_run, tag_override=tag, aws=clients, stderr=stderr,
                            settings=checked.loaded.config.scripts)
    scripts = ScriptSet(checked.app, context)
    app = scripts.prepared(hook)
    rendered = checked.rendered if app is checked.app else render_app(app, RenderOptions(tag=tag))
    return Prepared(app, rendered, clients, scripts)


def run_verify(prepared: Prepared, task_definition: dict[str, Any], out: TextIO) -> bool:
    """Print each check; True when nothing is NG."""
    from hako_py.aws.lookups import Lookups
    from hako_py.verify import failed, verify

    checks = verify(prepared.app, task_definition, Lookups(prepared.clients),
                    scripts_create_log_groups=prepared.scripts.creates_log_groups)
    for check in checks:
        out.write(check.line() + "\n")
    out.flush()
    return not failed(checks)
