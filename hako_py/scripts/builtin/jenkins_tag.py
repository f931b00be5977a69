"""``jenkins_tag``: the app image tag is what a Jenkins job's last successful build produced.

Options: ``job`` (required; folders as ``a/job/b`` or ``a/b``), ``server`` (URL; default
``hako.toml``'s ``[scripts.jenkins_tag] server``, then ``$JENKINS_URL``), ``field``:
``git_commit`` (default; the build's git revision) or ``build_number``. Credentials come
from the environment only (``JENKINS_USER`` and ``JENKINS_TOKEN``, HTTP basic auth) and go
only to a trusted server: ``$JENKINS_URL``, the ``hako.toml`` setting, or a server the
definition names that ``hako.toml``'s ``[scripts] allowed_servers`` lists — over https (or
http to loopback), never along a redirect. ``--tag`` on the command line wins.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from dataclasses import replace
from typing import Any, ClassVar

from hako_py.outbound import display_url
from hako_py.scripts.base import Script, ScriptError
from hako_py.scripts.builtin.tagging import set_app_tag

TIMEOUT = 15


def job_path(job: str) -> str:
    parts = [p for p in job.split("/") if p and p != "job"]
    if any(p in (".", "..") for p in parts):
        raise ScriptError(f"jenkins_tag: job {job!r}: '.' and '..' are not job names")
    return "/".join(f"job/{urllib.parse.quote(p, safe='')}" for p in parts)


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
            "server": {"type": "string", "pattern": "^https?://",
                       "description": "Jenkins URL; default hako.toml [scripts.jenkins_tag] server, then $JENKINS_URL. "
                                      "Credentials go to it only when hako.toml's [scripts] allowed_servers lists it."},
            "field": {"enum": ["git_commit", "build_number"], "description": "What becomes the tag."},
        },
    }

    def _resolve(self) -> str:
        destination = self.server("server", "JENKINS_URL")
        if destination is None:
            raise ScriptError("jenkins_tag: no Jenkins server (set $JENKINS_URL, [scripts.jenkins_tag] server in "
                              "hako.toml, or the option `server`)")
        url = f"{destination.url.rstrip('/')}/{job_path(str(self.options['job']))}/lastSuccessfulBuild/api/json"
        user, token = self.context.env.get("JENKINS_USER"), self.context.env.get("JENKINS_TOKEN")
        credentials = None
        if user and token:
            credentials = {"Authorization": "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()}
        body = self.send(replace(destination, url=url), credentials=credentials,
                         headers={"Accept": "application/json"})
        url = display_url(url)
        try:
            build = json.loads(body)
        except ValueError:
            raise ScriptError(f"jenkins_tag: {url}: the answer is not JSON") from None
        if not isinstance(build, dict):
            raise ScriptError(f"jenkins_tag: {url}: the answer is not a JSON object")
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
