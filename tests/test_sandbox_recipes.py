"""The sandbox recipes of ``hako sandbox --help`` and the README, run as written in a shell.

Issue 18's tester: ``hako sandbox --seed apps/ > /tmp/sandbox.env &`` then ``export $(cat
/tmp/sandbox.env)`` read the file before the sandbox wrote it, so ``AWS_ENDPOINT_URL`` stayed
unset and the next ``hako deploy`` went to real AWS. Each recipe runs right after it is
extracted, in bash, with no AWS credentials anywhere: a deploy that did not reach the sandbox
fails."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HAKO_BIN, PROJECT_ROOT, Repo, service_app, unique

README = PROJECT_ROOT / "README.md"


def help_recipe() -> str:
    """The indented command lines of ``hako sandbox --help``'s first example block."""
    shown = subprocess.run([str(HAKO_BIN), "sandbox", "--help"], capture_output=True, text=True, check=True).stdout
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("sandbox=$(hako sandbox"))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("    "))
    return "\n".join(line.strip() for line in lines[start:end])


def readme_recipes() -> list[str]:
    """Every sh block of the README that starts a sandbox."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
    found = [block for block in blocks if re.search(r"(^|\$\()hako sandbox --", block, re.M)]
    assert len(found) >= 2, found
    return found


def run_recipe(recipe: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """*recipe* in bash (`set -e`), with hako on PATH and no AWS settings; the sandbox it starts
    is stopped whatever happens."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(PATH=f"{HAKO_BIN.parent}:{env['PATH']}", AWS_CONFIG_FILE="/nonexistent/config",
               AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials", AWS_EC2_METADATA_DISABLED="true")
    script = ('trap \'[ -n "${HAKO_SANDBOX_PID:-}" ] && kill "$HAKO_SANDBOX_PID" 2>/dev/null\' EXIT\nset -e\n'
              + recipe + '\necho "exported: $AWS_ENDPOINT_URL"\n')
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def apps(repo: Repo) -> Path:
    """apps/web.jsonnet (and apps/new-app.jsonnet, which the --help recipe seeds) with IDs the
    sandbox's --seed creates."""
    for name in ("web", "new-app"):
        repo.write(f"apps/{name}.jsonnet", service_app(unique("c-"), unique("subnet-"), unique("sg-"), desired=1))
    return repo.root


@pytest.mark.slow
def test_the_help_recipe_exports_the_sandbox_before_the_next_command(apps: Path) -> None:
    recipe = help_recipe()
    assert "--background" in recipe and "kill $HAKO_SANDBOX_PID" in recipe
    done = run_recipe(recipe, apps)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^exported: http://127\.0\.0\.1:\d+$", done.stdout, re.M), done.stdout
    assert "deployment completed" in done.stderr or "deployed" in done.stderr, done.stderr


@pytest.mark.slow
def test_the_readme_recipes_export_the_sandbox_before_the_next_command(apps: Path) -> None:
    for recipe in readme_recipes():
        assert "cat /tmp/sandbox.env" not in recipe
        done = run_recipe(recipe, apps)
        exported = re.search(r"^exported: (\S+)$", done.stdout, re.M)
        assert exported and exported.group(1).startswith("http://127.0.0.1:"), recipe + done.stdout + done.stderr
        # under --faults a deploy may fail as a deploy does; it never goes anywhere but the sandbox
        assert done.returncode == 0 or "--faults" in recipe, recipe + done.stderr
        assert "credentials" not in done.stderr.lower(), recipe + done.stderr


def test_a_background_sandbox_that_cannot_start_fails_and_exports_nothing(apps: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        alone = subprocess.run([str(HAKO_BIN), "sandbox", "--port", str(port), "--background"], capture_output=True,
                               text=True, timeout=300)
        done = run_recipe(f"sandbox=$(hako sandbox --port {port} --background) && export $sandbox", apps)
    assert alone.returncode == 1 and alone.stdout == ""
    assert alone.stderr == f"cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert re.search(r"^exported: $", done.stdout, re.M), done.stdout  # nothing exported (nor printed)


@pytest.mark.slow
def test_a_background_sandbox_leaves_no_pipe_of_the_caller_open(apps: Path) -> None:
    """``hako sandbox --background 2>&1 | cat`` returned only when the sandbox ended: the sandbox
    held the caller's stderr. Its later messages go to a log file it names."""
    done = run_recipe("sandbox=$(hako sandbox --port 0 --seed apps/ --background 2>&1 | tee said.txt | grep '=') "
                      "&& export $sandbox", apps)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^exported: http://127\.0\.0\.1:\d+$", done.stdout, re.M), done.stdout
    said = (apps / "said.txt").read_text()
    log = re.search(r"its messages from now on: (\S+)\)", said)
    assert log is not None, said
    assert "sandbox: created" in said  # what it said while seeding, copied before returning
    assert os.stat(log.group(1)).st_mode & 0o077 == 0  # the log is the user's alone
    os.unlink(log.group(1))
