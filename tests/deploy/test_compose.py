"""docker-compose.yml (development) and docker-compose.prod.yml (one production host, a layer
over docker-compose.yml) fit the services' settings, nginx.conf, the images, prometheus.yml and
the Grafana files (their ports: test_registry_files.py). Production is checked as compose runs
it: docker-compose.yml with docker-compose.prod.yml merged in by compose's rules (``merge``).
The repository's Dockerfile (the four services) and scripts/image_build.py are checked here too.
Everything is read statically: no Docker engine is needed."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import typing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from medgrade_shared import healthcheck
from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV
from medgrade_shared.registry import GATEWAY_UPSTREAMS, ORCHESTRATOR, ORCHESTRATOR_UPSTREAMS, RUBRICS, SERVICES
from medgrade_shared.settings import ANY_SERVICE_HOST, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEV, PROD = "docker-compose.yml", "docker-compose.prod.yml"
LAYERS = {PROD: DEV}
"""A file that is only ever applied on top of another: compose file -> the file under it."""
SERVICE_DOCKERFILE = "Dockerfile"
GATEWAY_DOCKERFILE = "infra/nginx/Dockerfile"

STORE_SERVICES = (ORCHESTRATOR, RUBRICS)
GATEWAY_SERVICE = "nginx"
REQUIRED_METRICS = ("grading_overall_score", "grading_component_score", "medgrade_http_request_duration_seconds",
                    "grading_errors_total", "medgrade_downstream_errors_total")


def settings_class(service: str) -> type[ServiceSettings]:
    """The class of what ``<service>.core.config.get_settings()`` returns."""
    get_settings = importlib.import_module(f"{service}.core.config").get_settings
    return typing.get_type_hints(get_settings.__wrapped__)["return"]


# --- Compose files as compose reads them ---------------------------------------------------

class Override:
    """A value tagged ``!override``: it replaces what the file underneath says, unmerged."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Override({self.value!r})"


RESET = type("Reset", (), {"__repr__": lambda self: "RESET"})()
"""A value tagged ``!reset``: the key is removed from the merged result."""


class ComposeLoader(yaml.SafeLoader):
    """yaml.safe_load with compose's two merge tags (safe_load refuses unknown tags)."""


def _construct_override(loader: ComposeLoader, node: yaml.Node) -> Override:
    if isinstance(node, yaml.MappingNode):
        return Override(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return Override(loader.construct_sequence(node, deep=True))
    return Override(loader.construct_scalar(node))


ComposeLoader.add_constructor("!override", _construct_override)
ComposeLoader.add_constructor("!reset", lambda loader, node: RESET)


COMPOSE_ENV = ".env"
"""The project's interpolation file, which compose reads by itself (scripts/render_registry.py writes it)."""


def compose_variables(root: Path = ROOT) -> dict[str, str]:
    lines = (root / COMPOSE_ENV).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def interpolate(value: object, variables: dict[str, str]) -> object:
    """``value`` with each ``${NAME}`` (or ``${NAME:?why}``) that .env sets replaced by its value,
    as compose does; the variables set from the shell or another --env-file (the internal token,
    production's bucket) are left as written. A bare ``${NAME}`` that .env does not set fails."""
    if isinstance(value, str):
        def substitute(match: re.Match) -> str:
            name, rest = match.group(1), match.group(2)
            if name in variables:
                return variables[name]
            assert rest, f"${{{name}}} is not set by {COMPOSE_ENV}"
            return match.group(0)
        return re.sub(r"\$\{(\w+)((?::?[-?])[^}]*)?\}", substitute, value)
    if isinstance(value, Override):
        return Override(interpolate(value.value, variables))
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    return value


def load_file(name: str, root: Path = ROOT) -> dict:
    """One file as compose reads it from the project folder ``root``: interpolated from its .env,
    ``!reset`` and ``!override`` values as RESET and Override."""
    return interpolate(yaml.load((root / name).read_text(), Loader=ComposeLoader), compose_variables(root))


REPLACED = {("services", "*", "command"), ("services", "*", "entrypoint"), ("services", "*", "healthcheck", "test")}
"""Lists that compose replaces instead of appending to."""


def _plain(value: object) -> object:
    """A value from an overlay for a key the file underneath does not have: tags dropped."""
    if isinstance(value, Override):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not RESET}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p in ("*", k) for k, p in zip(path, pattern, strict=True))


