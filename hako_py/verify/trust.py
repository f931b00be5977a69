"""Whether a role's trust policy lets an AWS service assume it for this account.

Finding the service's name anywhere in the document is not enough: a statement can deny it,
or allow it only for another account. IAM's rules, as hako applies them here (IAM User Guide,
reference_policies_evaluation-logic.html: "an explicit deny in any policy overrides any
allows"; reference_policies_elements_principal.html for ``Principal``; the confused-deputy
guidance for EventBridge Scheduler, setting-up.html#setting-up-execution-role, conditions the
trust on ``aws:SourceAccount``):

- a statement applies when its ``Action`` matches ``sts:AssumeRole`` (wildcards ``*``/``?``,
  case-insensitive) and its ``Principal`` names the service (``Service``) or everyone (``*``);
- a Deny that applies without conditions wins (one with conditions, such as the common
  ``StringNotEquals aws:SourceAccount`` guard, is left to IAM: hako does not know the request);
- an Allow counts only when its ``aws:SourceAccount`` condition (if any) names *account*;
  any other condition hako cannot know at verify time, so it does not count against it.
"""

from __future__ import annotations

import json
import re
from typing import Any

ASSUME = "sts:AssumeRole"


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM's ``*`` / ``?`` wildcards (no other special characters), case-insensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def statements(document: Any) -> list[dict[str, Any]]:
    """A policy document's statements (a JSON text, a dict; ``Statement`` one or a list)."""
    if isinstance(document, str):
        document = json.loads(document)
    if not isinstance(document, dict):
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def _names_service(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return service in as_list(principal.get("Service")) or "*" in as_list(principal.get("AWS"))


def _source_accounts(condition: Any) -> list[str] | None:
    """The accounts an ``aws:SourceAccount`` condition allows, None when it has none."""
    found: list[str] | None = None
    for operator, tests in (condition or {}).items():
        if not isinstance(tests, dict) or not str(operator).startswith("String"):
            continue
        for key, values in tests.items():
            if str(key).lower() == "aws:sourceaccount":
                found = (found or []) + [str(v) for v in as_list(values)]
    return found


def trust_problem(document: Any, service: str, account: str | None) -> str | None:
    """Why *service* may not assume the role for *account* (None: it may)."""
    applying = [s for s in statements(document)
                if any(wildcard_match(str(a), ASSUME) for a in as_list(s.get("Action")))
                and _names_service(s.get("Principal"), service)]
    if any(s.get("Effect") == "Deny" and not s.get("Condition") for s in applying):
        return f"its trust policy denies {service}"
    other_accounts: list[str] = []
    for statement in (s for s in applying if s.get("Effect") == "Allow"):
        accounts = _source_accounts(statement.get("Condition"))
        if accounts is None or account is None or any(wildcard_match(a, account) for a in accounts):
            return None
        other_accounts += accounts
    if other_accounts:
        return (f"trusts {service} only for account {', '.join(sorted(set(other_accounts)))} (aws:SourceAccount), "
                f"not {account}")
    return f"does not trust {service}"
