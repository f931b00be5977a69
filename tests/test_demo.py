"""`make demo` keeps working: the deploy lifecycle against the embedded sandbox."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_demo_runs_end_to_end_in_under_a_minute() -> None:
    result = subprocess.run([sys.executable, "scripts/demo.py"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "deployment completed: service web runs web:2" in result.stdout
    assert "rollback completed: service web runs web:1" in result.stdout
    seconds = float(result.stdout.rsplit("Demo finished in ", 1)[1].split("s;", 1)[0])
    assert seconds < 60
