"""The shipped GitHub Actions workflows keep pull-request code away from any write token:
the review runs read-only and uploads its report; a workflow_run workflow posts it
without checking out or running anything from the pull request, trusting nothing in
the artifact but a validated PR number that must match the reviewed run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

CI = PROJECT_ROOT / "examples" / "ci"
REVIEW = CI / "github-actions.yml"
COMMENT = CI / "github-actions-comment.yml"


def load(path: Path) -> dict[str, Any]:
    raw: dict[Any, Any] = yaml.safe_load(path.read_text())
    raw["on"] = raw.pop(True, raw.get("on"))  # YAML 1.1 reads the key `on` as true
    data: dict[str, Any] = raw
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_no_workflow_uses_pull_request_target() -> None:
    for path in (REVIEW, COMMENT):
        code = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
        assert "pull_request_target" not in code, path
        assert "pull_request_target" not in load(path)["on"]


def test_the_review_job_is_read_only_and_has_no_secrets() -> None:
    workflow = load(REVIEW)
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert set(job.get("permissions", {}).values()) <= {"read", "none"}, job
    text = REVIEW.read_text()
    assert "secrets." not in text and "github.token" not in text and "GITHUB_TOKEN" not in text
    checkout = next(s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    assert not any(str(s.get("uses", "")).startswith("actions/github-script") for s in steps(workflow))
    for step in steps(workflow):  # expressions go through env, never spliced into a script
        assert "${{" not in str(step.get("run", "")), step


def test_the_review_uploads_comment_full_report_and_pr_number() -> None:
    workflow = load(REVIEW)
    runs = "\n".join(str(s.get("run", "")) for s in steps(workflow))
    assert "hako validate --strict --changed-since" in runs
    assert re.search(r"hako diff --base .*--format markdown", runs)
    assert "--output-file hako-review/full-report.md" in runs and "> hako-review/comment.md" in runs
    assert "hako-review/pr-number" in runs
    upload = next(s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["name"] == "hako-review" and upload["if"] == "always()"


def test_hako_is_installed_from_a_pinned_git_url() -> None:
    runs = [str(s.get("run", "")) for s in steps(load(REVIEW))]
    installs = [r for r in runs if "pip install" in r]
    assert installs and all(re.search(r"pip install 'hako-py @ git\+https://[^@' ]+@[^' ]+'", r) for r in installs)
    assert not any(re.search(r"pip install hako-py\b(?! @)", r) for r in runs)


def test_the_posting_workflow_never_checks_out_or_runs_pull_request_code() -> None:
    workflow = load(COMMENT)
    assert workflow["on"] == {"workflow_run": {"workflows": [load(REVIEW)["name"]], "types": ["completed"]}}
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    for step in steps(workflow):
        assert "run" not in step, step
        assert not str(step.get("uses", "")).startswith("actions/checkout"), step
    download = next(s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/download-artifact"))
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"


def posting_script() -> str:
    script = next(s for s in steps(load(COMMENT)) if str(s.get("uses", "")).startswith("actions/github-script"))
    return str(script["with"]["script"])


HARNESS = """
const fs = require('fs');
const [dir, prs, existing, files] = [process.argv[2], JSON.parse(process.argv[3]), JSON.parse(process.argv[4]),
                                     JSON.parse(process.argv[5] || '[]')];
process.chdir(dir);
const calls = [];
const github = {
  rest: {
    pulls: {
      get: async ({ pull_number }) => ({ data: { head: { sha: prs[pull_number] || 'other' } } }),
      listFiles: 'listFiles',
    },
    issues: {
      listComments: 'listComments',
      updateComment: async (a) => calls.push(['update', a.comment_id, a.body]),
      createComment: async (a) => calls.push(['create', a.issue_number, a.body]),
    },
  },
  paginate: async (what) => (what === 'listFiles' ? files.map((filename) => ({ filename })) : existing),
};
const core = { setFailed: (m) => calls.push(['failed', m]) };
const context = { repo: { owner: 'o', repo: 'r' }, payload: { workflow_run: { id: 9, head_sha: 'abc123' } } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync('script.js', 'utf8'))(
  require, github, context, core).then(() => console.log(JSON.stringify(calls)));
