"""docker/'s optional Prometheus and Grafana: the compose file, prometheus.yml and the dashboard
hold together, and every dashboard query names a metric /metrics exposes."""

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.clianta.test_metrics import AUTH, TOKEN

DOCKER = Path(__file__).resolve().parents[2] / "docker"
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def load(name: str) -> dict:
    return yaml.safe_load((DOCKER / name).read_text())


def dashboard() -> dict:
    return json.loads((DOCKER / "grafana" / "dashboards" / "clianta.json").read_text())


def family(metric: str) -> str:
    for suffix in SUFFIXES:
        if metric.endswith(suffix):
            return metric.removesuffix(suffix)
    return metric


@pytest.mark.django_db
def test_every_dashboard_query_names_a_metric_that_metrics_exposes(client, settings):
    settings.METRICS_TOKEN = TOKEN
    scraped = client.get("/metrics", headers=AUTH).content.decode()
    # The text format names a counter's creation time as a family of its own (``_created``).
    exposed = {family(found.name) for found in text_string_to_metric_families(scraped)}
    panels = dashboard()["panels"]
    assert len(panels) >= 10
    named = set()
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            metrics = re.findall(r"\bclianta_[a-z_]+", target["expr"])
            assert metrics, target["expr"]
            named |= {family(metric) for metric in metrics}
    assert named <= exposed, named - exposed
    # Every metric the site defines has a panel.
    assert {name for name in exposed if name.startswith("clianta_")} <= named


def test_the_dashboard_panels_have_unique_ids_and_use_the_provisioned_datasource():
    board = dashboard()
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    datasources = load("grafana/provisioning/datasources/prometheus.yml")["datasources"]
    uid = datasources[0]["uid"]
    assert all(panel["datasource"]["uid"] == uid for panel in board["panels"])
    provider = load("grafana/provisioning/dashboards/clianta.yml")["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_prometheus_and_grafana_are_an_optional_profile_mounting_files_that_exist():
    compose = load("compose.yaml")
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["metrics"]
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("."):  # a bind mount, not a named volume
                assert (DOCKER / source).exists(), source
            else:
                assert source in compose["volumes"]
    # The services that run by default do not need the profile.
    assert all("profiles" not in services[name] for name in ("web", "worker", "beat"))
    assert services["prometheus"]["secrets"] == ["metrics_token"]
    assert compose["secrets"]["metrics_token"]["file"] == "./metrics_token"


def test_prometheus_scrapes_the_web_with_the_token_and_every_worker_on_its_port():
    compose = load("compose.yaml")
    jobs = {job["job_name"]: job for job in load("prometheus.yml")["scrape_configs"]}
    web = jobs["clianta-web"]
    assert web["metrics_path"] == "/metrics"
    assert web["authorization"] == {
        "type": "Bearer",
        "credentials_file": "/run/secrets/metrics_token",
    }
    assert web["dns_sd_configs"] == [{"names": ["web"], "type": "A", "port": 8000}]
    assert "8000:8000" in compose["services"]["web"]["ports"]
    worker_port = int(compose["services"]["worker"]["environment"]["WORKER_METRICS_PORT"])
    assert jobs["clianta-worker"]["dns_sd_configs"] == [
        {"names": ["worker"], "type": "A", "port": worker_port}
    ]
    # The merge key kept the app's own environment on the worker.
    environment = compose["services"]["worker"]["environment"]
    assert environment["DATABASE_URL"] == compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert environment["PROMETHEUS_MULTIPROC_DIR"] in compose["services"]["worker"]["tmpfs"]
