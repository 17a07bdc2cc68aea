"""scripts/deploy.py: the ECS part against a real moto server on 127.0.0.1 (register a new
task definition revision with the new image, update the service, wait until stable); the
image part only where a Docker engine answers."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path

import boto3
import docker
import pytest
from docker.errors import DockerException

from medgrade_shared.registry import SCORING, SERVICES
from medgrade_shared.testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
PREFIX = "mgtest"


def _load_deploy():
    spec = importlib.util.spec_from_file_location("medgrade_deploy", ROOT / "scripts" / "deploy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


deploy = _load_deploy()


@pytest.fixture(scope="module")
def moto_url():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"moto server exited: {proc.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail("moto server did not answer within 30 s")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def aws(moto_url, monkeypatch):
    """Fake credentials (never real ones) and clients bound to the moto server, reset per test."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=5)
    session = boto3.session.Session(region_name=REGION)
    return {"url": moto_url, "ecs": session.client("ecs", endpoint_url=moto_url),
            "ecr": session.client("ecr", endpoint_url=moto_url)}


def _stack(aws, services: list[str]) -> dict[str, str]:
    """What Terraform would have made: cluster, repositories, a task definition and a service
    per ECS service (desired count 0, so moto's service is stable). Returns ECS service -> first ARN."""
    ecs, ecr = aws["ecs"], aws["ecr"]
    ecs.create_cluster(clusterName=PREFIX)
    first = {}
    for target, rollout in ((t, r) for t in deploy.plan_targets(PREFIX, services) for r in t.rollouts):
        if rollout == target.rollouts[0]:
            uri = ecr.create_repository(repositoryName=target.repository,
                                        imageTagMutability="IMMUTABLE")["repository"]["repositoryUri"]
        arn = ecs.register_task_definition(
            family=rollout.ecs_service,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            executionRoleArn="arn:aws:iam::123456789012:role/mgtest-ecs-execution",
            taskRoleArn=f"arn:aws:iam::123456789012:role/{rollout.ecs_service}-task",
            containerDefinitions=[{
                "name": rollout.container,
                "image": f"{uri}:initial",
                "essential": True,
                "readonlyRootFilesystem": True,
                "portMappings": [{"containerPort": SCORING.default_port, "protocol": "tcp", "name": "http"}],
                "environment": [{"name": f"{SCORING.env_prefix}PORT", "value": str(SCORING.default_port)}],
            }],
            tags=[{"key": "Project", "value": "medgrade"}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=PREFIX, serviceName=rollout.ecs_service, taskDefinition=arn,
                           desiredCount=0, launchType="FARGATE")
        first[rollout.ecs_service] = arn
    return first


def _push_fake_image(aws, repository: str, tag: str) -> None:
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                           "digest": "sha256:" + "0" * 64},
                "layers": []}
    aws["ecr"].put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


def test_roll_out_registers_a_new_revision_and_updates_the_service(aws):
    services = ["scoring", "document_parser", "grading_orchestrator"]
    first = _stack(aws, services)
    targets = deploy.plan_targets(PREFIX, services)
    uris = deploy.repository_uris(aws["ecr"], targets)

    registered = deploy.roll_out(aws["ecs"], PREFIX, targets, "rel-2", uris)
    deploy.wait_stable(aws["ecs"], PREFIX, targets, timeout_s=30)
    # The batch workers run the orchestrator's image: they are rolled out with it.
    assert sorted(registered) == sorted([f"{PREFIX}-scoring", f"{PREFIX}-document-parser",
                                         f"{PREFIX}-grading-orchestrator", f"{PREFIX}-batch-worker"])

    ecs = aws["ecs"]
    for target, rollout in ((t, r) for t in targets for r in t.rollouts):
        new = ecs.describe_task_definition(taskDefinition=registered[rollout.ecs_service], include=["TAGS"])
        old = ecs.describe_task_definition(taskDefinition=first[rollout.ecs_service])["taskDefinition"]
        definition = new["taskDefinition"]
        assert definition["family"] == old["family"]
        assert definition["revision"] == old["revision"] + 1
        container = definition["containerDefinitions"][0]
        assert container["image"] == f"{uris[target.service]}:rel-2"
        # Everything else is copied from the running revision.
        for key in ("cpu", "memory", "networkMode", "executionRoleArn", "taskRoleArn", "requiresCompatibilities"):
            assert definition[key] == old[key], key
        assert container["environment"] == old["containerDefinitions"][0]["environment"]
        assert container["readonlyRootFilesystem"] is True
        assert new["tags"] == [{"key": "Project", "value": "medgrade"}]
        service = ecs.describe_services(cluster=PREFIX, services=[rollout.ecs_service])["services"][0]
        assert service["taskDefinition"] == registered[rollout.ecs_service]


def test_cli_rolls_back_to_a_tag_in_ecr_and_refuses_one_that_is_not(aws, capsys):
    _stack(aws, ["scoring"])
    _push_fake_image(aws, f"{PREFIX}/scoring", "rel-1")
    common = ["--region", REGION, "--endpoint-url", aws["url"], "--name-prefix", PREFIX,
              "--services", "scoring", "--skip-images", "--timeout", "30"]

    assert deploy.main([*common, "--tag", "rel-0"]) == 1
    assert "mgtest/scoring:rel-0 is not in ECR" in capsys.readouterr().err
    service = aws["ecs"].describe_services(cluster=PREFIX, services=["mgtest-scoring"])["services"][0]
    assert service["taskDefinition"].endswith(":1")

    assert deploy.main([*common, "--tag", "rel-1"]) == 0
    assert "stable" in capsys.readouterr().out
    service = aws["ecs"].describe_services(cluster=PREFIX, services=["mgtest-scoring"])["services"][0]
    assert service["taskDefinition"].endswith("task-definition/mgtest-scoring:2")
    image = aws["ecs"].describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"]["containerDefinitions"][0]["image"]
    assert image.endswith("/mgtest/scoring:rel-1")