def _volume_target(volume: object) -> object:
    return volume.split(":")[1] if isinstance(volume, str) and ":" in volume else volume


def merge(base: object, overlay: object, path: tuple[str, ...] = ()) -> object:
    """``overlay`` merged into ``base`` by the compose specification's rules, for what these
    files use: mappings merged key by key (``environment`` too, in either form), sequences
    appended to (``volumes`` unique by target, ``ports`` and ``expose`` by value), ``command``,
    ``entrypoint`` and a health check's ``test`` replaced, ``!override`` replacing and
    ``!reset`` removing. Neither argument is changed."""
    if isinstance(overlay, Override) or any(_matches(path, pattern) for pattern in REPLACED):
        return _plain(overlay)
    if path[-1:] == ("environment",):
        base, overlay = _env_mapping(base), _env_mapping(overlay)
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            if value is RESET:
                merged.pop(key, None)
            elif key in merged and merged[key] is not None:
                merged[key] = merge(merged[key], value, (*path, key))
            else:
                merged[key] = _plain(value)
        return merged
    if isinstance(base, list) and isinstance(overlay, list):
        if path[-1:] == ("volumes",):
            targets = {_volume_target(v) for v in overlay}
            return [v for v in base if _volume_target(v) not in targets] + _plain(overlay)
        appended = _plain(overlay)
        if path[-1:] in (("ports",), ("expose",)):
            appended = [v for v in appended if v not in base]
        return base + appended
    return _plain(overlay)


def _env_mapping(env: object) -> object:
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def load(name: str, root: Path = ROOT) -> dict:
    """A compose file as compose runs it: a layer (docker-compose.prod.yml) merged onto its base."""
    if name in LAYERS:
        return merge(load(LAYERS[name], root), load_file(name, root))
    return load_file(name, root)


@pytest.fixture(scope="module", params=[DEV, PROD])
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


def test_merge_follows_the_compose_rules():
    """The merge these tests check production with, against the specification's own examples
    (and the reverse: without the tags, the development values would survive)."""
    base = yaml.safe_load("""
services:
  app:
    image: app:dev
    command: [serve, --dev]
    ports: ["8080:8080"]
    expose: ["8000"]
    volumes: ["store:/data", "./conf:/etc/app:ro"]
    environment: {A: "1", B: "2"}
    healthcheck: {test: [CMD, dev-check], interval: 10s, retries: 3}
    deploy: {resources: {limits: {cpus: "1"}}}
volumes: {store: null, other: null}
""")
    overlay = yaml.load("""
services:
  app:
    image: app:prod
    command: [serve]
    ports: !override ["80:8080"]
    expose: ["8000", "9000"]
    volumes: ["./prod-conf:/etc/app:ro", "logs:/logs"]
    environment: {B: !reset null, C: "3"}
    healthcheck: {test: [CMD, prod-check], interval: 15s}
    deploy: {resources: {limits: {memory: 1G}}}
    cap_drop: !reset []
  new:
    image: new
    environment: [X=1]
volumes: {store: !reset null}
""", Loader=ComposeLoader)
    before = json.dumps(base, sort_keys=True)
    merged = merge(base, overlay)
    assert json.dumps(base, sort_keys=True) == before, "merge changed its input"
    assert merged["services"]["app"] == {
        "image": "app:prod",
        "command": ["serve"],
        "ports": ["80:8080"],
        "expose": ["8000", "9000"],
        "volumes": ["store:/data", "./prod-conf:/etc/app:ro", "logs:/logs"],
        "environment": {"A": "1", "C": "3"},
        "healthcheck": {"test": ["CMD", "prod-check"], "interval": "15s", "retries": 3},
        "deploy": {"resources": {"limits": {"cpus": "1", "memory": "1G"}}},
    }
    assert merged["services"]["new"] == {"image": "new", "environment": ["X=1"]}
    assert merged["volumes"] == {"other": None}
    untagged = merge(base, yaml.safe_load("services: {app: {ports: ['80:8080'], environment: {B: null}}}"))
    assert untagged["services"]["app"]["ports"] == ["8080:8080", "80:8080"]
    assert "B" in untagged["services"]["app"]["environment"]


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


