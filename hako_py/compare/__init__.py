"""Comparing ECS objects: what a definition asks for against what AWS reports or an earlier revision.

Normalization (``shapes``, ``ecs_defaults``, ``task_definition``, ``service``), hiding
secrets before anything is shown (``masking``) and the unified diffs themselves (``diff``).
Deploy, diff, review, oneshot and the traffic planners all compare through here, below
them, so they agree on what a change is and never show a secret one of them would hide.
"""
