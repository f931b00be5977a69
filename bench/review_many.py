"""`hako diff --base` on a repository of 1,000 apps sharing a library.

Targets (issue 5): one app changed <= 1 s (only that app rendered, at both sides);
the shared library changed for all <= 5 s on a 2-core machine. Issue 18: the library change
with a cold render cache (an empty $HAKO_CACHE_DIR) and a warm one (the same review run
before, as a CI cache restores it), against evaluating the same 2 x COUNT files with
gojsonnet in one process.
Usage: python bench/review_many.py [COUNT] [--runs N]  (best of N runs per line; default 3)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_many import APP, bare_evaluation, generate

HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def timed(root: Path, label: str, runs: int = 3, *, warm: bool = False, cache_off: bool = False) -> None:
    """Best of *runs*; each run with an empty render cache, or (*warm*) one the first run filled,
    or (*cache_off*) with the render cache turned off (``HAKO_CACHE=off``)."""
    best = None
    out = ""
    cache = root.parent / "bench-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "HAKO_CACHE_DIR": str(cache), "HAKO_CACHE": "off" if cache_off else "on"}
    if warm:
        subprocess.run([HAKO, "diff", "--base", "HEAD", "--format", "json"], cwd=root, capture_output=True, env=env)
    for _ in range(runs):
        if not warm:
            shutil.rmtree(cache / "renders", ignore_errors=True)
        start = time.perf_counter()
        result = subprocess.run([HAKO, "diff", "--base", "HEAD", "--format", "json"], cwd=root, capture_output=True,
                                text=True, env=env)
        elapsed = time.perf_counter() - start
        if result.returncode not in (0, 2):
            raise SystemExit(result.stderr)
        out = result.stdout
        best = elapsed if best is None else min(best, elapsed)
    import json

    apps = len(json.loads(out)["apps"])
    print(f"{label:<40} {best:6.2f} s  ({apps} apps reported changed)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per line")
    args = parser.parse_args()
    count, runs = args.count, args.runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        apps = generate(root, count)
        git(root, "init", "-q")
        git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "add", "-A")
        git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "base")
        print(f"apps: {count}")
        # an existing app (the middle one), so a small COUNT edits rather than adds
        (apps / f"app{count // 2:04d}.jsonnet").write_text(APP % 999999)
        timed(root, "one app changed", runs)
        git(root, "checkout", "-q", "--", ".")
        library = apps / "lib" / "base.libsonnet"
        library.write_text(library.read_text().replace("memory: 256", "memory: 384"))
        timed(root, "shared library changed (all apps)", runs)
        timed(root, "shared library changed, no render cache", runs, cache_off=True)
        timed(root, "shared library changed, warm cache", runs, warm=True)
        bare = min(bare_evaluation(apps) for _ in range(runs))
        print(f"{'bare gojsonnet evaluation, 2 x apps':<40} {2 * bare:6.2f} s  (one process, no hako)")


if __name__ == "__main__":
    main()
