"""Schemathesis hooks for the API fuzzing pass (loaded through SCHEMATHESIS_HOOKS).

T2: no response to workspace A's user may carry an id of workspace B. The ids come from the
FOREIGN_IDS environment variable (comma-separated), set by the test that seeds B.
"""

import os

import schemathesis

FOREIGN_IDS = [value for value in os.environ.get("FOREIGN_IDS", "").split(",") if value]


@schemathesis.check
def no_foreign_workspace_ids(ctx, response, case):
    """T2: nothing of another workspace leaks into any answer."""
    text = response.text or ""
    leaked = [value for value in FOREIGN_IDS if value in text]
    if leaked:
        raise AssertionError(f"The answer holds another workspace's ids: {leaked}")
