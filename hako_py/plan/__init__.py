"""Plans as data: what a command will write, decided from reads only, run by one executor.

A :class:`~hako_py.plan.instructions.Plan` is a tuple of frozen instructions (an API call,
registering a task definition once, following a rollout, running a hook, ...). Values known
only after an earlier call (a new revision's ARN, a load balancer's ARN) are
:class:`~hako_py.plan.values.Ref` objects, resolved by name when the call that needs them
runs. :mod:`hako_py.plan.executor` runs a plan through the AWS facade;
:mod:`hako_py.plan.display` shows the very same plan for ``--dry-run``.
"""
