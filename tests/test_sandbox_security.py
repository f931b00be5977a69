"""The sandbox serves only its own local user: safe defaults, and what it refuses from anyone else.

Every test talks to a real sandbox over real HTTP (urllib, http.client, boto3, the CLI).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.conftest import PROJECT_ROOT


@dataclass
class Command:
    """A running ``hako sandbox``: its URL, and its stderr once stopped."""

    url: str
    err: str = ""
    code: int | None = None


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE="/nonexistent/hako-test-config", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/hako-test-c")
    env.update(extra)
    return env


@contextmanager
def sandbox_command(*args: str) -> Iterator[Command]:
    """``hako sandbox --port 0 ARGS`` as a subprocess, stopped with SIGTERM on exit."""
    process = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", "--port", "0", *args], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    command = Command(url=line.split("=", 1)[1] if line.startswith("AWS_ENDPOINT_URL=") else "")
    try:
        yield command
    finally:
        process.send_signal(signal.SIGTERM)
        _, command.err = process.communicate(timeout=30)
        command.code = process.returncode


# --- safe defaults ----------------------------------------------------------------------------

def test_quick_start_simulates_tasks_even_when_docker_answers(docker_client: Any) -> None:
    """The README's quick start, on a machine whose Docker engine answers: the example images
    exist nowhere locally, so real containers would fail every deploy."""
    with sandbox_command("--seed", "apps", "--rollout-seconds", "0.3") as box:
        assert box.url, "the sandbox did not start"
        deploy = subprocess.run([sys.executable, "-m", "hako_py", "deploy", "apps/web.jsonnet", "--poll-interval",
                                 "0.05"], cwd=PROJECT_ROOT, env=clean_env(AWS_ENDPOINT_URL=box.url),
                                capture_output=True, text=True, timeout=120)
    assert deploy.returncode == 0, deploy.stdout[-2000:] + deploy.stderr[-2000:]
    assert "sandbox: tasks run simulated" in box.err
    assert "has reached a steady state" in deploy.stdout
    assert box.code == 0
