"""`hako diff --base` on a repository of 1,000 apps sharing a library.

Targets (issue 5): one app changed <= 1 s (only that app rendered, at both sides);
the shared library changed for all <= 5 s on a 2-core machine.
Usage: python bench/review_many.py [COUNT]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_many import APP, generate

HAKO = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def timed(root: Path, label: str, runs: int = 3) -> None:
    best = None
    out = ""
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([HAKO, "diff", "--base", "HEAD", "--format", "json"], cwd=root, capture_output=True,
                                text=True)
        elapsed = time.perf_counter() - start
        if result.returncode not in (0, 2):
            raise SystemExit(result.stderr)
        out = result.stdout
        best = elapsed if best is None else min(best, elapsed)
    import json

    apps = len(json.loads(out)["apps"])
    print(f"{label:<40} {best:6.2f} s  ({apps} apps reported changed)")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        apps = generate(root, count)
        git(root, "init", "-q")
        git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "add", "-A")
        git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "base")
        print(f"apps: {count}")
        # an existing app (the middle one), so a small COUNT edits rather than adds
        (apps / f"app{count // 2:04d}.jsonnet").write_text(APP % 999999)
        timed(root, "one app changed")
        git(root, "checkout", "-q", "--", ".")
        library = apps / "lib" / "base.libsonnet"
        library.write_text(library.read_text().replace("memory: 256", "memory: 384"))
        timed(root, "shared library changed (all apps)")


if __name__ == "__main__":
    main()
