"""Bad input never gives a traceback: generated definitions, random mutations of the example
definitions and arbitrary bytes all end in a valid render or a located error; a render
compared with itself after normalization is always empty, and compared with a copy that
differs in a setting it owns never is. A corpus of hostile definitions stays refused."""

from __future__ import annotations

import copy
import json
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hako_py.compare.service import service_view
from hako_py.compare.task_definition import task_definition_view
from hako_py.deploy.plan import LiveState, service_diff, task_definition_diff
from hako_py.errors import HakoError
from hako_py.loading import LoadOptions, load_definition
from hako_py.pipeline import check_file
from tests.conftest import PROJECT_ROOT, Hako, HakoProcess, Repo

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
KEYS = ["type", "region", "cluster", "desired_count", "cpu", "memory", "network_mode", "launch_type",
        "requires_compatibilities", "network_configuration", "elb_v2", "autoscaling", "load_balancers",
        "service_discovery", "image", "tag", "env", "secrets", "port_mappings", "command", "essential",
        "health_check", "log_configuration", "depends_on", "mount_points", "volumes", "sidecars", "scripts"]


def outcome(path: str) -> Any:
    """The checked app, or the error; anything else (a traceback) fails the test."""
    try:
        return check_file(path, LoadOptions(expand=False))
    except HakoError as exc:
        message = str(exc)
        assert message.startswith(path) or path in message, f"not located: {message!r}"
        return exc


def assert_self_diff_empty(checked: Any) -> None:
    rendered = checked.rendered
    td = rendered.task_definition
    assert task_definition_view(task_definition_view(td)) == task_definition_view(td)
    live = LiveState(service=rendered.service, task_definition=td)
    assert task_definition_diff(td, live, "f") == ""
    if rendered.service is not None:
        assert service_view(service_view(rendered.service)) == service_view(rendered.service)
        assert service_diff(rendered.service, live, "f") == ""


# Real changes to a rendered request: each edits a setting the definition owns in a way no
# normalization can undo, and returns text the diff must then show. A comparison that sees
# nothing passes the self-diff above; it fails these.
def _new_image(td: dict[str, Any], rng: random.Random) -> str:
    container = rng.choice(td["containerDefinitions"])
    container["image"] = f"{container.get('image', '')}-changed-image"
    return "changed-image"


def _new_variable(td: dict[str, Any], rng: random.Random) -> str:
    container = rng.choice(td["containerDefinitions"])
    container["environment"] = [*(container.get("environment") or []),
                                {"name": "HAKO_PROPERTY_CHANGE", "value": "changed-variable"}]
    return "changed-variable"


def _new_command(td: dict[str, Any], rng: random.Random) -> str:
    container = rng.choice(td["containerDefinitions"])
    container["command"] = [*(container.get("command") or []), "changed-command"]
    return "changed-command"


def _execute_command_flipped(service: dict[str, Any], rng: random.Random) -> str:
    service["enableExecuteCommand"] = not service.get("enableExecuteCommand", False)
    return '"enableExecuteCommand"'


def _other_tag_propagation(service: dict[str, Any], rng: random.Random) -> str:
    choices = [value for value in ("NONE", "SERVICE", "TASK_DEFINITION") if value != service.get("propagateTags", "NONE")]
    service["propagateTags"] = rng.choice(choices)
    return f'"propagateTags": "{service["propagateTags"]}"'


def _more_tasks(service: dict[str, Any], rng: random.Random) -> str:
    if service.get("schedulingStrategy") == "DAEMON":  # ECS places one task per instance: no count to change
        return _execute_command_flipped(service, rng)
    service["desiredCount"] = int(service.get("desiredCount") or 0) + rng.randint(1, 5)
    return f'"desiredCount": {service["desiredCount"]}'


TASK_DEFINITION_CHANGES = [_new_image, _new_variable, _new_command]
SERVICE_CHANGES = [_execute_command_flipped, _other_tag_propagation, _more_tasks]


