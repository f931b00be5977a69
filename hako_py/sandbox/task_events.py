"""ECS task state change events through the account's EventBridge rules, as AWS sends them.

ECS sends an "ECS Task State Change" event to the default event bus when a task changes
state (ECS developer guide, ecs_task_events.html); moto's ECS sends none, and moto's
EventBridge could neither match ``containers[].exitCode`` nor reach an ECS-shaped target
(scheduler NOTES.md §5). So when the simulator stops a task, this module builds the event
(:func:`moto_glue.task_state_event`), matches it against every ENABLED rule of that account and
region (:mod:`event_patterns`, EventBridge's semantics) and delivers it to the rules' API
destination targets: an HTTP request with the destination's method to its endpoint, the
connection's API key header, the target's input transformer applied (else the whole event).

Delivery runs on its own thread, outside the simulator's lock, so a slow webhook never holds
the ECS simulation back; a failing one is reported like any sandbox problem. What was sent
is kept (``evaluated``: each event once its rules ran, ``delivered``) for tests and the control
API (``GET /_sandbox/events``).
"""

from __future__ import annotations

import functools
import json
import queue
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.event_patterns import matches, transform
from hako_py.sandbox.problems import Problems

TIMEOUT = 10.0


@dataclass
class TaskEvents:
    problems: Problems
    lock: threading.RLock  # the ECS simulator's: moto's state is read under it
    evaluated: list[dict[str, Any]] = field(default_factory=list)  # each event once the rules took it, newest last
    delivered: list[dict[str, Any]] = field(default_factory=list)  # newest last
    _queue: queue.Queue[tuple[str, str, dict[str, Any]] | None] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hako-sandbox-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def task_changed(self, task: Any) -> None:
        """Called by the simulator (under its lock) when it changed a task's state."""
        event = glue.task_state_event(task)
        self._queue.put((str(event["account"]), str(event["region"]), event))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            account, region, event = item
            self.problems.guarded("EventBridge rules", functools.partial(self.deliver, account, region, event))

    def deliver(self, account: str, region: str, event: dict[str, Any]) -> None:
        with self.lock:
            rules = glue.event_rules(account, region)
            chosen: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
            for rule in rules:
                if rule.get("State") != "ENABLED" or not rule.get("EventPattern"):
                    continue
                if not matches(json.loads(str(rule["EventPattern"])), event):
                    continue
                for target in rule.get("Targets") or []:
                    chosen.append((str(rule["Name"]), target, glue.api_destination(account, region,
                                                                                 str(target.get("Arn")))))
        for rule_name, target, destination in chosen:
            if destination is None:
                continue  # only API destinations are delivered to by the sandbox
            self._post(rule_name, target, destination, event)
        self.evaluated.append({"taskArn": event["detail"].get("taskArn"), "lastStatus": event["detail"].get(
            "lastStatus"), "rules": sorted({name for name, _, _ in chosen})})
        del self.evaluated[:-1000]

    def _post(self, rule: str, target: dict[str, Any], destination: dict[str, Any], event: dict[str, Any]) -> None:
        if target.get("InputTransformer"):
            body = transform(target["InputTransformer"], event)
        elif target.get("Input") is not None:
            body = str(target["Input"])
        else:
            body = json.dumps(event)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        api_key = (destination.get("AuthParameters") or {}).get("ApiKeyAuthParameters") or {}
        if api_key.get("ApiKeyName"):
            headers[str(api_key["ApiKeyName"])] = str(api_key.get("ApiKeyValue", ""))
        request = urllib.request.Request(str(destination["InvocationEndpoint"]), data=body.encode(), headers=headers,
                                         method=str(destination.get("HttpMethod") or "POST"))
        record: dict[str, Any] = {"rule": rule, "target": target.get("Id"), "taskArn": event["detail"].get("taskArn")}
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                record["status"] = answer.status
        except OSError as exc:
            record["failure"] = str(exc)
        self.delivered.append(record)
        del self.delivered[:-1000]
