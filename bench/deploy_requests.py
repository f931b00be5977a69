"""AWS requests and completion latency of deploys: hako vs the AWS CLI way vs ecs-deploy.

Everything runs against one in-process sandbox (rollouts take --rollout-seconds). The AWS CLI
and ecs-deploy are installed into a separate virtualenv (they pin their own botocore).

Usage: python bench/deploy_requests.py [--rollout-seconds 2] [--skip-tools]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
TOOLS_VENV = Path(tempfile.gettempdir()) / "hako-bench-tools"


def control(url: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    from hako_py.sandbox.client import control as call

    return call(url, path, payload)


def completed_at(region: str, cluster: str, service: str) -> float:
    """When the simulator marked the PRIMARY deployment COMPLETED (epoch seconds)."""
    from hako_py.sandbox import moto_glue

    svc = moto_glue.ecs_backend(region).services[f"{cluster}:{service}"]
    primary = next(d for d in svc.deployments if d["status"] == "PRIMARY")
    assert primary["rolloutState"] == "COMPLETED", primary
    stamp: datetime.datetime = primary["updatedAt"]
    return stamp.timestamp()


def run(label: str, argv: list[str], env: dict[str, str], url: str, *, finish: tuple[str, str, str] | None = None,
        cwd: Path = ROOT) -> dict[str, Any]:
    control(url, "requests/reset", {})
    start = time.time()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    end = time.time()
    if result.returncode != 0:
        raise SystemExit(f"{label} failed ({result.returncode}): {result.stdout[-800:]}{result.stderr[-800:]}")
    counts = control(url, "requests")
    row = {"label": label, "seconds": end - start, "requests": counts["total"], "writes": counts["writes"],
           "byOperation": counts["byOperation"]}
    if finish:
        row["notice_latency"] = end - completed_at(*finish)
    return row


def push_image(url: str, repository: str, tag: str) -> None:
    import boto3

    from hako_py.sandbox.seed import image_manifest

    ecr = boto3.client("ecr", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="bench",
                       aws_secret_access_key="bench")
    ecr.put_image(repositoryName=repository, imageTag=tag, imageManifest=image_manifest(repository, tag))


def tools_venv() -> Path:
    bin_dir = TOOLS_VENV / "bin"
    if not (bin_dir / "aws").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", "awscli", "ecs-deploy"], check=True)
    return bin_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rollout-seconds", type=float, default=2.0)
    parser.add_argument("--skip-tools", action="store_true", help="only measure hako")
    args = parser.parse_args()
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed
    from hako_py.sandbox.server import Sandbox

    os.chdir(ROOT)
    with Sandbox("127.0.0.1", 0, rollout_seconds=args.rollout_seconds) as box:
        wanted = Wanted()
        wanted.add_app(check_file("apps/web.jsonnet").app)
        seed(box.url, wanted)
        env = {**os.environ, "AWS_ENDPOINT_URL": box.url, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "ap-northeast-1", "AWS_REGION": "ap-northeast-1"}
        env.pop("AWS_PROFILE", None)
        finish = ("ap-northeast-1", "production", "web")
        rows = [run("hako deploy (create)", [HAKO, "deploy", "apps/web.jsonnet"], env, box.url, finish=finish)]
        rows.append(run("hako deploy (no-op)", [HAKO, "deploy", "apps/web.jsonnet"], env, box.url))
        push_image(box.url, "web", "v2")  # what CI does before a deploy; hako's preflight checks it
        rows.append(run("hako deploy (one change)", [HAKO, "deploy", "apps/web.jsonnet", "--tag", "v2"], env,
                        box.url, finish=finish))
        if not args.skip_tools:
            bin_dir = tools_venv()
            td = subprocess.run([HAKO, "render", "--only", "task-definition", "--tag", "v3", "apps/web.jsonnet"],
                                capture_output=True, text=True, check=True).stdout
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
                handle.write(td)
            script = (f"set -e; arn=$({bin_dir}/aws ecs register-task-definition --cli-input-json file://{handle.name}"
                      " --query taskDefinition.taskDefinitionArn --output text);"
                      f" {bin_dir}/aws ecs update-service --cluster production --service web --task-definition $arn"
                      " > /dev/null;"
                      f" {bin_dir}/aws ecs wait services-stable --cluster production --services web")
            rows.append(run("aws ecs register + update + wait services-stable", ["bash", "-c", script], env, box.url,
                            finish=finish))
            rows.append(run("ecs deploy production web --tag v4 (ecs-deploy)",
                            [str(bin_dir / "ecs"), "deploy", "production", "web", "--tag", "v4", "--timeout", "120",
                             "--region", "ap-northeast-1"], env, box.url, finish=finish))
    print(f"rollout takes {args.rollout_seconds:g}s in the sandbox\n")
    print(f"{'how':<52} {'requests':>8} {'writes':>6} {'wall s':>7} {'notice s':>8}")
    for row in rows:
        latency = f"{row['notice_latency']:8.2f}" if "notice_latency" in row else f"{'-':>8}"
        print(f"{row['label']:<52} {row['requests']:>8} {row['writes']:>6} {row['seconds']:>7.2f} {latency}")
    print("\nrequests by operation:")
    for row in rows:
        print(f"  {row['label']}: {json.dumps(row['byOperation'], sort_keys=True)}")


if __name__ == "__main__":
    main()
