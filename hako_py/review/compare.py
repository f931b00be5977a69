"""Render app definitions at two revisions and compare what ECS would receive."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hako_py.checks.schedules import cross_account_warnings
from hako_py.compare.diff import unified
from hako_py.compare.masking import mask_pair
from hako_py.compare.schedules import changed_members, schedule_view
from hako_py.compare.service import service_view
from hako_py.compare.task_definition import task_definition_view
from hako_py.errors import DefinitionError, HakoError
from hako_py.loading import LoadOptions


@dataclass(frozen=True)
class Rendered:
    """One side of one app: its normalized requests, or the error that prevented them."""

    view: dict[str, Any] | None = None
    error: str | None = None
    #: value providers the evaluation called (review renders their values as ${KEY})
    providers: tuple[str, ...] = ()
    #: the files it read, relative to its revision's root
    read: tuple[str, ...] = ()
    #: for the render cache: every file it read and every path its imports did not find (absolute)
    inputs: tuple[str, ...] = field(default=(), compare=False)
    absent: tuple[str, ...] = field(default=(), compare=False)


# An app whose render is the same at both revisions but which reads provider values: the run
# decides whether its inputs changed (then it is reported, see review.reviewer), else it is dropped.
PROVIDER_INPUTS = "provider-inputs"


@dataclass
class AppChange:
    file: str
    status: str  # added | removed | changed | broken | fixed (| PROVIDER_INPUTS, internal)
    changes: dict[str, list[str]] = field(default_factory=dict)
    diff: str = ""
    error: str | None = None
    read: tuple[str, ...] = ()  # for PROVIDER_INPUTS: the files it read at either revision


def render_view(file: str, root: str, jpath: tuple[str, ...] = (), ext_str: tuple[tuple[str, str], ...] = (),
                ext_code: tuple[tuple[str, str], ...] = ()) -> Rendered:
    """Normalized requests of one definition (picklable, for worker processes)."""
    from hako_py.pipeline import check_file

    options = LoadOptions(root=Path(root), jpath=tuple(Path(p) for p in jpath), ext_str=ext_str, ext_code=ext_code)
    return _rendered(file, root, lambda: check_file(os.path.join(root, file), options, warnings=False))


def render_both(file: str, base_root: str, head_root: str, ext_str: tuple[tuple[str, str], ...] = (),
                ext_code: tuple[tuple[str, str], ...] = ()) -> tuple[Rendered, Rendered] | None:
    """Both sides of one app from a single evaluation (shared libraries parsed once), or None
    when that is not exactly equivalent; the caller then renders each side alone."""
    from hako_py.loading.loader import load_together
    from hako_py.pipeline import check_loaded

    options = LoadOptions(ext_str=ext_str, ext_code=ext_code)
    loaded = load_together([Path(base_root, file), Path(head_root, file)], [Path(base_root), Path(head_root)],
                           options)
    if loaded is None:
        return None
    base, head = loaded
    real: dict[str, str] = {}  # both sides read the same files (recorded together): resolved once
    return (_rendered(file, base_root, lambda: check_loaded(replace(base, file=file), warnings=False), (head_root,),
                      real),
            _rendered(file, head_root, lambda: check_loaded(replace(head, file=file), warnings=False), (base_root,),
                      real))


def _real_paths(paths: Iterable[str | os.PathLike[str]], known: dict[str, str]) -> dict[str, str]:
    """*known* with the real path of each of *paths* added (by its text)."""
    for path in paths:
        text = os.fspath(path)
        if text not in known:
            known[text] = os.path.realpath(text)
    return known


def _rendered(file: str, root: str, check: Callable[[], Any], other_roots: tuple[str, ...] = (),
              known: dict[str, str] | None = None) -> Rendered:
    """One side as review compares and stores it; *known*: real paths already worked out for
    the other side of the same evaluation."""
    try:
        checked = check()
    except DefinitionError as exc:
        return Rendered(error="\n".join(p.format(file) for p in exc.problems))
    except HakoError as exc:
        return Rendered(error=str(exc).replace(os.path.join(root, ""), ""))
    providers = tuple(sorted(checked.loaded.providers))
    real = _real_paths((*checked.loaded.imported_files, *checked.loaded.absent_files, root, *other_roots),
                       {} if known is None else known)
    top = real[root]
    read = tuple(sorted(real[str(p)][len(top) + 1:] for p in checked.loaded.imported_files
                        if real[str(p)].startswith(top + os.sep)))
    # a together evaluation recorded both revisions' files: each side keeps those of its own root
    others = [real[r] for r in other_roots]
    inputs = (os.path.join(top, file), *(str(p) for p in checked.loaded.imported_files
                                         if not _under_any(real[str(p)], others)))
    absent = tuple(str(p) for p in checked.loaded.absent_files if not _under_any(real[str(p)], others))
    rendered = checked.rendered
    view: dict[str, Any] = {"taskDefinition": task_definition_view(rendered.task_definition)}
    if rendered.service is not None:
        view["service"] = {**rendered.service, **service_view(rendered.service)}
    view["runTask"] = rendered.run_task
    if rendered.traffic:
        view["traffic"] = rendered.traffic
    if rendered.schedules:
        view["schedules"] = {name: schedule_view(request) for name, request in rendered.schedules.items()}
        crossing = [f"{problem.path}: {problem.message}" for problem in cross_account_warnings(
            {"scheduler": checked.app.scheduler, "schedules": checked.app.schedules}, checked.app.account_id)]
        if crossing:  # a pasted role or queue of another account: the reviewer is the one to notice
            view["warnings"] = crossing
    if checked.app.scripts:
        view["scripts"] = list(checked.app.scripts)
    # as stored in the render cache (JSON), so a fresh side and a cached one compare alike
    view = json.loads(json.dumps(view))
    return Rendered(view=view, providers=providers, read=read, inputs=inputs, absent=absent)


def _under_any(path: str, folders: list[str]) -> bool:
    return any(path.startswith(folder + os.sep) for folder in folders)


def _containers(view: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not view:
        return {}
    return {str(c["name"]): c for c in view["taskDefinition"].get("containerDefinitions", [])}


def _named(items: list[dict[str, Any]] | None, value_key: str) -> dict[str, Any]:
    return {str(i.get("name")): i.get(value_key) for i in items or []}


def _shown(value: Any) -> str:
    """A value for a summary line: never Python's ``None``."""
    return "not set" if value is None else str(value)


