"""What the deployment files say of medgrade_shared.registry. They cannot import it, so
scripts/render_registry.py writes what they read: compose's .env (the compose files write each
port of the suite as ${SCORING_PORT} and the like), Terraform's local.registry (registry.tf), and
the Prometheus and Grafana configs and the README's service table whole. Three tests: the written files are
current; every port, environment prefix and console script the files state, as compose and
Terraform resolve them, agrees with the registry (the message names every place); and a port
moved in the registry reaches every file once the script has run, which is what makes a port
change one line. (The other deployment tests check the files' structure.)"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from medgrade_shared.registry import (
    GATEWAY,
    GATEWAY_UPSTREAMS,
    ORCHESTRATOR,
    ORCHESTRATOR_UPSTREAMS,
    PARTS,
    PROMETHEUS,
    SERVICES,
    Part,
)

from .test_compose import (
    COMPOSE_ENV,
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
INTEGRATION_COMPOSE = "docker-compose.integration.yml"
COMPOSE_FILES = (DEV, PROD)
PROMETHEUS_SERVICE = "prometheus"


def _render_registry():
    spec = importlib.util.spec_from_file_location("medgrade_render_registry", ROOT / "scripts" / "render_registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_registry = _render_registry()
PROMETHEUS_CONFIGS = (render_registry.PROMETHEUS_CONFIG, render_registry.INTEGRATION_PROMETHEUS_CONFIG)
PORT_FILES = (COMPOSE_ENV, DEV, PROD, INTEGRATION_COMPOSE, *PROMETHEUS_CONFIGS, render_registry.GRAFANA_DATASOURCE,
              "infra/terraform", "README.md")
"""What the port facts are read from: a copy of these is enough to check them elsewhere."""

Fact = tuple[str, str, object, object]
"""(file, where in it, what it says, what the registry says)"""
Parts = Mapping[str, Part]
"""The registry's parts by name (the facts are checked against moved copies of them too)."""


def compose_facts(root: Path, parts: Parts, name: str) -> Iterator[Fact]:
    services = load(name, root)["services"]
    for service in SERVICES:
        body = services.get(service.name, {})
        port = parts[service.name].default_port
        yield name, f"{service.name} {service.env_prefix}PORT", environment(body).get(f"{service.env_prefix}PORT"), \
            str(port)
        yield name, f"{service.name} expose", body.get("expose"), [str(port)]
        yield name, f"{service.name} health check port", healthcheck_url(body)[0], port
        yield name, f"{service.name} build args SERVICE", body.get("build", {}).get("args", {}).get("SERVICE"), \
            service.name
    orchestrator = environment(services[ORCHESTRATOR.name])
    for setting, upstream in ORCHESTRATOR_UPSTREAMS.items():
        variable = f"{ORCHESTRATOR.env_prefix}{setting.upper()}"
        yield name, f"{ORCHESTRATOR.name} {variable}", orchestrator.get(variable), \
            parts[upstream.name].url(host=upstream.name)
    gateway = services[GATEWAY_SERVICE]
    gateway_port = parts[GATEWAY.name].default_port
    for placeholder, upstream in GATEWAY_UPSTREAMS.items():
        yield name, f"{GATEWAY_SERVICE} {placeholder}", environment(gateway).get(placeholder), \
            f"{upstream.name}:{parts[upstream.name].default_port}"
    yield name, f"{GATEWAY_SERVICE} GATEWAY_LISTEN", environment(gateway).get("GATEWAY_LISTEN"), str(gateway_port)
    yield name, f"{GATEWAY_SERVICE} health check port", healthcheck_url(gateway)[0], gateway_port
    yield name, f"{GATEWAY_SERVICE} container port published", \
        [str(p).rsplit(":", 1)[-1] for p in gateway.get("ports", [])], [str(gateway_port)]
    prometheus = services[PROMETHEUS_SERVICE]
    prometheus_port = parts[PROMETHEUS.name].default_port
    yield name, f"{PROMETHEUS_SERVICE} health check port", healthcheck_url(prometheus)[0], prometheus_port
    if "ports" in prometheus:  # development publishes it; production only exposes it
        yield name, f"{PROMETHEUS_SERVICE} ports", prometheus["ports"], [f"{prometheus_port}:{prometheus_port}"]
    else:
        yield name, f"{PROMETHEUS_SERVICE} expose", prometheus.get("expose"), [str(prometheus_port)]
    if name == DEV:  # production publishes the gateway on 80
        yield name, f"{GATEWAY_SERVICE} ports", gateway.get("ports"), [f"{gateway_port}:{gateway_port}"]


def integration_compose_facts(root: Path, parts: Parts) -> Iterator[Fact]:
    services = load(INTEGRATION_COMPOSE, root)["services"]
    for service in SERVICES:
        port = parts[service.name].default_port
        yield INTEGRATION_COMPOSE, f"{service.name} ports", services.get(service.name, {}).get("ports"), \
            [f"127.0.0.1:{port}:{port}"]


