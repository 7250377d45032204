"""With SANDBOX_PROVIDERS off there is no sandbox: no `sandbox` app, no /sandbox/ route, no
sandbox model in the admin, no sandbox table; the project still migrates, checks and serves. And
no production module imports the sandbox.

The suite runs with the sandbox on, so this runs the project in subprocesses with it off, on a
fresh SQLite database of its own.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Folders whose modules may import the sandbox: itself, the tests and the benchmarks.
MAY_IMPORT_SANDBOX = {"sandbox", "tests", "bench"}

# Run in the project with the sandbox off: what Django sees of it, and two pages served.
FACTS = """
import json

import django

django.setup()

from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

try:
    resolve("/sandbox/_ping")
    routed = True
except Resolver404:
    routed = False
client = Client()
print(json.dumps({
    "installed": apps.is_installed("sandbox"),
    "labels": sorted(config.label for config in apps.get_app_configs()),
    "admin": sorted(model._meta.label for model in admin.site._registry),
    "routed": routed,
    "tables": connection.introspection.table_names(),
    "ping": client.get("/sandbox/_ping").status_code,
    "health": client.get("/api/health").status_code,
    "login": client.get("/accounts/login/").status_code,
}))
"""


@pytest.fixture
def sandbox_off(tmp_path):
    """The environment of the project with the sandbox off and a fresh SQLite database."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update(
        SANDBOX_PROVIDERS="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="clianta.settings",
    )
    return env


def run(env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_without_the_sandbox_the_project_migrates_checks_and_serves(sandbox_off):
    migrated = run(sandbox_off, "manage.py", "migrate", "--noinput")
    assert "sandbox" not in migrated
    assert "System check identified no issues" in run(sandbox_off, "manage.py", "check")

    facts = json.loads(run(sandbox_off, "-c", FACTS).splitlines()[-1])

    assert facts["installed"] is False
    assert "sandbox" not in facts["labels"]
    assert "clianta" in facts["labels"] and "integrations" in facts["labels"]
    assert "integrations.IntegrationCredential" in facts["admin"]
    assert not [label for label in facts["admin"] if label.startswith("sandbox.")]
    assert facts["routed"] is False
    assert facts["ping"] == 404
    assert not [table for table in facts["tables"] if table.startswith("sandbox_")]
    assert "integrations_integrationcredential" in facts["tables"]
    assert facts["health"] == 200
    assert facts["login"] == 200


def test_the_suite_itself_runs_with_the_sandbox():
    from django.apps import apps
    from django.contrib import admin

    assert apps.is_installed("sandbox")
    assert apps.get_app_config("sandbox").name == "sandbox"
    assert any(model._meta.app_label == "sandbox" for model in admin.site._registry)


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a Python file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_production_module_imports_the_sandbox():
    production = [
        path
        for folder in BASE_DIR.iterdir()
        if folder.is_dir() and (folder / "__init__.py").exists()
        if folder.name not in MAY_IMPORT_SANDBOX
        for path in folder.rglob("*.py")
    ]
    assert any(path.parts[-2:] == ("clianta", "settings.py") for path in production)
    importing = [
        str(path.relative_to(BASE_DIR))
        for path in production
        for name in imported_modules(path)
        if name == "sandbox" or name.startswith("sandbox.")
    ]
    assert importing == []
