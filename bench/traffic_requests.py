"""AWS requests of deploying apps/hello-lb-v2.jsonnet (ALB + target group + listeners +
autoscaling) and apps/hello-service-discovery.jsonnet against the sandbox: create, no-op
redeploy, a traffic-only change (health check path and max capacity), and remove.

Usage: python bench/traffic_requests.py [--rollout-seconds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deploy_requests import HAKO, ROOT, run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rollout-seconds", type=float, default=1.0)
    args = parser.parse_args()
    from hako_py.pipeline import check_file
    from hako_py.sandbox.seed import Wanted, seed
    from hako_py.sandbox.server import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox("127.0.0.1", 0, rollout_seconds=args.rollout_seconds) as box:
        work = Path(tmp)
        shutil.copytree(ROOT / "apps", work / "apps")
        shutil.copy(ROOT / "hako.toml", work / "hako.toml")
        os.chdir(work)
        lb_app, sd_app = "apps/hello-lb-v2.jsonnet", "apps/hello-service-discovery.jsonnet"
        wanted = Wanted()
        for file in (lb_app, sd_app):
            wanted.add_app(check_file(file).app)
        seed(box.url, wanted)
        env = {**os.environ, "AWS_ENDPOINT_URL": box.url, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "ap-northeast-1"}
        env.pop("AWS_PROFILE", None)
        rows = []
        for file in (lb_app, sd_app):
            name = Path(file).stem
            rows.append(run(f"deploy {name} (create)", [HAKO, "deploy", file, "--poll-interval", "0.2"], env,
                            box.url, cwd=work))
            rows.append(run(f"deploy {name} (no-op)", [HAKO, "deploy", file], env, box.url, cwd=work))
        text = (work / lb_app).read_text()
        (work / lb_app).write_text(text.replace("/site/sha", "/health").replace("max_capacity: 8", "max_capacity: 10"))
        rows.append(run("deploy hello-lb-v2 (traffic-only change)", [HAKO, "deploy", lb_app], env, box.url, cwd=work))
        rows.append(run("status hello-lb-v2", [HAKO, "status", lb_app], env, box.url, cwd=work))
        for file in (lb_app, sd_app):
            rows.append(run(f"remove {Path(file).stem}", [HAKO, "remove", file, "--yes"], env, box.url, cwd=work))
        os.chdir(ROOT)
    print(f"{'what':<44} {'requests':>8} {'writes':>6} {'wall s':>7}")
    for row in rows:
        print(f"{row['label']:<44} {row['requests']:>8} {row['writes']:>6} {row['seconds']:>7.2f}")
    print("\nwrites by operation:")
    for row in rows:
        writes = {k: v for k, v in row["byOperation"].items()
                  if not k.split(".", 1)[1].startswith(("Describe", "List", "Get"))}
        print(f"  {row['label']}: {json.dumps(writes, sort_keys=True)}")


if __name__ == "__main__":
    main()