def prometheus_facts(root: Path, parts: Parts, name: str) -> Iterator[Fact]:
    jobs = {job["job_name"]: [t for config in job["static_configs"] for t in config["targets"]]
            for job in yaml.safe_load((root / name).read_text())["scrape_configs"]}
    yield name, "scrape targets", jobs, {s.name: [f"{s.name}:{parts[s.name].default_port}"] for s in SERVICES}


def grafana_facts(root: Path, parts: Parts) -> Iterator[Fact]:
    name = render_registry.GRAFANA_DATASOURCE
    source = yaml.safe_load((root / name).read_text())["datasources"][0]
    yield name, "Prometheus data source", source["url"], parts[PROMETHEUS.name].url(host=PROMETHEUS_SERVICE)


def terraform_facts(root: Path, parts: Parts) -> Iterator[Fact]:
    """``local.services`` takes each port and prefix from ``local.registry``, whose values agree."""
    name = "infra/terraform/main.tf"
    locals_ = merged_terraform(root / "infra" / "terraform")["locals"]
    services, written = locals_["services"], locals_.get("registry", {})
    for part in (GATEWAY, *SERVICES):
        svc = services.get(part.name, {})
        keys = ("port", "env_prefix") if part in SERVICES else ("port",)
        for key in keys:
            yield name, f"local.services.{part.name}.{key}", svc.get(key), f"${{local.registry.{part.name}.{key}}}"
        yield render_registry.TERRAFORM_REGISTRY, f"local.registry.{part.name}.port", \
            written.get(part.name, {}).get("port"), parts[part.name].default_port
        if part in SERVICES:
            yield render_registry.TERRAFORM_REGISTRY, f"local.registry.{part.name}.env_prefix", \
                written.get(part.name, {}).get("env_prefix"), parts[part.name].env_prefix


def readme_facts(root: Path, parts: Parts) -> Iterator[Fact]:
    section = (root / "README.md").read_text().split("\n## Services\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", section, flags=re.M))
    yield "README.md", "the Services table's ports", rows, {s.name: str(parts[s.name].default_port) for s in SERVICES}


def port_facts(root: Path, parts: Parts) -> Iterator[Fact]:
    for name in COMPOSE_FILES:
        yield from compose_facts(root, parts, name)
    yield from integration_compose_facts(root, parts)
    for name in PROMETHEUS_CONFIGS:
        yield from prometheus_facts(root, parts, name)
    yield from grafana_facts(root, parts)
    yield from terraform_facts(root, parts)
    yield from readme_facts(root, parts)


def gateway_dockerfile_facts() -> Iterator[Fact]:
    """Neither Dockerfile carries a port: compose and Terraform give each container its own."""
    name = GATEWAY_DOCKERFILE
    text = (ROOT / name).read_text()
    env = dockerfile_env(name)
    for variable in ("GATEWAY_LISTEN", *GATEWAY_UPSTREAMS):
        yield name, f"ENV {variable}", env.get(variable), None
    yield name, "EXPOSE", re.findall(r"^EXPOSE (.+)$", text, flags=re.M), []
    yield name, "ports in URLs", re.findall(r"http://127\.0\.0\.1:(\d+)", text), []


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


def disagreements(facts: Iterator[Fact]) -> list[str]:
    return [f"{name}: {where} is {found!r}; medgrade_shared.registry says {expected!r}"
            for name, where, found, expected in facts if found != expected]


def test_the_files_written_from_the_registry_are_current():
    assert render_registry.stale() == [], "run .venv/bin/python scripts/render_registry.py"


def test_files_that_cannot_import_the_registry_agree_with_it():
    facts = [*port_facts(ROOT, {part.name: part for part in PARTS}), *gateway_dockerfile_facts(), *nginx_facts(),
             *console_script_facts()]
    assert not disagreements(iter(facts)), "\n".join(disagreements(iter(facts)))


def test_a_port_moved_in_the_registry_reaches_every_file_once_rendered(tmp_path):
    """Every part moved (each by its own distance, so no two collide): the written files are
    stale until the script runs, and then every fact says the new port."""
    moved = {part.name: dataclasses.replace(part, default_port=part.default_port + 100 + index)
             for index, part in enumerate(PARTS)}
    for name in PORT_FILES:
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target) if source.is_dir() else shutil.copy(source, target)
    written = sorted(render_registry.rendered(tuple(moved.values()), tmp_path))
    assert sorted(render_registry.stale(tmp_path, tuple(moved.values()))) == written
    assert sorted(render_registry.write(tmp_path, tuple(moved.values()))) == written
    assert render_registry.stale(tmp_path, tuple(moved.values())) == []
    assert not disagreements(port_facts(tmp_path, moved)), "\n".join(disagreements(port_facts(tmp_path, moved)))
