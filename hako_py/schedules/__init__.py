"""Scheduled jobs (``schedules``): read, plan, apply and remove an app's EventBridge Scheduler
schedules and the oneshot task definition they run; the runs' history and next times.

One more resource in the deploy's reader / planner / remover shape: :mod:`reader` reads the
live state up front, :mod:`planner` decides the writes as data ((operation, parameters)
instructions with named references), :mod:`executor` runs them, and removal is a plan too.
"""
