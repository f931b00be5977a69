"""``jenkins_tag``: the app image tag is what a Jenkins job's last successful build produced.

Options: ``job`` (required; folders as ``a/job/b`` or ``a/b``), ``server`` (URL; default
``$JENKINS_URL``), ``field``: ``git_commit`` (default; the build's git revision) or
``build_number``. Credentials come from the environment only: ``JENKINS_USER`` and
``JENKINS_TOKEN`` (HTTP basic auth). ``--tag`` on the command line wins over the script.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, ClassVar

from hako_py.scripts.base import Script, ScriptError
from hako_py.scripts.builtin.tagging import set_app_tag

TIMEOUT = 15


def job_path(job: str) -> str:
    parts = [p for p in job.split("/") if p and p != "job"]
    return "/".join(f"job/{urllib.parse.quote(p)}" for p in parts)


def git_commit(build: dict[str, Any]) -> str | None:
    for action in build.get("actions") or []:
        if not isinstance(action, dict):
            continue
        revision = (action.get("lastBuiltRevision") or {}).get("SHA1")
        if revision:
            return str(revision)
    for change in (build.get("changeSet") or {}).get("items") or []:
        if change.get("commitId"):
            return str(change["commitId"])
    return None


class JenkinsTag(Script):
    type_name = "jenkins_tag"
    resolves_tag = True
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["job"],
        "properties": {
            "job": {"type": "string", "minLength": 1, "description": "Jenkins job name (folders: a/b)."},
            "server": {"type": "string", "pattern": "^https?://", "description": "Jenkins URL; default $JENKINS_URL."},
            "field": {"enum": ["git_commit", "build_number"], "description": "What becomes the tag."},
        },
    }

    def _resolve(self) -> str:
        server = self.options.get("server") or self.context.env.get("JENKINS_URL")
        if not server:
            raise ScriptError("jenkins_tag: no Jenkins server (set the option `server` or $JENKINS_URL)")
        url = f"{str(server).rstrip('/')}/{job_path(str(self.options['job']))}/lastSuccessfulBuild/api/json"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        user, token = self.context.env.get("JENKINS_USER"), self.context.env.get("JENKINS_TOKEN")
        if user and token:
            request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                build = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ScriptError(f"jenkins_tag: {url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScriptError(f"jenkins_tag: {url}: {getattr(exc, 'reason', exc)}") from None
        if self.options.get("field", "git_commit") == "build_number":
            if build.get("number") is None:
                raise ScriptError(f"jenkins_tag: {url}: the build has no number")
            return str(build["number"])
        commit = git_commit(build)
        if commit is None:
            raise ScriptError(f"jenkins_tag: {url}: the last successful build records no git revision")
        return commit

    def _apply(self, containers: dict[str, dict[str, Any]]) -> None:
        if self.context.tag_override:
            return
        set_app_tag(self.context, containers, self._resolve(), f"jenkins_tag {self.options['job']}")

    def deploy_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._apply(containers)

    def oneshot_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._apply(containers)