def test_the_four_services_are_built_from_the_one_dockerfile(compose):
    """Which SERVICE each one passes: test_registry_files.py."""
    name, spec = compose
    for service in SERVICES:
        build = spec["services"][service.name]["build"]
        assert set(build) == {"context", "dockerfile", "args"}, f"{name}: {service.name}: {sorted(build)}"
        assert (build["context"], build["dockerfile"]) == (".", SERVICE_DOCKERFILE), f"{name}: {service.name}"
        assert set(build["args"]) == {"SERVICE"}, f"{name}: {service.name}"


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
    values = {**dockerfile_env(GATEWAY_DOCKERFILE), **environment(gateway)}
    envsubst_filter = re.compile(dockerfile_env(GATEWAY_DOCKERFILE)["NGINX_ENVSUBST_FILTER"])
    placeholders = set(re.findall(r"\$\{(\w+)\}", (ROOT / "nginx.conf").read_text()))
    assert placeholders
    for placeholder in placeholders:
        assert placeholder in values, f"{name}: nothing sets {placeholder}"
        assert envsubst_filter.search(placeholder), f"the image's envsubst filter skips {placeholder}"
    assert gateway["build"]["dockerfile"] == GATEWAY_DOCKERFILE


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


def test_gateway_image_health_check_is_its_own_healthz_on_the_port_it_was_given():
    """Through a shell, so the port is the container's GATEWAY_LISTEN (the image sets no default)."""
    text = (ROOT / GATEWAY_DOCKERFILE).read_text().replace("\\\n", " ")
    checks = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert checks[0].endswith(
        'CMD ["sh", "-c", "wget -q -O /dev/null http://127.0.0.1:${GATEWAY_LISTEN}/healthz"]'), checks[0]


# --- Development ----------------------------------------------------------------------------

def test_dev_publishes_only_the_gateway_and_prometheus():
    services = load(DEV)["services"]
    assert {name for name, body in services.items() if published(body)} == {GATEWAY_SERVICE, "prometheus"}


def test_dev_store_is_one_named_volume_shared_by_rubrics_and_orchestrator():
    spec = load(DEV)
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
    services = load(PROD)["services"]
    publishing = {name: published(body) for name, body in services.items() if published(body)}
    assert list(publishing) == [GATEWAY_SERVICE]
    assert [port.split(":")[0] for port in publishing[GATEWAY_SERVICE]] == ["80"]