"""


def post(tmp_path: Path, pr_number: str, body: str, prs: dict[str, str],
         existing: list[dict[str, Any]] | None = None, files: list[str] | None = None) -> list[list[Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the posting workflow's script runs under it; `make test` installs it "
                    "(scripts/ensure_docker.sh: Debian's nodejs), or install Node.js")
    (tmp_path / "hako-review").mkdir(exist_ok=True)
    (tmp_path / "hako-review" / "pr-number").write_text(pr_number)
    (tmp_path / "hako-review" / "comment.md").write_text(body)
    return run_posting_script(tmp_path, prs, existing or [], files or [])


def run_posting_script(tmp_path: Path, prs: dict[str, str], existing: list[dict[str, Any]],
                       files: list[str] | None = None) -> list[list[Any]]:
    """The posting workflow's script, under node, with stand-ins for GitHub's API objects."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the posting workflow's script runs under it; `make test` installs it "
                    "(scripts/ensure_docker.sh: Debian's nodejs), or install Node.js")
    (tmp_path / "script.js").write_text(posting_script())
    (tmp_path / "harness.js").write_text(HARNESS)
    done = subprocess.run([node, str(tmp_path / "harness.js"), str(tmp_path), json.dumps(prs), json.dumps(existing),
                           json.dumps(files or [])], capture_output=True, text=True, check=True)
    calls: list[list[Any]] = json.loads(done.stdout)
    return calls


BODY = "<!-- hako-diff -->\n### hako diff\n<img src=x>\n"


@pytest.mark.parametrize("number", ["12; rm -rf /", "12 13", "0", "-1", "1e3", "0x1f", "12abc", "",
                                    "99999999999", "１２"])
def test_the_posting_script_refuses_a_pr_number_that_is_not_one(tmp_path: Path, number: str) -> None:
    calls = post(tmp_path, number, BODY, {"12": "abc123"})
    assert [c[0] for c in calls] == ["failed"], calls


def test_the_posting_script_refuses_a_pr_the_run_did_not_review(tmp_path: Path) -> None:
    calls = post(tmp_path, "7", BODY, {"12": "abc123", "7": "def456"})
    assert [c[0] for c in calls] == ["failed"] and "not the pull request" in calls[0][1]


def test_the_posting_script_posts_the_body_as_it_is(tmp_path: Path) -> None:
    assert post(tmp_path, "12\n", BODY, {"12": "abc123"}) == [["create", 12, BODY]]
    mine = [{"id": 5, "user": {"login": "github-actions[bot]"}, "body": "<!-- hako-diff -->\nold"},
            {"id": 6, "user": {"login": "mallory"}, "body": "<!-- hako-diff -->\nfake"}]
    assert post(tmp_path, "12", BODY, {"12": "abc123"}, mine) == [["update", 5, BODY]]
    too_long = post(tmp_path, "12", "x" * 65537, {"12": "abc123"})
    assert [c[0] for c in too_long] == ["failed"]


@pytest.mark.parametrize("changed", [".github/workflows/hako-review.yml", "hako.toml", "apps/hako.toml"])
def test_the_posting_script_warns_when_the_pr_controls_the_review(tmp_path: Path, changed: str) -> None:
    # a pull request that edits the review workflow (or hako's settings) can forge the report
    calls = post(tmp_path, "12", BODY, {"12": "abc123"}, files=["apps/web.jsonnet", changed])
    assert calls[0][0] == "create"
    body = calls[0][2]
    assert body.startswith("<!-- hako-diff -->\n> **Warning:** this pull request changes <code>" + changed + "</code>")
    assert body.endswith(BODY[len("<!-- hako-diff -->"):])


