"""Scheduled jobs (``schedules``): read, plan, apply and remove an app's EventBridge Scheduler
schedules and the oneshot task definition they run; the runs' history and next times.

One more resource in the deploy's reader / planner / remover shape: :mod:`reader` reads the
live state up front, :mod:`planner` decides the writes as plan instructions
(:mod:`hako_py.plan`; the revision it registers is a ref, the cluster's ARN derived from it),
the one plan executor runs them (inside the deploy's plan when the app has a service), and
removal is a plan too.
"""