def test_prod_restarts_and_limits_every_container():
    for service, body in load(PROD)["services"].items():
        assert body.get("restart") in ("unless-stopped", "always"), service
        limits = body["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"\d+[MG]", limits["memory"]), service
        assert "no-new-privileges:true" in body.get("security_opt", []), service


def test_prod_store_is_s3_with_the_bucket_from_the_env_file():
    spec = load(PROD)
    for service in STORE_SERVICES:
        body = spec["services"][service.name]
        env = environment(body)
        assert env[f"{service.env_prefix}STORE_BACKEND"] == "s3"
        assert re.fullmatch(r"\$\{MEDGRADE_S3_BUCKET:\?[^}]+\}", env[f"{service.env_prefix}S3_BUCKET"])
        assert body["env_file"] == ".env.prod"
        assert not body.get("volumes"), f"{service.name} keeps no local state in production"
    for service in set(SERVICES) - set(STORE_SERVICES):
        assert "env_file" not in spec["services"][service.name], f"{service.name} needs no AWS credentials"


def test_prod_is_a_layer_that_holds_only_what_production_changes():
    """docker-compose.prod.yml says nothing that docker-compose.yml already says: each setting
    it gives a service of the development file changes that service, and no build is repeated
    (a second complete file would drift from the first)."""
    base, layer = load_file(DEV), load_file(PROD)
    assert set(base["services"]) <= set(layer["services"]) | set(base["services"])
    for service, body in layer["services"].items():
        if service not in base["services"]:
            continue
        assert "build" not in body, f"{service}: production builds what development builds"
        under = base["services"][service]
        for key, value in body.items():
            if key in under and merge({key: under[key]}, {key: value}) == {key: under[key]}:
                pytest.fail(f"{PROD}: {service}.{key} repeats {DEV}")
            if key == "environment" and key in under:
                for variable, setting in value.items():
                    assert environment(under).get(variable) != setting, f"{PROD}: {service} repeats {variable}"


def test_prod_keeps_no_local_store():
    spec = load(PROD)
    for service in STORE_SERVICES:
        env = environment(spec["services"][service.name])
        assert f"{service.env_prefix}STORE_PATH" not in env, f"{service.name}: a local store path in production"
    assert "store" not in spec["volumes"], "production has no local store volume"
    assert set(spec["volumes"]) >= {"prometheus-data", "grafana-data"}
    assert spec["name"] == "medgrade-prod", "production is a compose project of its own"


def test_prod_secrets_are_not_committed():
    example = (ROOT / ".env.prod.example").read_text()
    assert "MEDGRADE_S3_BUCKET=" in example and "GRAFANA_ADMIN_PASSWORD=" in example
    assert re.search(r"^GRAFANA_ADMIN_PASSWORD=$", example, flags=re.M), "the example holds no password"
    tracked = subprocess.run(["git", "ls-files", "--", ".env.prod"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout.strip() == "", ".env.prod must never be committed"
    assert "**/.env*" in (ROOT / ".dockerignore").read_text().splitlines(), "env files must stay out of images"
    grafana = environment(load(PROD)["services"]["grafana"])
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_grafana_is_provisioned_with_prometheus_and_the_grading_dashboard():
    spec = load(PROD)
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


# --- The services' image: the repository's Dockerfile and scripts/image_build.py ------------

def dockerfile_instructions(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    lines = [line for line in (ROOT / name).read_text().splitlines() if not line.lstrip().startswith("#")]
    text = "\n".join(lines).replace("\\\n", " ")
    return [(word.upper(), rest.strip()) for word, _, rest in
            (line.strip().partition(" ") for line in text.splitlines() if line.strip())]


def image_build_module():
    spec = importlib.util.spec_from_file_location("medgrade_image_build", ROOT / "scripts" / "image_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_image_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/image_build.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_one_dockerfile_for_the_four_services():
    assert (ROOT / SERVICE_DOCKERFILE).is_file()
    leftovers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "services").glob("*/Dockerfile"))
    assert not leftovers, f"the services are built from {SERVICE_DOCKERFILE} alone: {leftovers}"
    code = " ".join(args for _, args in dockerfile_instructions(SERVICE_DOCKERFILE))
    for service in SERVICES:  # what differs comes from SERVICE and the service's pyproject
        assert service.name not in code, f"{SERVICE_DOCKERFILE} names {service.name}"
        assert service.console_script not in code and service.env_prefix not in code


@pytest.mark.parametrize("name", [SERVICE_DOCKERFILE, GATEWAY_DOCKERFILE])
def test_base_images_are_pinned_by_digest(name):
    instructions = dockerfile_instructions(name)
    global_args = {}
    for instruction, args in instructions:
        if instruction == "FROM":
            break
        if instruction == "ARG" and "=" in args:
            key, value = args.split("=", 1)
            global_args[key] = value
    stages = set()
    for instruction, args in instructions:
        if instruction != "FROM":
            continue
        image, *rest = args.split()
        image = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), m.group(0)), image)
        if image in stages:  # FROM an earlier stage
            continue
        assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", image), f"{name}: FROM {image} is not pinned"
        if rest:
            assert rest[0].upper() == "AS" and len(rest) == 2, f"{name}: FROM {args}"
            stages.add(rest[1])
    if name == SERVICE_DOCKERFILE:  # one base, named once, for every stage
        assert {args.split()[0] for instruction, args in instructions if instruction == "FROM"} == {"${PYTHON_IMAGE}"}
        assert "docker buildx imagetools inspect" in (ROOT / name).read_text(), "say how to refresh the digest"


