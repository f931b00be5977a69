"""Overhead of `hako oneshot --local` over a plain `docker run --rm` of the same image and command.

Target (issue 7): within 0.5 s. Needs a Docker engine; the test image hako-test/busybox:1 is
imported from the host's static busybox when missing (as the tests do).
Usage: python bench/local_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.busybox_image import IMAGE, ensure_busybox_image  # noqa: E402

HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
DEFINITION = """
{
  scheduler: { type: 'ecs', region: 'us-east-1', cluster: 'c', network_mode: 'awsvpc', cpu: '256', memory: '512',
               launch_type: 'FARGATE', requires_compatibilities: ['FARGATE'],
               network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'] } } },
  app: { image: 'hako-test/busybox', tag: '1', memory: 128 },
}
"""


def timed(argv: list[str], cwd: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from hako_py.local.engine import connect

    ensure_busybox_image(connect())
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, ".git").mkdir()
        Path(tmp, "job.jsonnet").write_text(DEFINITION)
        command = ["sh", "-c", "echo hello"]
        docker = timed(["docker", "run", "--rm", IMAGE, *command], tmp, args.runs)
        hako = timed([HAKO, "oneshot", "--local", "job.jsonnet", "--", *command], tmp, args.runs)
    print(f"docker run --rm {IMAGE} sh -c 'echo hello'   median {docker:.2f} s ({args.runs} runs)")
    print(f"hako oneshot --local (same image and command)  median {hako:.2f} s")
    print(f"overhead: {hako - docker:+.2f} s (target <= 0.5 s)")


if __name__ == "__main__":
    main()
