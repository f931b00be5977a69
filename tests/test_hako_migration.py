"""Switching from the original hako (Ruby, 2.18) restarts nothing (issue 17): what hako
leaves in what it registers, that a definition does not say, is not a change."""

from __future__ import annotations

from typing import Any


def stamped(labels: dict[str, str]) -> dict[str, Any]:
    """A task definition as DescribeTaskDefinition returns what hako registered: every
    container carries hako's version label (lib/hako/container.rb:18)."""
    return {"family": "web", "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:1:task-definition/web:1",
            "revision": 1, "status": "ACTIVE", "containerDefinitions": [
                {"name": "app", "image": "repo:1", "cpu": 0, "essential": True, "privileged": False,
                 "dockerLabels": {**labels, "cc.wanko.hako.version": "2.18.0"}},
                {"name": "front", "image": "nginx:1", "cpu": 0, "essential": True, "privileged": False,
                 "dockerLabels": {"cc.wanko.hako.version": "2.18.0"}}]}


def wanted(labels: dict[str, str]) -> dict[str, Any]:
    return {"family": "web", "containerDefinitions": [{"name": "app", "image": "repo:1", "dockerLabels": labels},
                                                      {"name": "front", "image": "nginx:1"}]}


def test_hakos_version_label_is_not_a_change() -> None:
    from hako_py.compare.task_definition import compare_task_definitions

    comparison = compare_task_definitions(wanted({"team": "web"}), stamped({"team": "web"}), [])
    assert comparison.same
    assert "cc.wanko.hako.version" not in repr(comparison.live)


def test_the_version_label_hides_no_other_label() -> None:
    from hako_py.compare.task_definition import compare_task_definitions

    comparison = compare_task_definitions(wanted({"team": "web"}), stamped({"team": "ops"}), [])
    assert not comparison.same
    assert comparison.live["containerDefinitions"][0]["dockerLabels"] == {"team": "ops"}


def test_a_definition_that_sets_the_version_label_has_it_compared() -> None:
    from hako_py.compare.task_definition import same_task_definition

    assert same_task_definition(wanted({"cc.wanko.hako.version": "2.18.0"}), stamped({}), [])
    assert not same_task_definition(wanted({"cc.wanko.hako.version": "2.19.0"}), stamped({}), [])
