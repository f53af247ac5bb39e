"""A bucket's access key lives in the OS keyring (the real Secret Service, under tools/run-tests.sh), one entry
pair per endpoint and bucket, and opens the bucket from there."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore
from studio.store.s3 import S3FileStore
from studio.store.s3_location import S3Location, keep_s3_credentials, key_id_name, s3_credentials, secret_name
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, WeedServer
from tests.helpers.secret_service import secret_service_keyring


@pytest.fixture
def secrets() -> SecretStore:
    return SecretStore(backend=secret_service_keyring())


def test_the_key_in_the_keyring_opens_the_bucket(secrets: SecretStore, s3_server: WeedServer, s3_bucket: str,
                                                  tmp_path) -> None:
    location = S3Location.parse(s3_server.endpoint, s3_bucket)
    keep_s3_credentials(secrets, location, ACCESS_KEY, Secret(SECRET_KEY))
    try:
        credentials = s3_credentials(secrets, location)
        assert SECRET_KEY not in repr(credentials) and ACCESS_KEY not in repr(credentials)
        store = S3FileStore(location, credentials, tmp_path / "cache")
        sha256 = store.put_bytes(b"from the keyring", "png")
        assert S3FileStore(location, s3_credentials(secrets, location), tmp_path / "other").read(sha256) == \
            b"from the keyring"
        other_bucket = S3Location.parse(s3_server.endpoint, s3_bucket + "-x")
        assert key_id_name(other_bucket) != key_id_name(location)
        with pytest.raises(InvalidInput, match="holds no access key"):
            s3_credentials(secrets, other_bucket)  # another bucket's key is its own entry
    finally:
        secrets.delete(key_id_name(location))
        secrets.delete(secret_name(location))


def test_a_bucket_without_a_key_in_the_keyring_says_so_in_one_line(secrets: SecretStore) -> None:
    location = S3Location.parse("http://127.0.0.1:9", "never-kept")
    with pytest.raises(InvalidInput) as caught:
        s3_credentials(secrets, location)
    line = str(caught.value)
    assert "\n" not in line and "OS keyring holds no access key for the S3 bucket" in line


@pytest.mark.parametrize("key_id", ["", "a b", "x" * 200, "id\n"])
def test_an_access_key_id_that_is_no_key_id_is_not_kept(secrets: SecretStore, key_id: str) -> None:
    location = S3Location.parse("http://127.0.0.1:9", "never-kept")
    with pytest.raises(InvalidInput):
        keep_s3_credentials(secrets, location, key_id, Secret("s"))
    assert secrets.get(key_id_name(location)) is None


def test_a_long_endpoint_still_names_its_keyring_entries(secrets: SecretStore) -> None:
    location = S3Location.parse("https://" + "a" * 60 + "." + "b" * 60 + ".example.com:9000", "bucket",
                                prefix="studio-a/team/")
    keep_s3_credentials(secrets, location, ACCESS_KEY, Secret(SECRET_KEY))
    try:
        assert s3_credentials(secrets, location).secret_access_key == Secret(SECRET_KEY)
        assert len(key_id_name(location)) <= 200 and key_id_name(location) != secret_name(location)
    finally:
        secrets.delete(key_id_name(location))
        secrets.delete(secret_name(location))
