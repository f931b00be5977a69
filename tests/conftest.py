"""Shared fixtures: throwaway definition repositories and an in-process CLI runner."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hako_py.cli.main import main

PROJECT_ROOT = Path(__file__).resolve().parent.parent

HAKO_TOML = """\
region = "ap-northeast-1"
account_id = "123456789012"
"""

FARGATE_APP = """\
{
  scheduler: {
    type: 'ecs',
    region: 'ap-northeast-1',
    cluster: 'test',
    desired_count: 1,
    launch_type: 'FARGATE',
    requires_compatibilities: ['FARGATE'],
    network_mode: 'awsvpc',
    cpu: '256',
    memory: '512',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-1'], security_groups: ['sg-1'] } },
  },
  app: {
    image: 'example/app',
    tag: 'v1',
    memory: 256,
  },
}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


class Repo:
    """A temporary definition repository (with hako.toml) to write files into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "hako.toml").write_text(HAKO_TOML)
        (root / "apps").mkdir()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    yield Repo(root)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Share one model cache per test session, away from the user's home."""
    cache = tmp_path_factory.getbasetemp() / "hako-cache"
    monkeypatch.setenv("HAKO_CACHE_DIR", str(cache))


@pytest.fixture
def hako(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the real CLI in-process; returns exit code, stdout and stderr."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        saved = dict(os.environ)
        if env:
            os.environ.update(env)
        try:
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
