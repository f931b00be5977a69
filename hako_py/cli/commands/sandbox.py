"""``hako sandbox``: an AWS-shaped endpoint on loopback for demos, tests and trying hako."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from hako_py.cli.options import FiniteFloat
from hako_py.cli.output import say, show
from hako_py.errors import HakoError
from hako_py.hosts import bare_host, host_port
from hako_py.loading import LoadOptions
from hako_py.pipeline import check_file, expand_paths
from hako_py.sandbox.faults import FaultProxy, FaultRates
from hako_py.sandbox.guard import NOT_LOOPBACK, is_loopback_address
from hako_py.sandbox.remote import check_sandbox_url, seeding_errors
from hako_py.sandbox.seed import Wanted, seed


def _loopback(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The address to listen on, bare: ``[::1]`` (as URLs write it, and people type it) is ``::1``."""
    if not is_loopback_address(value):
        raise click.BadParameter(NOT_LOOPBACK.format(host=value))
    return bare_host(value)


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, callback=_loopback,
              help="Loopback address to listen on (127.0.0.1, ::1 (or [::1]) or localhost; nothing else is "
                   "accepted).")
@click.option("--port", type=click.IntRange(0, 65535), default=4566, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--seed", "seeds", multiple=True, type=click.Path(exists=True), metavar="PATH",
              help="Create everything the definitions under PATH reference (repeatable).")
@click.option("--rollout-seconds", type=FiniteFloat(min=0), default=3.0, show_default=True,
              help="How long a simulated service rollout takes.")
@click.option("--task-seconds", type=FiniteFloat(min=0), default=1.0, show_default=True,
              help="How long a simulated RunTask task runs unless the control API says otherwise.")
@click.option("--docker/--no-docker", "docker", default=False,
              help="Run tasks as real containers on the local Docker engine (needs one; off by default: tasks "
                   "are simulated). --no-docker is the default and kept for old scripts.")
@click.option("--faults", type=FiniteFloat(0, 0.16), default=0.0, metavar="RATE",
              help="Put a fault-injecting proxy in front: each kind of fault (throttling, 500/503, reset, lost "
                   "response, slow, truncated) hits a request with this probability. The printed URL is the proxy.")
@click.option("--faults-seed", type=int, default=0, show_default=True, help="Seed of the fault proxy's choices.")
@click.option("--background", is_flag=True,
              help="Serve in another process and return once it answers, printing the line and "
                   "HAKO_SANDBOX_PID=PID (stop it with kill).")
