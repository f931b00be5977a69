"""The credentials clients sign their requests to a sandbox with.

The sandbox accepts any, but boto3 refuses to send a request it cannot sign: seeding and
the CLI (when nothing else is configured for a loopback endpoint) use these. They live on
the sandbox's side so that the AWS facade knows nothing of the sandbox: the CLI passes
them in (:attr:`hako_py.aws.AwsOptions.loopback_credentials`).
"""

from __future__ import annotations

SANDBOX_CREDENTIALS = ("sandbox", "sandbox")  # (access key id, secret access key)
