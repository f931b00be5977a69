"""``hako sandbox --background``: serve in another process, and return once it answers.

``hako sandbox > /tmp/sandbox.env &`` then ``export $(cat /tmp/sandbox.env)`` raced: the
shell read the file before the sandbox had written its line, ``export`` with no arguments
printed the environment, ``AWS_ENDPOINT_URL`` stayed unset and the next ``hako deploy`` went
to real AWS. Here the command itself waits: it starts the same ``hako sandbox`` as a child in
its own session (a Ctrl-C in the shell does not stop it), reads the child's one line (written
once the sandbox answers and is seeded), prints it with the child's process id, and exits; the
child serves until SIGTERM. So ``sandbox=$(hako sandbox --background ...) && export $sandbox``
has the variables when it returns, and a sandbox that cannot start fails the command (its
error on stderr) instead of leaving an empty file behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from hako_py.cli.output import say, show

#: the variable the process id of a background sandbox is printed as (``kill $HAKO_SANDBOX_PID``)
PID_VARIABLE = "HAKO_SANDBOX_PID"


def serve_in_background(arguments: list[str]) -> int:
    """Start ``hako sandbox ARGUMENTS`` in the background; its exit code when it could not start.

    The child writes its messages to a log file (0600, in the temporary folder), never to this
    command's stderr: a child holding that open kept every pipe on it open, so
    ``hako sandbox --background 2>&1 | tee log`` (or a CI step collecting stderr) waited for the
    sandbox to end. What it said while starting is copied to stderr before this returns."""
    with tempfile.NamedTemporaryFile(prefix="hako-sandbox-", suffix=".log", delete=False) as log:
        child = subprocess.Popen([sys.executable, "-m", "hako_py", "sandbox", *arguments], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    assert child.stdout is not None
    line = child.stdout.readline().strip()  # the one line, once it answers; "" when it ended first
    child.stdout.close()  # it writes nothing else there
    code = (child.wait() or 1) if not line else 0
    with open(log.name, encoding="utf-8", errors="replace") as said:
        say(said.read(), nl=False)
    if not line:
        os.unlink(log.name)
        return code
    show(line)
    show(f"{PID_VARIABLE}={child.pid}")
    say(f"sandbox: serving in the background as process {child.pid} (stop it with kill {child.pid}; "
        f"its messages from now on: {log.name})")
    return 0