@click.pass_context
def sandbox(ctx: click.Context, host: str, port: int, seeds: tuple[str, ...], rollout_seconds: float,
            task_seconds: float, docker: bool, faults: float, faults_seed: int, background: bool) -> None:
    """Run an embedded AWS endpoint (moto) with a simulated ECS scheduler.

    Prints exactly one line, AWS_ENDPOINT_URL=http://HOST:PORT, once it answers (and is
    seeded), then serves until SIGINT/SIGTERM. With --background it returns at that point
    (the sandbox serves on in another process), so the variables are there when it returns:

    \b
      sandbox=$(hako sandbox --port 0 --seed apps/ --background) && export $sandbox
      hako deploy apps/web.jsonnet
      hako sandbox seed apps/new-app.jsonnet   # seed the running sandbox for a new app
      kill $HAKO_SANDBOX_PID

    (Not `hako sandbox > FILE &` then `export $(cat FILE)`: the shell can read FILE before
    the line is written, and the next command goes to real AWS.)

    Control API for tests and demos: GET http://HOST:PORT/_sandbox/ lists it.
    """
    if ctx.invoked_subcommand is not None:  # the server's options would be ignored: say so
        given = [param.opts[0] for param in ctx.command.params if isinstance(param, click.Option) and param.name
                 and ctx.get_parameter_source(param.name) not in (None, click.core.ParameterSource.DEFAULT)]
        if given:
            raise click.UsageError(f"{', '.join(given)}: an option of serving, not of 'hako sandbox "
                                   f"{ctx.invoked_subcommand}'", ctx)
        return
    if background:
        from hako_py.cli.sandbox_background import serve_in_background

        sys.exit(serve_in_background(_arguments(host, port, seeds, rollout_seconds, task_seconds, docker, faults,
                                                faults_seed)))
    try:  # moto is an optional extra (and `hako sandbox seed` does without it)
        from hako_py.sandbox.server import Sandbox
    except ImportError as exc:
        raise click.ClickException(f"the sandbox needs moto: pip install 'hako-py[sandbox]' ({exc})") from None

    box = Sandbox(host, port, rollout_seconds=rollout_seconds, task_seconds=task_seconds, docker=docker)
    try:
        url = box.start()
    except OSError as exc:
        raise HakoError(f"cannot listen on {host_port(host, port)}: {exc.strerror or exc}") from None
    try:
        if seeds:
            _seed(url, seeds)
        say(f"sandbox: tasks run {'as Docker containers' if box.runs_containers else 'simulated'}")
        if box.simulator.docker is not None:
            for line in box.reaped:
                say(f"sandbox: removed {line}, left by a sandbox that is gone")
            say(f"sandbox: its containers and networks are labelled hako.sandbox.id="
                       f"{box.simulator.docker.owner.id}")
        if not box.tells_users_apart:
            say("sandbox: this system cannot tell which local user opens a connection (no /proc/net/tcp): "
                       "every local user can reach the sandbox")
        proxy = None
        if faults:
            proxy = FaultProxy(url, FaultRates.uniform(faults), seed=faults_seed)
            say(f"sandbox: faults injected at {faults:g} per kind and request (seed {faults_seed}); the "
                       f"sandbox itself answers at {url}")
            url = proxy.start()
        show(f"AWS_ENDPOINT_URL={url}")
        stopped = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            stopped.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stopped.wait(0.5):
            pass
        if proxy is not None:
            proxy.stop()
            say(f"sandbox: faults injected: {dict(sorted(proxy.injected.items()))} in {proxy.requests} "
                       "requests")
    finally:
        box.stop()
    sys.exit(0)


def _arguments(host: str, port: int, seeds: tuple[str, ...], rollout_seconds: float, task_seconds: float,
               docker: bool, faults: float, faults_seed: int) -> list[str]:
    """The options of this ``hako sandbox`` for the one --background starts (the same sandbox)."""
    return ["--host", host, "--port", str(port), *(option for path in seeds for option in ("--seed", path)),
            "--rollout-seconds", repr(rollout_seconds), "--task-seconds", repr(task_seconds),
            "--docker" if docker else "--no-docker", "--faults", repr(faults), "--faults-seed", str(faults_seed)]


def _seed(url: str, paths: tuple[str, ...]) -> int:
    """Seed what the definitions under *paths* reference; returns how many could not be read
    (each said on stderr; the others are seeded all the same)."""
    wanted = Wanted()
    unreadable = 0
    for file in expand_paths(list(paths)):
        try:
            wanted.add_app(check_file(file, LoadOptions()).app)
        except HakoError as exc:
            unreadable += 1
            say(f"sandbox: not seeding from {file}: {exc}")
    with seeding_errors(url):
        for line in seed(url, wanted):
            say(f"sandbox: created {line}")
    return unreadable


@sandbox.command("seed")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL", metavar="URL",
              help="The running sandbox (what `hako sandbox` printed); default $AWS_ENDPOINT_URL.")
def seed_command(paths: tuple[str, ...], endpoint_url: str | None) -> None:
    """Seed a running sandbox: create what the definitions under PATH... reference (as
    --seed does at start), so a new app deploys without restarting the sandbox.

    \b
      sandbox=$(hako sandbox --port 0 --seed apps/ --background) && export $sandbox
      hako sandbox seed apps/new-app.jsonnet
    """
    url = check_sandbox_url(endpoint_url)
    if _seed(url, paths):
        sys.exit(1)

