"""Translate botocore exceptions into one-line :class:`HakoError` messages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from hako_py.errors import HakoError


class AwsError(HakoError):
    """An AWS call failed; ``code`` is the AWS error code when there is one."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Run AWS calls, turning any botocore failure into an :class:`AwsError`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise translated(exc, action) from None


def translated(exc: Exception, action: str) -> AwsError:
    """*exc*, a botocore error, as one line saying what *action* met and what to do."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
    )

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Error"))
        message = str(error.get("Message", "")).strip() or str(exc)
        return AwsError(f"{action}: {code}: {message}", code)
    if isinstance(exc, EndpointConnectionError):
        where = exc.kwargs.get("endpoint_url", "the AWS endpoint")
        return AwsError(f"{action}: cannot reach {where} (is the endpoint up? check --endpoint-url / "
                        "AWS_ENDPOINT_URL)", "EndpointConnectionError")
    if isinstance(exc, NoCredentialsError):
        return AwsError(f"{action}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                        "AWS_SECRET_ACCESS_KEY, or use --profile)", "NoCredentials")
    if isinstance(exc, NoRegionError):
        return AwsError(f"{action}: no AWS region (set scheduler.region, --region or AWS_REGION)", "NoRegion")
    if isinstance(exc, ProfileNotFound):
        return AwsError(f"{action}: {exc}", "ProfileNotFound")
    return AwsError(f"{action}: {exc}", type(exc).__name__)


def escaped_botocore_error(exc: Exception) -> AwsError | None:
    """*exc* as an :class:`AwsError` when it is botocore's (raised outside :func:`aws_errors`:
    credentials resolved by a library call hako did not wrap, say); None otherwise. What
    botocore raises is about the user's AWS setup or the service, never hako's own bug, so the
    CLI prints it as one line instead of an internal error. Looks only at botocore when it is
    loaded: the commands without AWS never import it."""
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None or not isinstance(exc, (exceptions.BotoCoreError, exceptions.ClientError)):
        return None
    return translated(exc, "AWS")


RETRYABLE_CODES = {
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
    "ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalError",
    "ServerException", "500", "502", "503", "504", "ConnectionClosedError", "EndpointConnectionError",
    "ReadTimeoutError", "ConnectTimeoutError", "ResponseStreamingError", "IncompleteReadError", "ProtocolError",
}


# The caller's credentials are missing, wrong or expired: every further call fails the same way.
CREDENTIAL_CODES = {
    "NoCredentials", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
    "ExpiredTokenException", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
    "InvalidAccessKeyId", "ProfileNotFound", "TokenRetrievalError", "SSOTokenLoadError",
    "UnauthorizedSSOTokenError", "CredentialRetrievalError", "NoAuthTokenError", "PartialCredentialsError",
}


def credentials_problem(exc: AwsError) -> bool:
    """Whether *exc* says the credentials (not the request) are the problem."""
    return exc.code in CREDENTIAL_CODES


def retryable(exc: AwsError) -> bool:
    """Whether the call may succeed if made again (throttling, server errors, dropped connections)."""
    return exc.code in RETRYABLE_CODES or "Throttl" in exc.code
