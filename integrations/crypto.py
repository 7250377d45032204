"""AES-256-GCM key ring for secrets at rest.

Stored format: ``v1$<key id>$<base64url(nonce || ciphertext || tag)>``. The nonce is 96 random
bits per value; the key id (first 8 hex digits of the key's SHA-256) names the key that wrote it;
the associated data binds the value to the model field it was written for, so a value copied to
another column does not decrypt.

``ENCRYPTION_KEYS`` lists base64 keys of 32 bytes: the first encrypts, every one decrypts.
Values written by the original Node service (``ivhex:authtaghex:ciphertexthex`` under the UTF-8
bytes of its 32-character key, given as ``LEGACY_ENCRYPTION_KEY``) are read too; rotation
rewrites them in the current format.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.test.signals import setting_changed

VERSION = "v1"
NONCE_BYTES = 12
_LEGACY = re.compile(r"(?P<iv>[0-9a-f]{32}):(?P<tag>[0-9a-f]{32}):(?P<ct>(?:[0-9a-f]{2})*)")
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]+")


class DecryptionError(Exception):
    """A stored value could not be decrypted: tampered, moved, or under an unknown key."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _parse_key(text: str, variable: str, position: int) -> bytes:
    standard = text.strip().replace("-", "+").replace("_", "/")  # accept both base64 alphabets
    try:
        key = base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"{variable}: key #{position} is not a base64-encoded 32-byte key "
            f"(decoded length {len(key)}). Generate one with: python -m clianta.envfile --key"
        )
    return key


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]  # key id -> key, primary first
    primary_id: str
    legacy_key: bytes | None = None

    @classmethod
    def from_config(cls, encryption_keys: list[str], legacy_key: str = "") -> KeyRing:
        if not encryption_keys:
            raise ImproperlyConfigured(
                "ENCRYPTION_KEYS is not set: give one or more base64 32-byte keys, "
                "comma-separated (`make run` generates one into .env)."
            )
        keys: dict[str, bytes] = {}
        for position, text in enumerate(encryption_keys, start=1):
            key = _parse_key(text, "ENCRYPTION_KEYS", position)
            keys.setdefault(key_id(key), key)
        legacy = None
        if legacy_key:
            legacy = legacy_key.encode()
            if len(legacy) != 32:
                raise ImproperlyConfigured(
                    "LEGACY_ENCRYPTION_KEY must be the original service's 32-character key "
                    f"(got {len(legacy)} bytes)."
                )
        return cls(keys=keys, primary_id=next(iter(keys)), legacy_key=legacy)

    def encrypt(self, plaintext: str, aad: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(
            nonce, plaintext.encode(), self._aad(self.primary_id, aad)
        )
        payload = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{VERSION}${self.primary_id}${payload}"

    def decrypt(self, stored: str, aad: bytes) -> str:
        legacy = _LEGACY.fullmatch(stored)
        if legacy:
            return self._decrypt_legacy(legacy)
        kid, payload = _split(stored)
        key = self.keys.get(kid)
        if key is None:
            raise DecryptionError(f"value is under key id {kid!r}, which ENCRYPTION_KEYS lacks")
        raw = _decode_payload(payload)
        if len(raw) < NONCE_BYTES + 16:
            raise DecryptionError("value is too short to be a sealed secret")
        try:
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad(kid, aad))
        except InvalidTag as exc:
            raise DecryptionError(
                "authentication failed: the value was altered or belongs to another field"
            ) from exc
        return plain.decode()

    def needs_rotation(self, stored: str) -> bool:
        if _LEGACY.fullmatch(stored):
            return True
        return _split(stored)[0] != self.primary_id

    def _decrypt_legacy(self, match: re.Match) -> str:
        if self.legacy_key is None:
            raise DecryptionError(
                "value is in the legacy format but LEGACY_ENCRYPTION_KEY is unset"
            )
        iv, tag, ct = (bytes.fromhex(match[name]) for name in ("iv", "tag", "ct"))
        # The Node service used a 16-byte IV; GCM accepts any nonce length.
        try:
            plain = AESGCM(self.legacy_key).decrypt(iv, ct + tag, None)
        except InvalidTag as exc:
            raise DecryptionError("legacy value failed authentication") from exc
        return plain.decode()

    @staticmethod
    def _aad(kid: str, aad: bytes) -> bytes:
        return f"{VERSION}${kid}$".encode() + aad


def _decode_payload(payload: str) -> bytes:
    """Strict base64url: one spelling per byte string, so no altered value authenticates."""
    if not _PAYLOAD.fullmatch(payload):
        raise DecryptionError("value is not valid base64url")
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("value is not valid base64url") from exc
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != payload:
        raise DecryptionError("value is not in canonical base64url")
    return raw


def _split(stored: str) -> tuple[str, str]:
    """(key id, payload) of a current-format value."""
    parts = stored.split("$")
    if len(parts) != 3:
        raise DecryptionError("value is not in a known encrypted format")
    if parts[0] != VERSION:
        raise DecryptionError(f"unknown format version {parts[0][:8]!r}")
    return parts[1], parts[2]


@cache
def keyring() -> KeyRing:
    return KeyRing.from_config(settings.ENCRYPTION_KEYS, settings.LEGACY_ENCRYPTION_KEY)


@receiver(setting_changed)
def _forget_keyring(setting: str, **kwargs) -> None:
    if setting in ("ENCRYPTION_KEYS", "LEGACY_ENCRYPTION_KEY"):
        keyring.cache_clear()
