"""``nginx_front``: hako's front proxy, configured through S3 (eagletmt/hako v2.18.0,
``lib/hako/scripts/nginx_front.rb``).

The definition has a sidecar named ``front`` running an image of the user's (hako's README
calls it hako-nginx) that downloads ``s3://$S3_CONFIG_BUCKET/$S3_CONFIG_KEY`` as its nginx
configuration. On deploy this script, as hako does:

- gives ``front`` the environment ``AWS_DEFAULT_REGION``, ``S3_CONFIG_BUCKET`` and
  ``S3_CONFIG_KEY`` (``nginx_front.rb:30-37``; they win over the definition's own);
- links the backend container (``app`` unless ``backend`` says otherwise) as ``backend``,
  except under awsvpc, where links do not exist and the containers share localhost (``:42-47``);
- maps the front's port 80 to the front port (``:48``, ``:73-75``; see
  :mod:`hako_py.scripts.front_port`);
- renders nginx.conf from ``backend_port``, ``locations`` and ``client_max_body_size``
  (:mod:`~hako_py.scripts.builtin.nginx_conf`) and puts it at ``s3.bucket``/``s3.prefix``/APP_ID.conf
  in ``s3.region`` (``:19-25``, ``:83-98``).

Unlike hako, which uploads on every deploy, the upload is a planned write: compared with the
object in S3 first, shown by ``hako diff`` and ``--dry-run``, sent by deploy only when it
differs, so a deploy that changes nothing writes nothing. It is a plan instruction (S3
PutObject) that the deploy's executor sends through the command's AWS clients: the
definition chooses bucket and key, never the endpoint that receives the credentials.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from typing import Any, ClassVar

from hako_py.plan.instructions import Call, Operation
from hako_py.scripts.base import Script, ScriptError, ScriptWrite
from hako_py.scripts.builtin.nginx_conf import render_nginx_conf
from hako_py.scripts.front_port import FRONT

DEFAULT_BACKEND = "app"  # nginx_front.rb:61
FRONT_CONTAINER_PORT = 80  # nginx_front.rb:74
# No control characters and nothing that ends an nginx directive or block: a location or an
# address from the definition cannot add directives of its own to the configuration.
_NGINX_WORD = r"^[^\x00-\x1f\x7f;{}]+$"
_ADDRESS = r"^([0-9A-Fa-f:.]+(/[0-9]{1,3})?|all|unix:)$"

OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["s3", "backend_port"],
    "$defs": {
        "addresses": {"type": "array", "items": {"anyOf": [{"type": "string", "pattern": _ADDRESS},
                                                           {"$ref": "#/$defs/addresses"}]}},
    },
    "properties": {
        "s3": {
            "type": "object",
            "additionalProperties": False,
            "required": ["region", "bucket"],
            "description": "Where the configuration goes: s3://BUCKET/PREFIX/APP_ID.conf (without prefix: "
                           "BUCKET/APP_ID.conf), in REGION.",
            "properties": {
                "region": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]+$",
                           "description": "Region of the bucket (also the front's AWS_DEFAULT_REGION)."},
                "bucket": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                           "description": "S3 bucket name."},
                "prefix": {"type": "string", "pattern": r"^(?!/)(?!(.*/)?\.\.?(/|$))[^\x00-\x1f\x7f]*$",
                           "description": "Key prefix, without a leading '/' (e.g. hako/front_config)."},
            },
        },
        "backend": {"type": "string", "minLength": 1,
                    "description": "Container the front proxies to, linked as 'backend' (default app)."},
        "backend_port": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 65535},
                                   {"type": "string", "pattern": "^[0-9]{1,5}$"}],
                         "description": "Port the backend listens on (required)."},
        "locations": {"type": "object", "propertyNames": {"pattern": _NGINX_WORD},
                      "additionalProperties": {
                          "type": "object", "additionalProperties": False,
                          "properties": {"allow_only_from": {
                              "$ref": "#/$defs/addresses",
                              "description": "Addresses or CIDRs allowed (lists may nest); everyone else is denied."}}},
                      "description": "nginx locations (default {'/': {}})."},
        "client_max_body_size": {"anyOf": [{"type": "integer", "minimum": 0},
                                           {"type": "string", "pattern": "^[0-9]+[kKmMgG]?$"}],
                                 "description": "nginx client_max_body_size, e.g. '1G'."},
    },
}


class NginxFront(Script):
    type_name = "nginx_front"
    options_schema: ClassVar[dict[str, Any]] = OPTIONS_SCHEMA

    @classmethod
    def definition_problems(cls, options: dict[str, Any], containers: Collection[str]) -> list[tuple[str, str]]:
        problems = []
        if FRONT not in containers:  # nginx_front.rb:31,43 containers.fetch('front')
            problems.append(("", f"nginx_front configures the sidecar named '{FRONT}'; the definition has none"))
        backend = str(options.get("backend", DEFAULT_BACKEND))
        if backend not in containers:
            problems.append(("backend", f"no container named '{backend}' (containers: {', '.join(containers)})"))
        return problems

    def configure(self) -> None:
        s3 = self.options["s3"]
        self.region, self.bucket = str(s3["region"]), str(s3["bucket"])
        prefix = s3.get("prefix")
        app_id = self.context.app.app_id
        self.key = f"{prefix}/{app_id}.conf" if prefix is not None else f"{app_id}.conf"  # nginx_front.rb:19-25
        self.backend = str(self.options.get("backend", DEFAULT_BACKEND))
        self.conf: str | None = None

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def shape_containers(self, containers: dict[str, dict[str, Any]], front_port: int | None) -> None:
        front = containers.get(FRONT)
        if front is None:  # nginx_front.rb:31 containers.fetch('front')
            raise ScriptError(f"nginx_front: the definition has no container named '{FRONT}' (the nginx_front "
                              "script configures the sidecar named front)")
        if self.backend not in containers:
            raise ScriptError(f"nginx_front: backend '{self.backend}' is not a container of the definition "
                              f"(containers: {', '.join(containers)})")
        front["env"] = {**(front.get("env") or {}), "AWS_DEFAULT_REGION": self.region,
                        "S3_CONFIG_BUCKET": self.bucket, "S3_CONFIG_KEY": self.key}
        if front_port is not None:  # awsvpc has no links (nginx_front.rb:44-46)
            front["links"] = [*(front.get("links") or []), f"{self.backend}:backend"]
        mapping = {"container_port": FRONT_CONTAINER_PORT,
                   "host_port": FRONT_CONTAINER_PORT if front_port is None else front_port, "protocol": "tcp"}
        mappings = list(front.get("port_mappings") or [])
        if mapping not in mappings:  # hako appends even an identical one, which ECS refuses
            mappings.append(mapping)
        front["port_mappings"] = mappings
        self.conf = render_nginx_conf(self.options, backend_host="localhost" if front_port is None else "backend")

    def planned_writes(self) -> list[ScriptWrite]:
        if self.conf is None:
            return []
        s3 = self.context.aws.s3(self.region)
        wanted = self.conf.encode()
        current = s3.object_body(self.bucket, self.key)
        if current == wanted:
            return []
        before = [] if current is None else current.decode("utf-8", "replace").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(before, self.conf.splitlines(keepends=True),
                                            f"{self.location} ({'in S3' if current is not None else 'none'})",
                                            f"{self.location} (nginx_front)"))
        upload = Call(Operation.PUT_OBJECT,
                      {"Bucket": self.bucket, "Key": self.key, "Body": wanted, "ContentType": "text/plain"},
                      text=f"PutObject {self.location} (nginx_front: the front's nginx.conf)",
                      done=(f"Uploaded front configuration to {self.location}",), region=self.region)
        return [ScriptWrite(call=upload, diff=diff)]

    def s3_buckets(self) -> list[tuple[str, str]]:
        return [(self.bucket, self.region)]
