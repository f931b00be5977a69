"""The one place hako-py talks to AWS: a thin, typed facade over boto3 clients.

Everything else receives an :class:`~hako_py.aws.clients.AwsClients` (or a fake with the
same methods) and never imports boto3, which keeps commands testable by injection and
``hako --help`` fast.
"""

from hako_py.aws.clients import AwsClients, AwsOptions, new_session

__all__ = ["AwsClients", "AwsOptions", "new_session"]