def test_the_posting_script_escapes_the_file_names_it_warns_about(tmp_path: Path) -> None:
    # a file named `.github/x\n\n<!--` ended the warning's quote and hid the rest of it
    name = ".github/x\n\n<!--`@team #1 http://evil.example www.evil.example"
    calls = post(tmp_path, "12", BODY, {"12": "abc123"}, files=[name])
    body = calls[0][2]
    warning = body.split("\n")[1]
    assert warning.startswith("> **Warning:** this pull request changes <code>.github/x&#10;&#10;&#60;&#33;--&#96;")
    assert "the review below was produced by a workflow run it controls" in warning  # the rest is on the line
    assert "<!--" not in body.replace("<!-- hako-diff -->", "") and "`" not in warning
    assert "&#64;&#8203;team" in warning and "&#35;&#8203;1" in warning and "http&#58;&#8203;//" in warning
    assert "www&#8203;.evil" in warning


def test_the_posting_script_reads_plain_files_only(tmp_path: Path) -> None:
    secret = tmp_path / "runner-secret"
    secret.write_text("<!-- hako-diff -->\nGITHUB_TOKEN=ghs_secret\n")
    post(tmp_path, "12", BODY, {"12": "abc123"})  # lays out the artifact
    comment = tmp_path / "hako-review" / "comment.md"
    comment.unlink()
    comment.symlink_to(secret)
    calls = run_posting_script(tmp_path, {"12": "abc123"}, [])
    assert [c[0] for c in calls] == ["failed"] and "not a plain file" in calls[0][1]
    comment.unlink()
    calls = run_posting_script(tmp_path, {"12": "abc123"}, [])  # no comment file at all
    assert [c[0] for c in calls] == ["failed"]


def test_the_fleet_deploy_workflow_runs_waves_in_order_and_deploys_since_the_last_successful_deploy() -> None:
    """Issue 18's tester: shards of one matrix spanned waves (a service deployed while the migration
    failed), and --changed-since github.event.before lost the changes of a cancelled pending run and
    never retried a failed app. Wave 1 is one job, wave 2's shards need it; BASE is a marker tag
    moved only after every job succeeded, and only if nobody moved it meanwhile."""
    workflow = load(CI / "github-actions-deploy.yml")
    assert "push" in workflow["on"]
    jobs = workflow["jobs"]
    runs = {name: "\n".join(str(s.get("run", "")) for s in job.get("steps", [])) for name, job in jobs.items()}
    assert "github.event.before" not in (CI / "github-actions-deploy.yml").read_text().split("name: hako deploy")[1]
    assert 'refs/tags/hako-deployed:refs/tags/hako-deployed' in runs["base"]
    assert '--changed-since "$BASE" --wave 1 ' in runs["migrate"] and "--shard" not in runs["migrate"]
    services = jobs["services"]
    shards = services["strategy"]["matrix"]["shard"]
    assert services["strategy"]["fail-fast"] is False and "migrate" in services["needs"]
    assert f'--changed-since "$BASE" --wave 2 --shard "$SHARD/{len(shards)}"' in runs["services"]
    assert set(jobs["mark"]["needs"]) == {"base", "migrate", "services"}
    assert '--force-with-lease="refs/tags/hako-deployed:$BASE"' in runs["mark"]
    assert workflow["permissions"]["contents"] == "read" and jobs["mark"]["permissions"]["contents"] == "write"
    assert all("permissions" not in job for name, job in jobs.items() if name != "mark")
    for step in steps(workflow):
        assert "${{" not in str(step.get("run", "")), step


def test_the_drift_workflow_runs_nightly_and_keeps_one_issue() -> None:
    workflow = load(CI / "github-actions-drift.yml")
    assert "schedule" in workflow["on"]
    runs = "\n".join(str(s.get("run", "")) for s in steps(workflow))
    assert "hako drift --format markdown --exit-code" in runs
    assert "gh issue edit" in runs and "gh issue create" in runs
    for step in steps(workflow):
        assert "${{" not in str(step.get("run", "")), step
