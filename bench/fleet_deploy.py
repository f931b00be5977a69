"""`hako deploy --changed-since` over a fleet in the sandbox, against a shell loop of single deploys.

100 apps share two libraries; a change to one of them affects 60 apps. Measured: wall time of
one fleet deploy of the change vs `for f in ...; do hako deploy $f; done` of the same apps (a
second change, so both deploy the same work), AWS requests per app, and the same fleet deploy
with throttling injected by the fault proxy (no app may fail because of it).
Usage: python bench/fleet_deploy.py [--apps 100] [--changed 60] [--jobs 8] [--rate 10] [--rollout-seconds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"

LIBRARY = """\
{
  scheduler:: {
    type: 'ecs', region: 'us-east-1', cluster: 'fleet', desired_count: 1, launch_type: 'FARGATE',
    requires_compatibilities: ['FARGATE'], network_mode: 'awsvpc', cpu: '256', memory: '512',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-fleet'], security_groups: ['sg-fleet'] } },
  },
  env:: { RELEASE: '%s' },
}
"""

APP = """\
local lib = import 'lib/%s.libsonnet';
{
  scheduler: lib.scheduler,
  app: { image: 'example/%s', tag: 'v1', memory: 256, env: lib.env },
}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def control(url: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    from hako_py.sandbox.client import control as call

    return call(url, path, payload)


def deploy(argv: list[str], env: dict[str, str], root: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result


def change(root: Path, release: str) -> None:
    (root / "apps/lib/shared.libsonnet").write_text(LIBRARY % release)


def seeded_env(url: str, first_app: Path, cache: Path) -> dict[str, str]:
    """Seed the sandbox at *url* with what the fleet's apps need (they share one cluster, image
    and network: *first_app*'s), and the environment pointing hako at it; the render cache in
    *cache*, outside the repository (hako refuses one inside)."""
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed

    wanted = Wanted()
    wanted.add_app(check_file(first_app).app)
    wanted.roles.clear()
    seed(url, wanted)
    env = {**os.environ, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "us-east-1", "HAKO_CACHE_DIR": str(cache)}
    env.pop("AWS_PROFILE", None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--changed", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--rollout-seconds", type=float, default=1.0)
    parser.add_argument("--rate", default="10", help="hako deploy --rate (requests a second for the whole fleet)")
    args = parser.parse_args()
    from hako_py.sandbox.faults import FaultProxy, FaultRates
    from hako_py.sandbox.server import Sandbox

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as cache, \
            Sandbox("127.0.0.1", 0, rollout_seconds=args.rollout_seconds, task_seconds=0.2, tick=0.05) as box:
        root = Path(tmp)
        (root / "hako.toml").write_text('region = "us-east-1"\naccount_id = "123456789012"\n')
        (root / "apps/lib").mkdir(parents=True)
        change(root, "1")
        (root / "apps/lib/other.libsonnet").write_text(LIBRARY % "other")
        names = [f"app{i:03d}" for i in range(args.apps)]
        for index, name in enumerate(names):
            (root / f"apps/{name}.jsonnet").write_text(APP % ("shared" if index < args.changed else "other", name))
        git(root, "init", "-q", "-b", "main")
        env = seeded_env(box.url, root / "apps" / f"{names[0]}.jsonnet", Path(cache))
        fleet = [HAKO, "deploy", "--no-verify", "-j", str(args.jobs), "--rate", args.rate, "--poll-interval", "0.2",
                 "-o", "json"]
        seconds, first = deploy([*fleet, "apps"], env, root)
        assert first.returncode == 0, first.stderr[-2000:]
        print(f"apps: {args.apps}, changed by the library edit: {args.changed}, -j {args.jobs}, --rate {args.rate}, "
              f"rollout {args.rollout_seconds:g} s in the sandbox")
        print(f"{'first deploy of every app (hako deploy apps)':<52} {seconds:7.2f} s")
        git(root, "add", "-A")
        git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "base")

        change(root, "2")
        control(box.url, "requests/reset", {})
        seconds, result = deploy([*fleet, "--changed-since", "HEAD"], env, root)
        assert result.returncode == 0, result.stderr[-2000:]
        document = json.loads(result.stdout)
        deployed = [a for a in document["apps"] if a["result"] == "deployed"]
        requests = control(box.url, "requests")["total"]
        print(f"{'hako deploy --changed-since HEAD':<52} {seconds:7.2f} s  {len(deployed)} apps deployed, "
              f"{requests / max(1, len(deployed)):.1f} requests per app")

        change(root, "3")
        control(box.url, "requests/reset", {})
        changed = [f"apps/{name}.jsonnet" for name in names[:args.changed]]
        loop = " ".join(f"{HAKO} deploy --no-verify --poll-interval 0.2 {f} || exit 1;" for f in changed)
        seconds, result = deploy(["bash", "-c", loop], env, root)
        assert result.returncode == 0, result.stderr[-2000:]
        requests = control(box.url, "requests")["total"]
        print(f"{'shell loop of single hako deploy':<52} {seconds:7.2f} s  {len(changed)} apps, "
              f"{requests / max(1, len(changed)):.1f} requests per app")

        change(root, "4")
        with FaultProxy(box.url, FaultRates(throttle=0.2), seed=18) as proxy:
            throttled_env = {**env, "AWS_ENDPOINT_URL": proxy.url}
            seconds, result = deploy([*fleet, "--changed-since", "HEAD"], throttled_env, root)
            injected = proxy.injected["throttle"]
            total = proxy.requests
        document = json.loads(result.stdout) if result.stdout else {"apps": []}
        failed = [a["app"] for a in document["apps"] if a["result"] not in ("deployed", "unchanged")]
        print(f"{'same, 20% of requests throttled (fault proxy)':<52} {seconds:7.2f} s  {injected} of {total} "
              f"requests throttled, apps failed: {len(failed)}")
        assert result.returncode == 0 and not failed, result.stderr[-2000:]


if __name__ == "__main__":
    main()
