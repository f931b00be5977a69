"""hako-py: declarative deployments of hako-format app definitions to Amazon ECS."""

__version__ = "0.1.0"
