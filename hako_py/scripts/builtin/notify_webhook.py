"""``notify_webhook``: post deploy, rollback and oneshot outcomes as JSON to a webhook.

The URL comes from the environment variable named by ``url_env`` (default
``HAKO_WEBHOOK_URL``), never from the definition. The payload has a Slack-compatible
``text`` plus ``event``, ``app``, ``cluster`` and event details. A failing webhook is
reported on stderr and never fails the command.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, ClassVar

from hako_py.scripts.base import Script

TIMEOUT = 10


class NotifyWebhook(Script):
    type_name = "notify_webhook"
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "url_env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                        "description": "Environment variable holding the webhook URL (default HAKO_WEBHOOK_URL)."},
            "events": {"type": "array", "items": {"type": "string"},
                       "description": "Events to post (default: all)."},
        },
    }

    def _post(self, event: str, text: str, **details: Any) -> None:
        wanted = self.options.get("events")
        if wanted and event not in wanted:
            return
        variable = str(self.options.get("url_env", "HAKO_WEBHOOK_URL"))
        url = self.context.env.get(variable)
        if not url:
            self.context.say(f"notify_webhook: ${variable} is not set; not posting {event}")
            return
        if self.context.dry_run:
            self.context.say(f"dry run: would post {event} to ${variable}")
            return
        app = self.context.app
        payload = {"text": f"[{app.app_id}] {text}", "event": event, "app": app.app_id, "cluster": app.cluster,
                   **details}
        request = urllib.request.Request(url, data=json.dumps(payload, default=str).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                response.read()
        except Exception as exc:  # a failing webhook never fails the deploy
            self.context.say(f"notify_webhook: posting {event} failed: {getattr(exc, 'reason', exc)} (ignored)")

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
