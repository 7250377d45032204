"""At most one holder per key, in the database: a lock left by a dead worker expires, and a
holder whose lock expired and was taken cannot release or extend the new holder's lock."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import HeldLock


class LockLost(Exception):
    """The lock expired and another holder took it."""


class Lock:
    def __init__(self, key: str, ttl: timedelta):
        self.key = key
        self.ttl = ttl
        self.token = uuid.uuid4().hex

    def acquire(self) -> bool:
        now = timezone.now()
        try:
            with transaction.atomic():
                HeldLock.objects.create(key=self.key, token=self.token, expires_at=now + self.ttl)
            return True
        except IntegrityError:
            # Taken: take it over only if its holder let it expire.
            return bool(
                HeldLock.objects.filter(key=self.key, expires_at__lt=now).update(
                    token=self.token, expires_at=now + self.ttl
                )
            )

    def extend(self) -> None:
        held = HeldLock.objects.filter(key=self.key, token=self.token)
        if not held.update(expires_at=timezone.now() + self.ttl):
            raise LockLost(self.key)

    def wait(self, timeout: float, interval: float = 0.05) -> bool:
        """Acquire, waiting up to ``timeout`` seconds for the holder to finish."""
        deadline = time.monotonic() + timeout
        while not self.acquire():
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)
        return True

    def take_over(self, token: str) -> bool:
        """Take the lock from the holder of ``token``, known to be dead, whether or not its lock
        has expired yet."""
        return bool(
            HeldLock.objects.filter(key=self.key, token=token).update(
                token=self.token, expires_at=timezone.now() + self.ttl
            )
        )

    def release(self) -> None:
        HeldLock.objects.filter(key=self.key, token=self.token).delete()


def release_token(token: str) -> int:
    """Free whatever lock ``token`` holds (the watchdog frees a dead run's lock)."""
    return HeldLock.objects.filter(token=token).delete()[0]
