"""`make demo`: the whole deploy lifecycle against the embedded sandbox, in well under a minute.

Starts `hako sandbox` seeded from apps/, validates and deploys the example services,
deploys a change to one of them (showing the diff and the followed rollout), shows its
status, then stops the sandbox.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"


def step(title: str, *args: str, env: dict[str, str]) -> None:
    print(f"\n\033[1m$ hako {' '.join(args)}\033[0m  # {title}", flush=True)
    # hako writes progress to stderr and results to stdout; the demo is one transcript, in order
    result = subprocess.run([HAKO, *args], cwd=ROOT, env=env, stderr=subprocess.STDOUT)
    if result.returncode not in (0, 2):
        raise SystemExit(f"demo step failed: hako {' '.join(args)} exited {result.returncode}")


def push_image(url: str, repository: str, tag: str) -> None:
    """What CI would do: push a new image, so the deploy's preflight finds it in ECR."""
    import boto3

    from hako_py.sandbox.seed import image_manifest

    print(f"\n# CI pushed {repository}:{tag} to ECR", flush=True)
    ecr = boto3.client("ecr", region_name="ap-northeast-1", endpoint_url=url, aws_access_key_id="demo",
                       aws_secret_access_key="demo")
    ecr.put_image(repositoryName=repository, imageTag=tag, imageManifest=image_manifest(repository, tag))


def main() -> None:
    started = time.monotonic()
    print("Starting the sandbox (moto + simulated ECS) seeded from apps/ ...", flush=True)
    # --no-docker: the example images do not exist locally, so simulated tasks show the flow
    sandbox = subprocess.Popen([HAKO, "sandbox", "--port", "0", "--seed", "apps", "--rollout-seconds", "1",
                                "--no-docker"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert sandbox.stdout is not None
        line = sandbox.stdout.readline().strip()
        if not line.startswith("AWS_ENDPOINT_URL="):
            raise SystemExit(f"the sandbox did not start: {line!r}")
        env = {**os.environ, "AWS_ENDPOINT_URL": line.split("=", 1)[1]}
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(key, None)
        print(line)
        step("check every definition", "validate", "apps/", env=env)
        for app in ("apps/web.jsonnet", "apps/worker.yml", "apps/legacy-ec2.jsonnet"):
            step("first deploy creates the service", "deploy", app, env=env)
        step("nothing changed: no write request at all", "deploy", "apps/web.jsonnet", env=env)
        push_image(env["AWS_ENDPOINT_URL"], "web", "v1.4.3")
        step("what a new image tag would change", "diff", "apps/web.jsonnet", "--tag", "v1.4.3", env=env)
        step("deploy the change and follow the rollout", "deploy", "apps/web.jsonnet", "--tag", "v1.4.3", env=env)
        step("the service now", "status", "apps/web.jsonnet", env=env)
        step("back to the previous revision", "rollback", "apps/web.jsonnet", env=env)
        step("a service behind a load balancer hako creates, with autoscaling", "deploy",
             "apps/hello-lb-v2.jsonnet", env=env)
        step("its load balancer, targets and scaling", "status", "apps/hello-lb-v2.jsonnet", env=env)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=20)
    print(f"\nDemo finished in {time.monotonic() - started:.1f}s; the sandbox is stopped.")


if __name__ == "__main__":
    main()
