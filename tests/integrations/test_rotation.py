"""E5: key rotation with the real ``rotate_encryption_keys`` command.

Keys are changed through pytest-django's ``settings`` fixture; ``integrations.crypto`` forgets
its cached key ring on ``setting_changed``, so each step runs under the configuration it sets.
"""

import base64
import io
import os
import re
import secrets

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.db import connection

from integrations.crypto import generate_key, key_id, keyring
from integrations.management.commands.rotate_encryption_keys import BATCH
from integrations.models import IntegrationCredential

pytestmark = pytest.mark.django_db

TABLE = "integrations_integrationcredential"
SECRET_COLUMNS = IntegrationCredential.SECRET_FIELDS
LABEL = IntegrationCredential._meta.label


def kid(key: str) -> str:
    return key_id(base64.b64decode(key))


def db_pk(pk):
    return IntegrationCredential._meta.pk.get_db_prep_value(pk, connection)


def raw_values() -> dict:
    """{(pk as stored, column): raw stored text} for every non-null secret column."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(SECRET_COLUMNS)} FROM {TABLE}")
        rows = cursor.fetchall()
    return {
        (row[0], column): value
        for row in rows
        for column, value in zip(SECRET_COLUMNS, row[1:], strict=True)
        if value is not None
    }


def raw_column(pk, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {TABLE} WHERE id = %s", [db_pk(pk)])
        return cursor.fetchone()[0]


def set_raw_column(pk, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, db_pk(pk)])


def node_legacy_encrypt(plaintext: str, legacy_key: str) -> str:
    """``ivhex:authtaghex:ciphertexthex`` as the Node service wrote it (16-byte IV, no AAD)."""
    iv = os.urandom(16)
    sealed = AESGCM(legacy_key.encode()).encrypt(iv, plaintext.encode(), None)
    return f"{iv.hex()}:{sealed[-16:].hex()}:{sealed[:-16].hex()}"


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


def counts(output: str) -> tuple[int, int, int]:
    """(values re-encrypted, rows checked, total) as the command reports them."""
    model = re.search(
        rf"^{re.escape(LABEL)}: (\d+) value\(s\) re-encrypted, (\d+) row\(s\) checked$",
        output,
        re.MULTILINE,
    )
    done = re.search(r"^Done: (\d+) value\(s\) now under key ([0-9a-f]{8})\.$", output, re.M)
    assert model and done, output
    return int(model[1]), int(model[2]), int(done[1])


def stored_plaintexts() -> dict:
    return {
        credential.pk: {field: getattr(credential, field) for field in SECRET_COLUMNS}
        for credential in IntegrationCredential.objects.all()
    }


@pytest.fixture
def k1():
    return generate_key()


@pytest.fixture
def k2():
    return generate_key()


@pytest.fixture
def credentials_under_k1(settings, k1, workspace_a):
    """Three credentials (one with a null refresh token) written while k1 is the only key."""
    settings.ENCRYPTION_KEYS = [k1]
    settings.LEGACY_ENCRYPTION_KEY = ""
    assert keyring().primary_id == kid(k1)
    secrets_by_provider = {
        "google": {
            "access_token": "ya29.google-access",
            "refresh_token": "1//google-refresh",
            "api_key": None,
        },
        "slack": {"access_token": "xoxb-slack-bot", "refresh_token": None, "api_key": None},
        "apollo": {
            "access_token": "apollo-access-ü",
            "refresh_token": "apollo-refresh",
            "api_key": "apollo-api-key-123456",
        },
    }
    for provider, fields in secrets_by_provider.items():
        IntegrationCredential.objects.create(workspace=workspace_a, provider=provider, **fields)
    expected = stored_plaintexts()
    assert {c["access_token"] for c in expected.values()} == {
        fields["access_token"] for fields in secrets_by_provider.values()
    }
    return expected


def test_rotation_moves_every_value_to_the_new_key(
    settings, k1, k2, workspace_a, credentials_under_k1
):
    """E5: values written under k1 still read once k2 is primary; new writes use k2; the
    command re-encrypts every k1 value and reports the counts; afterwards no value references
    k1 and everything reads with k2 alone; a second run re-encrypts nothing."""
    expected = credentials_under_k1
    id1, id2 = kid(k1), kid(k2)
    before = raw_values()
    assert len(before) == 6
    assert all(value.startswith(f"v1${id1}$") for value in before.values())

    # k2 becomes primary; k1 still decrypts.
    settings.ENCRYPTION_KEYS = [k2, k1]
    assert keyring().primary_id == id2
    assert stored_plaintexts() == expected
    assert raw_values() == before  # reading rewrites nothing

    # A new write is under k2.
    fresh = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="notion", api_key="secret_notion-integration"
    )
    fresh_raw = raw_column(fresh.pk, "api_key")
    assert fresh_raw.startswith(f"v1${id2}$")
    expected[fresh.pk] = {"access_token": None, "refresh_token": None, "api_key": fresh.api_key}

    output = rotate()
    assert counts(output) == (6, 4, 6)
    assert f"now under key {id2}" in output

    after = raw_values()
    assert after.keys() == {*before.keys(), (db_pk(fresh.pk), "api_key")}
    assert all(value.startswith(f"v1${id2}$") for value in after.values())
    assert not any(id1 in value.split("$")[1] for value in after.values())
    assert not any(f"${id1}$" in value for value in after.values())
    # Every k1 value was rewritten (new nonce); the value already under k2 was left alone.
    assert all(after[place] != value for place, value in before.items())
    assert after[(db_pk(fresh.pk), "api_key")] == fresh_raw
    assert stored_plaintexts() == expected

    # k1 is removed: everything still reads.
    settings.ENCRYPTION_KEYS = [k2]
    assert list(keyring().keys) == [id2]
    assert stored_plaintexts() == expected

    # Nothing is left to rotate.
    unchanged = raw_values()
    assert counts(rotate()) == (0, 4, 0)
    assert raw_values() == unchanged


def test_rotation_rewrites_legacy_values(settings, k1, k2, credentials_under_k1):
    """E5: a legacy Node-format value put into a column with raw SQL is rewritten by the
    command as ``v1$<k2 id>$...`` and reads back as the same plaintext, also once
    LEGACY_ENCRYPTION_KEY is unset; a second run re-encrypts 0 values."""
    expected = credentials_under_k1
    legacy_key = secrets.token_hex(16)
    settings.LEGACY_ENCRYPTION_KEY = legacy_key
    settings.ENCRYPTION_KEYS = [k2, k1]
    id2 = kid(k2)

    slack = IntegrationCredential.objects.get(provider="slack")
    legacy_refresh = node_legacy_encrypt("xoxe-legacy-slack-refresh", legacy_key)
    legacy_api_key = node_legacy_encrypt("legacy-ü-api-key", legacy_key)
    set_raw_column(slack.pk, "refresh_token", legacy_refresh)
    set_raw_column(slack.pk, "api_key", legacy_api_key)
    expected[slack.pk] |= {
        "refresh_token": "xoxe-legacy-slack-refresh",
        "api_key": "legacy-ü-api-key",
    }
    assert raw_column(slack.pk, "refresh_token") == legacy_refresh
    assert stored_plaintexts() == expected  # legacy values read before rotation

    output = rotate()
    assert counts(output) == (8, 3, 8)  # 6 values under k1 and 2 legacy values
    for column, legacy in (("refresh_token", legacy_refresh), ("api_key", legacy_api_key)):
        rewritten = raw_column(slack.pk, column)
        assert rewritten != legacy
        assert rewritten.startswith(f"v1${id2}$")
        assert len(rewritten.split("$")) == 3
    assert all(value.startswith(f"v1${id2}$") for value in raw_values().values())
    assert stored_plaintexts() == expected

    # Neither the legacy key nor k1 is needed any more.
    settings.LEGACY_ENCRYPTION_KEY = ""
    settings.ENCRYPTION_KEYS = [k2]
    assert keyring().legacy_key is None
    assert stored_plaintexts() == expected
    assert counts(rotate()) == (0, 3, 0)


def test_rotation_covers_more_rows_than_one_batch(settings, k1, k2, workspace_a):
    """E5: with more rows than the command's batch size, every row in every batch is
    re-encrypted and reads back."""
    settings.ENCRYPTION_KEYS = [k1]
    total = BATCH + 7
    IntegrationCredential.objects.bulk_create(
        IntegrationCredential(
            workspace=workspace_a,
            provider="gmail",
            account=f"u{n}@example.com",
            access_token=f"token-{n:04d}",
        )
        for n in range(total)
    )
    settings.ENCRYPTION_KEYS = [k2, k1]
    assert counts(rotate()) == (total, total, total)

    settings.ENCRYPTION_KEYS = [k2]
    assert all(value.startswith(f"v1${kid(k2)}$") for value in raw_values().values())
    tokens = IntegrationCredential.objects.values_list("account", "access_token")
    assert {account: token for account, token in tokens} == {
        f"u{n}@example.com": f"token-{n:04d}" for n in range(total)
    }
