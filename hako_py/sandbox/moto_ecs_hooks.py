"""ECS's server-side defaults and checks, run inside moto's ECS request handling (moto 5.2.x).

moto answers an ECS request in one method of its response class: the method reads the
request's parameters, calls the backend and returns the objects moto then serializes. Each
hook here wraps one such method. Before it, the request is completed as ECS completes it
(:mod:`hako_py.sandbox.ecs_defaults`). After it, what moto's parser drops
(such as ``enableFaultInjection``) is stored on moto's objects before they are serialized, so
both this answer and every later Describe carry it. With :mod:`hako_py.sandbox.moto_glue`,
the only module that reaches into moto's internals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hako_py.sandbox import ecs_defaults
from hako_py.sandbox import moto_glue as glue


class Call:
    """One ECS request inside moto: its parameters (replaceable before :meth:`proceed`) and backend."""

    def __init__(self, handler: Any, original: Callable[[Any], Any]) -> None:
        self.handler = handler
        self._original = original

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.handler.params
        return params

    def replace(self, params: dict[str, Any]) -> None:
        self.handler.params = params

    @property
    def backend(self) -> Any:
        return self.handler.ecs_backend

    def proceed(self) -> Any:
        """moto's own handling of the (possibly changed) request: an ActionResult whose
        ``result`` holds the objects moto is about to serialize."""
        return self._original(self.handler)


def install() -> None:
    """Wrap moto's ECS handlers (once per process; every sandbox in it wants ECS's answers)."""
    from moto.ecs.responses import EC2ContainerServiceResponse

    if getattr(EC2ContainerServiceResponse, "_hako_hooks", False):
        return
    for name, hook in HOOKS.items():
        original = getattr(EC2ContainerServiceResponse, name)
        setattr(EC2ContainerServiceResponse, name, _wrapped(hook, original))
    setattr(EC2ContainerServiceResponse, "_hako_hooks", True)  # noqa: B010


def _wrapped(hook: Callable[[Call], Any], original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(handler: Any) -> Any:
        return hook(Call(handler, original))

    return method


# task definitions ------------------------------------------------------------------------------
def register_task_definition(call: Call) -> Any:
    sent = call.params
    completed = ecs_defaults.task_definition(sent)
    call.replace(completed)
    result = call.proceed()
    definition = result.result["taskDefinition"]
    definition.enable_fault_injection = bool(completed["enableFaultInjection"])
    definition.registered_at = glue.utcnow()  # CLI describe-task-definition.rst: registeredAt
    requires = sent.get("requiresCompatibilities")
    if "networkMode" not in sent and "FARGATE" not in (requires or []):
        # CLI register-task-definition.rst, describe-task-definition.rst: no networkMode key when none was
        # sent (API: "If no network mode is specified, the default is bridge"); moto answers "bridge".
        definition.network_mode = None
    compatibilities = ecs_defaults.compatibilities(requires)
    if compatibilities is not None:
        definition.compatibilities = compatibilities
    return result


def deregister_task_definition(call: Call) -> Any:
    result = call.proceed()
    # API TaskDefinition.deregisteredAt; REAL awscli-delete-task-definitions-curltest-delete-in-progress.
    result.result["taskDefinition"].deregistered_at = glue.utcnow()
    return result


HOOKS: dict[str, Callable[[Call], Any]] = {
    "register_task_definition": register_task_definition,
    "deregister_task_definition": deregister_task_definition,
}
