"""Evaluating untrusted definitions within a budget of time and memory.

Definitions come from pull requests written by anyone, and go-jsonnet can be made to
run for hours, to allocate without bound or to abort the whole process (a Go fatal error
cannot be caught). So every evaluation runs in a worker process with a memory limit, a
task that overruns its time is killed, and a worker that dies becomes an error for the
one file it was evaluating while the others go on.

- :mod:`~hako_py.workers.budget`: the limits and their environment variables.
- :mod:`~hako_py.workers.worker`: the worker's side: apply the limits, run tasks.
- :mod:`~hako_py.workers.launch`: starting a worker (forkserver for pools, a fresh
  interpreter for the one shared worker of single-file commands).
- :mod:`~hako_py.workers.pool`: running tasks on workers, with deadlines and replacements.
- :mod:`~hako_py.workers.failure`: what a killed or dead worker means for its task.
- :mod:`~hako_py.workers.shared`: the one worker that single-file commands share.
"""
