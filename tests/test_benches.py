"""Every benchmark under bench/ still runs, at a tiny size.

The figures themselves are measured by `make bench`, not here (timings in tests are noise);
this only keeps the benches from rotting: oneshot_latency once failed silently because the
app it runs gained a script that needs an image tag, and nobody ran it until a closing note.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, run_script

SMALL_RUNS: dict[str, list[str]] = {
    "startup.py": ["--runs", "1"],
    "validate_many.py": ["20"],
    "review_many.py": ["20", "--runs", "1"],
    "deploy_requests.py": ["--skip-tools", "--rollout-seconds", "0.2"],
    "traffic_requests.py": ["--rollout-seconds", "0.2"],
    "oneshot_latency.py": ["--runs", "1", "--lines", "10", "--skip-tools"],
    "fault_soak.py": ["--deploys", "1", "--oneshots", "1"],
    "fleet_deploy.py": ["--apps", "4", "--changed", "3", "--rollout-seconds", "0.2"],
    "drift.py": ["6"],
}


def run_bench(name: str, args: list[str]) -> str:
    result = run_script([sys.executable, f"bench/{name}", *args], timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_every_bench_is_covered_here() -> None:
    benches = {path.name for path in (PROJECT_ROOT / "bench").glob("*.py")}
    assert benches == {*SMALL_RUNS, "local_overhead.py"}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SMALL_RUNS))
def test_bench_runs_and_reports(name: str) -> None:
    out = run_bench(name, SMALL_RUNS[name])
    expected = {
        "startup.py": r"hako --help\s+median\s+[\d.]+ ms",
        "validate_many.py": r"hako validate auto \(parallel\) :\s+[\d.]+ s",
        "review_many.py": r"shared library changed \(all apps\)\s+[\d.]+ s\s+\(20 apps reported changed\)",
        "deploy_requests.py": r"hako deploy \(no-op\)\s+2\s+0\s",
        "traffic_requests.py": r"deploy hello-lb-v2 \(no-op\)\s+\d+\s+0\s",
        "oneshot_latency.py": r"lines lost: 0, all in order: True",
        "fault_soak.py": r"broken promises: 0",
        "fleet_deploy.py": r"hako deploy --changed-since HEAD\s+[\d.]+ s\s+3 apps deployed.*\n.*\n.*apps failed: 0",
        "drift.py": r"apps edited in the repository\s+[\d.]+ s\s+drifted: 6",
    }[name]
    assert re.search(expected, out), out[-2000:]


@pytest.mark.slow
def test_local_overhead_bench_runs(docker_client: Any) -> None:
    out = run_bench("local_overhead.py", ["--runs", "1"])
    assert re.search(r"overhead: [+-][\d.]+ s", out), out
