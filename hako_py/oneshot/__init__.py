"""``hako oneshot``: run a definition's app once as an ECS task and behave like a local program."""
