"""Deploying to ECS: plan (comparing through :mod:`hako_py.compare`), execute, follow, roll back."""
