"""S3: the one object a script keeps in a bucket (hako's nginx_front configuration).

Bucket and key come from a definition, which is untrusted: the client is the command's own
(its endpoint, its credentials), so a definition chooses the object, never where the request
goes. With a configured endpoint (the sandbox, an S3-compatible store) requests use path-style
addresses (``ENDPOINT/BUCKET/KEY``): the bucket never becomes part of a host name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import PutObjectOutputTypeDef, PutObjectRequestTypeDef

# S3 answers a missing object or bucket with these codes (HEAD requests carry no body: 404)
_MISSING_OBJECT = ("NoSuchKey", "404", "NotFound")
_MISSING_BUCKET = ("NoSuchBucket", "404", "NotFound")
#: how much of an existing object is read for comparing (an nginx.conf is a few hundred bytes)
MAX_COMPARED_BYTES = 1024 * 1024


class S3Api:
    def __init__(self, client: S3Client) -> None:
        self.client = client

    def object_body(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes (the first MiB), or None when there is no such object (nor
        bucket: what would be written is then all new, and ``hako verify`` says the bucket is
        missing before a deploy writes anything)."""
        try:
            with aws_errors(f"GetObject s3://{bucket}/{key}"):
                response = self.client.get_object(Bucket=bucket, Key=key)
                with response["Body"] as body:
                    return bytes(body.read(MAX_COMPARED_BYTES + 1))
        except AwsError as exc:
            if exc.code in _MISSING_OBJECT or exc.code in _MISSING_BUCKET:
                return None
            raise

    def put_object(self, **request: Unpack[PutObjectRequestTypeDef]) -> PutObjectOutputTypeDef:
        """PutObject (a plan's :class:`~hako_py.plan.instructions.Call`, run by the executor)."""
        with aws_errors(f"PutObject s3://{request['Bucket']}/{request['Key']}"):
            return self.client.put_object(**request)

    def bucket_exists(self, bucket: str) -> bool:
        """HeadBucket: True when the bucket exists and these credentials may use it."""
        try:
            with aws_errors(f"HeadBucket {bucket}"):
                self.client.head_bucket(Bucket=bucket)
        except AwsError as exc:
            if exc.code in _MISSING_BUCKET:
                return False
            raise
        return True
