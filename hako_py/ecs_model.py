"""The slice of botocore's ECS service model that hako needs, derived at run time and cached.

Why derive instead of a hand-written table: new ECS fields then work after upgrading
botocore, with no change here. Why cache: importing botocore and loading its full ECS
model costs about half a second per process, while the slice hako needs (the shapes
reachable from a few request types) loads from a small JSON file in a few ms. The cache
is keyed by botocore's version, so an upgrade rebuilds it.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

OPERATIONS = ("RegisterTaskDefinition", "CreateService", "UpdateService", "RunTask")
# Shapes whose member *names* hako needs: what DescribeServices / DescribeTaskDefinition
# report, so a setting is only offered when hako can read it back and compare it.
REPORTED = ("Service", "Deployment", "TaskDefinition")
CACHE_FORMAT = 4
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]])\.\s")


@dataclass(frozen=True)
class Member:
    """A structure member: its API name, snake_case name, shape name and documentation."""

    name: str
    snake: str
    shape: str
    doc: str


@dataclass(frozen=True)
class Shape:
    """One botocore shape, reduced to what conversion and the JSON Schema need."""

    name: str
    type: str
    doc: str = ""
    members: tuple[Member, ...] = ()
    required: tuple[str, ...] = ()
    member: str | None = None
    key: str | None = None
    value: str | None = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def member_by_snake(self) -> dict[str, Member]:
        return _snake_index(self)


@cache
def _snake_index(shape: Shape) -> dict[str, Member]:
    return {m.snake: m for m in shape.members}


class EcsModel:
    """Shapes by name, and the input shape of each operation hako sends."""

    def __init__(self, shapes: dict[str, Shape], operations: dict[str, str], botocore_version: str,
                 reported: dict[str, frozenset[str]] | None = None) -> None:
        self.shapes = shapes
        self.operations = operations
        self.botocore_version = botocore_version
        self.reported = reported or {}

    def shape(self, name: str) -> Shape:
        return self.shapes[name]

    def input_shape(self, operation: str) -> Shape:
        return self.shapes[self.operations[operation]]


def _summary(doc: str | None, limit: int = 300) -> str:
    """First sentence or two of botocore's HTML documentation, as plain text."""
    if not doc:
        return ""
    text = html.unescape(_TAG.sub("", doc))
    text = " ".join(text.split())
    parts = _SENTENCE_END.split(text)
    summary = parts[0].rstrip(".") + "."
    if len(summary) < 60 and len(parts) > 1:
        summary += " " + parts[1].rstrip(".") + "."
    if len(summary) > limit:
        summary = summary[: limit - 1].rsplit(" ", 1)[0] + "…"
    return summary


def _derive() -> tuple[dict[str, Any], str]:
    """Walk botocore's ECS model from the request shapes and serialize what is reachable."""
    import botocore
    from botocore import xform_name
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    model = ServiceModel(Loader().load_service_model("ecs", "service-2"), "ecs")
    shapes: dict[str, Any] = {}
    operations: dict[str, str] = {}

    def visit(shape: Any) -> str:
        name: str = shape.name
        if name in shapes:
            return name
        # A member-resolved shape carries its member's documentation; the shape's own
        # documentation is only on the shape looked up by name.
        own_doc = model.shape_for(name).documentation if shape.type_name == "structure" else ""
        entry: dict[str, Any] = {"type": shape.type_name, "doc": _summary(own_doc)}
        shapes[name] = entry
        if shape.type_name == "structure":
            entry["members"] = [
                [member_name, xform_name(member_name), visit(member_shape), _summary(member_shape.documentation)]
                for member_name, member_shape in shape.members.items()
            ]
            entry["required"] = list(shape.required_members)
        elif shape.type_name == "list":
            entry["member"] = visit(shape.member)
        elif shape.type_name == "map":
            entry["key"] = visit(shape.key)
            entry["value"] = visit(shape.value)
        if getattr(shape, "enum", None):
            entry["enum"] = list(shape.enum)
        for bound in ("min", "max"):
            if bound in shape.metadata and shape.type_name in ("integer", "long"):
                entry[bound] = shape.metadata[bound]
        return name

    for operation in OPERATIONS:
        op = model.operation_model(operation)
        operations[operation] = visit(op.input_shape)
    structure: Any = model.shape_for  # a StructureShape for each REPORTED name (the stubs say Shape)
    reported = {name: sorted(structure(name).members) for name in REPORTED}
    return ({"format": CACHE_FORMAT, "shapes": shapes, "operations": operations, "reported": reported},
            botocore.__version__)


def _from_raw(raw: dict[str, Any], botocore_version: str) -> EcsModel:
    shapes = {}
    for name, entry in raw["shapes"].items():
        shapes[name] = Shape(
            name=name,
            type=entry["type"],
            doc=entry.get("doc", ""),
            members=tuple(Member(*m) for m in entry.get("members", ())),
            required=tuple(entry.get("required", ())),
            member=entry.get("member"),
            key=entry.get("key"),
            value=entry.get("value"),
            enum=tuple(entry.get("enum", ())),
            minimum=entry.get("min"),
            maximum=entry.get("max"),
        )
    reported = {name: frozenset(members) for name, members in raw.get("reported", {}).items()}
    return EcsModel(shapes, dict(raw["operations"]), botocore_version, reported)


def cache_dir() -> Path:
    """Where derived data is cached: ``$HAKO_CACHE_DIR``, else the XDG cache folder; refused
    (:class:`~hako_py.cache_trust.UntrustedCacheError`) when someone else could have written it,
    since what is read from it is deployed and run (see :mod:`hako_py.cache_trust`)."""
    from hako_py.cache_trust import checked_cache_dir

    if os.environ.get("HAKO_CACHE_DIR"):
        return checked_cache_dir(Path(os.environ["HAKO_CACHE_DIR"]))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return checked_cache_dir(Path(base) / "hako-py")


_VERSION = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


def _installed_botocore_version() -> str:
    """botocore's version, read from its source: importing it or importlib.metadata costs 45+ ms."""
    spec = find_spec("botocore")
    if spec is None or spec.origin is None:  # pragma: no cover - botocore is a hard dependency
        return "unknown"
    try:
        match = _VERSION.search(Path(spec.origin).read_text(encoding="utf-8"))
    except OSError:  # pragma: no cover
        return "unknown"
    return match.group(1) if match else "unknown"


@cache
def load_model() -> EcsModel:
    """The ECS model slice, from the cache when it matches the installed botocore."""
    botocore_version = _installed_botocore_version()
    path = cache_dir() / f"ecs-model-{botocore_version}-v{CACHE_FORMAT}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") == CACHE_FORMAT:
            return _from_raw(raw, botocore_version)
    except (OSError, ValueError, KeyError):
        pass
    raw, derived_version = _derive()
    try:
        from hako_py.cache_trust import private_folder

        private_folder(path.parent)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump(raw, handle, separators=(",", ":"))
        os.replace(handle.name, path)
    except OSError:
        pass  # an unwritable cache only costs speed
    return _from_raw(raw, derived_version)
