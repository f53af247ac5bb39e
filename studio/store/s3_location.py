"""Where a team library's files are kept in an S3-compatible bucket, and the access key that opens it.

The endpoint is checked by the studio's one address check (`studio.core.urls`), which refuses an address that
carries a user name, password or token. The access key id and its secret live only in the OS keyring, under
names derived from the endpoint and bucket; they never reach settings, the database, logs or addresses.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from studio.core.urls import parse_http_url
from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore

DEFAULT_REGION = "us-east-1"
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_LIKE = re.compile(r"\d+\.\d+\.\d+\.\d+")
_REGION = re.compile(r"[a-z0-9-]{1,40}")
_PREFIX = re.compile(r"(?:[A-Za-z0-9._-]+/){1,8}")
ENDPOINT_EXAMPLE = "https://s3.example.com or http://127.0.0.1:8333"


@dataclass(frozen=True)
class S3Location:
    endpoint: str  # scheme://host[:port], no credentials, no path
    bucket: str
    region: str = DEFAULT_REGION
    prefix: str = ""  # a folder inside the bucket, e.g. "studio-a/", when the bucket is shared

    @classmethod
    def parse(cls, endpoint: str, bucket: str, *, region: str = DEFAULT_REGION, prefix: str = "") -> S3Location:
        """A location from what a person typed; InvalidInput (one line) for anything unusable."""
        parts = parse_http_url(
            endpoint, "S3 endpoint", ENDPOINT_EXAMPLE,
            secret_way="the access key and its secret go to the OS keyring (the team library's set-up asks for "
            "them)",
        )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise InvalidInput(
                f"the S3 endpoint {parts.scheme}://{parts.netloc} must not carry a path, query or fragment",
                hint="give only the server's address; the bucket is given on its own",
            )
        bucket = str(bucket).strip()
        if not _BUCKET.fullmatch(bucket) or ".." in bucket or _IP_LIKE.fullmatch(bucket):
            raise InvalidInput(
                f"{bucket[:80]!r} is not an S3 bucket name",
                hint="use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter "
                "or digit",
            )
        if not _REGION.fullmatch(region):
            raise InvalidInput(f"{region[:50]!r} is not an S3 region", hint=f"give e.g. {DEFAULT_REGION}")
        if prefix and (not _PREFIX.fullmatch(prefix) or any(p in (".", "..") for p in prefix.split("/"))):
            raise InvalidInput(
                f"{prefix[:80]!r} is not a folder inside a bucket",
                hint="give up to 8 names of letters, digits, dots, hyphens or underscores, each followed by /",
            )
        return cls(f"{parts.scheme}://{parts.netloc}", bucket, region, prefix)

    @property
    def label(self) -> str:
        """How the location is shown and how its keyring entries are named: endpoint/bucket/prefix."""
        return f"{self.endpoint}/{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class S3Credentials:
    access_key_id: str = field(repr=False)
    secret_access_key: Secret

    def __repr__(self) -> str:
        return "S3Credentials(••••••)"


def _keyring_label(location: S3Location) -> str:
    # Keyring names are at most 200 characters; a longer endpoint is named by its hash instead.
    label = location.label
    return label if len(label) <= 150 else "sha256:" + hashlib.sha256(label.encode()).hexdigest()


def key_id_name(location: S3Location) -> str:
    return f"s3-access-key-id {_keyring_label(location)}"


def secret_name(location: S3Location) -> str:
    return f"s3-secret-access-key {_keyring_label(location)}"


def keep_s3_credentials(secrets: SecretStore, location: S3Location, access_key_id: str, secret: Secret) -> None:
    """Put a bucket's access key in the OS keyring (the only place it is kept)."""
    key_id = access_key_id.strip()
    if not re.fullmatch(r"[A-Za-z0-9+/=_.-]{3,128}", key_id):
        raise InvalidInput("that is not an S3 access key id", hint="copy it again from your storage provider")
    secrets.set(key_id_name(location), key_id)
    secrets.set(secret_name(location), secret)


def s3_credentials(secrets: SecretStore, location: S3Location) -> S3Credentials:
    """The bucket's access key from the OS keyring; one line saying how to store it when it is not there."""
    key_id = secrets.get(key_id_name(location))
    secret = secrets.get_secret(secret_name(location))
    if not key_id or secret is None:
        raise InvalidInput(
            f"the OS keyring holds no access key for the S3 bucket {location.label}",
            hint="store the bucket's access key id and secret in the OS keyring (the team library's set-up asks "
            "for them)",
        )
    return S3Credentials(key_id, secret)
