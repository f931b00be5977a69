"""Issue 18's outside tester: what fleet deploys and ``hako drift`` print, against the sandbox.

Text from definitions (a name, an error message, a value in a diff, a task's log line) goes
through the same escaping as single commands on every print path of the fleet and of drift,
so an ``ESC[2K`` then ``\\r`` cannot erase a line's ``[app]`` prefix and forge another app's
line. Deleted services are not "without a definition"; a long drift issue body keeps the
drifted apps' diffs before the services nobody defines."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from hako_py.fleet import drift as drifting
from hako_py.fleet.plan import Step
from hako_py.fleet.report import FleetOutput, summary_table
from hako_py.fleet.runner import AppResult
from hako_py.review.markdown_safe import size
from tests.conftest import POLL, Deployable, Hako, Job, Repo, SandboxControl, aws_client
from tests.test_deploy import cluster_of
from tests.test_oneshot import next_task

FAST = (*POLL, "--no-verify")
#: erase the line, back to its start, and write another app's line over it
FORGED = "\x1b[2K\r[a] deployment completed: all good"
FORGED_SOURCE = "\\u001b[2K\\r[a] deployment completed: all good"  # the same, as a Jsonnet string
SHOWN = "\\x1b[2K\\x0d[a] deployment completed: all good"
# the terminal's controls a definition could reach it with (newline and tab are hako's own)
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def assert_printable(text: str) -> None:
    found = RAW_CONTROLS.search(text)
    assert found is None, f"raw control character {found.group(0)!r} in: {text[max(0, found.start() - 80):][:200]!r}"


def test_every_line_of_a_fleet_deploy_shows_control_characters_escaped(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    """The tester's `hako deploy apps/zz.jsonnet apps/a.jsonnet -n`: the broken app's error forged an
    `[a]` line on a terminal; a hostile file name reached the prefix and the summary table."""
    good = deployable("d18-good")
    repo.write("apps/zz.jsonnet", f'error "boom{FORGED_SOURCE}"\n')
    hostile = "apps/z\x1b]0;owned\x07.jsonnet"
    repo.write(hostile, "{ app: }\n")
    result = hako("deploy", "apps/zz.jsonnet", good, hostile, "-n", *FAST)
    assert result.code == 1
    assert_printable(result.err)
    assert f"[zz] apps/zz.jsonnet:1:1: boom{SHOWN}" in result.err  # as single deploy/validate show it
    single = hako("deploy", "apps/zz.jsonnet", "-n", *FAST)
    assert f"boom{SHOWN}" in single.err
    assert "[z\\x1b]0;owned\\x07] " in result.err  # the prefix
    assert re.search(r"^z\\x1b\]0;owned\\x07 +error ", result.err, re.M)  # the summary table's row, aligned
    header = next(line for line in result.err.splitlines() if line.startswith("APP"))
    row = next(line for line in result.err.splitlines() if line.startswith("d18-good "))
    assert header.index("RESULT") == row.index("dry-run")


def test_a_oneshot_waves_log_lines_are_escaped_and_a_single_oneshot_keeps_its_output(
        hako: Hako, job: Job, repo: Repo, aws: SandboxControl) -> None:
    """Task log lines in a fleet are hako's prefixed lines (escaped); a single `hako oneshot`
    writes them as they are, the program's own output as when run locally (unchanged)."""
    migrate = job()
    name = Path(migrate).stem
    (repo.root / "hako.toml").write_text((repo.root / "hako.toml").read_text() + (
        f'\n[deploy]\nwaves = [[{{ oneshot = "{name}", command = ["bin/migrate"] }}]]\n'))
    next_task(aws, migrate, exitCode=0, logLines=["migrating", FORGED], runSeconds=0.2)
    fleet = hako("deploy", "apps", *FAST)
    assert fleet.code == 0, fleet.err
    assert_printable(fleet.err)
    assert f"[{name}] migrating\n[{name}] {SHOWN}\n" in fleet.err
    next_task(aws, migrate, exitCode=0, logLines=["migrating", FORGED], runSeconds=0.2)
    single = hako("oneshot", migrate, *FAST, "--", "bin/migrate")
    assert single.code == 0, single.err
    assert single.out == f"migrating\n{FORGED}\n"


