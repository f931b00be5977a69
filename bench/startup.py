"""Median start-up time of `hako --help` and `hako --version` (installed console script)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def median_seconds(argv: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    hako = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
    baseline = median_seconds([sys.executable, "-c", "pass"])
    print(f"python -c pass      median {baseline * 1000:7.1f} ms ({RUNS} runs)")
    for flag in ("--help", "--version"):
        seconds = median_seconds([hako, flag])
        print(f"hako {flag:<14} median {seconds * 1000:7.1f} ms ({RUNS} runs)")


if __name__ == "__main__":
    main()
