"""Which hako process a Docker container belongs to, and whether that process is gone.

A sandbox (or a ``hako oneshot --local``) killed with SIGKILL cannot remove its containers;
they keep running, and on a shared machine several of them (of one user or of several) use
one engine at once. So every container and network they create carries labels naming its
owner (``hako.sandbox.*`` for a sandbox, ``hako.local.*`` for a local run: each kind reaps
only its own), and one that starts removes only what is provably orphaned: made for the
same user (``hako.sandbox.uid``), by a process of this machine and PID namespace
(``hako.sandbox.host``: boot id and PID namespace, where the PID means something) that no
longer runs (``hako.sandbox.pid`` is gone, or is now another process: ``hako.sandbox.started``
differs). Anything else — another user's, a live one's, one made elsewhere or by an older
hako without these labels — is left alone.

Clean up by hand (see README): ``docker rm -f $(docker ps -aq --filter label=hako.sandbox.id=ID)``
(``hako.local.id`` for local runs).
"""

from __future__ import annotations

import os
import uuid
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SANDBOX = "hako.sandbox"  # the label prefix of a sandbox's containers and networks
LOCAL = "hako.local"  # ... of hako oneshot --local's
ID = f"{SANDBOX}.id"
PID = f"{SANDBOX}.pid"
UID = f"{SANDBOX}.uid"
STARTED = f"{SANDBOX}.started"
HOST = f"{SANDBOX}.host"


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def process_started(pid: int) -> str:
    """When process *pid* started (clock ticks after boot, /proc/PID/stat field 22); "" when
    there is no such process or the system does not say."""
    stat = _read(f"/proc/{pid}/stat")
    fields = stat.rsplit(")", 1)[-1].split()  # the command name, in parentheses, may hold spaces
    return fields[19] if len(fields) > 19 else ""


def this_host() -> str:
    """This machine's boot and PID namespace: where a PID names the same process."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{_read('/proc/sys/kernel/random/boot_id')}/{namespace}"


def is_running(pid: int, started: str) -> bool:
    """Whether process *pid* runs and is the one that started at *started* (PIDs are reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        pass
    now = process_started(pid)
    return not (started and now and now != started)


@dataclass(frozen=True)
class Owner:
    """A sandbox (or local run) process, as its labels (under *prefix*) name it."""

    id: str
    pid: int
    uid: int
    started: str
    host: str
    prefix: str = SANDBOX

    @classmethod
    def this_process(cls, prefix: str = SANDBOX) -> Owner:
        pid = os.getpid()
        return cls(uuid.uuid4().hex[:12], pid, os.getuid(), process_started(pid), this_host(), prefix)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def labels(self) -> dict[str, str]:
        return {self.key("id"): self.id, self.key("pid"): str(self.pid), self.key("uid"): str(self.uid),
                self.key("started"): self.started, self.key("host"): self.host}

    def orphaned(self, labels: dict[str, str]) -> bool:
        """Whether a container or network with *labels* is another owner's of this user (and
        kind) that is gone, and so this one may remove it."""
        own_id = labels.get(self.key("id"))
        if labels.get(self.key("uid")) != str(self.uid) or not own_id or own_id == self.id:
            return False
        boot, _, namespace = labels.get(self.key("host"), "").partition("/")
        own_boot, _, own_namespace = self.host.partition("/")
        if not namespace or namespace != own_namespace:
            return False  # made where its PID means another process (or unknown): not ours to judge
        if own_boot and boot != own_boot:
            return True  # made before this machine last started: its sandbox is gone
        pid = labels.get(self.key("pid"), "")
        return pid.isdigit() and not is_running(int(pid), labels.get(self.key("started"), ""))


def reap_orphans(client: Any, owner: Owner) -> list[str]:
    """Remove the containers and networks of this user's owners of *owner*'s kind that are
    gone (killed with SIGKILL, say); returns what was removed, as ``container NAME (sandbox
    ID)`` (``local ID`` for local runs)."""
    removed: list[str] = []
    kind = owner.prefix.rsplit(".", 1)[-1]
    mine = {"label": [f"{owner.key('uid')}={owner.uid}"]}
    # ignore_removed: listing inspects each container, and one removed meanwhile (another process
    # on a shared engine) would raise NotFound for the whole list
    for container in client.containers.list(all=True, filters=mine, ignore_removed=True):
        labels = dict(container.labels or {})
        if owner.orphaned(labels):
            with suppress(Exception):  # gone meanwhile
                container.remove(force=True)
                removed.append(f"container {container.name} ({kind} {labels.get(owner.key('id'))})")
    for network in client.networks.list(filters=mine):
        labels = dict(network.attrs.get("Labels") or {})
        if owner.orphaned(labels):
            with suppress(Exception):  # still in use, or gone meanwhile
                network.remove()
                removed.append(f"network {network.name} ({kind} {labels.get(owner.key('id'))})")
    return removed
