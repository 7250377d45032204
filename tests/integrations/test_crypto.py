"""E1-E4, E6 and the legacy format: the AES-256-GCM key ring that encrypts every stored secret.

Every test works on the real ``integrations.crypto.KeyRing`` (nothing is mocked); the database
tests go through the real ``EncryptedTextField`` and read the columns back with raw SQL.
"""

import base64
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from integrations.crypto import (
    NONCE_BYTES,
    DecryptionError,
    KeyRing,
    generate_key,
    key_id,
    keyring,
)
from integrations.models import IntegrationCredential

ROOT = Path(__file__).resolve().parents[2]
TABLE = "integrations_integrationcredential"
ACCESS_AAD = IntegrationCredential._meta.get_field("access_token").aad()
REFRESH_AAD = IntegrationCredential._meta.get_field("refresh_token").aad()
BASE64URL = string.ascii_letters + string.digits + "-_"
HEX = "0123456789abcdef"
TAG_BYTES = 16

# One ring for the tests that need no particular key (hypothesis forbids function fixtures).
RING = KeyRing.from_config([generate_key()])


def ring_with(*keys: str, legacy: str = "") -> KeyRing:
    return KeyRing.from_config(list(keys), legacy)


def split_stored(stored: str) -> tuple[str, str, bytes]:
    """(version, key id, raw nonce || ciphertext || tag) of a current-format value."""
    version, kid, payload = stored.split("$")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return version, kid, raw


def join_stored(version: str, kid: str, raw: bytes) -> str:
    return f"{version}${kid}${base64.urlsafe_b64encode(raw).decode().rstrip('=')}"