def assert_real_changes_diff(checked: Any, rng: random.Random) -> None:
    """The render compared with a changed copy of itself (the definition edited since the
    live revision): each real change gives a diff showing the new value."""
    rendered = checked.rendered
    live = LiveState(service=rendered.service, task_definition=rendered.task_definition)
    for change in TASK_DEFINITION_CHANGES:
        changed = copy.deepcopy(rendered.task_definition)
        shown = change(changed, rng)
        diff = task_definition_diff(changed, live, "f")
        assert shown in diff, (change.__name__, diff)
    if rendered.service is not None:
        for service_change in SERVICE_CHANGES:
            changed = copy.deepcopy(rendered.service)
            shown = service_change(changed, rng)
            diff = service_diff(changed, live, "f")
            assert shown in diff, (service_change.__name__, diff)


@SETTINGS
@given(scheduler=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5),
       app=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5), extra=st.dictionaries(st.sampled_from(KEYS),
                                                                                            JSON, max_size=2),
       change_seed=st.integers(0, 2**16))
def test_generated_definitions_render_or_give_located_errors(repo: Repo, scheduler: dict[str, Any],
                                                             app: dict[str, Any], extra: dict[str, Any],
                                                             change_seed: int) -> None:
    definition = {"scheduler": {"type": "ecs", **scheduler}, "app": {"image": "busybox", **app}, **extra}
    repo.write("apps/gen.json", json.dumps(definition))
    result = outcome("apps/gen.json")
    if not isinstance(result, HakoError):
        assert_self_diff_empty(result)
        assert_real_changes_diff(result, random.Random(change_seed))


# Definitions valid by construction (few generated above are: nearly all end in an error),
# so the diff properties run on every example drawn.
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,11}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)
CONTAINER = st.fixed_dictionaries({"memory": st.integers(6, 256)}, optional={
    "env": st.dictionaries(NAME, TEXT, max_size=4),
    "command": st.lists(TEXT, max_size=3),
    "port_mappings": st.lists(st.integers(1, 65535), max_size=2, unique=True).map(
        lambda ports: [{"container_port": port} for port in ports]),
})


def _ports_mapped_once(definition: dict[str, Any]) -> dict[str, Any]:
    """Under awsvpc a port belongs to one container: later mappings of a taken port go."""
    taken: set[int] = set()
    for container in [definition["app"], *definition["sidecars"].values()]:
        if "port_mappings" in container:
            container["port_mappings"] = [m for m in container["port_mappings"] if m["container_port"] not in taken]
            taken |= {m["container_port"] for m in container["port_mappings"]}
    return definition