def _stage(name: str, stage: str) -> list[tuple[str, str]]:
    found, current = [], None
    for instruction, args in dockerfile_instructions(name):
        if instruction == "FROM":
            current = args.split()[-1]
        elif current == stage:
            found.append((instruction, args))
    assert found, f"{name} has no stage {stage}"
    return found


def test_service_image_runtime_is_non_root_generic_and_checks_its_health():
    runtime = _stage(SERVICE_DOCKERFILE, "runtime")
    env = dockerfile_env(SERVICE_DOCKERFILE)
    assert env[ANY_SERVICE_HOST] == "0.0.0.0", "the services listen beyond loopback in a container"
    assert env[healthcheck.SERVICE_VARIABLE] == "${SERVICE}", "the health check must know the service"
    assert ("ARG", "SERVICE") in runtime
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"
    assert not any(key.endswith("_PORT") or (key.endswith("_HOST") and key != ANY_SERVICE_HOST) for key in env), \
        "ports and hosts are compose's and Terraform's, per service"
    assert [i for i in runtime if i[0] == "USER"][-1] == ("USER", "10001:10001")
    run = " ".join(args for instruction, args in runtime if instruction == "RUN")
    assert "--uid 10001" in run and "chown medgrade:medgrade /data/store" in run
    checks = [args for instruction, args in runtime if instruction == "HEALTHCHECK"]
    assert len(checks) == 1 and checks[0].endswith('CMD ["python", "-m", "medgrade_shared.healthcheck"]'), checks
    assert importlib.util.find_spec("medgrade_shared.healthcheck") is not None
    assert [args for instruction, args in runtime if instruction == "CMD"] == ['["medgrade-service"]']
    assert [args for instruction, args in runtime if instruction == "COPY"] == ["--from=builder /opt/venv /opt/venv"]
    builder = " ".join(args for instruction, args in _stage(SERVICE_DOCKERFILE, "builder") if instruction == "RUN")
    assert re.search(r'ln -s "\$\{script\}" /opt/venv/bin/medgrade-service', builder)
    assert "image_build.py console-script" in builder


def test_service_image_installs_dependencies_before_copying_sources():
    """The dependency layer is rebuilt only when a pyproject or constraints.txt changes."""
    builder = _stage(SERVICE_DOCKERFILE, "builder")

    def index(predicate) -> int:
        hits = [i for i, step in enumerate(builder) if predicate(*step)]
        assert hits, "step not found"
        return hits[0]

    requirements = index(lambda ins, args: ins == "RUN" and "-r requirements.txt" in args)
    copies_before = [args for ins, args in builder[:requirements] if ins == "COPY"]
    assert all("pyproject.toml" in args or "constraints.txt" in args or args.endswith("./")
               or "image_build.py" in args for args in copies_before), copies_before
    assert index(lambda ins, args: ins == "COPY" and args.startswith("shared/ ")) > requirements
    assert index(lambda ins, args: ins == "COPY" and args.endswith("/ services/${SERVICE}/")) > requirements
    # torch (hundreds of MB) has its own layer before the pyprojects, rebuilt only with build-assets
    torch = index(lambda ins, args: ins == "RUN" and "download.pytorch.org/whl/cpu torch==" in args)
    assert torch < index(lambda ins, args: ins == "COPY" and args.startswith("constraints.txt"))


