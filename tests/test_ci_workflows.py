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

from tests.conftest import HAKO_BIN, POLL, PROJECT_ROOT, Deployable, Hako, Repo, SandboxControl

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


# --- the drift workflow's steps, run as the runner runs them -------------------------------------

#: `gh` as the drift workflow uses it, keeping labels and issues in a JSON file: `gh issue create
#: --label X` fails when the repository has no label X ("could not add label: 'X' not found",
#: exit 1), and `gh label create X --force` creates it or updates it (gh's manual: "Update the label
#: color and description if label already exists"), as GitHub's CLI does.
FAKE_GH = r'''#!/usr/bin/env python3
import json, os, sys
state_file = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_file))
args = sys.argv[1:]
def value(flag):
    return args[args.index(flag) + 1] if flag in args else None
state["calls"].append(args[:2])
if args[:2] == ["label", "create"]:
    if args[2] in state["labels"] and "--force" not in args:
        sys.exit(f"label with name \"{args[2]}\" already exists; use `--force` to update its color and description")
    state["labels"].append(args[2]) if args[2] not in state["labels"] else None
elif args[:2] == ["issue", "list"]:
    found = [i["number"] for i in state["issues"] if i["open"] and value("--label") in i["labels"]]
    print(found[0] if found else "")
elif args[:2] == ["issue", "create"]:
    if value("--label") not in state["labels"]:
        json.dump(state, open(state_file, "w"))
        sys.exit(f"could not add label: '{value('--label')}' not found")
    state["issues"].append({"number": len(state["issues"]) + 1, "open": True, "labels": [value("--label")],
                            "body": open(value("--body-file")).read()})
elif args[:2] == ["issue", "edit"]:
    state["issues"][int(args[2]) - 1]["body"] = open(value("--body-file")).read()
elif args[:2] == ["issue", "close"]:
    state["issues"][int(args[2]) - 1]["open"] = False
else:
    sys.exit(f"fake gh: unexpected {args}")
json.dump(state, open(state_file, "w"))
'''


def run_drift_workflow(tmp_path: Path, cwd: Path, env: dict[str, str]) -> tuple[bool, dict[str, Any]]:
    """The drift job's steps from `Find drift` on (the ones before set up the runner), each run
    as the runner runs a `run:` step (`bash -e {0}`, GITHUB_OUTPUT, implicit `success() &&` in
    `if:` unless it says `always()`); `uses:` steps are skipped. Whether the job succeeded, and
    gh's state (labels, issues)."""
    import os

    workflow = load(CI / "github-actions-drift.yml")
    job_steps = steps(workflow)
    start = next(i for i, s in enumerate(job_steps) if s.get("id") == "drift")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    if not (bin_dir / "hako").exists():
        (bin_dir / "hako").symlink_to(HAKO_BIN)
    state = tmp_path / "gh.json"
    if not state.exists():
        state.write_text(json.dumps({"labels": [], "issues": [], "calls": []}))
    outputs: dict[str, str] = {}
    failed = False
    for step in job_steps[start:]:
        condition = str(step.get("if", "success()"))
        always = "always()" in condition
        expression = re.sub(r"steps\.drift\.outputs\.(\w+)", lambda m: repr(outputs.get(m.group(1), "")), condition)
        expression = expression.replace("||", " or ").replace("&&", " and ").replace("always()", "True")
        expression = expression.replace("success()", "True")
        if (failed and not always) or not eval(expression):  # the workflow's own expressions
            continue
        if "run" not in step:
            continue
        output_file = tmp_path / "github-output"
        output_file.write_text("")
        step_env = {key: str(value).replace("${{ runner.temp }}", str(tmp_path / "runner-temp"))
                    .replace("${{ github.token }}", "token") for key, value in step.get("env", {}).items()}
        done = subprocess.run(["bash", "-e", "-c", str(step["run"])], cwd=cwd, capture_output=True, text=True,
                              env={**os.environ, **env, **step_env, "GITHUB_OUTPUT": str(output_file),
                                   "FAKE_GH_STATE": str(state), "PATH": f"{bin_dir}:{os.environ['PATH']}"})
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        failed = failed or done.returncode != 0
    return not failed, json.loads(state.read_text())


def test_the_drift_workflow_creates_its_label_and_reports_broken_apps_while_failing_the_job(
        tmp_path: Path, hako: Hako, deployable: Deployable, repo: Repo, aws: SandboxControl) -> None:
    """Issue 18's tester: the first run failed at `gh issue create --label hako-drift` (no such label),
    and a broken app (exit 1) never reached the issue."""
    web = deployable("d18-workflow")
    assert hako("deploy", web, "--no-verify", *POLL).code == 0
    repo.write("apps/broken.jsonnet", "{ app: }\n")
    env = {"AWS_ENDPOINT_URL": aws.url}
    succeeded, gh = run_drift_workflow(tmp_path, repo.root, env)
    assert not succeeded  # the job fails visibly...
    assert gh["labels"] == ["hako-drift"]  # ...after creating the label
    [issue] = gh["issues"]  # ...and opening the issue, which lists the broken app
    assert issue["open"] and "| broken | broken |" in issue["body"]
    assert (repo.root / "hako-drift/full-report.md").read_text() == issue["body"]
    succeeded, gh = run_drift_workflow(tmp_path, repo.root, env)  # the label exists: made again idempotently
    assert not succeeded and len(gh["issues"]) == 1 and gh["labels"] == ["hako-drift"]
    (repo.root / "apps/broken.jsonnet").unlink()
    succeeded, gh = run_drift_workflow(tmp_path, repo.root, env)
    assert succeeded and not gh["issues"][0]["open"]
