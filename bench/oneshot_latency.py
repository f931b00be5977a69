"""Oneshot latencies against the sandbox: task STOPPED -> hako exits, log line written -> on stdout.

Side by side with `aws ecs run-task` + `aws ecs wait tasks-stopped` (which shows no logs).
The AWS CLI is installed into a separate virtualenv (see bench/deploy_requests.py).
Usage: python bench/oneshot_latency.py [--runs 3] [--lines 300] [--skip-tools]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deploy_requests import HAKO, ROOT, control, tools_venv

APP = "apps/awesome-batch.jsonnet"
FAMILY = "awesome-batch-oneshot"


def task_times(url: str, cluster: str, arn: str) -> dict[str, Any]:
    import boto3

    ecs = boto3.client("ecs", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="b",
                       aws_secret_access_key="b")
    task: dict[str, Any] = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
    return task


def log_timestamps(url: str, stream: str) -> dict[str, float]:
    import boto3

    logs = boto3.client("logs", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="b",
                        aws_secret_access_key="b")
    events = logs.get_log_events(logGroupName="/ecs/awesome-batch", logStreamName=stream, startFromHead=True)["events"]
    return {e["message"]: e["timestamp"] / 1000 for e in events}


def hako_run(url: str, env: dict[str, str], lines: int) -> dict[str, Any]:
    messages = [f"bench line {i}" for i in range(lines)]
    control(url, "next-task", {"family": FAMILY, "exitCode": 0, "runSeconds": 3, "logLines": messages})
    # --tag: the app's jenkins_tag script would otherwise ask a Jenkins server for it (the sandbox holds :latest)
    process = subprocess.Popen([HAKO, "oneshot", APP, "--tag", "latest", "--result-file",
                                "/tmp/hako-bench-result.json", "true"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    arrivals: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        arrivals[line.rstrip("\n")] = time.time()
    process.wait()
    exited = time.time()
    if process.returncode != 0:
        assert process.stderr is not None
        sys.exit(f"hako oneshot exited {process.returncode}:\n{process.stderr.read()}")
    result = json.loads(Path("/tmp/hako-bench-result.json").read_text())
    task = task_times(url, result["cluster"], result["taskArn"])
    stream = f"awesome-batch/app/{result['taskArn'].rsplit('/', 1)[-1]}"
    written = log_timestamps(url, stream)
    line_latency = [arrivals[m] - written[m] for m in messages if m in arrivals and m in written]
    return {"stop_to_exit": exited - task["stoppedAt"].timestamp(), "line_latency": line_latency,
            "lost": len(messages) - len(arrivals), "ordered": list(arrivals) == messages}


def awscli_run(url: str, env: dict[str, str], bin_dir: Path) -> float:
    rendered = json.loads(subprocess.run([HAKO, "render", "--only", "run-task", APP], cwd=ROOT, env=env,
                                         capture_output=True, text=True, check=True).stdout)
    rendered["taskDefinition"] = FAMILY
    control(url, "next-task", {"family": FAMILY, "exitCode": 0, "runSeconds": 3})
    started = subprocess.run([str(bin_dir / "aws"), "ecs", "run-task", "--cli-input-json", json.dumps(rendered)],
                             env=env, capture_output=True, text=True, check=True)
    arn = json.loads(started.stdout)["tasks"][0]["taskArn"]
    subprocess.run([str(bin_dir / "aws"), "ecs", "wait", "tasks-stopped", "--cluster", rendered["cluster"],
                    "--tasks", arn], env=env, check=True)
    exited = time.time()
    return exited - task_times(url, rendered["cluster"], arn)["stoppedAt"].timestamp()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--skip-tools", action="store_true")
    args = parser.parse_args()
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed
    from hako_py.sandbox.server import Sandbox

    os.chdir(ROOT)
    with Sandbox("127.0.0.1", 0) as box:
        wanted = Wanted()
        wanted.add_app(check_file(APP).app)
        seed(box.url, wanted)
        env = {**os.environ, "AWS_ENDPOINT_URL": box.url, "AWS_ACCESS_KEY_ID": "b", "AWS_SECRET_ACCESS_KEY": "b",
               "AWS_DEFAULT_REGION": "ap-northeast-1"}
        env.pop("AWS_PROFILE", None)
        runs = [hako_run(box.url, env, args.lines) for _ in range(args.runs)]
        cli = [] if args.skip_tools else [awscli_run(box.url, env, tools_venv()) for _ in range(args.runs)]
    stops = [r["stop_to_exit"] for r in runs]
    lines = [x for r in runs for x in r["line_latency"]]
    print(f"hako oneshot (default --poll-interval 1), {args.runs} runs x {args.lines} log lines over 3 s:")
    print(f"  task STOPPED -> hako exit: median {statistics.median(stops):.2f}s, max {max(stops):.2f}s")
    print(f"  log line written -> stdout: median {statistics.median(lines):.2f}s, max {max(lines):.2f}s")
    print(f"  lines lost: {sum(r['lost'] for r in runs)}, all in order: {all(r['ordered'] for r in runs)}")
    if cli:
        print("aws ecs run-task + aws ecs wait tasks-stopped (no logs shown):")
        print(f"  task STOPPED -> exit: median {statistics.median(cli):.2f}s, max {max(cli):.2f}s")


if __name__ == "__main__":
    main()