def summarize(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, list[str]]:
    """What changed, by category, without revealing any value that could be secret."""
    changes: dict[str, list[str]] = {}

    def add(category: str, text: str) -> None:
        changes.setdefault(category, []).append(text)

    old_c, new_c = _containers(old), _containers(new)
    for name in sorted(set(old_c) | set(new_c)):
        a, b = old_c.get(name, {}), new_c.get(name, {})
        if not a or not b:
            add("containers", f"{name} {'added' if b else 'removed'}")
            continue
        if a.get("image") != b.get("image"):
            add("image", f"{name}: {_shown(a.get('image'))} → {_shown(b.get('image'))}")
        for key in ("cpu", "memory", "memoryReservation"):
            if a.get(key) != b.get(key):
                default = 0 if key == "cpu" else None  # ECS's container cpu default (ecs_defaults)
                add("cpu/memory", f"{name}.{key}: {_shown(a.get(key, default))} → {_shown(b.get(key, default))}")
        env_a, env_b = _named(a.get("environment"), "value"), _named(b.get("environment"), "value")
        for label, names in (("added", set(env_b) - set(env_a)), ("removed", set(env_a) - set(env_b)),
                             ("changed", {n for n in set(env_a) & set(env_b) if env_a[n] != env_b[n]})):
            if names:
                add("env", f"{name}: {label} {', '.join(sorted(names))}")
        sec_a, sec_b = _named(a.get("secrets"), "valueFrom"), _named(b.get("secrets"), "valueFrom")
        for label, names in (("added", set(sec_b) - set(sec_a)), ("removed", set(sec_a) - set(sec_b)),
                             ("changed", {n for n in set(sec_a) & set(sec_b) if sec_a[n] != sec_b[n]})):
            if names:
                add("secrets", f"{name}: {label} {', '.join(sorted(names))}")
        if a.get("portMappings") != b.get("portMappings"):
            add("ports", name)
        other = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k not in (
            "image", "cpu", "memory", "memoryReservation", "environment", "secrets", "portMappings"))
        if other:
            add("containers", f"{name}: {', '.join(other)}")
    td_a = (old or {}).get("taskDefinition", {})
    td_b = (new or {}).get("taskDefinition", {})
    for key in ("cpu", "memory"):
        if td_a.get(key) != td_b.get(key):
            add("cpu/memory", f"task {key}: {_shown(td_a.get(key))} → {_shown(td_b.get(key))}")
    task_other = sorted(k for k in set(td_a) | set(td_b)
                        if td_a.get(k) != td_b.get(k) and k not in ("cpu", "memory", "containerDefinitions"))
    if task_other:
        add("task definition", ", ".join(task_other))
    svc_a, svc_b = (old or {}).get("service") or {}, (new or {}).get("service") or {}
    service_keys = sorted(k for k in set(svc_a) | set(svc_b) if svc_a.get(k) != svc_b.get(k))
    if service_keys:
        add("service", ", ".join(service_keys))
    if (old or {}).get("scripts") != (new or {}).get("scripts"):
        add("scripts", "changed")
    traffic_a, traffic_b = (old or {}).get("traffic") or {}, (new or {}).get("traffic") or {}
    for key, category in (("elbV2", "load balancer"), ("serviceDiscovery", "service discovery"),
                          ("autoscaling", "autoscaling")):
        before, after = traffic_a.get(key), traffic_b.get(key)
        if before == after:
            continue
        if before is None or after is None:
            add(category, "added" if before is None else "removed")
        elif isinstance(before, dict) and isinstance(after, dict):
            add(category, ", ".join(sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))))
        else:
            add(category, "changed")
    schedules_a, schedules_b = (old or {}).get("schedules") or {}, (new or {}).get("schedules") or {}
    for name in sorted(set(schedules_a) | set(schedules_b)):
        if schedules_a.get(name) != schedules_b.get(name):
            add("schedules", f"{name}: {', '.join(changed_members(schedules_a.get(name), schedules_b.get(name)))}")
    for warning in sorted(set((new or {}).get("warnings") or []) - set((old or {}).get("warnings") or [])):
        add("warnings", warning)
    run_a, run_b = (old or {}).get("runTask") or {}, (new or {}).get("runTask") or {}
    run_keys = sorted(k for k in set(run_a) | set(run_b) if run_a.get(k) != run_b.get(k))
    if run_keys and old and new:
        add("run task", ", ".join(run_keys))
    return changes


