"""`hako drift` over 200 apps in the sandbox: every app in sync, then 20 edited in the repository.

With the default request budget (--rate 20, ECS's sustained rate for Describe* calls) the
requests decide the time; --rate 200 shows what hako itself costs.

Usage: python bench/drift.py [COUNT]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet_deploy import APP, HAKO, LIBRARY, control, seeded_env


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    from hako_py.sandbox.server import Sandbox

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as cache, \
            Sandbox("127.0.0.1", 0, rollout_seconds=0.2, task_seconds=0.1, tick=0.05) as box:
        root = Path(tmp)
        (root / "hako.toml").write_text('region = "us-east-1"\naccount_id = "123456789012"\n')
        (root / "apps/lib").mkdir(parents=True)
        (root / "apps/lib/shared.libsonnet").write_text(LIBRARY % "1")
        names = [f"app{i:03d}" for i in range(count)]
        for name in names:
            (root / f"apps/{name}.jsonnet").write_text(APP % ("shared", name))
        env = seeded_env(box.url, root / "apps" / f"{names[0]}.jsonnet", Path(cache))
        subprocess.run([HAKO, "deploy", "apps", "--no-verify", "--no-wait", "-j", "8", "--rate", "200"], cwd=root,
                       env=env, check=True, capture_output=True)
        print(f"apps: {count}")
        for label, edit, rate in (("every app in sync", 0, "20"),
                                  (f"{min(20, count)} apps edited in the repository", 20, "20"),
                                  ("the same, --rate 200 (sandbox: no AWS limit)", 20, "200")):
            for name in names[:edit]:
                (root / f"apps/{name}.jsonnet").write_text(APP % ("shared", name) + "+ { app+: { memory: 384 } }\n")
            control(box.url, "requests/reset", {})
            start = time.perf_counter()
            result = subprocess.run([HAKO, "drift", "--format", "json", "--exit-code", "--rate", rate], cwd=root,
                                    env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            assert result.returncode in (0, 2), result.stderr[-2000:]
            summary = json.loads(result.stdout)["summary"]
            requests = control(box.url, "requests")["total"]
            print(f"{label:<46} {elapsed:6.2f} s  drifted: {summary['drifted']}, in sync: {summary['in-sync']}, "
                  f"{requests} requests")


if __name__ == "__main__":
    main()
