"""API tokens: named, expiring, revocable, stored only as a digest (django-rest-knox), optionally
limited to one workspace and to reading."""
