"""`hako validate` on 1,000 generated apps sharing a library, against bare gojsonnet evaluation.

Target (issue 2): hako validate within 3x the bare evaluation time of the same files.
Usage: python bench/validate_many.py [COUNT]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIBRARY = """\
local hako = import 'hako.libsonnet';
{
  scheduler(cpu, memory):: hako.fargate('bench', ['subnet-1', 'subnet-2'], ['sg-1'], cpu=cpu, memory=memory,
                                         desired_count=2),
  app(name, tag):: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/' + name,
    tag: tag,
    memory: 256,
    env: { APP_NAME: name, RAILS_ENV: 'production' },
    secrets: [hako.secret('DATABASE_URL')],
    port_mappings: [{ container_port: 8080 }],
    log_configuration: hako.awslogs(),
  },
}
"""

APP = """\
local lib = import 'lib/base.libsonnet';
{
  scheduler: lib.scheduler(256, 512),
  app: lib.app(std.extVar('appId'), 'v%d'),
}
"""


def generate(root: Path, count: int) -> Path:
    (root / "hako.toml").write_text('region = "ap-northeast-1"\naccount_id = "123456789012"\n')
    apps = root / "apps"
    (apps / "lib").mkdir(parents=True)
    (apps / "lib" / "base.libsonnet").write_text(LIBRARY)
    for i in range(count):
        (apps / f"app{i:04d}.jsonnet").write_text(APP % i)
    return apps


def bare_evaluation(apps: Path) -> float:
    """Evaluate every file once with gojsonnet in one process (what any tool must pay)."""
    import _gojsonnet

    lib_dir = Path(__import__("hako_py").__file__).parent / "lib"
    config = json.dumps({"app_id": "x", "region": "ap-northeast-1", "account_id": "123456789012",
                         "partition": "aws", "parameter_prefix": "/hako/x/"})
    files = sorted(apps.glob("*.jsonnet"))
    start = time.perf_counter()
    for path in files:
        _gojsonnet.evaluate_file(str(path), jpathdir=[str(lib_dir)], ext_vars={"appId": path.stem},
                                 ext_codes={"hako": config})
    return time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    hako = shutil.which("hako", path=str(Path(sys.executable).parent)) or "hako"
    with tempfile.TemporaryDirectory() as tmp:
        apps = generate(Path(tmp), count)
        bare = min(bare_evaluation(apps) for _ in range(3))
        timings = {}
        for label, extra in (("auto (parallel)", []), ("-j 1 (serial)", ["-j", "1"])):
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                result = subprocess.run([hako, "validate", "-q", *extra, str(apps)], cwd=tmp,
                                        capture_output=True, text=True)
                runs.append(time.perf_counter() - start)
                if result.returncode != 0:
                    raise SystemExit(f"validate failed: {result.stdout[:500]}{result.stderr[:500]}")
            timings[label] = min(runs)
    print(f"apps: {count}")
    print(f"bare gojsonnet evaluation (1 process): {bare:6.2f} s")
    for label, seconds in timings.items():
        print(f"hako validate {label:<16}: {seconds:6.2f} s  ({seconds / bare:4.1f}x bare)")


if __name__ == "__main__":
    main()