def test_service_image_takes_the_service_only_from_the_stage_that_checks_it():
    """A wrong SERVICE fails in the select stage with image_build.py's message, before any
    COPY of services/<SERVICE> from the context could fail with a bare 'not found'."""
    select = _stage(SERVICE_DOCKERFILE, "select")
    assert ("ARG", "SERVICE") in select
    assert 'image_build.py check "${SERVICE}"' in select[-1][1], "the check is the select stage's last step"
    for instruction, args in _stage(SERVICE_DOCKERFILE, "builder") + _stage(SERVICE_DOCKERFILE, "runtime"):
        if instruction in ("COPY", "ADD") and "${SERVICE}" in args:
            assert args.startswith("--from=select "), args
    dockerignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "!scripts/image_build.py" in dockerignore, "the helper must reach the build context"


def test_image_build_check_names_the_services_when_service_is_wrong():
    names = sorted(service.name for service in SERVICES)
    for service in names:
        assert run_image_build("check", service).returncode == 0
    for wrong, says in (("", "SERVICE is not set"), ("nginx", "SERVICE='nginx' is no service"),
                        ("../shared", "is no service")):
        done = run_image_build("check", wrong)
        assert done.returncode == 1, wrong
        assert says in done.stderr and ", ".join(names) in done.stderr, done.stderr


def test_image_build_reads_the_pyprojects_as_the_dockerfile_needs():
    for service in SERVICES:
        pyproject = f"services/{service.name}/pyproject.toml"
        project = tomllib.loads((ROOT / pyproject).read_text())["project"]
        shared = tomllib.loads((ROOT / "shared/pyproject.toml").read_text())["project"]
        done = run_image_build("requirements", "shared/pyproject.toml", pyproject)
        assert done.returncode == 0, done.stderr
        expected = [d for d in shared["dependencies"] + project["dependencies"] if not d.startswith("medgrade-")]
        assert done.stdout.splitlines() == expected and expected
        assert "medgrade-shared" in project["dependencies"]  # left out: installed from ./shared

        assets = run_image_build("build-assets", pyproject)
        assert assets.returncode == 0, assets.stderr
        script = assets.stdout.strip()
        declared = tomllib.loads((ROOT / pyproject).read_text()).get("tool", {}).get("medgrade", {})
        assert script == declared.get("build-assets", "")
        if script:  # run in the build-only venv: the export extra, CPU torch
            assert (ROOT / "services" / service.name / script).is_file()
            export = run_image_build("requirements", "--extra", "export", pyproject)
            assert export.returncode == 0 and export.stdout.splitlines() == project["optional-dependencies"]["export"]
            assert any(line.startswith("torch") for line in export.stdout.splitlines())
    # scoring's ONNX model is built in the image: the one service with build assets today
    assert [s.name for s in SERVICES if run_image_build("build-assets", f"services/{s.name}/pyproject.toml")
            .stdout.strip()] == ["scoring"]


def test_image_build_refuses_what_it_cannot_build_from(tmp_path):
    module = image_build_module()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = []\n'
                         '[project.scripts]\na = "x:a"\nb = "x:b"\n[tool.medgrade]\nbuild-assets = "../escape.py"\n')
    with pytest.raises(module.BuildInputError, match="exactly one entry"):
        module.console_script(pyproject)
    with pytest.raises(module.BuildInputError, match="inside the service's folder"):
        module.build_assets(pyproject)
    pyproject.write_text('[project]\nname = "x"\n[tool.medgrade]\nbuild-assets = "scripts/missing.py"\n')
    with pytest.raises(module.BuildInputError, match="is not a file"):
        module.build_assets(pyproject)
    with pytest.raises(module.BuildInputError, match="no \\[project\\] dependencies"):
        module.requirements([pyproject])
    done = run_image_build("requirements", "--extra", "export", str(pyproject))
    assert done.returncode == 1 and "no [project.optional-dependencies] extra 'export'" in done.stderr


def test_compose_without_its_env_file_stops_and_names_it():
    """With --env-file and no --env-file .env, compose would read every port as blank: a
    required-value form on one port variable stops it with a message naming .env."""
    guards = re.findall(r"\$\{(\w+_PORT):\?([^}]*)\}", (ROOT / DEV).read_text())
    assert guards and all(COMPOSE_ENV in message for _, message in guards), guards
    assert {name for name, _ in guards} <= set(compose_variables())
