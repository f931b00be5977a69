"""``ecr_tag``: the app image tag is the most recently pushed ECR tag matching a pattern.

Options: ``pattern`` (a regular expression the whole tag must match; default any tag),
``repository`` (default: the app image's repository name), ``region`` (default: the
image's registry region, else the scheduler's).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from hako_py.ecr_images import parse_ecr_image
from hako_py.scripts.base import Script, ScriptError
from hako_py.scripts.builtin.tagging import app_repository, set_app_tag


class EcrTag(Script):
    type_name = "ecr_tag"
    resolves_tag = True
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "pattern": {"type": "string", "format": "regex", "description": "Regex the whole tag must match."},
            "repository": {"type": "string", "description": "ECR repository name (default: the app image's)."},
            "region": {"type": "string", "description": "Region of the repository."},
        },
    }

    def _apply(self, containers: dict[str, dict[str, Any]]) -> None:
        if self.context.tag_override:
            return
        from hako_py.aws.lookups import Lookups

        image = app_repository(containers)
        ecr = parse_ecr_image(image)
        repository = self.options.get("repository") or (ecr.repository if ecr else image)
        region = str(self.options.get("region") or (ecr.region if ecr else None) or self.context.app.region
                     or self.context.aws.region)
        try:
            pattern = re.compile(str(self.options.get("pattern", ".*")))
        except re.error as exc:
            raise ScriptError(f"ecr_tag: invalid pattern: {exc}") from None
        tags = [(tag, pushed) for tag, pushed in Lookups(self.context.aws).ecr_tags(region, repository)
                if pattern.fullmatch(tag)]
        if not tags:
            raise ScriptError(f"ecr_tag: no tag of {repository} ({region}) matches {pattern.pattern!r}")
        newest = max(tags, key=lambda item: (str(item[1]), item[0]))[0]
        set_app_tag(self.context, containers, newest, f"ecr_tag {repository}")

    def deploy_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._apply(containers)

    def oneshot_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._apply(containers)
