"""Whether a role's own policies let it make one call on one resource.

``hako verify`` asks it of a schedule's role: EventBridge Scheduler calls ``ecs:RunTask`` on the
task definition and ``iam:PassRole`` for the task's roles with it (Scheduler User Guide,
setting-up.html#setting-up-execution-role, and "Using templated targets": the ECS RunTask
target needs ``ecs:RunTask`` and ``iam:PassRole``). IAM's SimulatePrincipalPolicy would answer
it but the sandbox (moto) does not implement it, so hako evaluates the role's identity
policies (inline and attached, the default version of each) itself, by IAM's documented rules
(IAM User Guide, reference_policies_evaluation-logic.html): an explicit Deny wins, otherwise an
Allow is needed; ``Action``/``NotAction`` and ``Resource``/``NotResource`` with ``*``/``?``
wildcards. Conditions cannot be known before the call: an Allow with conditions counts, a Deny
with conditions does not. Permission boundaries, SCPs and session policies are not read: a
[OK] here means the role's own policies allow it.
"""

from __future__ import annotations

from typing import Any

from hako_py.verify.trust import as_list, statements, wildcard_match


def _matches(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "NotAction" in statement:
        action_ok = not any(wildcard_match(str(a), action) for a in as_list(statement["NotAction"]))
    else:
        action_ok = any(wildcard_match(str(a), action) for a in as_list(statement.get("Action")))
    if "NotResource" in statement:
        resource_ok = not any(wildcard_match(str(r), resource) for r in as_list(statement["NotResource"]))
    else:
        resource_ok = any(wildcard_match(str(r), resource) for r in as_list(statement.get("Resource")))
    return action_ok and resource_ok


def decision(documents: list[Any], action: str, resource: str) -> str:
    """'allowed', 'denied' (an explicit Deny) or 'not allowed' (no Allow: IAM's implicit deny)."""
    found = [s for document in documents for s in statements(document) if _matches(s, action, resource)]
    if any(s.get("Effect") == "Deny" and not s.get("Condition") for s in found):
        return "denied"
    return "allowed" if any(s.get("Effect") == "Allow" for s in found) else "not allowed"


def missing_permissions(documents: list[Any], wanted: list[tuple[str, str]]) -> list[str]:
    """Each (action, resource) of *wanted* the documents do not allow, in words."""
    return [f"{action} on {resource} {verdict}" for action, resource in wanted
            if (verdict := decision(documents, action, resource)) != "allowed"]
