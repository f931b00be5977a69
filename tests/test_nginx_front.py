"""hako's ``nginx_front`` script (eagletmt/hako v2.18.0, ``lib/hako/scripts/nginx_front.rb``):
the front container it shapes and the nginx.conf it uploads, compared with what hako itself
produced (``tests/fixtures/hako218/nginx_front``, see its NOTICE), and deployed into the sandbox
over HTTP: the upload is a planned write, so an unchanged deploy writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from hako_py.scripts.builtin.nginx_conf import render_nginx_conf
from hako_py.sandbox.server import Sandbox
from tests.conftest import POLL, PROJECT_ROOT, Hako, Repo, SandboxControl, unique

HAKO218 = PROJECT_ROOT / "tests" / "fixtures" / "hako218"
GOLDEN = HAKO218 / "nginx_front"
EXAMPLES = ["hello", "hello-fargate", "hello-lb-v2", "hello-shared-alb"]  # hako's examples using nginx_front

# the options each golden file was rendered from (tests/fixtures/hako218/NOTICE)
CONFS: dict[str, tuple[dict[str, Any], str]] = {
    "default-bridge": ({"backend_port": 3000}, "backend"),
    "default-awsvpc": ({"backend_port": 3000}, "localhost"),
    "allow_only_from": ({"backend_port": 3000, "locations": {"/": {"allow_only_from": ["10.0.0.0/24"]}}}, "backend"),
    "client_max_body_size-nested-allow-two-locations": (
        {"backend_port": 8080, "client_max_body_size": "1G",
         "locations": {"/": {"allow_only_from": ["127.0.0.1", ["10.0.0.0/24"]]}, "/admin": {}}}, "backend"),
}


@pytest.mark.parametrize("name", sorted(CONFS))
def test_nginx_conf_is_hakos_byte_for_byte(name: str) -> None:
    # nginx_front.rb:100-172 with templates/nginx.conf.erb and nginx.location.conf.erb (ERB, trim_mode '-')
    options, backend_host = CONFS[name]
    assert render_nginx_conf(options, backend_host=backend_host) == (GOLDEN / f"{name}.conf").read_text()


def test_nginx_conf_edge_cases_as_ruby() -> None:
    # `locations ||= {'/' => {}}` (nginx_front.rb:60) keeps an empty mapping; an empty
    # allow_only_from still denies all (nginx.location.conf.erb:1-6: [] is truthy in Ruby)
    assert "location" not in render_nginx_conf({"backend_port": 1, "locations": {}}, backend_host="backend")
    conf = render_nginx_conf({"backend_port": "80", "locations": {"/": {"allow_only_from": []}}},
                             backend_host="localhost")
    assert "    deny all;\n    \n    proxy_pass http://localhost:80;\n" in conf
    assert "allow" not in conf


# --- the front container, as hako registers it -----------------------------------------------

def hako_sent(name: str) -> dict[str, Any]:
    sent: dict[str, Any] = json.loads((GOLDEN / "requests.json").read_text())[name]
    return sent


def _shaped(name: str) -> tuple[dict[str, Any], Any]:
    """The task definition a deploy of hako's example *name* registers, and its nginx_front script."""
    from hako_py.loading import LoadOptions, load_definition
    from hako_py.pipeline import check_loaded
    from hako_py.render import RenderOptions, render_app
    from hako_py.scripts.base import ScriptContext
    from hako_py.scripts.runner import ScriptSet

    checked = check_loaded(load_definition(f"{name}.jsonnet", LoadOptions(expand=True)))
    # dynamic port mapping or awsvpc: the front port needs no AWS request (ecs.rb:449-455)
    scripts = ScriptSet(checked.app, ScriptContext(checked.app, aws=None))
    app = scripts.prepared("deploy_starting")
    return render_app(app, RenderOptions()).task_definition, scripts.scripts[0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_hako_examples_register_hakos_front_and_upload_hakos_conf(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_hako_compat import _as_hako_py_renders_task_definition

    monkeypatch.chdir(HAKO218 / "examples")
    task_definition, script = _shaped(name)
    sent = hako_sent(name)
    # the whole task definition, front included: env (nginx_front.rb:30-37), link (:42-47),
    # port mapping 80 -> front port (:48, :73-75; 0 with dynamic port mapping, 80 under awsvpc)
    assert task_definition == _as_hako_py_renders_task_definition(sent["deploy.register_task_definition"])
    put = sent["deploy.s3_put_object"]
    assert (script.region, script.bucket, script.key) == (put["region"], put["bucket"], put["key"])
    assert script.conf == put["body"]
