"""Median start-up time of `hako --help` and `hako --version` (installed console script).

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


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=RUNS)
    runs = parser.parse_args().runs
    hako = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    print(f"python -c pass      median {baseline * 1000:7.1f} ms ({runs} runs)")
    for flag in ("--help", "--version"):
        seconds = median_seconds([hako, flag], runs)
        print(f"hako {flag:<14} median {seconds * 1000:7.1f} ms ({runs} runs)")


if __name__ == "__main__":
    main()
