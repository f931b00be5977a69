"""Which apps a fleet deploy runs, in which wave and shard: issue 18's outside tester's defects.

Shards must never break wave order, must not depend on how PATH was spelt, a moved app is
not a removed one, a wave entry naming no app is an error, and per-app overrides are refused
for many apps. Against the sandbox and real git repositories in tmp dirs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hako_py.errors import HakoError, UsageError
from hako_py.fleet.plan import parse_shard, parse_wave, plan_fleet, shard_of
from hako_py.loading.repo import WaveOneshot, load_config
from tests.conftest import POLL, Deployable, Hako, Job, Repo, SandboxControl
from tests.test_review import git

FAST = (*POLL, "--no-verify")
MIGRATE: list[list[str | WaveOneshot]] = [[WaveOneshot("m", ("migrate",))], ["a", "b"]]


def apps_of(out: str) -> list[str]:
    return sorted(app["app"] for app in json.loads(out)["apps"])


def with_waves(repo: Repo, waves: str) -> None:
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + f"\n[deploy]\nwaves = {waves}\n")


def committed(repo: Repo) -> None:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "t@example.com")
    git(repo.root, "config", "user.name", "t")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "base")


# --- 1. shards never break wave order -------------------------------------------------------

def test_a_shard_of_apps_in_several_waves_is_refused_and_says_to_use_wave() -> None:
    files = ["apps/m.jsonnet", "apps/a.jsonnet", "apps/b.jsonnet", "apps/c.jsonnet"]
    with pytest.raises(UsageError, match=r"span 3 waves \(wave 1: m; wave 2: a, b; wave 3: c\).*--wave 1, then "
                                         r"--wave 2 --shard K/N"):
        plan_fleet(files, waves=MIGRATE, shard=(1, 4))
    first = plan_fleet(files, waves=MIGRATE, wave=1)
    assert [(s.app, s.operation) for s in first.steps] == [("m", "oneshot")] and first.numbers == (1,)
    assert first.other_waves == 3
    second = [plan_fleet(files, waves=MIGRATE, wave=2, shard=(k, 2)) for k in (1, 2)]
    assert sorted(s.app for p in second for s in p.steps) == ["a", "b"]
    assert {p.numbers for p in second if p.steps} == {(2,)}
    assert [s.app for s in plan_fleet(files, waves=MIGRATE, wave=3).steps] == ["c"]  # the apps in no wave
    assert plan_fleet(["apps/a.jsonnet", "apps/b.jsonnet"], waves=MIGRATE, shard=(1, 2)).waves  # one wave: fine
    assert parse_wave("3", MIGRATE) == 3
    for bad in ("0", "4", "x", "１", ""):
        with pytest.raises(UsageError, match="--wave"):
            parse_wave(bad, MIGRATE)


def test_the_cli_refuses_a_shard_across_waves_and_deploys_one_wave(
        hako: Hako, deployable: Deployable, job: Job, repo: Repo, aws: SandboxControl) -> None:
    migrate = Path(job()).stem
    with_waves(repo, f'[[{{ oneshot = "{migrate}", command = ["migrate"] }}], ["a", "b"]]')
    for name in ("a", "b"):
        deployable(name)
    refused = hako("deploy", "apps", "--shard", "1/2", "-n", *FAST)
    assert refused.code == 2 and "--wave 1, then --wave 2 --shard K/N" in refused.err, refused.err
    assert "Deploying" not in refused.err  # refused before anything
    first = hako("deploy", "apps", "--wave", "1", "-n", "-o", "json", *FAST)
    assert first.code == 0, first.err
    assert apps_of(first.out) == [migrate] and json.loads(first.out)["summary"]["otherWaves"] == 2
    assert f"wave 1: {migrate} (oneshot: migrate)" in first.err
    shards = [hako("deploy", "apps", "--wave", "2", "--shard", f"{k}/2", "-n", "-o", "json", *FAST) for k in (1, 2)]
    assert all(s.code == 0 for s in shards), [s.err for s in shards]
    assert sorted(app for s in shards for app in apps_of(s.out)) == ["a", "b"]
    assert hako("deploy", "apps", "--wave", "4", "-n", *FAST).code == 2


# --- 2. shard membership does not depend on how PATH is spelt --------------------------------

def test_shards_and_path_patterns_do_not_depend_on_the_spelling_of_paths(tmp_path: Path) -> None:
    names = [f"app{i}" for i in range(40)]
    spellings = ([f"apps/{n}.jsonnet" for n in names], [f"{tmp_path}/apps/{n}.jsonnet" for n in names],
                 [f"./apps/../apps/{n}.jsonnet" for n in names], [f"{n}.jsonnet" for n in names])
    splits = [[sorted(s.app for s in plan_fleet(files, shard=(k, 3)).steps) for k in (1, 2, 3)] for files in spellings]
    assert all(split == splits[0] for split in splits) and all(splits[0])
    assert shard_of("web", 4) == shard_of("web", 4)
    waves: list[list[str | WaveOneshot]] = [["apps/app1*"]]
    placed = [[s.app for s in plan_fleet(files, waves=waves, root=tmp_path).waves[0]]
              for files in (spellings[0], spellings[1])]
    assert placed[0] == placed[1] == sorted(["app1", *(f"app{i}" for i in range(10, 20))])


def test_several_spellings_of_the_apps_folder_give_one_split(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("m", "a", "b", "c", "d", "f"):
        deployable(name)

    def split(*paths: str) -> list[list[str]]:
        runs = [hako("deploy", *paths, "--shard", f"{k}/2", "-n", "-o", "json", *FAST) for k in (1, 2)]
        assert all(r.code == 0 for r in runs), [r.err for r in runs]
        return [apps_of(r.out) for r in runs]

    relative = split("apps")
    assert sorted(relative[0] + relative[1]) == ["a", "b", "c", "d", "f", "m"]
    assert split(str(repo.root / "apps")) == relative
    committed(repo)
    for name in ("m", "a", "b", "c", "d", "f"):
        deployable(name, env="{ MODE: 'two' }")
    assert split("--changed-since", "HEAD") == relative
    monkeypatch.chdir(repo.root / "apps")
    assert split(".") == relative
    assert split("--changed-since", "HEAD") == relative


# --- 3. a moved app is not a removed one ----------------------------------------------------

def test_a_moved_app_is_not_reported_as_removed(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    for name in ("a", "b"):
        deployable(name)
    deployable("gone")
    committed(repo)
    git(repo.root, "mv", "apps", "services")
    git(repo.root, "rm", "-qf", "services/gone.jsonnet")
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + 'apps = "services"\n')
    git(repo.root, "commit", "-qam", "move")
    result = hako("deploy", "--changed-since", "HEAD~1", "-n", "-o", "json", *FAST)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["removed"] == ["apps/gone.jsonnet"]
    assert document["moved"] == [{"from": "apps/a.jsonnet", "to": "services/a.jsonnet"},
                                 {"from": "apps/b.jsonnet", "to": "services/b.jsonnet"}]
    assert "moved/renamed since HEAD~1: apps/a.jsonnet → services/a.jsonnet" in result.err
    assert "hako remove apps/a.jsonnet" not in result.err and "hako remove apps/gone.jsonnet" in result.err
    assert apps_of(result.out) == ["a", "b"]


# --- 4. a wave entry naming no app is an error ----------------------------------------------

def test_a_wave_entry_matching_no_app_in_the_repository_is_a_located_error(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    for name in ("a", "b", "migrate"):
        deployable(name)
    with_waves(repo, '[[{ oneshot = "migrat", command = ["x"] }], ["a"]]')
    typo = hako("deploy", "apps/a.jsonnet", "apps/b.jsonnet", "-n", *FAST)
    assert typo.code == 1
    assert "hako.toml:5: deploy.waves: wave 1: { oneshot = 'migrat' } matches no app in the repository (did you " \
           "mean 'migrate'?)" in typo.err, typo.err
    assert "Deploying" not in typo.err
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text().replace("migrat\"", "migrate\""))
    outside = hako("deploy", "apps/a.jsonnet", "apps/b.jsonnet", "-n", "-o", "json", *FAST)  # not selected: fine
    assert outside.code == 0 and apps_of(outside.out) == ["a", "b"], outside.err


@pytest.mark.parametrize(("waves", "said"), [
    ('[[{ oneshot = "a", command = ["x"] }], ["a", "b"]]',
     "the oneshot entry { oneshot = 'a' } for app 'a' in wave 1 is followed by 'a' in wave 2"),
    ('[["*"], [{ oneshot = "migrate", command = ["x"] }]]',
     "the oneshot entry { oneshot = 'migrate' } for app 'migrate' in wave 2 comes after '*' in wave 1"),
])
def test_an_app_of_a_oneshot_entry_matching_another_entry_is_refused(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl, waves: str, said: str) -> None:
    """A fleet takes each app once, at its first entry: the service of ``a`` was never deployed
    (exit 0), or the migration after ``*`` never ran."""
    for name in ("a", "b", "migrate"):
        deployable(name)
    settings = (repo.root / "hako.toml").read_text()
    with_waves(repo, waves)
    result = hako("deploy", "apps", "-n", "-o", "json", *FAST)
    assert result.code == 1, result.out + result.err
    assert said in result.err, result.err
    assert "Deploying" not in result.err
    (repo.root / "hako.toml").write_text(settings)
    with_waves(repo, '[[{ oneshot = "migrate", command = ["x"] }], ["*"]]')  # migrations first, then the rest
    rest = hako("deploy", "apps", "-n", "-o", "json", *FAST)
    assert rest.code == 0, rest.err


@pytest.mark.parametrize("waves", ['[["["]]', '[["web-[12"]]', '[[{ oneshot = "m[", command = ["x"] }]]'])
def test_a_malformed_wave_pattern_is_refused(tmp_path: Path, waves: str) -> None:
    (tmp_path / "hako.toml").write_text(f'region = "us-east-1"\n[deploy]\nwaves = {waves}\n')
    with pytest.raises(HakoError, match=r"hako\.toml:3: deploy\.waves: .*unclosed '\['"):
        load_config(tmp_path)
    (tmp_path / "hako.toml").write_text('[deploy]\nwaves = [["web-[12]", "[[]x", "[!]]"]]\n')
    assert load_config(tmp_path).waves == (("web-[12]", "[[]x", "[!]]"),)


def test_an_invalid_waves_setting_is_reported_once(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    for name in ("a", "b", "c"):
        deployable(name)
    with_waves(repo, '"a"')
    result = hako("deploy", "apps", "-n", *FAST)
    assert result.code == 1 and result.err.count("deploy.waves: must be a list of lists") == 1, result.err


# --- 5. per-app overrides for many apps ----------------------------------------------------

def test_a_tag_for_many_apps_is_refused_and_for_one_is_used(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    deployable("a")
    alone = hako("deploy", "apps", "-t", "v9", "-n", *FAST)
    assert alone.code == 0 and ":v9" in alone.err, alone.err
    deployable("b")
    refused = hako("deploy", "apps", "-t", "evil", "-n", *FAST)
    assert refused.code == 2, refused.err
    assert "-t/--tag 'evil' sets one app's image tag, and 2 apps are selected: refused" in refused.err
    assert "Deploying" not in refused.err


# --- 8. exact numbers and messages ----------------------------------------------------------

def test_a_shard_takes_ascii_digits_only_and_the_help_says_what_exit_0_means(hako: Hako) -> None:
    for bad in ("１/2", "1/２", "²/3"):
        with pytest.raises(UsageError, match="ASCII digits"):
            parse_shard(bad)
    assert parse_shard("2/4") == (2, 4)
    text = " ".join(hako("deploy", "--help").out.split())
    assert "skipped as a batch app without schedules" in text and "dry-run" in text and "--wave K" in text
    assert "-t/--tag is refused for more than one app" in text


def test_a_dry_run_oneshot_wave_does_not_claim_no_request_was_sent(
        hako: Hako, job: Job, repo: Repo, aws: SandboxControl) -> None:
    migrate = Path(job()).stem
    with_waves(repo, f'[[{{ oneshot = "{migrate}", command = ["migrate"] }}]]')
    result = hako("deploy", "apps", "-n", *POLL)  # with the preflight, which reads
    assert result.code == 0, result.err
    assert "no AWS request sent" not in result.err
    assert "dry run: no task definition registered and no task started" in result.err
