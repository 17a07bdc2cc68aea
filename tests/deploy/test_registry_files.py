"""The files that cannot import medgrade_shared.registry repeat its facts: the compose files
(production as merged onto development), the Prometheus and Grafana configs, the Terraform
service map, the gateway's Dockerfile, the services' console scripts (which the services'
Dockerfile runs) and the README's service table. This is the one test that fails when a port,
an environment prefix or a console script changes in the registry and they were not updated;
its message names every place. (The other deployment tests check the files' structure.)"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import yaml

from medgrade_shared.registry import (
    GATEWAY,
    GATEWAY_UPSTREAMS,
    ORCHESTRATOR,
    ORCHESTRATOR_UPSTREAMS,
    PROMETHEUS,
    SERVICES,
)

from .test_compose import (
    DEV,
    GATEWAY_DOCKERFILE,
    GATEWAY_SERVICE,
    PROD,
    dockerfile_env,
    environment,
    healthcheck_url,
    image_build_module,
    load,
    nginx_upstreams,
)
from .test_terraform import merged_terraform

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILES = (DEV, PROD)
PROMETHEUS_CONFIGS = ("prometheus.yml", "infra/integration/prometheus.yml")
PROMETHEUS_SERVICE = "prometheus"

Fact = tuple[str, str, object, object]
"""(file, where in it, what it says, what the registry says)"""


def compose_facts(name: str) -> Iterator[Fact]:
    services = load(name)["services"]
    for service in SERVICES:
        body = services.get(service.name, {})
        port = service.default_port
        yield name, f"{service.name} {service.env_prefix}PORT", environment(body).get(f"{service.env_prefix}PORT"), \
            str(port)
        yield name, f"{service.name} expose", body.get("expose"), [str(port)]
        yield name, f"{service.name} health check port", healthcheck_url(body)[0], port
        yield name, f"{service.name} build args SERVICE", body.get("build", {}).get("args", {}).get("SERVICE"), \
            service.name
    orchestrator = environment(services[ORCHESTRATOR.name])
    for setting, upstream in ORCHESTRATOR_UPSTREAMS.items():
        variable = f"{ORCHESTRATOR.env_prefix}{setting.upper()}"
        yield name, f"{ORCHESTRATOR.name} {variable}", orchestrator.get(variable), upstream.url(host=upstream.name)
    gateway = services[GATEWAY_SERVICE]
    for placeholder, upstream in GATEWAY_UPSTREAMS.items():
        yield name, f"{GATEWAY_SERVICE} {placeholder}", environment(gateway).get(placeholder), \
            f"{upstream.name}:{upstream.default_port}"
    yield name, f"{GATEWAY_SERVICE} GATEWAY_LISTEN", environment(gateway).get("GATEWAY_LISTEN"), \
        str(GATEWAY.default_port)
    yield name, f"{GATEWAY_SERVICE} health check port", healthcheck_url(gateway)[0], GATEWAY.default_port
    yield name, f"{GATEWAY_SERVICE} container port published", \
        [str(p).rsplit(":", 1)[-1] for p in gateway.get("ports", [])], [str(GATEWAY.default_port)]
    prometheus = services[PROMETHEUS_SERVICE]
    yield name, f"{PROMETHEUS_SERVICE} health check port", healthcheck_url(prometheus)[0], PROMETHEUS.default_port
    if "ports" in prometheus:  # development publishes it; production only exposes it
        yield name, f"{PROMETHEUS_SERVICE} ports", prometheus["ports"], \
            [f"{PROMETHEUS.default_port}:{PROMETHEUS.default_port}"]
    else:
        yield name, f"{PROMETHEUS_SERVICE} expose", prometheus.get("expose"), [str(PROMETHEUS.default_port)]
    if name == DEV:  # production publishes the gateway on 80
        yield name, f"{GATEWAY_SERVICE} ports", gateway.get("ports"), [f"{GATEWAY.default_port}:{GATEWAY.default_port}"]


def integration_compose_facts() -> Iterator[Fact]:
    name = "docker-compose.integration.yml"
    services = load(name)["services"]
    for service in SERVICES:
        port = service.default_port
        yield name, f"{service.name} ports", services.get(service.name, {}).get("ports"), [f"127.0.0.1:{port}:{port}"]


def prometheus_facts(name: str) -> Iterator[Fact]:
    jobs = {job["job_name"]: [t for config in job["static_configs"] for t in config["targets"]]
            for job in load(name)["scrape_configs"]}
    yield name, "scrape targets", jobs, {s.name: [f"{s.name}:{s.default_port}"] for s in SERVICES}


def grafana_facts() -> Iterator[Fact]:
    name = "infra/grafana/provisioning/datasources/prometheus.yml"
    source = yaml.safe_load((ROOT / name).read_text())["datasources"][0]
    yield name, "Prometheus data source", source["url"], PROMETHEUS.url(host=PROMETHEUS_SERVICE)


def terraform_facts() -> Iterator[Fact]:
    name = "infra/terraform/main.tf"
    services = merged_terraform()["locals"]["services"]
    yield name, "local.services.gateway.port", services.get(GATEWAY.name, {}).get("port"), GATEWAY.default_port
    for service in SERVICES:
        svc = services.get(service.name, {})
        yield name, f"local.services.{service.name}.port", svc.get("port"), service.default_port
        yield name, f"local.services.{service.name}.env_prefix", svc.get("env_prefix"), service.env_prefix


def dockerfile_facts() -> Iterator[Fact]:
    """The services' Dockerfile carries no port (compose and Terraform set them per service);
    the gateway's does."""
    name = GATEWAY_DOCKERFILE
    text = (ROOT / name).read_text()
    env = dockerfile_env(name)
    yield name, "ENV GATEWAY_LISTEN", env.get("GATEWAY_LISTEN"), str(GATEWAY.default_port)
    for placeholder, upstream in GATEWAY_UPSTREAMS.items():
        yield name, f"ENV {placeholder}", env.get(placeholder), f"{upstream.name}:{upstream.default_port}"
    yield name, "EXPOSE", re.findall(r"^EXPOSE (.+)$", text, flags=re.M), [str(GATEWAY.default_port)]
    yield name, "HEALTHCHECK port", re.findall(r"http://127\.0\.0\.1:(\d+)/", text), [str(GATEWAY.default_port)]


