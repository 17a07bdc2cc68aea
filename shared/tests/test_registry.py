"""medgrade_shared.registry: one entry per part of the suite, and port bases that move all of
them together. (Whether the files that cannot import it agree: tests/deploy/test_registry_files.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from medgrade_shared import registry
from medgrade_shared.registry import (
    DEFAULT_PORT_BASE,
    GATEWAY_UPSTREAMS,
    ORCHESTRATOR_UPSTREAMS,
    PARTS,
    SERVICES,
    check_port_base,
)

REGISTRY_FILE = Path(registry.__file__)
LOWEST_BASE = registry.LOWEST_PORT + DEFAULT_PORT_BASE - min(part.default_port for part in PARTS)
HIGHEST_BASE = registry.HIGHEST_PORT + DEFAULT_PORT_BASE - max(part.default_port for part in PARTS)


def test_each_part_has_its_own_name_and_port_and_each_service_its_own_prefix_and_script():
    for facts in ([p.name for p in PARTS], [p.default_port for p in PARTS], [s.env_prefix for s in SERVICES],
                  [s.console_script for s in SERVICES]):
        assert len(set(facts)) == len(facts), facts
    assert all(s.env_prefix.startswith("MEDGRADE_") and s.env_prefix.endswith("_") for s in SERVICES)


def test_the_default_base_puts_every_part_on_its_default_port():
    assert [part.port() for part in PARTS] == [part.default_port for part in PARTS]
    assert [part.port(DEFAULT_PORT_BASE) for part in PARTS] == [part.default_port for part in PARTS]


@pytest.mark.parametrize("base", [LOWEST_BASE, 18000, 20000, HIGHEST_BASE])
def test_a_port_base_moves_every_part_by_the_same_distance(base):
    assert check_port_base(base) == base
    assert {part.port(base) - part.default_port for part in PARTS} == {base - DEFAULT_PORT_BASE}
    assert min(part.port(base) for part in PARTS) >= registry.LOWEST_PORT
    assert max(part.port(base) for part in PARTS) <= registry.HIGHEST_PORT


@pytest.mark.parametrize("base", [0, LOWEST_BASE - 1, HIGHEST_BASE + 1, 70000])
def test_a_port_base_whose_ports_cannot_be_bound_is_refused_with_the_range(base):
    with pytest.raises(ValueError, match=f"choose a base from {LOWEST_BASE} to {HIGHEST_BASE}"):
        check_port_base(base)


def test_urls_name_the_host_and_the_port_at_the_base():
    for part in PARTS:
        assert part.url() == f"http://127.0.0.1:{part.default_port}"
        assert part.url(20000, host=part.name) == f"http://{part.name}:{part.port(20000)}"


def test_the_upstreams_are_services_of_the_registry():
    assert set(ORCHESTRATOR_UPSTREAMS.values()) == set(SERVICES) - {registry.ORCHESTRATOR}
    assert set(GATEWAY_UPSTREAMS.values()) <= set(SERVICES)


def test_the_file_runs_on_a_bare_python_and_prints_the_ports_at_a_base():
    """-I -S: no site-packages, no MedGrade package, as before the venv exists."""
    ports = subprocess.run([sys.executable, "-I", "-S", str(REGISTRY_FILE), "ports", "20000"], capture_output=True,
                           text=True, check=True, timeout=30).stdout
    assert ports == " ".join(str(part.port(20000)) for part in PARTS) + "\n"
    default = subprocess.run([sys.executable, "-I", "-S", str(REGISTRY_FILE), "ports"], capture_output=True,
                             text=True, check=True, timeout=30).stdout
    assert default.split() == [str(part.default_port) for part in PARTS]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["ports", "70000"], 1, "choose a base from"),
    (["ports", "x"], 2, "usage: registry.py ports [BASE]"),
    ([], 2, "usage: registry.py ports [BASE]"),
])
def test_the_file_refuses_what_is_not_a_usable_base(args, code, message):
    done = subprocess.run([sys.executable, "-I", "-S", str(REGISTRY_FILE), *args], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == code and message in done.stderr and done.stdout == ""
