"""The suite's parts and their ports: the one place for these facts.

The services' settings take their environment prefix and default port from here,
``scripts/suite.py`` starts what is listed here, ``scripts/check_prerequisites.sh`` probes these
ports and the integration tests reach the suite through them. The deployment files that cannot
import Python read what ``scripts/render_registry.py`` writes from this module: compose its
``.env`` (``${SCORING_PORT}`` ...), Terraform ``infra/terraform/registry.tf``; the Prometheus and
Grafana configs and the README's service table are written whole. Changing a port is one line
here and a run of that script; ``tests/deploy/test_registry_files.py`` fails while a written
file is stale.

A *port base* moves the whole local suite at once: every part keeps its distance from
``DEFAULT_PORT_BASE``, so at base 18000 the services listen on 18000-18003, the gateway on
18080 and Prometheus on 19090.

Only the standard library: ``check_prerequisites.sh`` runs this file before the venv exists,
``python3 registry.py ports [BASE]`` printing the suite's ports.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_PORT_BASE = 8000
LOWEST_PORT = 1024
"""Below this a port needs root."""
HIGHEST_PORT = 65535
LOCALHOST = "127.0.0.1"


@dataclass(frozen=True)
class Part:
    """Something the suite runs that listens on a port."""

    name: str
    default_port: int

    def port(self, base: int = DEFAULT_PORT_BASE) -> int:
        return base + self.default_port - DEFAULT_PORT_BASE

    def url(self, base: int = DEFAULT_PORT_BASE, host: str = LOCALHOST) -> str:
        return f"http://{host}:{self.port(base)}"

    @property
    def port_variable(self) -> str:
        """The variable of compose's ``.env`` that holds its default port."""
        return f"{self.name.upper()}_PORT"


@dataclass(frozen=True)
class Service(Part):
    """A MedGrade service: ``name`` is its package, its compose service and its Prometheus job."""

    console_script: str
    env_prefix: str
    """Of its settings: ``<env_prefix>PORT`` sets its port."""


ORCHESTRATOR = Service("grading_orchestrator", 8000, "medgrade-grading-orchestrator", "MEDGRADE_ORCHESTRATOR_")
RUBRICS = Service("rubric_management", 8001, "medgrade-rubric-management", "MEDGRADE_RUBRICS_")
PARSER = Service("document_parser", 8002, "medgrade-document-parser", "MEDGRADE_PARSER_")
SCORING = Service("scoring", 8003, "medgrade-scoring", "MEDGRADE_SCORING_")
GATEWAY = Part("gateway", 8080)
PROMETHEUS = Part("prometheus", 9090)

SERVICES = (ORCHESTRATOR, RUBRICS, PARSER, SCORING)
PARTS = (*SERVICES, GATEWAY, PROMETHEUS)

ORCHESTRATOR_UPSTREAMS: Mapping[str, Service] = {
    "rubric_service_url": RUBRICS, "parser_service_url": PARSER, "scoring_service_url": SCORING}
"""The orchestrator's settings that hold the URL of each service it calls."""
GATEWAY_UPSTREAMS: Mapping[str, Service] = {"ORCHESTRATOR_UPSTREAM": ORCHESTRATOR, "RUBRICS_UPSTREAM": RUBRICS}
"""nginx.conf's placeholders that hold the host:port of each service the gateway routes to."""


def scrape_targets(services: Sequence[Service] = SERVICES, host: str | None = None,
                   base: int = DEFAULT_PORT_BASE) -> dict[str, str]:
    """Prometheus' job per service (named after it) -> the address of its /metrics: on ``host``
    at ``base``, or by compose service name on its default port when ``host`` is None."""
    return {service.name: f"{host}:{service.port(base)}" if host else f"{service.name}:{service.default_port}"
            for service in services}


def check_port_base(base: int) -> int:
    """``base`` itself when every part's port at it can be bound without root; else ValueError."""
    ports = [part.port(base) for part in PARTS]
    if min(ports) < LOWEST_PORT or max(ports) > HIGHEST_PORT:
        lowest = LOWEST_PORT + DEFAULT_PORT_BASE - min(p.default_port for p in PARTS)
        highest = HIGHEST_PORT + DEFAULT_PORT_BASE - max(p.default_port for p in PARTS)
        raise ValueError(f"port base {base}: the suite's ports would be {min(ports)}-{max(ports)}; "
                         f"choose a base from {lowest} to {highest}")
    return base


def _main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] != "ports" or not all(arg.isdigit() for arg in argv[1:]):
        print("usage: registry.py ports [BASE]   (the suite's ports at BASE, default "
              f"{DEFAULT_PORT_BASE}, one line)", file=sys.stderr)
        return 2
    try:
        base = check_port_base(int(argv[1]) if len(argv) == 2 else DEFAULT_PORT_BASE)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(" ".join(str(part.port(base)) for part in PARTS))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