VALID = st.fixed_dictionaries({
    "scheduler": st.fixed_dictionaries({
        "type": st.just("ecs"), "region": st.just("us-east-1"), "cluster": NAME, "launch_type": st.just("FARGATE"),
        "requires_compatibilities": st.just(["FARGATE"]), "network_mode": st.just("awsvpc"),
        "cpu": st.just("256"), "memory": st.just("512"),
        "network_configuration": st.just({"awsvpc_configuration": {"subnets": ["subnet-1"],
                                                                   "security_groups": ["sg-1"]}}),
    }, optional={"desired_count": st.integers(0, 20)}),
    "app": st.builds(lambda container, image, tag: {**container, "image": image, "tag": tag}, CONTAINER,
                     st.sampled_from(["busybox", "example/app", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app"]),
                     NAME),
    "sidecars": st.dictionaries(NAME.filter(lambda name: name != "app"), st.builds(
        lambda container, image, essential: {**container, "image_tag": image, "essential": essential}, CONTAINER,
        st.sampled_from(["busybox:1", "nginx:latest"]), st.booleans()), max_size=2),
}).map(_ports_mapped_once)


def _reversed_keys(value: Any) -> Any:
    """The same definition with every mapping's keys in reverse order (lists keep theirs)."""
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


@SETTINGS
@given(definition=VALID, change_seed=st.integers(0, 2**16))
def test_valid_definitions_diff_empty_against_themselves_and_show_every_real_change(
        repo: Repo, definition: dict[str, Any], change_seed: int) -> None:
    repo.write("apps/valid.json", json.dumps(definition))
    checked = check_file("apps/valid.json", LoadOptions(expand=False))
    assert_self_diff_empty(checked)
    assert_real_changes_diff(checked, random.Random(change_seed))
    # the definition written again in another key order is unchanged: its render diffs empty
    repo.write("apps/valid.json", json.dumps(_reversed_keys(definition)))
    again = check_file("apps/valid.json", LoadOptions(expand=False)).rendered
    live = LiveState(service=checked.rendered.service, task_definition=checked.rendered.task_definition)
    assert task_definition_diff(again.task_definition, live, "f") == ""
    assert service_diff(again.service, live, "f") == ""


EXAMPLES = sorted(p.name for p in (PROJECT_ROOT / "apps").iterdir() if p.suffix in (".jsonnet", ".yml"))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def mutate(data: Any, rng: random.Random, replacement: Any) -> Any:
    replacement = copy.deepcopy(replacement)
    paths = _paths(data)
    if not paths:  # earlier mutations deleted everything
        return data
    path = rng.choice(paths)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    action = rng.choice(["delete", "replace", "insert"])
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = replacement
    elif isinstance(parent, dict):
        parent[f"unknown_{rng.randint(0, 9)}"] = replacement
    else:
        parent.insert(int(last), replacement)
    return data


@SETTINGS
@given(example=st.sampled_from(EXAMPLES), seed=st.integers(0, 2**32), replacement=JSON,
       count=st.integers(1, 3))
def test_mutated_examples_render_or_give_located_errors(repo: Repo, example: str, seed: int, replacement: Any,
                                                        count: int) -> None:
    original = load_definition(str(PROJECT_ROOT / "apps" / example), LoadOptions(root=PROJECT_ROOT)).data
    rng = random.Random(seed)
    data = json.loads(json.dumps(original))
    for _ in range(count):
        data = mutate(data, rng, replacement)
    repo.write("apps/mutant.json", json.dumps(data))
    result = outcome("apps/mutant.json")
    if not isinstance(result, HakoError):
        assert_self_diff_empty(result)
        assert_real_changes_diff(result, rng)


@SETTINGS
@given(payload=st.binary(max_size=300), suffix=st.sampled_from([".jsonnet", ".json", ".yml", ".yaml"]))
def test_arbitrary_bytes_give_located_errors(repo: Repo, payload: bytes, suffix: str) -> None:
    path = repo.root / "apps" / f"bytes{suffix}"
    path.write_bytes(payload)
    outcome(f"apps/bytes{suffix}")


def test_every_example_diffs_empty_against_itself_and_shows_every_real_change() -> None:
    for example in EXAMPLES:
        checked = check_file(str(PROJECT_ROOT / "apps" / example), LoadOptions(root=PROJECT_ROOT))
        assert_self_diff_empty(checked)
        assert_real_changes_diff(checked, random.Random(example))


# --- hostile definitions ----------------------------------------------------------------

# from apps/evil.jsonnet, '../' is the repository root and '../../' is outside it
ESCAPES = [
    "import '../../secret.libsonnet'",
    "import './../../secret.libsonnet'",
    "import 'lib/../../../secret.libsonnet'",
    "import 'lib/./../.././../secret.libsonnet'",
    "import '..//..//secret.libsonnet'",
    "import '../apps/../../secret.libsonnet'",
    "importstr '../../secret.libsonnet'",
    "importbin '../../secret.libsonnet'",
    "import '/etc/hostname'",
    "importstr '/etc/passwd'",
    "import '//etc/passwd'",
    "import '%s'" % ("../" * 12 + "etc/passwd"),
    "std.native('provide.file')(std.toString({ path: '../../secret.env' }), 'K')",
    "std.native('provide.file')(std.toString({ path: '/etc/hostname' }), 'K')",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_import_escapes_in_every_spelling_are_refused(repo: Repo, expression: str) -> None:
    (repo.root.parent / "secret.libsonnet").write_text("{ stolen: 'SECRET-OUTSIDE' }")
    (repo.root.parent / "secret.env").write_text("K=SECRET-OUTSIDE\n")
    (repo.root / "apps" / "lib").mkdir(exist_ok=True)
    repo.write("apps/evil.jsonnet", f"{{ x: {expression} }}")
    with pytest.raises(HakoError) as info:
        load_definition("apps/evil.jsonnet", LoadOptions(expand=True))
    message = str(info.value)
    assert message.startswith("apps/evil.jsonnet")
    assert "SECRET-OUTSIDE" not in message
    assert any(word in message for word in ("escapes the repository root", "absolute path", "outside"))


def test_symlinks_out_of_the_root_are_refused_for_imports_yaml_and_providers(repo: Repo) -> None:
    outside = repo.root.parent / "outside"
    outside.mkdir()
    (outside / "x.libsonnet").write_text("{ stolen: 'SECRET-OUTSIDE' }")
    (outside / "x.env").write_text("K=SECRET-OUTSIDE\n")
    os.symlink(outside, repo.root / "apps" / "link")
    cases = {
        "apps/a.jsonnet": "{ x: import 'link/x.libsonnet' }",
        "apps/b.jsonnet": "{ x: std.native('provide.file')(std.toString({ path: 'link/x.env' }), 'K') }",
        "apps/c.yml": "x: !include link/x.libsonnet\n",
    }
    for path, text in cases.items():
        repo.write(path, text)
        with pytest.raises(HakoError) as info:
            load_definition(path, LoadOptions(expand=True))
        assert "SECRET-OUTSIDE" not in str(info.value)
        assert "outside the repository root" in str(info.value) or "escapes" in str(info.value), str(info.value)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("recursion.jsonnet", "local f(x) = f(x + 1); { x: f(0) }", "max stack frames exceeded"),
    ("object-loop.jsonnet", "local o = { a: o.a + 1 }; o", "max stack frames exceeded"),
    ("deep.json", "[" * 5000 + "]" * 5000, "apps/deep.json:1:1001: brackets, braces and parentheses nested deeper "
                                           "than 1000 levels"),
    ("deep.yml", "a: " + "[" * 5000 + "]" * 5000 + "\n", ""),
    ("huge-output.jsonnet", "{ x: std.join('', std.makeArray(300000, function(i) '%s')) }" % ("x" * 70),
     "apps/huge-output.jsonnet: evaluates to more than 16 MiB of JSON (hako's limit)"),
    ("aliases.yml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n", ""),
])
def test_pathological_definitions_end_in_a_located_error(repo: Repo, name: str, text: str, expected: str) -> None:
    repo.write(f"apps/{name}", text)
    with pytest.raises(HakoError) as info:
        check_file(f"apps/{name}")
    assert str(info.value).startswith(f"apps/{name}")
    assert expected in str(info.value)


def test_huge_and_non_utf8_files_are_refused(repo: Repo) -> None:
    huge = repo.root / "apps" / "huge.jsonnet"
    with huge.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    with pytest.raises(HakoError, match="limited to"):
        load_definition("apps/huge.jsonnet")
    (repo.root / "apps" / "latin1.jsonnet").write_bytes(b"{ name: '\xe9t\xe9' }")
    with pytest.raises(HakoError, match=r"apps/latin1.jsonnet: not UTF-8 text \(byte 9\)"):
        load_definition("apps/latin1.jsonnet")
    repo.write("apps/imports-huge.jsonnet", "{ x: importstr 'huge.jsonnet' }")
    with pytest.raises(HakoError, match="limited to"):
        load_definition("apps/imports-huge.jsonnet")


def test_special_files_are_refused_by_name_and_never_read(repo: Repo, hako: Hako) -> None:
    # Reads are bounded by what is read, not by stat(): st_size is 0 for FIFOs, devices and
    # /proc files. Opening a FIFO without a writer would block, reading /dev/zero never ends.
    os.mkfifo(repo.root / "apps" / "pipe.libsonnet")
    cases = {
        "apps/a.jsonnet": ("{ x: importstr 'pipe.libsonnet' }", "apps/pipe.libsonnet is a FIFO, not a regular file"),
        "apps/b.yml": ("x: !include pipe.libsonnet\n", "apps/pipe.libsonnet is a FIFO, not a regular file"),
        "apps/c.jsonnet": ("{ x: std.native('provide.file')(std.toString({ path: 'pipe.libsonnet' }), 'K') }",
                           "apps/pipe.libsonnet is a FIFO, not a regular file"),
        "apps/d.jsonnet": ("{ x: importstr 'zero' }", "/dev/zero is a character device, not a regular file"),
    }
    for path, (text, expected) in cases.items():
        repo.write(path, text)
        result = hako("show-definition", "--expand", "-J", "/dev", path)
        assert result.code == 1, (path, result)
        assert result.err.startswith(path) and expected in result.err, (path, result.err)
    os.mkfifo(repo.root / "apps" / "fifo.jsonnet")
    result = hako("validate", "apps/fifo.jsonnet")
    assert result.out == "apps/fifo.jsonnet: not a regular file (a FIFO)\n"
    # /proc files are regular files that stat() says are empty: read, within the size cap
    repo.write("apps/e.jsonnet", "{ x: std.length(importstr 'self/status') > 0 }")
    assert hako("show-definition", "-J", "/proc", "apps/e.jsonnet").out.split() == ["{", '"x":', "true", "}"]


def test_deep_nesting_is_refused_before_go_jsonnet_parses_it(repo: Repo, hako_process: HakoProcess,
        hako_startup: Callable[[], float]) -> None:
    # 50,000 nested brackets overflowed go-jsonnet's stack: the Go runtime aborted the process.
    deep = "[" * 50000 + "]" * 50000
    repo.write("apps/deep.jsonnet", deep)
    repo.write("apps/lib/deep.libsonnet", "{ a: 1 }\n + " + deep)
    repo.write("apps/imports.jsonnet", "local lib = import 'lib/deep.libsonnet';\n{ x: lib }")
    # brackets in strings, text blocks and comments do not count
    quoted = "[" * 3000
    repo.write("apps/quoted.jsonnet", "{ s: '%s', v: @'%s''', t: |||\n  %s\n  |||\n|||,\n"
                                      "  // %s\n  # %s\n  /* %s */ c: 1 }" % ((quoted,) * 6))
    startup = hako_startup()
    started = time.monotonic()
    result = hako_process("validate", "apps/deep.jsonnet", "apps/imports.jsonnet", "apps/quoted.jsonnet")
    assert time.monotonic() - started < 5 + 4 * startup, (result, startup)
    assert result.code == 1, result
    assert result.out.splitlines()[:2] == [
        "apps/deep.jsonnet:1:1001: brackets, braces and parentheses nested deeper than 1000 levels "
        "(hako's limit; go-jsonnet would exhaust its stack)",
        "apps/imports.jsonnet:1:13: apps/lib/deep.libsonnet:2:1004: brackets, braces and parentheses nested deeper "
        "than 1000 levels (hako's limit; go-jsonnet would exhaust its stack)",
    ], result
    assert "apps/quoted.jsonnet: s: unknown key 's'" in result.out, result
    assert "nested deeper" not in result.out.split("apps/quoted.jsonnet", 1)[1], result
    assert result.err == "3 definitions checked: 3 invalid\n", result


def test_yaml_alias_bomb_is_refused_by_name(repo: Repo, hako_process: HakoProcess,
        hako_startup: Callable[[], float]) -> None:
    # 270 bytes, 8 levels of 9 aliases: 43 million values once expanded (it took > 1.5 GB
    # and ended in MemoryError)
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefg", "bcdefgh", strict=True)]
    repo.write("apps/bomb.yml", "\n".join(levels) + "\n")
    repo.write("apps/lib/bomb.yml", "\n".join(levels) + "\n")
    repo.write("apps/includes.yml", "app: !include lib/bomb.yml\n")
    startup = hako_startup()  # 0.5-1 s on an idle machine, 3 s and more on a loaded one
    started = time.monotonic()
    result = hako_process("validate", "apps/bomb.yml", "apps/includes.yml")
    assert time.monotonic() - started < 5 + 4 * startup, (result, startup)
    limit = "YAML aliases and merges expand to more than 1,000,000 values (hako's limit; an alias bomb?)"
    assert result.out.splitlines() == [f"apps/bomb.yml: {limit}", f"apps/includes.yml: apps/lib/bomb.yml: {limit}"]
    assert result.code == 1, result


def test_yaml_aliases_of_a_long_string_are_refused_by_size(repo: Repo, hako_process: HakoProcess,
                                                           hako_startup: Callable[[], float]) -> None:
    """Few values, many bytes: a 1 MB string aliased 3,000 times (validate ran ~22 min and
    show-definition streamed ~3 GB) counts against the 16 MiB of a Jsonnet definition."""
    aliases = ", ".join(["*s"] * 3000)
    repo.write("apps/long.yml", f"app:\n  image: x\n  command: [&s {'x' * 1_000_000}, {aliases}]\n")
    repo.write("apps/lib/long.yml", f"command: [&s {'y' * 1_000_000}, {aliases}]\n")
    repo.write("apps/includes.yml", "app: !include lib/long.yml\n")
    limit = ("YAML aliases and merges expand to more than 16 MiB of text (hako's limit, as for a Jsonnet "
             "definition's output; an alias bomb?)")
    startup = hako_startup()
    started = time.monotonic()
    result = hako_process("validate", "apps/long.yml", "apps/includes.yml")
    assert time.monotonic() - started < 5 + 4 * startup, (result.code, startup)
    assert result.out.splitlines() == [f"apps/long.yml: {limit}", f"apps/includes.yml: apps/lib/long.yml: {limit}"]
    shown = hako_process("show-definition", "apps/long.yml")
    assert shown.code == 1 and len(shown.out) + len(shown.err) < 10_000 and limit in shown.err, shown.code


# --- evaluation budget: time and memory (see hako_py/workers) ---------------------------------

LIMIT = r"evaluation exceeded the (time limit of 1 s \(HAKO_EVAL_TIMEOUT\)|memory limit of 1024 MiB \(HAKO_EVAL_MEMORY\))"


def test_time_bombs_end_at_the_time_limit(repo: Repo, hako_process: HakoProcess,
        hako_startup: Callable[[], float]) -> None:
    # These ran for minutes. The first two also end at the memory limit, depending on how
    # fast the machine fills 1 GiB; the loops are pure computation in little memory.
    repo.write("apps/repeat.jsonnet", "{ x: std.repeat('x', 1e8) }")
    repo.write("apps/array.jsonnet", "{ x: std.length(std.makeArray(1e9, function(i) i)) }")
    repo.write("apps/repeat-loop.jsonnet",
               "{ x: std.foldl(function(a, i) a + std.length(std.repeat('x', 1000)), std.range(1, 100000), 0) }")
    repo.write("apps/array-loop.jsonnet", "{ x: std.foldl(function(a, i) a + std.length(std.makeArray(1000, "
                                          "function(j) j)), std.makeArray(100000, function(i) i), 0) }")
    files = ["apps/repeat.jsonnet", "apps/array.jsonnet", "apps/repeat-loop.jsonnet", "apps/array-loop.jsonnet"]
    startup = hako_startup()
    started = time.monotonic()
    result = hako_process("validate", *files, env={"HAKO_EVAL_TIMEOUT": "1"}, timeout=60)
    elapsed = time.monotonic() - started
    lines = result.out.splitlines()
    assert [line.split(": ")[0] for line in lines] == files, result
    assert all(re.fullmatch(rf"apps/[\w-]+\.jsonnet: {LIMIT}", line) for line in lines[:2]), result
    assert lines[2:] == [f"{file}: evaluation exceeded the time limit of 1 s (HAKO_EVAL_TIMEOUT)"
                         for file in files[2:]], result
    # each within its 1 s and a worker's restart (about a start-up), plus hako's own start-up
    assert elapsed < 4 * (1 + 1) + 3 + 5 * startup, (elapsed, startup)
    assert result.code == 1 and "Traceback" not in result.err, result


def test_memory_bombs_end_at_the_memory_limit(repo: Repo, hako_process: HakoProcess) -> None:
    # Go aborts the process when it cannot allocate; Python raises MemoryError: both are
    # the worker's end, reported for the file it was evaluating.
    repo.write("apps/array.jsonnet", "{ x: std.length(std.makeArray(1e9, function(i) i)) }")
    repo.write("apps/doubling.jsonnet", "{ x: std.length(std.foldl(function(s, i) s + s, std.range(1, 40), 'x')) }")
    # nesting without brackets, which the nesting guard does not see: go-jsonnet's parser
    # recurses once per `local` and runs out of memory
    repo.write("apps/locals.jsonnet", "local a = 1; " * 200000 + "{ x: a }")
    repo.write("apps/ok.jsonnet", "{ x: 1 }")
    result = hako_process("show-definition", "apps/array.jsonnet", env={"HAKO_EVAL_MEMORY": "256"})
    assert (result.code, result.out, result.err) == (
        1, "", "apps/array.jsonnet: evaluation exceeded the memory limit of 256 MiB (HAKO_EVAL_MEMORY)\n"), result
    result = hako_process("validate", "apps/doubling.jsonnet", "apps/locals.jsonnet", "apps/ok.jsonnet",
                          env={"HAKO_EVAL_MEMORY": "256"})
    assert result.out.splitlines()[:2] == [
        "apps/doubling.jsonnet: evaluation exceeded the memory limit of 256 MiB (HAKO_EVAL_MEMORY)",
        "apps/locals.jsonnet: evaluation exceeded the memory limit of 256 MiB (HAKO_EVAL_MEMORY)"], result
    assert "apps/ok.jsonnet: scheduler: is required" in result.out, result
    assert result.err == "3 definitions checked: 3 invalid\n", result


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("HAKO_EVAL_TIMEOUT", "soon", "HAKO_EVAL_TIMEOUT='soon': expected a number of seconds from 0.5 to 3600 (default 30)"),
    ("HAKO_EVAL_TIMEOUT", "0", "HAKO_EVAL_TIMEOUT='0': expected a number of seconds from 0.5 to 3600 (default 30)"),
    ("HAKO_EVAL_MEMORY", "1.5", "HAKO_EVAL_MEMORY='1.5': expected a whole number of MiB from 256 to 1048576 "
                                "(default 1024)"),
    ("HAKO_EVAL_MEMORY", "64", "HAKO_EVAL_MEMORY='64': expected a whole number of MiB from 256 to 1048576 "
                               "(default 1024)"),
])
def test_malformed_budget_settings_are_usage_errors(repo: Repo, hako: Hako, name: str, value: str,
                                                    expected: str) -> None:
    repo.write("apps/a.jsonnet", "{}")
    result = hako("show-definition", "apps/a.jsonnet", env={name: value})
    assert (result.code, result.err) == (2, expected + "\n")
