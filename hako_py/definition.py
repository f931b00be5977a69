"""A validated app definition: the plain-data contract between validation and rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hako_py.paths import join_path

APP_CONTAINER = "app"
DEFAULT_CLUSTER = "default"
TAG_RESOLVING_SCRIPTS = frozenset({"jenkins_tag", "ecr_tag"})


@dataclass(frozen=True)
class AppDefinition:
    """An app after loading and validation; every value here passed the schema and checks."""

    app_id: str
    file: str
    scheduler: dict[str, Any]
    containers: dict[str, dict[str, Any]]
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripts: tuple[dict[str, Any], ...] = ()
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> schedule (EventBridge Scheduler)
    #: the definition has a ``schedules`` key, even ``{}``: hako-py then manages the app's schedules
    #: (``{}`` deletes the ones it made); without the key it reads nothing of EventBridge Scheduler
    #: for the app, so an app that never had schedules needs no scheduler permission
    schedules_declared: bool = False
    imported_files: frozenset[str] = frozenset()
    #: hako.toml's ``[schedules] group``: the group of schedules that name none (``{cluster}``: the cluster's name)
    schedule_group: str = "hako-{cluster}"
    account_id: str | None = None  # hako.toml's: the deploy's account, when the repository says

    @property
    def app(self) -> dict[str, Any]:
        return self.containers[APP_CONTAINER]

    @property
    def cluster(self) -> str:
        return str(self.scheduler.get("cluster", DEFAULT_CLUSTER))

    @property
    def region(self) -> str | None:
        region = self.scheduler.get("region")
        return str(region) if region else None

    @property
    def has_service(self) -> bool:
        return "desired_count" in self.scheduler or self.scheduler.get("scheduling_strategy") == "DAEMON"

    @property
    def oneshot_family(self) -> str:
        return f"{self.app_id}-oneshot"


def containers_of(data: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (definition path, container) for app and sidecars, in a definition's raw data
    (before :class:`AppDefinition` exists): how the checks walk the containers."""
    result: dict[str, tuple[str, dict[str, Any]]] = {}
    if isinstance(data.get("app"), dict):
        result[APP_CONTAINER] = ("app", data["app"])
    for name, container in (data.get("sidecars") or {}).items():
        result[name] = (join_path("sidecars", name), container)
    return result


def strip_nulls(value: Any) -> Any:
    """Drop ``null`` members: in hako (as in the AWS SDKs) a null field means "not set"."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def as_int(value: Any) -> int | None:
    """The integer a definition meant (hako accepted numeric strings such as '1024')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def is_fargate(scheduler: dict[str, Any]) -> bool:
    """Whether the task must satisfy Fargate's rules (launch type, compatibilities or providers)."""
    if scheduler.get("launch_type") == "FARGATE":
        return True
    if "FARGATE" in (scheduler.get("requires_compatibilities") or []):
        return True
    strategy = scheduler.get("capacity_provider_strategy") or []
    return any(str(s.get("capacity_provider", "")).startswith("FARGATE") for s in strategy)
