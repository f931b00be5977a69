"""``notify_webhook``: post deploy, rollback and oneshot outcomes as JSON to a webhook.

The URL comes from the environment, never from the definition: ``$HAKO_WEBHOOK_URL``, or
the variable named by ``url_env`` — which must start with ``HAKO_WEBHOOK_URL`` (so a
definition cannot make hako post to, and print, ``$DATABASE_URL`` or any other variable);
``hako.toml``'s ``[scripts.notify_webhook] url_env`` may name any variable. A webhook URL is
itself a credential (Slack's carry their token in the path): it is sent over https only
(http to loopback) and never printed. The payload has a Slack-compatible ``text`` plus
``event``, ``app``, ``cluster`` and event details. A failing webhook is reported on stderr
and never fails the command.

Failed runs of the app's schedules (started by EventBridge Scheduler, not by hako) are posted
by EventBridge itself when ``failed_runs`` is set: ``hako deploy`` manages a rule and an API
destination for them (:mod:`hako_py.specs.failed_runs`); this class only declares the option.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hako_py.formatting import to_json
from hako_py.outbound import Destination
from hako_py.scripts.base import Script, ScriptError

TIMEOUT = 10
URL_ENV_PREFIX = "HAKO_WEBHOOK_URL"


class NotifyWebhook(Script):
    type_name = "notify_webhook"
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "url_env": {"type": "string", "pattern": f"^{URL_ENV_PREFIX}[A-Za-z0-9_]*$",
                        "description": "Environment variable holding the webhook URL (default HAKO_WEBHOOK_URL; "
                                       "must start with HAKO_WEBHOOK_URL)."},
            "events": {"type": "array", "items": {"type": "string"},
                       "description": "Events to post (default: all)."},
            "failed_runs": {
                "type": "object", "additionalProperties": False, "required": ["role_arn"],
                "description": "Also report failed runs of the app's schedules (event schedule_failed): hako "
                               "deploy creates an EventBridge rule on their ECS tasks stopping with a non-zero "
                               "exit code, posting to the same URL through an API destination.",
                "properties": {"role_arn": {
                    "type": "string", "pattern": r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$",
                    "description": "The IAM role EventBridge assumes to post (the rule target's RoleArn): it "
                                   "must trust events.amazonaws.com and allow events:InvokeApiDestination."}},
            },
        },
    }

    def _post(self, event: str, text: str, **details: Any) -> None:
        wanted = self.options.get("events")
        if wanted and event not in wanted:
            return
        variable = str(self.trusted_options.get("url_env") or self.options.get("url_env") or URL_ENV_PREFIX)
        url = self.context.env.get(variable)
        if not url:
            self.context.problem(f"notify_webhook: ${variable} is not set; not posting {event}")
            return
        if self.context.dry_run:
            self.context.say(f"dry run: would post {event} to ${variable}")
            return
        app = self.context.app
        payload = {"text": f"[{app.app_id}] {text}", "event": event, "app": app.app_id, "cluster": app.cluster,
                   **details}
        try:
            self.send(Destination(url, True, f"${variable}"), secret_url=True,
                      headers={"Content-Type": "application/json"}, data=to_json(payload, indent=None).encode(),
                      method="POST", timeout=TIMEOUT)
        except ScriptError as exc:  # a failing webhook never fails the deploy
            reason = str(exc).removeprefix(f"{self.type_name}: ")
            self.context.problem(f"notify_webhook: posting {event} failed: {reason} (URL from ${variable}; ignored)")

    def deploy_finished(self, task_definition_arn: str) -> None:
        self._post("deploy_finished", f"deployed {task_definition_arn.rsplit('/', 1)[-1]}",
                   taskDefinition=task_definition_arn)

    def deploy_failed(self, stopped_tasks: list[dict[str, Any]]) -> None:
        reasons = sorted({str(t.get("stoppedReason")) for t in stopped_tasks if t.get("stoppedReason")})
        self._post("deploy_failed", "deployment failed" + (f": {'; '.join(reasons)}" if reasons else ""),
                   stoppedReasons=reasons)

    def rollback_finished(self, target: str, succeeded: bool) -> None:
        self._post("rollback_finished", f"rolled back to {target.rsplit('/', 1)[-1]}"
                   + ("" if succeeded else " (did not complete)"), taskDefinition=target, succeeded=succeeded)

    def oneshot_finished(self, exit_code: int) -> None:
        self._post("oneshot_finished", f"oneshot finished with exit code {exit_code}", exitCode=exit_code)
