"""What the original hako (Ruby, eagletmt/hako 2.18) leaves in what it registers, that a
definition does not say — so a service it deployed compares equal to the same definition in
hako-py, and switching tools restarts nothing.

hako stamps every container of every task definition it registers with the Docker label
``cc.wanko.hako.version`` (its own version, merged last over the definition's labels:
``lib/hako/container.rb:18`` and ``:291-295`` at v2.18.0). Nothing reads it back: hako
compares it only as one more label (so each hako upgrade registered a new revision), and its
dry-run ``docker run`` lines leave it out (``lib/hako/schedulers/ecs.rb``, ``key !=
'cc.wanko.hako.version'``). It records which tool made a revision, not how the app runs.

hako-py therefore neither adds nor compares it: a live label of that name counts only when
the definition sets the label itself. A revision hako-py registers (because something real
changed) carries the definition's labels, without the stamp.
"""

from __future__ import annotations

from typing import Any

HAKO_VERSION_LABEL = "cc.wanko.hako.version"


def _labels_by_container(td: Any) -> dict[str, Any]:
    if not isinstance(td, dict):
        return {}
    return {str(c.get("name")): c.get("dockerLabels") for c in td.get("containerDefinitions") or []
            if isinstance(c, dict)}


def drop_hako_stamp(desired: Any, live: Any) -> None:
    """Remove, in place, the version label hako stamped on *live*'s containers where
    *desired*'s container of the same name does not set that label."""
    if not isinstance(live, dict):
        return
    wanted = _labels_by_container(desired)
    for container in live.get("containerDefinitions") or []:
        if not isinstance(container, dict) or not isinstance(container.get("dockerLabels"), dict):
            continue
        labels = wanted.get(str(container.get("name")))
        if isinstance(labels, dict) and HAKO_VERSION_LABEL in labels:
            continue
        container["dockerLabels"] = {k: v for k, v in container["dockerLabels"].items() if k != HAKO_VERSION_LABEL}
