#!/usr/bin/env python3
"""Write what the deployment files read of ``medgrade_shared.registry`` (ports, environment
prefixes), so that a port changes in one line of the registry:

    .venv/bin/python scripts/render_registry.py            # rewrite the files below from the registry
    .venv/bin/python scripts/render_registry.py --check    # exit 1 naming every stale file

- ``.env``: compose's interpolation file (read by ``docker compose`` from the project folder, as
  the OpenTelemetry demo does); the compose files write each port of the suite as ``${SCORING_PORT}`` and the like.
- ``infra/terraform/registry.tf``: ``local.registry``, which ``main.tf``'s service map reads.
- ``prometheus.yml`` and ``infra/integration/prometheus.yml`` (scrape jobs by compose service
  name), the Grafana data source, and the port column of the README's Services table: written whole.

``tests/deploy/test_registry_files.py`` fails while one of them is stale, and proves that a port
changed in the registry reaches each of them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from medgrade_shared.registry import GATEWAY, PARTS, PROMETHEUS, Part, Service, scrape_targets

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Written by scripts/render_registry.py from medgrade_shared.registry: edit the registry and rerun it."

COMPOSE_ENV = ".env"
TERRAFORM_REGISTRY = "infra/terraform/registry.tf"
PROMETHEUS_CONFIG = "prometheus.yml"
INTEGRATION_PROMETHEUS_CONFIG = "infra/integration/prometheus.yml"
GRAFANA_DATASOURCE = "infra/grafana/provisioning/datasources/prometheus.yml"
README = "README.md"
README_SERVICES_SECTION = "\n## Services\n"

PROMETHEUS_INTERVALS = {
    PROMETHEUS_CONFIG: ("15s", "5s", "15s"),
    # every second, like the local run's config (scripts/suite.py), so tests need not wait 15 s
    INTEGRATION_PROMETHEUS_CONFIG: ("1s", "1s", "1s"),
}
"""Config -> scrape interval, scrape timeout, rule evaluation interval."""
PROMETHEUS_PURPOSE = {
    PROMETHEUS_CONFIG: "Prometheus for the compose deployment",
    INTEGRATION_PROMETHEUS_CONFIG: "Prometheus for the integration tests in Compose mode "
                                   "(docker-compose.integration.yml mounts it over prometheus.yml)",
}


def _by_name(parts: Sequence[Part], name: str) -> Part:
    return next(part for part in parts if part.name == name)


def compose_env(parts: Sequence[Part]) -> str:
    lines = [f"# {HEADER}",
             "# docker compose reads it for the ${...} of the compose files (with --env-file, name it too)."]
    return "\n".join([*lines, *(f"{part.port_variable}={part.default_port}" for part in parts)]) + "\n"


def _hcl_block(attributes: Mapping[str, str], indent: str) -> list[str]:
    """Attributes with their '=' aligned, as terraform fmt writes them."""
    width = max(map(len, attributes))
    return [f"{indent}{key.ljust(width)} = {value}" for key, value in attributes.items()]


def terraform_registry(parts: Sequence[Part]) -> str:
    lines = [f"# {HEADER}", "locals {",
             "  # Each part's default port and, for a service, the environment prefix of its settings.",
             "  registry = {"]
    for part in parts:
        if part.name == PROMETHEUS.name:  # Terraform runs no Prometheus of the suite's
            continue
        attributes = {"port": str(part.default_port)}
        if isinstance(part, Service):
            attributes["env_prefix"] = f'"{part.env_prefix}"'
        lines += [f"    {part.name} = {{", *_hcl_block(attributes, "      "), "    }"]
    return "\n".join([*lines, "  }", "}"]) + "\n"


def prometheus_config(parts: Sequence[Part], name: str) -> str:
    interval, timeout, evaluation = PROMETHEUS_INTERVALS[name]
    services = [part for part in parts if isinstance(part, Service)]
    lines = [f"# {HEADER}", f"# {PROMETHEUS_PURPOSE[name]}: scrapes every service's /metrics by its compose",
             "# service name on its default port, one job per service, so `job` names the service.",
             "global:", f"  scrape_interval: {interval}", f"  scrape_timeout: {timeout}",
             f"  evaluation_interval: {evaluation}", "", "rule_files:", "  - prometheus/alerts.yml", "",
             "scrape_configs:"]
    for job, target in scrape_targets(services).items():
        lines += [f"  - job_name: {job}", "    static_configs:", f'      - targets: ["{target}"]']
    return "\n".join(lines) + "\n"


def grafana_datasource(parts: Sequence[Part]) -> str:
    prometheus = _by_name(parts, PROMETHEUS.name)
    return "\n".join([
        f"# {HEADER}", "# The compose Prometheus, provisioned so the dashboard works on first start.",
        "apiVersion: 1", "", "datasources:", "  - name: Prometheus", "    uid: prometheus", "    type: prometheus",
        "    access: proxy", f"    url: {prometheus.url(host=PROMETHEUS.name)}", "    isDefault: true",
        "    editable: false", "    jsonData:", f"      timeInterval: {PROMETHEUS_INTERVALS[PROMETHEUS_CONFIG][0]}",
    ]) + "\n"


def readme(parts: Sequence[Part], text: str) -> str:
    """``text`` with the port of each row of its Services table set from ``parts``."""
    head, section = text.split(README_SERVICES_SECTION, 1)
    table, rest = section.split("\n## ", 1)
    for part in parts:
        table = re.sub(rf"^\| `{part.name}` \| \d+ \|", f"| `{part.name}` | {part.default_port} |", table, flags=re.M)
    return f"{head}{README_SERVICES_SECTION}{table}\n## {rest}"


def rendered(parts: Sequence[Part] = PARTS, root: Path = ROOT) -> dict[str, str]:
    """Path relative to ``root`` -> its content from ``parts`` (the README read from ``root``)."""
    if not any(part.name == GATEWAY.name for part in parts):
        raise ValueError("the parts must hold the gateway")
    return {
        COMPOSE_ENV: compose_env(parts),
        TERRAFORM_REGISTRY: terraform_registry(parts),
        **{name: prometheus_config(parts, name) for name in PROMETHEUS_INTERVALS},
        GRAFANA_DATASOURCE: grafana_datasource(parts),
        README: readme(parts, (root / README).read_text()),
    }


def stale(root: Path = ROOT, parts: Sequence[Part] = PARTS) -> list[str]:
    """The files under ``root`` whose content is not what ``parts`` render."""
    return [name for name, text in rendered(parts, root).items()
            if not (root / name).exists() or (root / name).read_text() != text]


def write(root: Path = ROOT, parts: Sequence[Part] = PARTS) -> list[str]:
    """Rewrite the stale files under ``root``; returns their names."""
    written = []
    for name, text in rendered(parts, root).items():
        path = root / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"{name}: stale, run scripts/render_registry.py", file=sys.stderr)
        return 1 if names else 0
    for name in write():
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
