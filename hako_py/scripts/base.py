"""The script plugin interface.

A script type is a class registered under the entry-point group ``hako_py.scripts``; a
``{type: NAME, ...}`` entry in ``scripts`` creates one with the rest of the entry as its
options, validated against the class's ``options_schema``. Hooks run in list order:

- ``configure()`` once, before anything else;
- ``deploy_starting(containers)`` / ``oneshot_starting(containers)``: may change the
  containers (e.g. set the app image tag) before the task definition is rendered; no
  AWS writes here, verification has not run yet;
- ``shape_containers(containers, front_port)`` (deploy, and what shows a deploy: ``hako
  diff``, ``render --with-scripts``, ``--dry-run``): hako's ``deploy_started(containers,
  front_port)``, the last change to the containers, once the front port is known; no writes;
- ``planned_writes()``: what the script would write (compared with what is there, so an
  unchanged deploy writes nothing), as plan instructions: ``hako diff`` and ``--dry-run``
  show them, the deploy's executor sends them after verification, before the task
  definition is registered;
- ``before_writes(task_definition)``: verification passed and the first write request is
  next (create resources here, e.g. log groups);
- ``deploy_started(service)``, ``deploy_finished(task_definition_arn)``,
  ``deploy_failed(stopped_tasks)``, ``rollback_starting(current, target)``,
  ``rollback_finished(target, succeeded)``, ``oneshot_started(task)``,
  ``oneshot_finished(exit_code)``, ``remove_starting()``, ``remove_finished()``.

Under ``--dry-run``, ``context.dry_run`` is true and a script must not change anything
outside the process. Raise :class:`ScriptError` to stop the command.

Options come from the definition, which comes from a pull request: never let them choose
where credentials go. ``server()`` finds a server URL (definition option, ``hako.toml``'s
``[scripts.TYPE]`` table, or an environment variable, remembering which is trusted) and
``send()`` makes the request, attaching credentials only where :mod:`hako_py.outbound`'s
rule allows (trusted or allow-listed URL, https or loopback, never along a redirect).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from hako_py.definition import AppDefinition
from hako_py.errors import HakoError
from hako_py.loading.repo import ScriptSettings
from hako_py.outbound import Destination, OutboundError, send
from hako_py.plan.instructions import Call
from hako_py.printable import printable
from hako_py.redaction import redact

if TYPE_CHECKING:
    from hako_py.aws.lookups import Lookups


class ScriptError(HakoError):
    """A script failed; the command stops (before any write when raised early)."""


@dataclass
class ScriptContext:
    """What every script may use."""

    app: AppDefinition
    dry_run: bool = False
    tag_override: str | None = None
    aws: Any = None  # hako_py.aws.AwsClients, or None for offline commands
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    #: ``hako.toml``'s ``[scripts]`` table (trusted settings, unlike the definition's options).
    settings: ScriptSettings = field(default_factory=ScriptSettings)
    #: ``-q``: the command prints only problems, so :meth:`say` is silent
    quiet: bool = False
    _lookups: Lookups | None = field(default=None, repr=False)

    def lookups(self) -> Lookups:
        """The command's existence checks, shared by its verification and its scripts, so each
        thing (a log group, a role, the subnets) is read once per command."""
        from hako_py.aws.lookups import Lookups

        if self._lookups is None:
            self._lookups = Lookups(self.aws)
        return self._lookups

    def say(self, message: str) -> None:
        """Progress (the tag a script chose, a log group it created); silent under ``-q``."""
        if not self.quiet:
            self.problem(message)

    def problem(self, message: str) -> None:
        """What went wrong or was not done (a notification not posted): said even under ``-q``."""
        # a script quotes definition values (a job name...): never a secret, never an escape
        self.stderr.write(printable(redact(message)) + "\n")
        self.stderr.flush()


@dataclass(frozen=True)
class ScriptWrite:
    """One write a script plans, as data: shown before it is sent, never sent by diff or a dry run.

    A script that writes during a deploy (hako's nginx_front uploads its configuration) must
    keep a no-op deploy a no-op: it compares with what is there and plans a write only for a
    difference, like the deploy's own plan. The write is a plan instruction, so the deploy's
    one executor sends it through the typed facade (the command's clients: its endpoint, its
    credentials) and the dry run lists its text with the deploy's other writes."""

    call: Call  # e.g. S3 PutObject; its text is the line among the deploy's writes, its done what is said once sent
    diff: str  # a unified diff of the change, shown by hako diff and deploy (empty: none to show)


class Script:
    """Base class of script types; override the hooks you need."""

    type_name: ClassVar[str] = ""
    options_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    #: True for scripts that set the app image tag (silences the "latest" warning).
    resolves_tag: ClassVar[bool] = False
    #: True for scripts that create missing awslogs groups (verify counts them as present).
    creates_log_groups: ClassVar[bool] = False

    def __init__(self, options: dict[str, Any], context: ScriptContext) -> None:
        self.options = options
        self.context = context

    @property
    def trusted_options(self) -> dict[str, Any]:
        """This type's table in ``hako.toml`` (``[scripts.TYPE]``), owned by the maintainers."""
        return self.context.settings.for_type(self.type_name)

    def server(self, option: str, env_var: str | None = None) -> Destination | None:
        """The URL of the server this script talks to, and whether it is trusted.

        The definition's option *option* wins (a job may use another server) but is trusted
        only when it equals a trusted value; then ``hako.toml``'s ``[scripts.TYPE]`` *option*;
        then ``$env_var``. None when none is set.
        """
        trusted: list[Destination] = []
        if isinstance(self.trusted_options.get(option), str):
            trusted.append(Destination(self.trusted_options[option], True,
                                       f"hako.toml [scripts.{self.type_name}] {option}"))
        if env_var and self.context.env.get(env_var):
            trusted.append(Destination(self.context.env[env_var], True, f"${env_var}"))
        named = self.options.get(option)
        if isinstance(named, str) and named:
            same = next((d for d in trusted if d.url.rstrip("/") == named.rstrip("/")), None)
            return same or Destination(named, False, f"the definition's {self.type_name} option '{option}'")
        return trusted[0] if trusted else None

    def send(self, destination: Destination, *, credentials: Mapping[str, str] | None = None,
             secret_url: bool = False, headers: Mapping[str, str] | None = None, data: bytes | None = None,
             method: str | None = None, timeout: float = 15) -> bytes:
        """An HTTP request; *credentials* (header → value) only where the credential rule
        allows (``secret_url``: the URL itself is a credential, e.g. a webhook's). Refusals
        and failures raise :class:`ScriptError` naming this script type."""
        try:
            return send(destination, allowed=self.context.settings.allowed_servers, credentials=credentials,
                        secret_url=secret_url, headers=headers, data=data, method=method, timeout=timeout)
        except OutboundError as exc:
            raise ScriptError(f"{self.type_name}: {exc}") from None

    @classmethod
    def definition_problems(cls, options: dict[str, Any], containers: Collection[str]) -> list[tuple[str, str]]:
        """(option, message) for what valid *options* need of the definition, e.g. a container
        by name (*containers*: the definition's); ``hako validate`` reports them at the entry."""
        return []

    def configure(self) -> None:
        """Called once before any other hook."""

    def deploy_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        """May change *containers* (hako-format dicts) before the task definition is built."""

    def shape_containers(self, containers: dict[str, dict[str, Any]], front_port: int | None) -> None:
        """hako's ``deploy_started(containers, front_port)``: the last change to *containers*
        before the task definition is rendered. *front_port* is the host port for the
        ``front`` container as hako determines it: None under awsvpc, 0 with dynamic port
        mapping (the default), else a fixed port. Runs wherever a deploy is shown (diff,
        ``render --with-scripts``, ``--dry-run``): no writes, no side effects."""

    def planned_writes(self) -> list[ScriptWrite]:
        """The writes this deploy needs (after ``shape_containers``); none when all is as wanted."""
        return []

    def s3_buckets(self) -> list[tuple[str, str]]:
        """(bucket, region) this script writes to: ``hako verify`` checks each is reachable."""
        return []

    def before_writes(self, task_definition: dict[str, Any]) -> None:
        """Verification passed; the first write request is next."""

    def deploy_started(self, service: dict[str, Any] | None) -> None:
        """The service was created or updated; the rollout begins."""

    def deploy_finished(self, task_definition_arn: str) -> None:
        """The rollout completed."""

    def deploy_failed(self, stopped_tasks: list[dict[str, Any]]) -> None:
        """The rollout failed; *stopped_tasks* are ECS task descriptions."""

    def rollback_starting(self, current: str, target: str) -> None:
        """A rollback from *current* to *target* (task definition ARNs) begins."""

    def rollback_finished(self, target: str, succeeded: bool) -> None:
        """The rollback ended."""

    def oneshot_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        """May change *containers* before the oneshot task definition is built."""

    def oneshot_started(self, task: dict[str, Any]) -> None:
        """RunTask started *task*."""

    def oneshot_finished(self, exit_code: int) -> None:
        """The oneshot ended with *exit_code* (hako's exit status)."""

    def remove_starting(self) -> None:
        """The service is about to be removed."""

    def remove_finished(self) -> None:
        """The service was removed."""
