"""Shape-driven conversion from hako's snake_case data to ECS API request data.

The ECS model decides each field's API name and type, so ``size_in_gi_b: '25'`` becomes
``sizeInGiB: 25`` and ``cpu: 1024`` at task level becomes ``"1024"`` without a table.
Map keys (``docker_labels``, ``env``, log ``options``) are data and stay as written.
"""

from __future__ import annotations

from typing import Any

from hako_py.ecs_model import EcsModel


class ConversionError(Exception):
    """A value cannot become the API type (only reachable when validation was skipped)."""


def to_api(model: EcsModel, shape_name: str, value: Any) -> Any:
    shape = model.shape(shape_name)
    kind = shape.type
    if kind == "structure":
        if not isinstance(value, dict):
            raise ConversionError(f"expected an object for {shape_name}")
        members = shape.member_by_snake()
        result: dict[str, Any] = {}
        for member in shape.members:  # model order keeps output stable and readable
            if member.snake in value and value[member.snake] is not None:
                result[member.name] = to_api(model, member.shape, value[member.snake])
        unknown = [k for k in value if k not in members]
        if unknown:
            raise ConversionError(f"unknown field(s) {', '.join(unknown)} for {shape_name}")
        return result
    if kind == "list":
        assert shape.member is not None
        return [to_api(model, shape.member, item) for item in value]
    if kind == "map":
        assert shape.value is not None
        return {str(k): to_api(model, shape.value, v) for k, v in value.items()}
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
