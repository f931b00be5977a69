"""What a dead evaluation worker's exit status and stderr are reported as (the exact texts
were captured from workers that died under the memory limit)."""

from __future__ import annotations

import signal

import pytest

from hako_py.workers.budget import Budget
from hako_py.workers.failure import MEMORY_EXIT, died

BUDGET = Budget(10.0, 256)


@pytest.mark.parametrize(("returncode", "stderr"), [
    (MEMORY_EXIT, ""),
    (-signal.SIGABRT, "fatal error: out of memory allocating heap arena metadata\n\nruntime stack:\n"),
    (2, "fatal error: runtime: out of memory\n"),
    # RLIMIT_DATA counts thread stacks: the Go runtime cannot start a thread
    (-signal.SIGABRT, "runtime/cgo: pthread_create failed: Resource temporarily unavailable\n\n"),
])
def test_the_memory_limit_is_named_however_the_worker_died_of_it(returncode: int, stderr: str) -> None:
    failure = died(returncode, stderr, BUDGET)
    assert (failure.kind, failure.message) == ("memory", "evaluation exceeded the memory limit of 256 MiB "
                                                         "(HAKO_EVAL_MEMORY)")


def test_another_cgo_abort_says_its_reason() -> None:
    failure = died(-signal.SIGABRT, "runtime/cgo: could not obtain pthread_keys\n", BUDGET)
    assert failure.kind == "crash"
    assert failure.message == "evaluation crashed (killed by SIGABRT: runtime/cgo: could not obtain pthread_keys)"


def test_a_kill_without_a_word_suggests_the_out_of_memory_killer() -> None:
    failure = died(-signal.SIGKILL, "", BUDGET)
    assert failure.message == "evaluation crashed (killed by SIGKILL, perhaps by the system's out-of-memory killer)"
