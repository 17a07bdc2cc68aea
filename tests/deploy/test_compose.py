"""docker-compose.yml (development) and docker-compose.prod.yml (one production host) agree with
the services' settings, nginx.conf, the gateway image, prometheus.yml and the Grafana files.
Everything is read statically: no Docker engine is needed."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# Compose service -> (settings module, settings class, environment prefix).
SETTINGS = {
    "grading_orchestrator": ("grading_orchestrator.core.config", "OrchestratorSettings", "MEDGRADE_ORCHESTRATOR_"),
    "rubric_management": ("rubric_management.core.config", "RubricSettings", "MEDGRADE_RUBRICS_"),
    "document_parser": ("document_parser.core.config", "ParserSettings", "MEDGRADE_PARSER_"),
    "scoring": ("scoring.core.config", "ScoringSettings", "MEDGRADE_SCORING_"),
}
STORE_SERVICES = ("grading_orchestrator", "rubric_management")
# The orchestrator's downstream URL settings and the service each one must name.
DOWNSTREAMS = {"rubric_service_url": "rubric_management", "parser_service_url": "document_parser",
               "scoring_service_url": "scoring"}
GATEWAY = "nginx"
GATEWAY_PORT = 8080
REQUIRED_METRICS = ("grading_overall_score", "grading_component_score", "medgrade_http_request_duration_seconds",
                    "grading_errors_total", "medgrade_downstream_errors_total")


def settings_class(service: str):
    module, name, _ = SETTINGS[service]
    return getattr(importlib.import_module(module), name)


def settings_port(service: str) -> int:
    return settings_class(service).model_fields["port"].default


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


def gateway_image_env() -> dict[str, str]:
    """The ENV defaults of infra/nginx/Dockerfile (joined continuation lines)."""
    text = (ROOT / "infra/nginx/Dockerfile").read_text().replace("\\\n", " ")
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


def test_the_four_services_listen_on_their_settings_ports(compose):
    name, spec = compose
    services = spec["services"]
    for service, (_, _, prefix) in SETTINGS.items():
        port = settings_port(service)
        body = services[service]
        env = environment(body)
        assert env[f"{prefix}PORT"] == str(port), f"{name}: {service}"
        assert env[f"{prefix}HOST"] == "0.0.0.0", f"{name}: {service} must listen beyond loopback"
        assert [str(p) for p in body.get("expose", [])] == [str(port)], f"{name}: {service}"
        assert healthcheck_url(body) == (port, "/health"), f"{name}: {service}"
        assert body["build"]["dockerfile"] == f"services/{service}/Dockerfile"


def test_service_environment_names_real_settings(compose):
    """A misspelt MEDGRADE_* variable would be ignored silently (extra="ignore")."""
    name, spec = compose
    for service, (_, _, prefix) in SETTINGS.items():
        fields = settings_class(service).model_fields
        for key in environment(spec["services"][service]):
            assert key.startswith(prefix), f"{name}: {service} gets {key}, not one of its settings"
            assert key[len(prefix):].lower() in fields, f"{name}: {service}: {key} is no setting"


def test_orchestrator_downstream_urls_name_compose_services_on_their_ports(compose):
    name, spec = compose
    env = environment(spec["services"]["grading_orchestrator"])
    fields = settings_class("grading_orchestrator").model_fields
    depends = spec["services"]["grading_orchestrator"]["depends_on"]
    for field, target in DOWNSTREAMS.items():
        assert field in fields
        url = urlsplit(env[f"MEDGRADE_ORCHESTRATOR_{field.upper()}"])
        assert url.scheme == "http"
        assert url.hostname == target and target in spec["services"], f"{name}: {field} -> {url.hostname}"
        assert url.port == settings_port(target), f"{name}: {field} port"
        assert depends[target] == {"condition": "service_healthy"}, f"{name}: orchestrator waits for {target}"


def test_ordering_waits_for_health(compose):
    name, spec = compose
    for service, body in spec["services"].items():
        depends = body.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: {service}: depends_on needs conditions"
        for target, condition in depends.items():
            assert target in spec["services"], f"{name}: {service} depends on unknown {target}"
            assert condition == {"condition": "service_healthy"}, f"{name}: {service} -> {target}"


def test_nginx_upstreams_are_compose_services_on_their_settings_ports(compose):
    name, spec = compose
    gateway = spec["services"][GATEWAY]
    values = {**gateway_image_env(), **environment(gateway)}
    upstreams = nginx_upstreams()
    assert upstreams, "nginx.conf defines no upstream"
    assert nginx_proxy_targets() <= set(upstreams), "proxy_pass to something that is not an upstream"
    for upstream, server in upstreams.items():
        placeholder = re.fullmatch(r"\$\{(\w+)\}", server)
        assert placeholder, f"upstream {upstream}: server {server} is not a template placeholder"
        host, _, port = values[placeholder.group(1)].partition(":")
        assert upstream in spec["services"] and host == upstream, f"{name}: upstream {upstream} -> {host}"
        assert int(port) == settings_port(upstream), f"{name}: upstream {upstream} port"
    assert {"grading_orchestrator", "rubric_management"} <= set(gateway["depends_on"])


def test_nginx_template_is_fully_rendered_by_the_gateway_image(compose):
    """Every ${NAME} in nginx.conf has a value and passes the image's envsubst filter, and the
    listen port is the container port the gateway publishes."""
    name, spec = compose
    gateway = spec["services"][GATEWAY]
    values = {**gateway_image_env(), **environment(gateway)}
    envsubst_filter = re.compile(gateway_image_env()["NGINX_ENVSUBST_FILTER"])
    placeholders = set(re.findall(r"\$\{(\w+)\}", (ROOT / "nginx.conf").read_text()))
    assert placeholders
    for placeholder in placeholders:
        assert placeholder in values, f"{name}: nothing sets {placeholder}"
        assert envsubst_filter.search(placeholder), f"the image's envsubst filter skips {placeholder}"
    assert values["GATEWAY_LISTEN"] == str(GATEWAY_PORT)
    assert all(p.endswith(f":{GATEWAY_PORT}") for p in published(gateway))
    assert gateway["build"]["dockerfile"] == "infra/nginx/Dockerfile"


def test_gateway_health_check_is_its_own_healthz(compose):
    """nginx answers /healthz itself (tests/deploy/test_terraform.py checks nginx.conf); busybox
    wget in the nginx image exits non-zero on anything but 2xx, so no status grep is needed."""
    name, spec = compose
    gateway = spec["services"][GATEWAY]
    assert healthcheck_url(gateway) == (GATEWAY_PORT, "/healthz"), name
    assert gateway["healthcheck"]["test"] == ["CMD", "wget", "-q", "-O", "/dev/null",
                                              f"http://127.0.0.1:{GATEWAY_PORT}/healthz"], name


def test_prometheus_scrapes_the_compose_services_on_their_ports(compose):
    name, spec = compose
    config = load("prometheus.yml")
    targets = {t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    expected = {f"{service}:{settings_port(service)}" for service in SETTINGS}
    assert expected <= targets
    assert {t.split(":")[0] for t in targets} <= set(spec["services"]), f"{name}: a scrape target is no service"
    mounts = spec["services"]["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    assert "./prometheus:/etc/prometheus/prometheus:ro" in mounts  # rule_files: prometheus/alerts.yml


def test_gateway_image_health_check_is_its_own_healthz():
    text = (ROOT / "infra/nginx/Dockerfile").read_text().replace("\\\n", " ")
    checks = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert checks[0].endswith(f'CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:{GATEWAY_PORT}/healthz"]')


# --- Development ----------------------------------------------------------------------------

def test_dev_publishes_only_the_gateway_and_prometheus():
    services = load("docker-compose.yml")["services"]
    publishing = {name: published(body) for name, body in services.items() if published(body)}
    assert publishing == {GATEWAY: [f"{GATEWAY_PORT}:{GATEWAY_PORT}"], "prometheus": ["9090:9090"]}


def test_dev_store_is_one_named_volume_shared_by_rubrics_and_orchestrator():
    spec = load("docker-compose.yml")
    mounts = {}
    for service in STORE_SERVICES:
        prefix = SETTINGS[service][2]
        env = environment(spec["services"][service])
        assert env[f"{prefix}STORE_BACKEND"] == "local"
        volumes = [v for v in spec["services"][service]["volumes"] if v.endswith(":" + env[f"{prefix}STORE_PATH"])]
        assert len(volumes) == 1, f"{service}: no volume at its store path"
        mounts[service] = volumes[0].split(":")[0]
    assert len(set(mounts.values())) == 1, mounts
    assert next(iter(mounts.values())) in spec["volumes"], "the store must be a named volume"


# --- Production -----------------------------------------------------------------------------

def test_prod_publishes_only_the_gateway():
    services = load("docker-compose.prod.yml")["services"]
    publishing = {name: published(body) for name, body in services.items() if published(body)}
    assert list(publishing) == [GATEWAY]
    assert publishing[GATEWAY] == [f"80:{GATEWAY_PORT}"]


def test_prod_restarts_and_limits_every_container():
    for service, body in load("docker-compose.prod.yml")["services"].items():
        assert body.get("restart") in ("unless-stopped", "always"), service
        limits = body["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"\d+[MG]", limits["memory"]), service
        assert "no-new-privileges:true" in body.get("security_opt", []), service


def test_prod_store_is_s3_with_the_bucket_from_the_env_file():
    spec = load("docker-compose.prod.yml")
    for service in STORE_SERVICES:
        prefix = SETTINGS[service][2]
        body = spec["services"][service]
        env = environment(body)
        assert env[f"{prefix}STORE_BACKEND"] == "s3"
        assert re.fullmatch(r"\$\{MEDGRADE_S3_BUCKET:\?[^}]+\}", env[f"{prefix}S3_BUCKET"])
        assert body["env_file"] == ".env.prod"
        assert not body.get("volumes"), f"{service} keeps no local state in production"
    for service in ("document_parser", "scoring"):
        assert "env_file" not in spec["services"][service], f"{service} needs no AWS credentials"


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
    url = urlsplit(source["url"])
    assert url.hostname in spec["services"] and url.port == 9090

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
