"""``hako verify``: check, read-only, that everything a deploy or oneshot needs exists.

- :mod:`~hako_py.verify.check`: what one check found ([OK], [NG], [SKIP]).
- :mod:`~hako_py.verify.prerequisites`: every check, for what the task definition names
  (cluster, images, secrets, roles, log groups, network, capacity providers).
- :mod:`~hako_py.verify.traffic`: load balancers, Cloud Map and autoscaling.
"""
