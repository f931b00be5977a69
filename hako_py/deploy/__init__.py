"""Deploying to ECS: normalize, compare, plan, execute, follow, roll back."""