def nginx_facts() -> Iterator[Fact]:
    yield "nginx.conf", "upstream servers", nginx_upstreams(), \
        {upstream.name: f"${{{placeholder}}}" for placeholder, upstream in GATEWAY_UPSTREAMS.items()}


def console_script_facts() -> Iterator[Fact]:
    image_build = image_build_module()
    for service in SERVICES:
        name = f"services/{service.name}/pyproject.toml"
        scripts = tomllib.loads((ROOT / name).read_text())["project"]["scripts"]
        yield name, "[project.scripts]", scripts, {service.console_script: f"{service.name}.main:run"}
        # what the Dockerfile links as medgrade-service
        yield name, "image_build.py console-script", image_build.console_script(ROOT / name), service.console_script


def readme_facts() -> Iterator[Fact]:
    section = (ROOT / "README.md").read_text().split("\n## Services\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", section, flags=re.M))
    yield "README.md", "the Services table's ports", rows, {s.name: str(s.default_port) for s in SERVICES}


def test_files_that_cannot_import_the_registry_agree_with_it():
    facts = [*(fact for name in COMPOSE_FILES for fact in compose_facts(name)), *integration_compose_facts(),
             *(fact for name in PROMETHEUS_CONFIGS for fact in prometheus_facts(name)), *grafana_facts(),
             *terraform_facts(), *dockerfile_facts(), *nginx_facts(), *console_script_facts(), *readme_facts()]
    disagreements = [f"{name}: {where} is {found!r}; medgrade_shared.registry says {expected!r}"
                     for name, where, found, expected in facts if found != expected]
    assert not disagreements, "\n".join(disagreements)
