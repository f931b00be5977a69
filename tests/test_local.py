"""hako oneshot --local on a real Docker engine (CI installs and starts one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Hako, Repo, SandboxControl, unique


def job(app_extra: str = "", sidecars: str = "{}") -> str:
    return f"""
    {{
      scheduler: {{ type: 'ecs', region: 'us-east-1', cluster: 'c', network_mode: 'awsvpc', cpu: '256',
                   memory: '512', launch_type: 'FARGATE', requires_compatibilities: ['FARGATE'],
                   network_configuration: {{ awsvpc_configuration: {{ subnets: ['subnet-1'] }} }} }},
      app: {{ image: 'hako-test/busybox', tag: '1', memory: 128, stop_timeout: 2, env: {{ GREETING: 'hi' }},
              {app_extra} }},
      sidecars: {sidecars},
    }}
    """


@pytest.fixture
def app_id() -> str:
    """The app id of the test's definition: containers are labelled with it, and tests run in
    parallel on one engine, so each test counts only its own."""
    return unique("job-")


def leftovers(client: Any, app_id: str) -> tuple[int, int]:
    containers = client.containers.list(all=True, filters={"label": f"hako.app={app_id}"}, ignore_removed=True)
    networks = [n for n in client.networks.list() if n.name.startswith(f"hako-{app_id}-")]
    return len(containers), len(networks)


@pytest.mark.parametrize("code", [0, 3, 255])
def test_exit_code_and_output(hako: Hako, repo: Repo, docker_client: Any, code: int, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job())
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "--", "sh", "-c", f"echo $GREETING; echo err >&2; exit {code}")
    assert result.code == code
    assert result.out.splitlines() == ["hi", "err"]  # in the order written (stderr merged into stdout)
    assert "started container app" in result.err and "hi" not in result.err
    assert leftovers(docker_client, app_id) == (0, 0)


def test_env_overrides_secrets_file_and_limits(hako: Hako, repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job(
        "secrets: [{ name: 'TOKEN', value_from: 'arn:aws:ssm:us-east-1:123456789012:parameter/t' }], "
        "user: '1000', working_directory: '/tmp', readonly_root_filesystem: true, "
        "ulimits: [{ name: 'nofile', soft_limit: 1234, hard_limit: 1234 }], "
        "linux_parameters: { init_process_enabled: true },"))
    repo.write("secrets.env", "TOKEN=s3cr3t-value\n")
    result = hako("oneshot", "--local", "--secrets-file", "secrets.env", "-e", "EXTRA=1", "--memory", "96",
                  f"apps/{app_id}.jsonnet", "sh", "-c",
                  'test "$TOKEN" = s3cr3t-value && echo token-ok; echo $EXTRA; id -u 2>/dev/null || echo uid; pwd; '
                  "ulimit -n; touch /x 2>/dev/null || echo read-only; cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                  "2>/dev/null || cat /sys/fs/cgroup/memory.max")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "token-ok" and lines[1] == "1"
    assert "/tmp" in lines and "1234" in lines and "read-only" in lines
    assert str(96 * 1024 * 1024) in lines
    assert "s3cr3t-value" not in result.out + result.err


def test_secrets_from_the_sandbox(hako: Hako, repo: Repo, docker_client: Any, aws: SandboxControl,
                                  sandbox: Any, app_id: str) -> None:
    import boto3

    name = unique("/local/")
    boto3.client("ssm", region_name="us-east-1", endpoint_url=sandbox.url, aws_access_key_id="t",
                 aws_secret_access_key="t").put_parameter(Name=name, Value="from-ssm", Type="SecureString")
    repo.write(f"apps/{app_id}.jsonnet", job(
        f"secrets: [{{ name: 'TOKEN', value_from: 'arn:aws:ssm:us-east-1:123456789012:parameter{name}' }}],"))
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "sh", "-c", 'test "$TOKEN" = from-ssm && echo ok')
    assert result.code == 0, result.err
    assert result.out == "ok\n"
    assert "from-ssm" not in result.err


def test_sidecar_reachable_by_name_in_dependency_order(hako: Hako, repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job(
        "depends_on: [{ container_name: 'side', condition: 'HEALTHY' }],",
        sidecars="""{ side: { image_tag: 'hako-test/busybox:1', memory: 64, stop_timeout: 1,
            linux_parameters: { init_process_enabled: true },
            command: ['sh', '-c', 'mkdir -p /www && echo pong > /www/index.html && httpd -f -p 8080 -h /www'],
            health_check: { command: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:8080/'], interval: 5, retries: 3,
                            start_period: 0 } } }"""))
    result = hako("oneshot", "--local", "-c", "side", f"apps/{app_id}.jsonnet", "wget", "-qO-", "http://side:8080/")
    assert result.code == 0, result.err
    assert result.out == "pong\n"
    assert result.err.index("started container side") < result.err.index("started container app")
    assert leftovers(docker_client, app_id) == (0, 0)


def test_timeout_gives_124_and_says_the_stop_waits_for_the_stop_timeout(
        hako: Hako, repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job())  # stop_timeout: 2
    started = time.monotonic()
    result = hako("oneshot", "--local", "--timeout", "1", f"apps/{app_id}.jsonnet", "sleep", "30")
    elapsed = time.monotonic() - started
    assert result.code == 124
    assert "timed out after 1s" in result.err
    # sleep as PID 1 ignores SIGTERM: the wait for the stop timeout is visible, and kept (ECS waits too)
    assert "stopping container app: SIGTERM now, SIGKILL if it still runs after its stop timeout (2s)" in result.err
    assert elapsed >= 1 + 2 - 0.2
    assert leftovers(docker_client, app_id) == (0, 0)


def test_sigterm_stops_the_containers_and_cleans_up(repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job())
    process = subprocess.Popen(
        [sys.executable, "-m", "hako_py", "oneshot", "--local", f"apps/{app_id}.jsonnet", "sh", "-c",
         'trap "echo got TERM; exit 42" TERM; echo ready; while true; do sleep 0.1; done'],
        cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 42, err
    assert "got TERM" in out
    assert "received SIGTERM" in err
    assert leftovers(docker_client, app_id) == (0, 0)


def test_ctrl_c_without_app_exit_code_cleans_up(repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job())
    process = subprocess.Popen(
        [sys.executable, "-m", "hako_py", "oneshot", "--local", f"apps/{app_id}.jsonnet", "sh", "-c",
         "echo ready; sleep 30"], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 137  # sh ignores SIGTERM as PID 1: killed after the 2 s stop timeout
    assert time.monotonic() - started < 20
    assert "received SIGINT" in err
    assert leftovers(docker_client, app_id) == (0, 0)


def test_missing_image_with_pull_never_gives_125(hako: Hako, repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job().replace("tag: '1'", "tag: 'absent'"))
    result = hako("oneshot", "--local", "--pull", "never", f"apps/{app_id}.jsonnet", "true")
    assert result.code == 125
    assert "hako-test/busybox:absent is not present locally (--pull never)" in result.err
    assert leftovers(docker_client, app_id) == (0, 0)


def test_no_engine_is_one_line(hako: Hako, repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job())
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "true")
    assert result.code == 125  # hako could not run it: not the job's exit code
    assert result.err.startswith(f"no Docker engine reachable at unix://{tmp_path}/none.sock")
    assert result.err.count("\n") == 1


def test_port_mappings_are_published_on_loopback(hako: Hako, repo: Repo, docker_client: Any, app_id: str) -> None:
    repo.write(f"apps/{app_id}.jsonnet", job("port_mappings: [{ container_port: 8080 }],"))
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "sleep", "1")
    assert result.code == 0, result.err
    assert "  app 8080/tcp -> 127.0.0.1:" in result.err


ORDERED = "seq 1 30000; i=0; while [ $i -lt 300 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done; printf end"


def ordered_lines() -> list[str]:
    return [str(n) for n in range(1, 30001)] + [w for i in range(300) for w in (f"o{i}", f"e{i}")] + ["end"]


def test_output_keeps_every_line_in_the_order_written(hako: Hako, repo: Repo, docker_client: Any,
                                                      app_id: str) -> None:
    """Docker reads stdout and stderr through two pipes, so `echo 1; echo 2 >&2; echo 3` came out
    1 3 2 about half the time; and output still unread 5 s after the app exited was dropped."""
    repo.write(f"apps/{app_id}.jsonnet", job())
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "--", "sh", "-c", ORDERED)
    assert result.code == 0, result.err
    assert result.out.split("\n") == ordered_lines()  # the last line, unterminated, stays so
    assert leftovers(docker_client, app_id) == (0, 0)


def test_an_image_without_a_shell_still_runs(hako: Hako, repo: Repo, docker_client: Any,
                                             app_id: str) -> None:
    """stderr is merged into stdout by a /bin/sh wrapper; an image without one runs its program
    as written, and hako says that its two streams may interleave out of order."""
    from tests.busybox_image import ensure_shell_less_image

    image = ensure_shell_less_image(docker_client)
    repo.write(f"apps/{app_id}.jsonnet", job().replace("image: 'hako-test/busybox', tag: '1'", f"image_tag: '{image}'"))
    result = hako("oneshot", "--local", f"apps/{app_id}.jsonnet", "--", "/bin/busybox", "echo", "no shell here")
    assert result.code == 0, result.err
    assert result.out == "no shell here\n"
    assert "has no /bin/sh: container app's stdout and stderr are read apart" in result.err
    assert leftovers(docker_client, app_id) == (0, 0)


def test_what_a_killed_run_left_behind_is_removed_by_the_next(hako: Hako, repo: Repo, docker_client: Any,
                                                              app_id: str) -> None:
    """SIGKILL leaves hako no chance to remove its containers: they carry the run's owner (pid,
    host, start time; local/ownership.py), and the next run removes them once that process is
    gone (issue 15)."""
    repo.write(f"apps/{app_id}.jsonnet", job(sidecars="{ side: { image_tag: 'hako-test/busybox:1', memory: 64, "
                                                  "command: ['sleep', '300'] } }"))
    process = subprocess.Popen(
        [sys.executable, "-m", "hako_py", "oneshot", "--local", "-c", "side", f"apps/{app_id}.jsonnet", "sh", "-c",
         "echo ready; sleep 300"], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.kill()
    process.communicate(timeout=30)
    left = docker_client.containers.list(all=True, filters={"label": f"hako.app={app_id}"}, ignore_removed=True)
    assert len(left) == 2 and leftovers(docker_client, app_id)[1] == 1
    assert all(c.labels["hako.local.pid"] == str(process.pid) and c.labels["hako.local.host"]
               and c.labels["hako.local.started"] and c.labels["hako.local.uid"] == str(os.getuid()) for c in left)
    other = unique("job-")
    repo.write(f"apps/{other}.jsonnet", job())
    result = hako("oneshot", "--local", f"apps/{other}.jsonnet", "true")
    assert result.code == 0, result.err
    # on a shared engine another test's --local run, which follows the same rule, may be first
    if app_id not in result.err:
        assert not docker_client.containers.list(all=True, filters={"label": f"hako.app={app_id}"}, ignore_removed=True), result.err
    else:
        assert "removed what killed hako runs left behind" in result.err
    assert leftovers(docker_client, app_id) == (0, 0)
