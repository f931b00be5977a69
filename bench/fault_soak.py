"""Soak under injected faults: many seeded deploys and oneshots through the fault proxy.

The CI tests run a few seeds; this runs many (and can raise the rate) and prints the
counts: runs, faults injected by kind, outcomes, and any broken promise.

Usage: python bench/fault_soak.py [--deploys 60] [--oneshots 40] [--rate 0.03]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import batch_app, service_app  # noqa: E402

HAKO = str(Path(sys.executable).parent / "hako")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deploys", type=int, default=60)
    parser.add_argument("--oneshots", type=int, default=40)
    parser.add_argument("--rate", type=float, default=0.03, help="probability per fault kind and request")
    args = parser.parse_args()
    from hako_py.pipeline import check_file
    from hako_py.sandbox.client import control
    from hako_py.sandbox.faults import FaultProxy, FaultRates
    from hako_py.sandbox.seed import Wanted, seed
    from hako_py.sandbox.server import Sandbox

    totals: Counter[str] = Counter()
    broken: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, Sandbox("127.0.0.1", 0, rollout_seconds=0.3, task_seconds=0.3,
                                                       tick=0.02) as box:
        work = Path(tmp)
        (work / ".git").mkdir()
        (work / "hako.toml").write_text('region = "us-east-1"\n')
        (work / "apps").mkdir()
        os.chdir(work)
        (work / "apps/soak.jsonnet").write_text(service_app("soak", "subnet-soak", "sg-soak", desired=2))
        (work / "apps/job.jsonnet").write_text(batch_app("soak", "subnet-soak", "sg-soak"))
        wanted = Wanted()
        for file in ("apps/soak.jsonnet", "apps/job.jsonnet"):
            wanted.add_app(check_file(file).app)
        wanted.roles.clear()
        seed(box.url, wanted)
        ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=box.url, aws_access_key_id="s",
                           aws_secret_access_key="s")
        base_env = {**os.environ, "AWS_ACCESS_KEY_ID": "s", "AWS_SECRET_ACCESS_KEY": "s"}
        subprocess.run([HAKO, "deploy", "apps/soak.jsonnet", "--poll-interval", "0.02"], check=True,
                       env={**base_env, "AWS_ENDPOINT_URL": box.url}, capture_output=True)
        for run in range(args.deploys):
            before = set(ecs.list_task_definitions(familyPrefix="soak")["taskDefinitionArns"])
            (work / "apps/soak.jsonnet").write_text(service_app("soak", "subnet-soak", "sg-soak",
                                                                env=f"{{ RUN: '{run}' }}"))
            with FaultProxy(box.url, FaultRates.uniform(args.rate, services=("ecs",)), seed=run) as proxy:
                result = subprocess.run([HAKO, "deploy", "apps/soak.jsonnet", "--poll-interval", "0.02",
                                         "--timeout", "60"], env={**base_env, "AWS_ENDPOINT_URL": proxy.url},
                                        capture_output=True, text=True)
            totals.update({f"injected {k}": v for k, v in proxy.injected.items()})
            totals["requests"] += proxy.requests
            new = set(ecs.list_task_definitions(familyPrefix="soak")["taskDefinitionArns"]) - before
            service = ecs.describe_services(cluster="soak", services=["soak"])["services"][0]
            status = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["status"]
            if len(new) > 1:
                broken.append(f"deploy {run}: {len(new)} revisions")
            if status != "ACTIVE":
                broken.append(f"deploy {run}: service on a {status} revision")
            if result.returncode == 0:
                totals["deploy completed"] += 1
                if not new or service["taskDefinition"] != next(iter(new)):
                    broken.append(f"deploy {run}: success but the service runs {service['taskDefinition']}")
            else:
                totals["deploy failed cleanly"] += 1
                if "deployment completed" in result.stdout or "Traceback" in result.stderr:
                    broken.append(f"deploy {run}: unclean failure {result.stderr[-200:]}")
        lines = [f"line {i:03d}" for i in range(30)]
        control_env = {**base_env, "AWS_ENDPOINT_URL": box.url}
        for run in range(args.oneshots):
            code = run % 7
            control(box.url, "next-task", {"family": "job-oneshot", "exitCode": code, "logLines": lines,
                                           "runSeconds": 0.4})
            with FaultProxy(box.url, FaultRates.uniform(args.rate, services=("ecs", "logs")), seed=1000 + run) as proxy:
                result = subprocess.run([HAKO, "oneshot", "apps/job.jsonnet", "--poll-interval", "0.05", "--",
                                         "work"], env={**control_env, "AWS_ENDPOINT_URL": proxy.url},
                                        capture_output=True, text=True)
            totals.update({f"injected {k}": v for k, v in proxy.injected.items()})
            totals["requests"] += proxy.requests
            printed = [line for line in result.stdout.splitlines() if line.startswith("line ")]
            if result.returncode == code:
                totals["oneshot true exit code"] += 1
                if printed != lines:
                    broken.append(f"oneshot {run}: {len(printed)} of {len(lines)} lines, in order: "
                                  f"{printed == sorted(printed)}")
            else:
                totals["oneshot other exit"] += 1
                if result.returncode not in (1, 125, 127) or "Traceback" in result.stderr:
                    broken.append(f"oneshot {run}: exit {result.returncode} for {code}: {result.stderr[-200:]}")
    print(f"{args.deploys} deploys and {args.oneshots} oneshots at {args.rate:g} per fault kind and request, "
          f"in {time.monotonic() - started:.0f}s")
    for key, value in sorted(totals.items()):
        print(f"  {key:<28} {value}")
    print(f"broken promises: {len(broken)}")
    for item in broken:
        print(f"  {item}")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
