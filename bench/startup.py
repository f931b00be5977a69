"""Median start-up time of `hako --help`, `hako --version`, `hako deploy --help` (one command's
module imported) and `hako validate apps/web.jsonnet` (one small file evaluated), through the
installed console script.

Usage: python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CASES = (["--help"], ["--version"], ["deploy", "--help"], ["validate", "apps/web.jsonnet"])


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=RUNS)
    runs = parser.parse_args().runs
    hako = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    print(f"{'python -c pass':<35} median {baseline * 1000:7.1f} ms ({runs} runs)")
    for args in CASES:
        seconds = median_seconds([hako, *args], runs)
        print(f"{'hako ' + ' '.join(args):<35} median {seconds * 1000:7.1f} ms ({runs} runs)")


if __name__ == "__main__":
    main()