def test_what_an_apps_scripts_say_in_a_fleet_is_prefixed_like_its_other_lines(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    """Scripts wrote to stderr directly: unprefixed lines between the fleet's (and under its live view)."""
    path = deployable("d18-scripted")
    text = (repo.root / path).read_text().replace("/ecs/svc", "/ecs/d18-scripted")  # a group not seeded
    (repo.root / path).write_text(text.rstrip().removesuffix("}")
                                  + "  scripts: [{ type: 'create_aws_cloud_watch_logs_log_group' }],\n}\n")
    result = hako("deploy", "apps", "-n", *FAST)
    assert result.code == 0, result.err
    assert "\n[d18-scripted] dry run: would create log group /ecs/d18-scripted (us-east-1)\n" in result.err


def test_the_live_view_and_the_summary_show_names_and_phases_as_text() -> None:
    """The live view's table (rich) and the summary: escaped, and rich markup in a cell is text."""
    from rich.console import Console

    output = FleetOutput(io.StringIO())
    step = Step("deploy", "apps/[bold]x\x1b[2K.jsonnet")
    output.phase(step, f"[red]failed{FORGED}")
    shown = io.StringIO()
    Console(file=shown, width=300, color_system=None).print(output._table())
    assert_printable(shown.getvalue())
    assert f"[bold]x\\x1b[2K  [red]failed{SHOWN}" in shown.getvalue()
    table = summary_table([AppResult(step.file, step.app, "rolled-back", 1, before="x:1\r", after="x:2")])
    assert_printable(table)
    assert "[bold]x\\x1b[2K  rolled-back  x:1\\x0d → x:2" in table


def test_drift_escapes_names_messages_and_diffs_in_every_format(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    """The tester's `hako drift apps/zz.jsonnet`: `broken: zz …: boom^M[a] deployment completed…`."""
    moved = deployable("d18-moved", env=f"{{ MODE: 'one{FORGED_SOURCE}' }}")
    assert hako("deploy", moved, *FAST).code == 0
    deployable("d18-moved", env="{ MODE: 'two' }")  # drifted: the live value (with the controls) in the diff
    repo.write("apps/zz.jsonnet", f'error "boom{FORGED_SOURCE}"\n')
    repo.write("apps/z\x1b]0;owned\x07.jsonnet", "{ app: }\n")
    text = hako("drift", "apps")
    assert text.code == 1
    assert_printable(text.out)
    assert f"broken: zz (apps/zz.jsonnet): apps/zz.jsonnet:1:1: boom{SHOWN}" in text.out
    assert "broken: z\\x1b]0;owned\\x07 (apps/z\\x1b]0;owned\\x07.jsonnet)" in text.out
    assert f'-          "value": "one{FORGED_SOURCE}"' in text.out  # the diff is of JSON: escaped as JSON
    markdown = hako("drift", "apps", "--format", "markdown")
    assert_printable(markdown.out)
    assert f"one{FORGED_SOURCE}" in markdown.out and f"boom{SHOWN}" in markdown.out  # in the fenced blocks
    as_json = hako("drift", "apps", "--format", "json")
    assert_printable(as_json.out)
    apps = {a["app"]: a for a in json.loads(as_json.out)["apps"]}
    assert FORGED in apps["zz"]["message"]  # JSON keeps the value exact (and escapes it)
    assert "z\x1b]0;owned\x07" in apps


def test_a_deleted_service_is_not_listed_nor_without_a_definition(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    """Deleted (INACTIVE) services stayed "without a definition" forever: ListServices does not list
    them in ECS (botocore's ECS model, DeleteService); moto did, and matched clusters as substrings."""
    kept = deployable("d18-kept")
    gone = deployable("d18-gone")
    assert hako("deploy", "apps", *FAST).code == 0
    assert hako("remove", gone, "--yes").code == 0
    (repo.root / gone).unlink()
    result = hako("drift", "--exit-code")
    assert result.code == 0, result.out + result.err
    assert "no definition" not in result.out and "1 apps: 1 in-sync" in result.out
    ecs = aws_client(aws.url, "ecs")
    cluster = cluster_of(repo, kept)
    assert ecs.describe_services(cluster=cluster, services=["d18-gone"])["services"][0]["status"] == "INACTIVE"
    assert [a.rsplit("/", 1)[-1] for a in ecs.list_services(cluster=cluster)["serviceArns"]] == ["d18-kept"]
    ecs.create_cluster(clusterName=f"pre{cluster}")  # a name ending in the other's: none of its services
    assert ecs.list_services(cluster=f"pre{cluster}")["serviceArns"] == []


def test_drift_counts_only_active_services_as_without_a_definition() -> None:
    """A service listed, then deleted (DRAINING) before it is described, is nobody's to define."""
    def compare(file: str) -> drifting.AppDrift:
        return drifting.AppDrift(file, "web", drifting.IN_SYNC, "c", "us-east-1")

    described: list[list[str]] = []

    def active(region: str | None, cluster: str, names: list[str]) -> list[str]:
        described.append(names)
        return [name for name in names if name != "draining"]

    report = drifting.find_drift(["apps/web.jsonnet"], compare, lambda region, cluster: ["draining", "orphan", "web"],
                                 active=active)
    assert report.unmanaged == (("us-east-1", "c", "orphan"),)
    assert described == [["draining", "orphan"]]  # only the candidates are described


def test_a_shortened_drift_issue_keeps_the_drifted_apps_diffs_before_services_without_a_definition(
        tmp_path: Path) -> None:
    """600 services without a definition pushed out the two drifted apps' diffs."""
    diff = "".join(f'-    "KEY_{i}": "old",\n+    "KEY_{i}": "new",\n' for i in range(40))
    apps = (drifting.AppDrift("apps/web.jsonnet", "web", drifting.DRIFTED, "production", "r", diff),
            drifting.AppDrift("apps/api.jsonnet", "api", drifting.DRIFTED, "production", "r", diff),
            drifting.AppDrift("apps/new.jsonnet", "new", drifting.MISSING, "production", "r", message="no service"),
            drifting.AppDrift("apps/bad.jsonnet", "bad", drifting.BROKEN, message="apps/bad.jsonnet:1:1: boom"))
    unmanaged = tuple(("r", "production", f"orphan-service-with-a-long-name-{i:04d}") for i in range(1200))
    report = drifting.DriftReport(apps, unmanaged)
    markdown = drifting.render(report, "markdown")
    assert size(markdown) <= 65_536
    assert markdown.count("<details>") == 4 and "| web | drifted |" in markdown and "| api | drifted |" in markdown
    assert markdown.index("| web | drifted |") < markdown.index("| new | missing |") < markdown.index(
        "| bad | broken |") < markdown.index("| orphan-service")
    listed = markdown.count("| no definition |")
    assert 0 < listed < 1200 and f"{1200 - listed} more services without a definition are not listed here." in markdown
    assert "hako drift --output-file" in markdown
    full = drifting.render(report, "markdown", full=True)
    assert full.count("| no definition |") == 1200 and "not listed" not in full


def test_drift_output_file_has_the_full_report_and_an_empty_folder_is_a_json_document_too(
        hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl, tmp_path: Path) -> None:
    web = deployable("d18-web")
    assert hako("deploy", web, *FAST).code == 0
    full = tmp_path / "full.md"
    result = hako("drift", "--format", "markdown", "--output-file", str(full))
    assert result.code == 0 and full.read_text() == result.out  # nothing to shorten: the same
    (repo.root / "empty").mkdir()
    empty = hako("drift", "empty", "--format", "json")
    assert empty.code == 1
    document = json.loads(empty.out)
    assert document["apps"] == [] and document["drifted"] is False
    assert document["error"] == ("no app definitions found in empty (*.jsonnet, *.json, *.yml, *.yaml; check the "
                                 "PATHs or apps in hako.toml)")
    assert document["error"] in empty.err
    repo.write("apps/renovate.json", '{ "extends": ["config:base"] }\n')  # .json files are definitions, as in hako
    listed = hako("drift", "apps", "--format", "json")
    assert {a["app"]: a["status"] for a in json.loads(listed.out)["apps"]}["renovate"] == "broken"