def node_legacy_encrypt(plaintext: str, legacy_key: str) -> str:
    """A value exactly as the original Node service wrote it: ``ivhex:authtaghex:ciphertexthex``.

    AES-256-GCM under the UTF-8 bytes of the 32-character key, with a random 16-byte IV and no
    associated data; AESGCM appends the 16-byte tag, which Node kept in a field of its own.
    """
    iv = os.urandom(16)
    sealed = AESGCM(legacy_key.encode()).encrypt(iv, plaintext.encode(), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return f"{iv.hex()}:{tag.hex()}:{ciphertext.hex()}"


def db_pk(pk):
    return IntegrationCredential._meta.pk.get_db_prep_value(pk, connection)


def raw_column(pk, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {TABLE} WHERE id = %s", [db_pk(pk)])
        return cursor.fetchone()[0]


def set_raw_column(pk, column: str, value: str | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, db_pk(pk)])


# E1 -------------------------------------------------------------------------------------------


def test_same_plaintext_encrypts_differently_and_nonces_never_repeat():
    """E1: the same plaintext encrypted twice gives two different values, and 10,000
    encryptions use 10,000 distinct 96-bit nonces."""
    first = RING.encrypt("same secret", ACCESS_AAD)
    second = RING.encrypt("same secret", ACCESS_AAD)
    assert first != second
    assert RING.decrypt(first, ACCESS_AAD) == RING.decrypt(second, ACCESS_AAD) == "same secret"

    nonces = set()
    for _ in range(10_000):
        _, _, raw = split_stored(RING.encrypt("same secret", ACCESS_AAD))
        nonce = raw[:NONCE_BYTES]
        assert len(nonce) == 12
        nonces.add(nonce)
    assert len(nonces) == 10_000


# E2 -------------------------------------------------------------------------------------------


@hypothesis_settings(max_examples=200, deadline=None)
@given(plaintext=st.text())
@example(plaintext="")
@example(plaintext="pässwörd · 秘密 · 🔑 · \u0000 · \U0010ffff")
@example(plaintext="x" * 65_536)
@example(plaintext="é" * 32_768)
def test_decrypt_inverts_encrypt_for_any_text(plaintext):
    """E2: for any text (empty, non-ASCII, NUL, 64 KB included) decrypt(encrypt(x)) == x."""
    stored = RING.encrypt(plaintext, ACCESS_AAD)
    assert stored.startswith(f"v1${RING.primary_id}$")
    assert RING.decrypt(stored, ACCESS_AAD) == plaintext


def test_64_kilobyte_secret_round_trips():
    """E2: an explicit 64 KB secret (ASCII and multi-byte) survives encrypt/decrypt intact."""
    for plaintext in ("a" * 65_536, "€" * 21_846, secrets.token_urlsafe(49_152)):
        assert len(plaintext.encode()) >= 64 * 1024
        assert RING.decrypt(RING.encrypt(plaintext, ACCESS_AAD), ACCESS_AAD) == plaintext


# E3 -------------------------------------------------------------------------------------------

# Plaintext byte lengths n with (12 + n + 16) % 3 == 0: the base64url payload then has no
# padding bits, so every one of its characters carries data (the lengths where it does not are
# covered by test_every_other_spelling_of_the_same_payload_is_rejected).
CANONICAL_PLAINTEXTS = ["ab", "tok3n", "é" + "abc", "ya29." + "A" * 30]


@pytest.mark.parametrize("plaintext", CANONICAL_PLAINTEXTS)
def test_every_single_character_change_of_a_stored_value_is_rejected(plaintext):
    """E3: replacing any one character of a stored value (version, key id, separators or
    payload) by any other base64url or separator character makes decryption raise
    DecryptionError; it never returns the plaintext, garbage, or the stored string."""
    assert (12 + len(plaintext.encode()) + 16) % 3 == 0
    stored = RING.encrypt(plaintext, ACCESS_AAD)
    assert RING.decrypt(stored, ACCESS_AAD) == plaintext
    tried = 0
    for position, original in enumerate(stored):
        for replacement in BASE64URL + "$":
            if replacement == original:
                continue
            tampered = stored[:position] + replacement + stored[position + 1 :]
            with pytest.raises(DecryptionError):
                RING.decrypt(tampered, ACCESS_AAD)
            tried += 1
    assert tried == len(stored) * len(BASE64URL)


@pytest.mark.parametrize("plaintext", ["", "a", "abc", "ya29.a0AfH6SMBx-token_value", "ü" * 50])
def test_every_bit_flip_of_the_raw_payload_is_rejected(plaintext):
    """E3: flipping any single bit of the decoded payload (nonce, ciphertext or tag), then
    re-encoding it, makes decryption raise DecryptionError."""
    stored = RING.encrypt(plaintext, ACCESS_AAD)
    version, kid, raw = split_stored(stored)
    assert len(raw) == NONCE_BYTES + len(plaintext.encode()) + TAG_BYTES
    for index in range(len(raw)):
        for bit in range(8):
            flipped = bytearray(raw)
            flipped[index] ^= 1 << bit
            with pytest.raises(DecryptionError):
                RING.decrypt(join_stored(version, kid, bytes(flipped)), ACCESS_AAD)


@pytest.mark.parametrize("plaintext", ["", "short", "a-much-longer-refresh-token-" * 4])
def test_truncated_values_are_rejected(plaintext):
    """E3: every proper prefix and every proper suffix of a stored value (including the empty
    string and the bare ``v1$<kid>$`` header) makes decryption raise DecryptionError."""
    stored = RING.encrypt(plaintext, ACCESS_AAD)
    for cut in range(len(stored)):
        with pytest.raises(DecryptionError):
            RING.decrypt(stored[:cut], ACCESS_AAD)
        with pytest.raises(DecryptionError):
            RING.decrypt(stored[cut + 1 :], ACCESS_AAD)
    # The payload cut by whole bytes, so it is still well-formed base64url.
    version, kid, raw = split_stored(stored)
    for length in range(len(raw)):
        with pytest.raises(DecryptionError):
            RING.decrypt(join_stored(version, kid, raw[:length]), ACCESS_AAD)


def test_damaged_separators_are_rejected():
    """E3: a stored value whose ``$`` separators are removed, replaced, doubled or added to
    makes decryption raise DecryptionError."""
    stored = RING.encrypt("secret-token-value", ACCESS_AAD)
    version, kid, payload = stored.split("$")
    damaged = [
        f"{version}{kid}${payload}",
        f"{version}${kid}{payload}",
        f"{version}{kid}{payload}",
        f"{version}:{kid}${payload}",
        f"{version}${kid}:{payload}",
        f"{version}:{kid}:{payload}",
        f"{version}$${kid}${payload}",
        f"{version}${kid}$${payload}",
        f"{version}${kid}${payload}$",
        f"${version}${kid}${payload}",
        f"{version}${kid}${payload[:10]}${payload[10:]}",
        stored.replace("$", "-"),
        stored.replace("$", "_"),
        stored.replace("$", ""),
    ]
    for value in damaged:
        with pytest.raises(DecryptionError):
            RING.decrypt(value, ACCESS_AAD)


def _same_bytes_different_text(stored: str) -> list[str]:
    """Other spellings of ``stored`` that the lenient base64 decoder maps to the same bytes."""
    version, kid, payload = stored.split("$")
    _, _, raw = split_stored(stored)
    variants = []
    # The final character of a payload whose length is not a multiple of 3 has unused low bits.
    for replacement in BASE64URL:
        candidate = payload[:-1] + replacement
        if candidate != payload:
            decoded = base64.urlsafe_b64decode(candidate + "=" * (-len(candidate) % 4))
            if decoded == raw:
                variants.append(f"{version}${kid}${candidate}")
    # The standard alphabet's "+" and "/" for base64url's "-" and "_".
    standard = payload.replace("-", "+").replace("_", "/")
    if standard != payload:
        variants.append(f"{version}${kid}${standard}")
    # Characters a lenient decoder skips.
    variants += [f"{stored}{junk}" for junk in ("!!!!", "====", " \n\t\r", "\n")]
    return variants


def test_every_other_spelling_of_the_same_payload_is_rejected():
    """E3: a stored value changed in one character is rejected even when
    the change only touches the unused low bits of the last base64url character or swaps
    ``-``/``_`` for the standard alphabet's ``+``/``/``."""
    accepted = []
    for length in range(6):
        plaintext = "k" * length
        for _ in range(20):
            stored = RING.encrypt(plaintext, ACCESS_AAD)
            for variant in _same_bytes_different_text(stored):
                try:
                    RING.decrypt(variant, ACCESS_AAD)
                except DecryptionError:
                    continue
                accepted.append((stored, variant))
    assert accepted == []


# E4 -------------------------------------------------------------------------------------------


def test_value_for_one_field_does_not_decrypt_as_another():
    """E4: a value encrypted with one field's associated data raises DecryptionError under any
    other field's, model's or app's associated data."""
    stored = RING.encrypt("ya29.access-token", ACCESS_AAD)
    assert RING.decrypt(stored, ACCESS_AAD) == "ya29.access-token"
    for other in (
        REFRESH_AAD,
        IntegrationCredential._meta.get_field("api_key").aad(),
        b"integrations.othermodel.access_token",
        b"other.integrationcredential.access_token",
        ACCESS_AAD + b" ",
        ACCESS_AAD.upper(),
        b"",
    ):
        with pytest.raises(DecryptionError):
            RING.decrypt(stored, other)


@pytest.mark.django_db
def test_ciphertext_copied_to_another_column_does_not_load(workspace_a):
    """E4: copying the raw ciphertext of access_token into the refresh_token column with SQL
    makes loading the row raise DecryptionError."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="google",
        access_token="ya29.the-access-token",
        refresh_token="1//the-refresh-token",
    )
    access_raw = raw_column(credential.pk, "access_token")
    assert access_raw.startswith("v1$")
    set_raw_column(credential.pk, "refresh_token", access_raw)
    assert raw_column(credential.pk, "refresh_token") == access_raw

    with pytest.raises(DecryptionError):
        IntegrationCredential.objects.get(pk=credential.pk)
    # The access token itself, untouched, still loads on its own.
    assert (
        IntegrationCredential.objects.values_list("access_token", flat=True).get(pk=credential.pk)
        == "ya29.the-access-token"
    )


# E6 -------------------------------------------------------------------------------------------


def test_unknown_key_id_is_rejected():
    """E6: a value written under a key the ring lacks raises DecryptionError, both from another
    ring and with the key id rewritten to one that names no key."""
    writer = ring_with(generate_key())
    reader = ring_with(generate_key(), generate_key())
    stored = writer.encrypt("secret", ACCESS_AAD)
    with pytest.raises(DecryptionError, match="key id"):
        reader.decrypt(stored, ACCESS_AAD)

    version, kid, payload = stored.split("$")
    fakes = {"00000000", "ffffffff", kid.upper(), kid[:-1], kid + "0", ""} - set(writer.keys)
    assert len(fakes) >= 5
    for fake in fakes:
        with pytest.raises(DecryptionError):
            writer.decrypt(f"{version}${fake}${payload}", ACCESS_AAD)


def test_unknown_format_version_is_rejected():
    """E6: a value with an unknown format version (``v9$...``, ``v0``, ``V1``, ``v2``) raises
    DecryptionError even when its key id and payload are valid."""
    stored = RING.encrypt("secret", ACCESS_AAD)
    _, kid, payload = stored.split("$")
    for version in ("v9", "v0", "v2", "V1", "v10", "", "1"):
        with pytest.raises(DecryptionError):
            RING.decrypt(f"{version}${kid}${payload}", ACCESS_AAD)


@pytest.mark.parametrize(
    "bad_key",
    [
        base64.b64encode(os.urandom(16)).decode(),
        base64.b64encode(os.urandom(31)).decode(),
        base64.b64encode(os.urandom(33)).decode(),
        base64.b64encode(os.urandom(64)).decode(),
        "not base64 at all!",
        "abc",
        "",
        "0" * 32,
    ],
    ids=["16-bytes", "31-bytes", "33-bytes", "64-bytes", "garbage", "bad-padding", "empty", "hex"],
)
def test_malformed_key_is_refused_naming_encryption_keys(bad_key):
    """E6: KeyRing.from_config refuses a key that is not base64 of exactly 32 bytes with
    ImproperlyConfigured naming ENCRYPTION_KEYS, whether it comes first or later in the list."""
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS"):
        KeyRing.from_config([bad_key])
    with pytest.raises(ImproperlyConfigured, match=r"ENCRYPTION_KEYS: key #2 "):
        KeyRing.from_config([generate_key(), bad_key])


def test_empty_key_list_is_refused_naming_encryption_keys():
    """E6: KeyRing.from_config with no keys raises ImproperlyConfigured naming
    ENCRYPTION_KEYS."""
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS"):
        KeyRing.from_config([])


@pytest.mark.parametrize("length", [1, 16, 31, 33, 64])
def test_legacy_key_of_wrong_length_is_refused(length):
    """E6: a LEGACY_ENCRYPTION_KEY that is not 32 characters raises ImproperlyConfigured naming
    LEGACY_ENCRYPTION_KEY."""
    legacy = "k" * length
    with pytest.raises(ImproperlyConfigured, match="LEGACY_ENCRYPTION_KEY"):
        KeyRing.from_config([generate_key()], legacy)


def test_both_base64_alphabets_and_valid_legacy_key_are_accepted():
    """E6 (control): a 32-byte key in standard or URL-safe base64 and a 32-character legacy
    key are accepted, and the first key is the primary."""
    raw = os.urandom(32)
    standard = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    second = generate_key()
    ring = KeyRing.from_config([f" {urlsafe} ", second], "L" * 32)
    assert ring.primary_id == key_id(raw)
    assert list(ring.keys) == [key_id(raw), key_id(base64.b64decode(second))]
    assert KeyRing.from_config([standard]).keys == {key_id(raw): raw}
    assert ring.legacy_key == b"L" * 32


def _manage_check(**overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_startup_stops_on_a_short_encryption_key():
    """E6: ``manage.py check`` with ENCRYPTION_KEYS set to a 16-byte key exits non-zero and
    names ENCRYPTION_KEYS on stderr; with a valid key it succeeds (control)."""
    result = _manage_check(ENCRYPTION_KEYS=base64.b64encode(os.urandom(16)).decode())
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr
    assert "ImproperlyConfigured" in result.stderr

    control = _manage_check(ENCRYPTION_KEYS=generate_key())
    assert control.returncode == 0, control.stderr


def test_startup_stops_on_an_empty_secret_key():
    """E6: ``manage.py check`` with SECRET_KEY set to "" exits non-zero and names SECRET_KEY on
    stderr."""
    result = _manage_check(SECRET_KEY="", ENCRYPTION_KEYS=generate_key())
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


# Legacy format --------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["", "xoxb-legacy-slack-token", "ünïcødé 🔑", "t" * 5000])
def test_legacy_node_value_decrypts_with_the_legacy_key(plaintext):
    """Legacy: a value written exactly as the Node service did (16-byte IV, UTF-8 key bytes,
    ``iv:tag:ciphertext`` in hex) decrypts with the ring configured with that legacy key."""
    legacy_key = secrets.token_hex(16)
    assert len(legacy_key) == 32
    stored = node_legacy_encrypt(plaintext, legacy_key)
    ring = ring_with(generate_key(), legacy=legacy_key)
    assert ring.decrypt(stored, ACCESS_AAD) == plaintext
    assert ring.needs_rotation(stored)


def test_legacy_value_without_legacy_key_is_rejected():
    """Legacy: with no LEGACY_ENCRYPTION_KEY configured a legacy value raises DecryptionError;
    with a different legacy key it raises too."""
    stored = node_legacy_encrypt("xoxb-legacy", secrets.token_hex(16))
    with pytest.raises(DecryptionError, match="LEGACY_ENCRYPTION_KEY"):
        ring_with(generate_key()).decrypt(stored, ACCESS_AAD)
    with pytest.raises(DecryptionError):
        ring_with(generate_key(), legacy=secrets.token_hex(16)).decrypt(stored, ACCESS_AAD)


def test_tampered_legacy_value_is_rejected():
    """Legacy: replacing any single hex digit of a legacy value (IV, tag or ciphertext) by
    another hex digit, truncating it, or swapping its parts raises DecryptionError."""
    legacy_key = secrets.token_hex(16)
    ring = ring_with(generate_key(), legacy=legacy_key)
    stored = node_legacy_encrypt("legacy-refresh-token", legacy_key)
    for position, original in enumerate(stored):
        if original == ":":
            continue
        for replacement in HEX:
            if replacement == original:
                continue
            with pytest.raises(DecryptionError):
                ring.decrypt(stored[:position] + replacement + stored[position + 1 :], b"")
    for cut in range(len(stored)):
        with pytest.raises(DecryptionError):
            ring.decrypt(stored[:cut], b"")
    for junk in ("\n", " ", "00"):
        with pytest.raises(DecryptionError):
            ring.decrypt(stored + junk, b"")
    iv, tag, ciphertext = stored.split(":")
    for value in (f"{tag}:{iv}:{ciphertext}", f"{iv}:{tag}", f"{iv}{tag}{ciphertext}"):
        with pytest.raises(DecryptionError):
            ring.decrypt(value, b"")


# The column -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_column_holds_no_plaintext(workspace_a):
    """The database column holds ciphertext only: the raw access_token column does not contain
    the plaintext, starts with ``v1$<primary key id>$``, and the model reads the plaintext
    back."""
    token = "ya29.a0AfH6SMB-known-plaintext-access-token"
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="google", access_token=token
    )
    raw = raw_column(credential.pk, "access_token")
    assert token not in raw
    assert token.encode().hex() not in raw
    assert base64.b64encode(token.encode()).decode()[:20] not in raw
    assert raw.startswith(f"v1${keyring().primary_id}$")
    assert raw_column(credential.pk, "refresh_token") is None
    assert raw_column(credential.pk, "api_key") is None

    assert IntegrationCredential.objects.get(pk=credential.pk).access_token == token
    credential.refresh_from_db()
    assert credential.access_token == token
