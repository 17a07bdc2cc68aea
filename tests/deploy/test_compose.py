"""docker-compose.yml (development) and docker-compose.prod.yml (one production host) fit
the services' settings, nginx.conf, the gateway image, prometheus.yml and the Grafana files
(their ports: test_registry_files.py). Everything is read statically: no Docker engine is
needed."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import typing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV
from medgrade_shared.registry import GATEWAY_UPSTREAMS, ORCHESTRATOR, ORCHESTRATOR_UPSTREAMS, RUBRICS, SERVICES
from medgrade_shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]

STORE_SERVICES = (ORCHESTRATOR, RUBRICS)
GATEWAY_SERVICE = "nginx"
REQUIRED_METRICS = ("grading_overall_score", "grading_component_score", "medgrade_http_request_duration_seconds",
                    "grading_errors_total", "medgrade_downstream_errors_total")


def settings_class(service: str) -> type[ServiceSettings]:
    """The class of what ``<service>.core.config.get_settings()`` returns."""
    get_settings = importlib.import_module(f"{service}.core.config").get_settings
    return typing.get_type_hints(get_settings.__wrapped__)["return"]


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


@pytest.fixture(scope="module", params=["docker-compose.yml", "docker-compose.prod.yml"])
def compose(request) -> tuple[str, dict]:
    return request.param, load(request.param)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def published(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports", [])]


def healthcheck_url(service: dict) -> tuple[int, str]:
    test = service["healthcheck"]["test"]
    command = " ".join(test[1:]) if isinstance(test, list) else test
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^\s'\"]*)", command)
    assert match, f"no local health URL in {command!r}"
    return int(match.group(1)), match.group(2)


def nginx_upstreams() -> dict[str, str]:
    """upstream name -> its server line (still a ${PLACEHOLDER})."""
    text = (ROOT / "nginx.conf").read_text()
    upstreams = {}
    for name, body in re.findall(r"^\s*upstream\s+(\w+)\s*\{(.*?)^\s*\}", text, flags=re.M | re.S):
        servers = re.findall(r"^\s*server\s+([^\s;]+)", body, flags=re.M)
        assert len(servers) == 1, f"upstream {name}: expected one server line, got {servers}"
        upstreams[name] = servers[0]
    return upstreams


def nginx_proxy_targets() -> set[str]:
    text = (ROOT / "nginx.conf").read_text()
    return set(re.findall(r"^\s*proxy_pass\s+https?://([^/;\s:]+)", text, flags=re.M))


def dockerfile_env(name: str) -> dict[str, str]:
    """The ENV defaults of a Dockerfile (joined continuation lines; a later stage's win)."""
    text = (ROOT / name).read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', line[4:]):
                env[key] = value.strip('"')
    return env


# --- Both files -----------------------------------------------------------------------------

def test_every_service_has_a_health_check(compose):
    name, spec = compose
    for service, body in spec["services"].items():
        test = body.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: {service} has no health check"
        assert not body["healthcheck"].get("disable"), f"{name}: {service} disables its health check"


def test_the_four_services_listen_beyond_loopback_and_answer_their_health_check(compose):
    name, spec = compose
    for service in SERVICES:
        body = spec["services"][service.name]
        assert environment(body)[f"{service.env_prefix}HOST"] == "0.0.0.0", f"{name}: {service.name} must listen " \
            "beyond loopback"
        assert healthcheck_url(body)[1] == "/health", f"{name}: {service.name}"
        assert body["build"]["dockerfile"] == f"services/{service.name}/Dockerfile"


def test_service_environment_names_real_settings(compose):
    """A misspelt MEDGRADE_* variable would be ignored silently (extra="ignore")."""
    name, spec = compose
    for service in SERVICES:
        fields = settings_class(service.name).model_fields
        prefix = service.env_prefix
        for key in environment(spec["services"][service.name]):
            if key == INTERNAL_TOKEN_ENV:  # the one setting every service shares, without a prefix
                assert "internal_token" in fields
                continue
            assert key.startswith(prefix), f"{name}: {service.name} gets {key}, not one of its settings"
            assert key[len(prefix):].lower() in fields, f"{name}: {service.name}: {key} is no setting"


def test_orchestrator_waits_for_the_services_it_calls(compose):
    name, spec = compose
    orchestrator = spec["services"][ORCHESTRATOR.name]
    fields = settings_class(ORCHESTRATOR.name).model_fields
    for setting, target in ORCHESTRATOR_UPSTREAMS.items():
        assert setting in fields
        assert target.name in spec["services"]
        assert orchestrator["depends_on"][target.name] == {"condition": "service_healthy"}, (
            f"{name}: orchestrator waits for {target.name}")


def test_ordering_waits_for_health(compose):
    name, spec = compose
    for service, body in spec["services"].items():
        depends = body.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: {service}: depends_on needs conditions"
        for target, condition in depends.items():
            assert target in spec["services"], f"{name}: {service} depends on unknown {target}"
            assert condition == {"condition": "service_healthy"}, f"{name}: {service} -> {target}"


def test_nginx_proxies_only_to_its_upstreams_and_waits_for_them(compose):
    """Which service each upstream is, on which port: test_registry_files.py."""
    name, spec = compose
    upstreams = nginx_upstreams()
    assert upstreams, "nginx.conf defines no upstream"
    assert nginx_proxy_targets() <= set(upstreams), "proxy_pass to something that is not an upstream"
    assert {upstream.name for upstream in GATEWAY_UPSTREAMS.values()} <= set(
        spec["services"][GATEWAY_SERVICE]["depends_on"]), name


def test_nginx_template_is_fully_rendered_by_the_gateway_image(compose):
    """Every ${NAME} in nginx.conf has a value and passes the image's envsubst filter, and the
    listen port is the container port the gateway publishes."""
    name, spec = compose
    gateway = spec["services"][GATEWAY_SERVICE]
    values = {**dockerfile_env("infra/nginx/Dockerfile"), **environment(gateway)}
    envsubst_filter = re.compile(dockerfile_env("infra/nginx/Dockerfile")["NGINX_ENVSUBST_FILTER"])
    placeholders = set(re.findall(r"\$\{(\w+)\}", (ROOT / "nginx.conf").read_text()))
    assert placeholders
    for placeholder in placeholders:
        assert placeholder in values, f"{name}: nothing sets {placeholder}"
        assert envsubst_filter.search(placeholder), f"the image's envsubst filter skips {placeholder}"
    assert gateway["build"]["dockerfile"] == "infra/nginx/Dockerfile"


def test_gateway_health_check_is_its_own_healthz(compose):
    """nginx answers /healthz itself (tests/deploy/test_terraform.py checks nginx.conf); busybox
    wget in the nginx image exits non-zero on anything but 2xx, so no status grep is needed."""
    name, spec = compose
    gateway = spec["services"][GATEWAY_SERVICE]
    port, path = healthcheck_url(gateway)
    assert path == "/healthz", name
    assert gateway["healthcheck"]["test"] == ["CMD", "wget", "-q", "-O", "/dev/null",
                                              f"http://127.0.0.1:{port}/healthz"], name


def test_prometheus_scrapes_compose_services(compose):
    """Which ones, on which ports: test_registry_files.py."""
    name, spec = compose
    config = load("prometheus.yml")
    targets = {t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    assert {t.split(":")[0] for t in targets} <= set(spec["services"]), f"{name}: a scrape target is no service"
    mounts = spec["services"]["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    assert "./prometheus:/etc/prometheus/prometheus:ro" in mounts  # rule_files: prometheus/alerts.yml


def test_gateway_image_health_check_is_its_own_healthz():
    text = (ROOT / "infra/nginx/Dockerfile").read_text().replace("\\\n", " ")
    checks = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert re.search(r'CMD \["wget", "-q", "-O", "/dev/null", "http://127\.0\.0\.1:\d+/healthz"\]$', checks[0])


# --- Development ----------------------------------------------------------------------------

def test_dev_publishes_only_the_gateway_and_prometheus():
    services = load("docker-compose.yml")["services"]
    assert {name for name, body in services.items() if published(body)} == {GATEWAY_SERVICE, "prometheus"}


def test_dev_store_is_one_named_volume_shared_by_rubrics_and_orchestrator():
    spec = load("docker-compose.yml")
    mounts = {}
    for service in STORE_SERVICES:
        prefix = service.env_prefix
        env = environment(spec["services"][service.name])
        assert env[f"{prefix}STORE_BACKEND"] == "local"
        volumes = [v for v in spec["services"][service.name]["volumes"]
                   if v.endswith(":" + env[f"{prefix}STORE_PATH"])]
        assert len(volumes) == 1, f"{service.name}: no volume at its store path"
        mounts[service.name] = volumes[0].split(":")[0]
    assert len(set(mounts.values())) == 1, mounts
    assert next(iter(mounts.values())) in spec["volumes"], "the store must be a named volume"


# --- Production -----------------------------------------------------------------------------

def test_prod_publishes_only_the_gateway():
    services = load("docker-compose.prod.yml")["services"]
    publishing = {name: published(body) for name, body in services.items() if published(body)}
    assert list(publishing) == [GATEWAY_SERVICE]
    assert [port.split(":")[0] for port in publishing[GATEWAY_SERVICE]] == ["80"]


def test_prod_restarts_and_limits_every_container():
    for service, body in load("docker-compose.prod.yml")["services"].items():
        assert body.get("restart") in ("unless-stopped", "always"), service
        limits = body["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"\d+[MG]", limits["memory"]), service
        assert "no-new-privileges:true" in body.get("security_opt", []), service


def test_prod_store_is_s3_with_the_bucket_from_the_env_file():
    spec = load("docker-compose.prod.yml")
    for service in STORE_SERVICES:
        body = spec["services"][service.name]
        env = environment(body)
        assert env[f"{service.env_prefix}STORE_BACKEND"] == "s3"
        assert re.fullmatch(r"\$\{MEDGRADE_S3_BUCKET:\?[^}]+\}", env[f"{service.env_prefix}S3_BUCKET"])
        assert body["env_file"] == ".env.prod"
        assert not body.get("volumes"), f"{service.name} keeps no local state in production"
    for service in set(SERVICES) - set(STORE_SERVICES):
        assert "env_file" not in spec["services"][service.name], f"{service.name} needs no AWS credentials"


def test_prod_secrets_are_not_committed():
    example = (ROOT / ".env.prod.example").read_text()
    assert "MEDGRADE_S3_BUCKET=" in example and "GRAFANA_ADMIN_PASSWORD=" in example
    assert re.search(r"^GRAFANA_ADMIN_PASSWORD=$", example, flags=re.M), "the example holds no password"
    tracked = subprocess.run(["git", "ls-files", "--", ".env.prod"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout.strip() == "", ".env.prod must never be committed"
    assert "**/.env*" in (ROOT / ".dockerignore").read_text().splitlines(), "env files must stay out of images"
    grafana = environment(load("docker-compose.prod.yml")["services"]["grafana"])
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_grafana_is_provisioned_with_prometheus_and_the_grading_dashboard():
    spec = load("docker-compose.prod.yml")
    grafana = spec["services"]["grafana"]
    assert "./infra/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    provider = yaml.safe_load((ROOT / "infra/grafana/provisioning/dashboards/medgrade.yml").read_text())
    dashboards_path = provider["providers"][0]["options"]["path"]
    assert f"./infra/grafana/dashboards:{dashboards_path}:ro" in grafana["volumes"]

    datasources = yaml.safe_load((ROOT / "infra/grafana/provisioning/datasources/prometheus.yml").read_text())
    source = datasources["datasources"][0]
    assert source["type"] == "prometheus"
    assert urlsplit(source["url"]).hostname in spec["services"]

    dashboard = json.loads((ROOT / "infra/grafana/dashboards/medgrade-grading.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for metric in REQUIRED_METRICS:
        assert metric in exprs, f"the dashboard does not show {metric}"
    assert "histogram_quantile(0.5, sum by (le, service) (rate(medgrade_http_request_duration_seconds_bucket" in exprs
    assert "histogram_quantile(0.95, sum by (le, service) (rate(medgrade_http_request_duration_seconds_bucket" in exprs
    assert "sum by (stage, reason) (increase(grading_errors_total" in exprs
    assert "sum by (target, reason) (increase(medgrade_downstream_errors_total" in exprs
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_dashboard_queries_are_valid_promql(tmp_path):
    """promtool parses each query (Grafana's $__ variables replaced by plain values)."""
    promtool = shutil.which("promtool", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    dashboard = json.loads((ROOT / "infra/grafana/dashboards/medgrade-grading.json").read_text())
    rules = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = (target["expr"].replace("$__rate_interval", "1m").replace("$__range", "1h")
                    .replace("$component", "structure"))
            rules.append({"record": f"dashboard:panel{panel['id']}:{target['refId'].lower()}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
