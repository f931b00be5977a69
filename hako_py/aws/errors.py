"""Translate botocore exceptions into one-line :class:`HakoError` messages."""

from __future__ import annotations

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
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
    )

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Error"))
        message = str(error.get("Message", "")).strip() or str(exc)
        raise AwsError(f"{action}: {code}: {message}", code) from None
    except EndpointConnectionError as exc:
        where = exc.kwargs.get("endpoint_url", "the AWS endpoint")
        raise AwsError(f"{action}: cannot reach {where} (is the endpoint up? check --endpoint-url / "
                       "AWS_ENDPOINT_URL)", "EndpointConnectionError") from None
    except NoCredentialsError:
        raise AwsError(f"{action}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                       "AWS_SECRET_ACCESS_KEY, or use --profile)", "NoCredentials") from None
    except NoRegionError:
        raise AwsError(f"{action}: no AWS region (set scheduler.region, --region or AWS_REGION)", "NoRegion") from None
    except ProfileNotFound as exc:
        raise AwsError(f"{action}: {exc}", "ProfileNotFound") from None
    except BotoCoreError as exc:
        raise AwsError(f"{action}: {exc}", type(exc).__name__) from None


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
    "UnauthorizedSSOTokenError", "CredentialRetrievalError", "NoAuthTokenError",
}


def credentials_problem(exc: AwsError) -> bool:
    """Whether *exc* says the credentials (not the request) are the problem."""
    return exc.code in CREDENTIAL_CODES


def retryable(exc: AwsError) -> bool:
    """Whether the call may succeed if made again (throttling, server errors, dropped connections)."""
    return exc.code in RETRYABLE_CODES or "Throttl" in exc.code
