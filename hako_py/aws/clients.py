"""boto3 clients for one command run, with hako-py's retry and timeout settings."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import urlparse

from hako_py.aws.errors import aws_errors
from hako_py.aws.throttle import TokenBucket
from hako_py.errors import UsageError

if TYPE_CHECKING:
    from boto3.session import Session
    from types_boto3_application_autoscaling.client import ApplicationAutoScalingClient
    from types_boto3_cloudwatch.client import CloudWatchClient
    from types_boto3_ec2.client import EC2Client
    from types_boto3_ecr.client import ECRClient
    from types_boto3_ecs.client import ECSClient
    from types_boto3_elbv2.client import ElasticLoadBalancingv2Client
    from types_boto3_iam.client import IAMClient
    from types_boto3_logs.client import CloudWatchLogsClient
    from types_boto3_scheduler.client import EventBridgeSchedulerClient
    from types_boto3_secretsmanager.client import SecretsManagerClient
    from types_boto3_servicediscovery.client import ServiceDiscoveryClient
    from types_boto3_ssm.client import SSMClient

    from hako_py.aws.cloudmap import CloudMapApi
    from hako_py.aws.ecs import EcsApi
    from hako_py.aws.elbv2 import ElbApi
    from hako_py.aws.logs import LogsApi
    from hako_py.aws.scaling import ScalingApi
    from hako_py.aws.scheduler import SchedulerApi

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class AwsOptions:
    """The global AWS options every AWS command takes."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    retry_mode: Literal["legacy", "standard", "adaptive"] = "adaptive"
    max_attempts: int = field(default_factory=lambda: max_attempts_from_environment())
    # (access key id, secret access key) to sign with when the endpoint is on loopback and no
    # credentials are configured: boto3 signs nothing without some, and a local endpoint (the
    # CLI passes the sandbox's) takes any. None: no such fallback.
    loopback_credentials: tuple[str, str] | None = None
    # the request budget every client of this process shares (hako deploy with many apps);
    # None: no budget beyond botocore's own retry mode
    rate_limit: TokenBucket | None = field(default=None, compare=False)

    def resolved_endpoint(self) -> str | None:
        """The endpoint, checked: a malformed one is a usage error naming where it came from."""
        if self.endpoint_url:
            return checked_endpoint(self.endpoint_url, "--endpoint-url")
        for name in sorted(os.environ):  # botocore reads the per-service ones itself, and raises ValueError
            if name.startswith("AWS_ENDPOINT_URL_") and os.environ[name]:
                checked_endpoint(os.environ[name], name)
        if os.environ.get("AWS_ENDPOINT_URL"):
            return checked_endpoint(os.environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL")
        return None


DEFAULT_MAX_ATTEMPTS = 8
MAX_MAX_ATTEMPTS = 100


def max_attempts_from_environment() -> int:
    """``$AWS_MAX_ATTEMPTS`` as botocore takes it: a whole number, at least 1 (botocore refuses
    0 with InvalidMaxRetryAttemptsError); bounded so a typo cannot retry for hours."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if not raw:
        return DEFAULT_MAX_ATTEMPTS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_MAX_ATTEMPTS:
        raise UsageError(f"AWS_MAX_ATTEMPTS={raw!r}: must be a whole number from 1 to {MAX_MAX_ATTEMPTS} "
                         f"(default {DEFAULT_MAX_ATTEMPTS})")
    return int(raw)


def checked_endpoint(url: str, source: str) -> str:
    """*url* when it is an http(s) URL with a host; else a usage error saying what is wrong."""
    try:
        parts = urlparse(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise UsageError(f"{source} {url!r}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{source} {url!r}: not an http(s) URL (e.g. http://127.0.0.1:4566 for the sandbox)")
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    if not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)):
        # botocore's own check (it raises ValueError: Invalid endpoint when creating a client)
        raise UsageError(f"{source} {url!r}: not a valid URL (the host {parts.hostname!r} is not a host name or "
                         "IP address)")
    return url


def is_loopback(url: str | None) -> bool:
    return bool(url) and (urlparse(url).hostname or "") in LOOPBACK_HOSTS


_loaders: dict[tuple[str | None, str | None], Any] = {}
# Sessions are not thread-safe (clients are): the workers of a fleet deploy create theirs one at a time.
_creating = threading.RLock()


def new_session(profile: str | None = None, region: str | None = None, **credentials: str) -> Session:
    """A boto3 session whose botocore data loader (service models, parsed from JSON) is shared
    with the earlier sessions of this process for the same profile and AWS_DATA_PATH. One
    command makes one session, so a CLI run is unchanged; a process that runs many commands
    (the test suite, a script calling hako's main()) no longer parses each model once per
    command (0.05-0.15 s of CPU per client: EC2's model alone is megabytes of JSON).
    *credentials*: boto3's aws_access_key_id, aws_secret_access_key, aws_session_token."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    key = (profile, os.environ.get("AWS_DATA_PATH"))
    shared = _loaders.get(key)
    if shared is not None:
        paths = list(shared.search_paths)
        core.register_component("data_loader", shared)
    session = boto3.session.Session(botocore_session=core, profile_name=profile, region_name=region, **credentials)
    if shared is None:
        _loaders[key] = core.get_component("data_loader")
    else:
        shared.search_paths[:] = paths  # boto3 appends its own data folder for every session
    return session


@dataclass
class AwsClients:
    """Lazily created boto3 clients sharing one session; the facade's entry point."""

    options: AwsOptions
    default_region: str | None = None
    _session: Session | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def region(self) -> str | None:
        return self.options.region or self.default_region or os.environ.get("AWS_REGION") or os.environ.get(
            "AWS_DEFAULT_REGION"
        )

    def session(self) -> Session:
        with _creating:
            if self._session is None:
                with aws_errors("AWS session"):
                    self._session = new_session(self.options.profile, self.region)
        return self._session

    @overload
    def client(self, service: Literal["ecs"], attempts: int | None = None) -> ECSClient: ...
    @overload
    def client(self, service: Literal["elbv2"], attempts: int | None = None) -> ElasticLoadBalancingv2Client: ...
    @overload
    def client(self, service: Literal["servicediscovery"], attempts: int | None = None) -> ServiceDiscoveryClient: ...
    @overload
    def client(self, service: Literal["application-autoscaling"],
               attempts: int | None = None) -> ApplicationAutoScalingClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"], attempts: int | None = None) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["logs"], attempts: int | None = None) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["ecr"], attempts: int | None = None) -> ECRClient: ...
    @overload
    def client(self, service: Literal["ssm"], attempts: int | None = None) -> SSMClient: ...
    @overload
    def client(self, service: Literal["secretsmanager"], attempts: int | None = None) -> SecretsManagerClient: ...
    @overload
    def client(self, service: Literal["iam"], attempts: int | None = None) -> IAMClient: ...
    @overload
    def client(self, service: Literal["ec2"], attempts: int | None = None) -> EC2Client: ...
    @overload
    def client(self, service: Literal["scheduler"], attempts: int | None = None) -> EventBridgeSchedulerClient: ...

    def client(self, service: str, attempts: int | None = None) -> Any:
        """The boto3 client of *service*; *attempts* overrides the retry count (1: no retries,
        for writes that are not idempotent and that hako retries itself after checking)."""
        key = f"{service}/{attempts}" if attempts else service
        with _creating:
            return self._client(service, key, attempts)

    def _client(self, service: str, key: str, attempts: int | None) -> Any:
        if key not in self._clients:
            from botocore.config import Config

            session = self.session()
            endpoint = self.options.resolved_endpoint()
            kwargs: dict[str, Any] = {
                "config": Config(
                    retries={"mode": self.options.retry_mode,
                             "total_max_attempts": attempts or self.options.max_attempts},
                    connect_timeout=5,
                    read_timeout=30,
                    user_agent_extra="hako-py",
                ),
            }
            if endpoint:
                kwargs["endpoint_url"] = endpoint
            if self.options.loopback_credentials and is_loopback(endpoint) and session.get_credentials() is None:
                kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self.options.loopback_credentials
            make: Callable[..., Any] = session.client  # the overloads above type each service's client
            with aws_errors(f"{service} client"):
                client = make(service, **kwargs)
            if self.options.rate_limit is not None:
                self.options.rate_limit.attach(client)
            self._clients[key] = client
        return self._clients[key]

    def ecs(self) -> EcsApi:
        from hako_py.aws.ecs import EcsApi

        return EcsApi(self.client("ecs"), once=self.client("ecs", attempts=1))

    def for_region(self, region: str | None) -> AwsClients:
        """These clients, or the same settings in another region (a log group or secret may live there)."""
        if not region or region == self.region:
            return self
        options = AwsOptions(region=region, profile=self.options.profile, endpoint_url=self.options.endpoint_url,
                             retry_mode=self.options.retry_mode, max_attempts=self.options.max_attempts,
                             loopback_credentials=self.options.loopback_credentials,
                             rate_limit=self.options.rate_limit)
        return AwsClients(options)

    def logs(self, region: str | None = None) -> LogsApi:
        """CloudWatch Logs, in *region* when a log configuration names another one."""
        from hako_py.aws.logs import LogsApi

        return LogsApi(self.for_region(region).client("logs"))

    def elbv2(self) -> ElbApi:
        from hako_py.aws.elbv2 import ElbApi

        return ElbApi(self.client("elbv2"))

    def cloudmap(self) -> CloudMapApi:
        from hako_py.aws.cloudmap import CloudMapApi

        return CloudMapApi(self.client("servicediscovery"))

    def scheduler(self) -> SchedulerApi:
        from hako_py.aws.scheduler import SchedulerApi

        return SchedulerApi(self.client("scheduler"))

    def scaling(self) -> ScalingApi:
        from hako_py.aws.scaling import ScalingApi

        return ScalingApi(self.client("application-autoscaling"), self.client("cloudwatch"))