def _masked(view: dict[str, Any] | None, other: dict[str, Any] | None) -> tuple[Any, Any]:
    """Both sides with every secret hidden: env values, options, overrides, scripts' options."""
    return mask_pair(view, other)


def compare(file: str, base: Rendered | None, head: Rendered | None, ref: str) -> AppChange | None:
    """The change of one app between base and head, or None when its output is identical."""
    if head is not None and head.error:
        return AppChange(file, "broken", error=head.error)
    if base is None and head is not None:
        left, right = _masked(None, head.view)
        return AppChange(file, "added", summarize(left, right),
                         unified(left, right, "/dev/null", f"{file} (working tree)"))
    if head is None and base is not None:
        left, right = _masked(base.view, None)
        return AppChange(file, "removed", summarize(left, right),
                         unified(left, right, f"{file} ({ref})", "/dev/null"), error=base.error)
    assert base is not None and head is not None
    if base.error:
        left, right = _masked(None, head.view)
        return AppChange(file, "fixed", summarize(left, right),
                         unified(left, right, f"{file} ({ref}, broken)", f"{file} (working tree)"), error=base.error)
    if base.view == head.view:
        if base.providers or head.providers:  # the same placeholders; the values may differ
            return AppChange(file, PROVIDER_INPUTS, {"providers": sorted({*base.providers, *head.providers})},
                             read=tuple(sorted({*base.read, *head.read})))
        return None
    left, right = _masked(base.view, head.view)
    # the summary is made from the masked views too: a value hidden in the diff must not
    # appear in the table above it
    return AppChange(file, "changed", summarize(left, right),
                     unified(left, right, f"{file} ({ref})", f"{file} (working tree)"))