def test_missing_service_fails_with_its_name(aws):
    _stack(aws, ["scoring"])
    aws["ecr"].create_repository(repositoryName=f"{PREFIX}/document_parser")
    targets = deploy.plan_targets(PREFIX, ["document_parser"])
    with pytest.raises(deploy.DeployError, match="mgtest-document-parser"):
        deploy.roll_out(aws["ecs"], PREFIX, targets, "rel-2", deploy.repository_uris(aws["ecr"], targets))


def test_new_task_definition_needs_the_service_container():
    current = {"family": "mgtest-scoring", "containerDefinitions": [{"name": "sidecar", "image": "x:1"}]}
    with pytest.raises(deploy.DeployError, match="no container named 'scoring'"):
        deploy.new_task_definition(current, [], "scoring", "repo/scoring:2")


def test_dry_run_prints_the_plan_and_calls_nothing(capsys, monkeypatch):
    monkeypatch.setattr(boto3.session, "Session", None)  # any AWS call would fail loudly
    assert deploy.main(["--region", REGION, "--dry-run", "--tag", "rel-3"]) == 0
    out = capsys.readouterr().out
    for target in deploy.plan_targets("medgrade", deploy.DOCKERFILES):
        args = f" --build-arg SERVICE={target.service}" if target.service != "gateway" else ""
        assert f"build {target.local_image}:rel-3 from {target.dockerfile}{args};" in out
        for rollout in target.rollouts:
            assert f"update service {rollout.ecs_service}" in out
    assert "update service medgrade-batch-worker" in out
    assert (ROOT / "infra/nginx/Dockerfile").is_file()
    assert all((ROOT / path).is_file() for path in deploy.DOCKERFILES.values())


def test_the_four_services_are_built_from_the_one_dockerfile_with_their_name():
    services = {s.name for s in SERVICES}
    assert set(deploy.DOCKERFILES) == services | {"gateway"}
    for target in deploy.plan_targets("medgrade", deploy.DOCKERFILES):
        if target.service in services:
            assert (target.dockerfile, dict(target.buildargs)) == ("Dockerfile", {"SERVICE": target.service})
        else:
            assert (target.dockerfile, dict(target.buildargs)) == ("infra/nginx/Dockerfile", {})
    for path in ("Dockerfile", "scripts/image_build.py", ".dockerignore"):
        assert any(path == p or path.startswith(p + "/") for p in deploy.IMAGE_INPUTS), f"{path} makes the images"


def test_build_images_passes_the_build_args_to_the_engine():
    """docker-py's images.build, as build_images calls it (a recording stand-in: no engine here)."""
    calls = []

    class Images:
        def build(self, **kwargs):
            calls.append(kwargs)

    client = types.SimpleNamespace(images=Images())
    deploy.build_images(client, deploy.plan_targets("medgrade", ["scoring", "gateway"]), "rel-4")
    assert [(c["dockerfile"], c["buildargs"], c["tag"]) for c in calls] == [
        ("Dockerfile", {"SERVICE": "scoring"}, "medgrade/scoring:rel-4"),
        ("infra/nginx/Dockerfile", {}, "medgrade/gateway:rel-4"),
    ]
    assert all(c["path"] == str(ROOT) and c["pull"] for c in calls)


def test_release_tag_is_the_revision_of_clean_image_sources(tmp_path, monkeypatch):
    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=tmp_path,
                              check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "a.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    monkeypatch.setattr(deploy, "ROOT", tmp_path)
    assert deploy.git_tag() == git("rev-parse", "--short=12", "HEAD")
    (tmp_path / "notes.txt").write_text("not in any image\n")
    assert deploy.git_tag() == git("rev-parse", "--short=12", "HEAD")
    (tmp_path / "services" / "b.py").write_text("y = 2\n")
    with pytest.raises(deploy.DeployError, match="uncommitted or untracked"):
        deploy.git_tag()


@pytest.fixture(scope="module")
def docker_client():
    try:
        client = docker.from_env()
        client.ping()
    except DockerException as exc:
        pytest.skip(f"no Docker engine reachable ({type(exc).__name__}); the image part needs one")
    return client


@pytest.mark.parametrize("service", list(deploy.DOCKERFILES))
def test_image_builds_non_root_with_a_health_check(docker_client, service):
    target = deploy.plan_targets("medgrade", [service])[0]
    deploy.build_images(docker_client, [target], "test")
    config = docker_client.images.get(f"{target.local_image}:test").attrs["Config"]
    assert config["User"] not in ("", "0", "root")
    assert config["Healthcheck"]["Test"]
    assert config["Cmd"]
    if target.buildargs:  # the services' image knows which service it is, for its health check
        assert f"MEDGRADE_SERVICE={service}" in config["Env"]


def test_the_batch_workers_are_named_as_terraform_names_them():
    from .test_terraform import merged_terraform

    worker = merged_terraform()["locals"]["batch_worker"]
    assert {worker["image_from"]: (worker["name"],)} == deploy.SAME_IMAGE
    rollout = deploy.plan_targets("medgrade", [worker["image_from"]])[0].rollouts[1]
    assert worker["ecs_name"] == "${local.name}-batch-worker" and rollout.ecs_service == "medgrade-batch-worker"
    assert rollout.container == worker["name"]
