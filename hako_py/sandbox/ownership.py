"""Which sandbox a Docker container belongs to, and whether that sandbox is gone.

A sandbox killed with SIGKILL cannot remove its containers; they keep running, and on a shared
machine several sandboxes (of one user or of several) use one engine at once. So every
container and network a sandbox creates carries labels naming its owner, and a sandbox that
starts removes only what is provably orphaned: made for the same user (``hako.sandbox.uid``),
by a sandbox process of this machine and PID namespace (``hako.sandbox.host``: boot id and PID
namespace, where the PID means something) that no longer runs (``hako.sandbox.pid`` is gone,
or is now another process: ``hako.sandbox.started`` differs). Anything else — another user's,
a live sandbox's, one made elsewhere or by an older hako without these labels — is left alone.

Clean up by hand (see README): ``docker rm -f $(docker ps -aq --filter label=hako.sandbox.id=ID)``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

ID = "hako.sandbox.id"
PID = "hako.sandbox.pid"
UID = "hako.sandbox.uid"
STARTED = "hako.sandbox.started"
HOST = "hako.sandbox.host"
TASK = "hako.sandbox.task"  # the task ARN (containers and networks)


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
    """A sandbox process, as its labels name it."""

    id: str
    pid: int
    uid: int
    started: str
    host: str

    @classmethod
    def this_process(cls) -> Owner:
        pid = os.getpid()
        return cls(uuid.uuid4().hex[:12], pid, os.getuid(), process_started(pid), this_host())

    def labels(self) -> dict[str, str]:
        return {ID: self.id, PID: str(self.pid), UID: str(self.uid), STARTED: self.started, HOST: self.host}

    def orphaned(self, labels: dict[str, str]) -> bool:
        """Whether a container or network with *labels* is another sandbox's of this user that is
        gone, and so this one may remove it."""
        if labels.get(UID) != str(self.uid) or not labels.get(ID) or labels.get(ID) == self.id:
            return False
        boot, _, namespace = labels.get(HOST, "").partition("/")
        own_boot, _, own_namespace = self.host.partition("/")
        if not namespace or namespace != own_namespace:
            return False  # made where its PID means another process (or unknown): not ours to judge
        if own_boot and boot != own_boot:
            return True  # made before this machine last started: its sandbox is gone
        pid = labels.get(PID, "")
        return pid.isdigit() and not is_running(int(pid), labels.get(STARTED, ""))
