"""Build, push and roll out the MedGrade images on the ECS cluster made by infra/terraform.

    python scripts/deploy.py --region eu-west-1 --dry-run            # print the plan, touch nothing
    python scripts/deploy.py --region eu-west-1                       # build, push, roll out all five
    python scripts/deploy.py --region eu-west-1 --services scoring    # one service
    python scripts/deploy.py --region eu-west-1 --push-only           # first deployment: images before terraform apply
    python scripts/deploy.py --region eu-west-1 --skip-images --tag 3f9a0c12d4e5   # roll back to an image in ECR

For each service: build its image from the repository root (the four services from the one
``Dockerfile`` with the build argument ``SERVICE``, the gateway from ``infra/nginx/Dockerfile``),
tag it with the release tag
(the git revision by default; ECR tags are immutable), log in to ECR with a token from
``get_authorization_token`` and push. Then copy each service's current task definition with
the new image into a new revision, point the service at it, and wait until every service
is stable (the ``services_stable`` waiter). The names follow infra/terraform: repository
``<prefix>/<service>``, ECS service and task family ``<prefix>-<service with hyphens>``,
container ``<service>``, cluster ``<prefix>``; the orchestrator's image also goes to the batch
workers (``<prefix>-batch-worker``, container ``batch_worker``).

Needs AWS credentials (the usual boto3 chain) and, unless ``--skip-images``, a Docker engine.
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import docker
from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from docker.errors import BuildError, DockerException

ROOT = Path(__file__).resolve().parent.parent

# Service -> Dockerfile (relative to the repository root, which is the build context). The four
# services share one, which builds the service named by its build argument SERVICE.
SERVICE_DOCKERFILE = "Dockerfile"
DOCKERFILES = {
    "gateway": "infra/nginx/Dockerfile",
    "grading_orchestrator": SERVICE_DOCKERFILE,
    "rubric_management": SERVICE_DOCKERFILE,
    "document_parser": SERVICE_DOCKERFILE,
    "scoring": SERVICE_DOCKERFILE,
}


def build_args(service: str) -> dict[str, str]:
    """The build arguments of a service's image: SERVICE for the shared Dockerfile."""
    return {"SERVICE": service} if DOCKERFILES[service] == SERVICE_DOCKERFILE else {}

# What register_task_definition accepts of what describe_task_definition returns.
_REGISTER_FIELDS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
)


class DeployError(Exception):
    """A deployment step that failed; the message says which and why."""


# ECS services of infra/terraform that run another service's image (queue.tf: the batch
# workers are the orchestrator's image with role worker): service -> (container name, ...).
SAME_IMAGE = {"grading_orchestrator": ("batch_worker",)}


@dataclass(frozen=True)
class Rollout:
    """An ECS service and the container in its task definition that runs the image."""

    ecs_service: str
    container: str


@dataclass(frozen=True)
class Target:
    """Where one service's image is built, pushed and run (its own ECS service first)."""

    service: str
    dockerfile: str
    repository: str
    rollouts: tuple[Rollout, ...]
    buildargs: Mapping[str, str] = field(default_factory=dict)

    @property
    def local_image(self) -> str:
        return f"medgrade/{self.service}"

    @property
    def ecs_service(self) -> str:
        return self.rollouts[0].ecs_service


def plan_targets(name_prefix: str, services: Iterable[str]) -> list[Target]:
    def rollout(container: str) -> Rollout:
        return Rollout(f"{name_prefix}-{container.replace('_', '-')}", container)

    return [
        Target(service=name, dockerfile=DOCKERFILES[name], repository=f"{name_prefix}/{name}",
               rollouts=tuple(rollout(c) for c in (name, *SAME_IMAGE.get(name, ()))), buildargs=build_args(name))
        for name in services
    ]


def ecs_services(targets: Sequence[Target]) -> list[str]:
    return [r.ecs_service for t in targets for r in t.rollouts]


# What the images are built from (the build context that .dockerignore lets through).
IMAGE_INPUTS = ("Dockerfile", "scripts/image_build.py", "constraints.txt", "nginx.conf", "shared", "services",
                "infra/nginx", ".dockerignore")


def git_tag() -> str:
    """The short git revision; images built from uncommitted changes have no honest tag."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()

    try:
        if git("status", "--porcelain", "--", *IMAGE_INPUTS):
            raise DeployError("the image sources have uncommitted or untracked changes: commit them or pass --tag")
        return git("rev-parse", "--short=12", "HEAD")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DeployError(f"cannot read the git revision ({exc}); pass --tag") from exc


def describe_plan(targets: Sequence[Target], tag: str, cluster: str, *, images: bool, roll_out: bool) -> str:
    lines = [f"release tag {tag}, cluster {cluster}"]
    for t in targets:
        if images:
            args = "".join(f" --build-arg {key}={value}" for key, value in t.buildargs.items())
            lines.append(f"  build {t.local_image}:{tag} from {t.dockerfile}{args}; "
                         f"push to ECR repository {t.repository}")
        else:
            lines.append(f"  use {t.repository}:{tag}, already in ECR")
        if roll_out:
            for r in t.rollouts:
                lines.append(f"  new revision of {r.ecs_service}'s task definition with container {r.container} "
                             f"on that image; update service {r.ecs_service}")
    if roll_out:
        lines.append(f"  wait until {', '.join(ecs_services(targets))} are stable")
    return "\n".join(lines)


# --- Images ---------------------------------------------------------------------------------

def repository_uris(ecr: Any, targets: Sequence[Target]) -> dict[str, str]:
    """Service -> repository URI; every repository must exist (Terraform makes them)."""
    names = [t.repository for t in targets]
    try:
        found = ecr.describe_repositories(repositoryNames=names)["repositories"]
    except ClientError as exc:
        raise DeployError(f"ECR repositories {', '.join(names)}: {exc.response['Error']['Message']}") from exc
    by_name = {repo["repositoryName"]: repo["repositoryUri"] for repo in found}
    return {t.service: by_name[t.repository] for t in targets}


def ensure_tag_in_ecr(ecr: Any, targets: Sequence[Target], tag: str) -> None:
    for t in targets:
        try:
            ecr.describe_images(repositoryName=t.repository, imageIds=[{"imageTag": tag}])
        except ClientError as exc:
            raise DeployError(f"{t.repository}:{tag} is not in ECR ({exc.response['Error']['Code']})") from exc


def ecr_login(ecr: Any, client: docker.DockerClient) -> dict[str, str]:
    """Log the Docker engine in to the account's registry; returns the auth config for pushes."""
    data = ecr.get_authorization_token()["authorizationData"][0]
    username, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    registry = data["proxyEndpoint"]
    client.login(username=username, password=password, registry=registry, reauth=True)
    return {"username": username, "password": password}


def build_images(client: docker.DockerClient, targets: Sequence[Target], tag: str) -> None:
    for t in targets:
        args = "".join(f" --build-arg {key}={value}" for key, value in t.buildargs.items())
        print(f"building {t.local_image}:{tag} ({t.dockerfile}{args})", flush=True)
        try:
            client.images.build(path=str(ROOT), dockerfile=t.dockerfile, tag=f"{t.local_image}:{tag}",
                                buildargs=dict(t.buildargs), rm=True, pull=True)
        except BuildError as exc:
            log = "".join(chunk.get("stream", "") for chunk in exc.build_log)
            raise DeployError(f"building {t.service} failed: {exc.msg}\n{log[-4000:]}") from exc


def push_images(client: docker.DockerClient, targets: Sequence[Target], tag: str, uris: dict[str, str],
                auth: dict[str, str]) -> None:
    for t in targets:
        uri = uris[t.service]
        client.images.get(f"{t.local_image}:{tag}").tag(uri, tag=tag)
        print(f"pushing {uri}:{tag}", flush=True)
        for line in client.images.push(uri, tag=tag, stream=True, decode=True, auth_config=auth):
            if "error" in line:
                raise DeployError(f"pushing {uri}:{tag} failed: {line.get('errorDetail', line)['message']}")


# --- Roll-out ------------------------------------------------------------------------------

def new_task_definition(current: dict[str, Any], tags: list[dict[str, str]], container: str,
                        image: str) -> dict[str, Any]:
    """register_task_definition arguments: the current revision with ``container`` on ``image``."""
    spec = {key: current[key] for key in _REGISTER_FIELDS if current.get(key)}
    containers = [dict(c) for c in current["containerDefinitions"]]
    matching = [c for c in containers if c["name"] == container]
    if not matching:
        raise DeployError(f"task definition {current['family']} has no container named {container!r}")
    matching[0]["image"] = image
    spec["containerDefinitions"] = containers
    if tags:
        spec["tags"] = tags
    return spec


def roll_out(ecs: Any, cluster: str, targets: Sequence[Target], tag: str, uris: dict[str, str]) -> dict[str, str]:
    """Register a new revision per ECS service and update it; returns ECS service -> new ARN."""
    described = ecs.describe_services(cluster=cluster, services=ecs_services(targets))
    if described.get("failures"):
        missing = ", ".join(f"{f.get('arn')} ({f.get('reason')})" for f in described["failures"])
        raise DeployError(f"ECS services not found in cluster {cluster}: {missing}")
    current_arns = {s["serviceName"]: s["taskDefinition"] for s in described["services"]}

    registered: dict[str, str] = {}
    for t in targets:
        for r in t.rollouts:
            response = ecs.describe_task_definition(taskDefinition=current_arns[r.ecs_service], include=["TAGS"])
            spec = new_task_definition(response["taskDefinition"], response.get("tags", []), r.container,
                                       f"{uris[t.service]}:{tag}")
            arn = ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]
            ecs.update_service(cluster=cluster, service=r.ecs_service, taskDefinition=arn)
            print(f"{r.ecs_service}: {current_arns[r.ecs_service].rsplit('/', 1)[-1]} -> {arn.rsplit('/', 1)[-1]}",
                  flush=True)
            registered[r.ecs_service] = arn
    return registered


def wait_stable(ecs: Any, cluster: str, targets: Sequence[Target], timeout_s: int) -> None:
    delay = 15
    waiter = ecs.get_waiter("services_stable")
    try:
        waiter.wait(cluster=cluster, services=ecs_services(targets),
                    WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout_s // delay)})
    except WaiterError as exc:
        raise DeployError(f"services did not become stable within {timeout_s} s: {exc}") from exc


# --- Command line --------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/deploy.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", required=True, help="AWS region of the stack")
    parser.add_argument("--name-prefix", default="medgrade", help="Terraform's name_prefix (default: medgrade)")
    parser.add_argument("--cluster", help="ECS cluster (default: the name prefix)")
    parser.add_argument("--services", default=",".join(DOCKERFILES),
                        help=f"comma-separated services to deploy (default: all of {', '.join(DOCKERFILES)})")
    parser.add_argument("--tag", help="release tag (default: the git revision; the tree must be clean)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--push-only", action="store_true", help="build and push the images, leave ECS alone")
    what.add_argument("--skip-images", action="store_true",
                      help="roll out a tag that is already in ECR (a rollback); needs --tag")
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for the services (default 900)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)  # an AWS API stand-in (moto) for tests
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    services = [s.strip() for s in args.services.split(",") if s.strip()]
    unknown = sorted(set(services) - set(DOCKERFILES))
    if unknown or not services:
        parser.error(f"--services: unknown {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(DOCKERFILES)}")
    if args.skip_images and not args.tag:
        parser.error("--skip-images needs --tag (the image tag already in ECR)")
    cluster = args.cluster or args.name_prefix
    targets = plan_targets(args.name_prefix, services)

    try:
        tag = args.tag or git_tag()
        print(describe_plan(targets, tag, cluster, images=not args.skip_images, roll_out=not args.push_only),
              flush=True)
        if args.dry_run:
            return 0

        session = boto3.session.Session(region_name=args.region)
        ecr = session.client("ecr", endpoint_url=args.endpoint_url)
        ecs = session.client("ecs", endpoint_url=args.endpoint_url)
        uris = repository_uris(ecr, targets)
        if args.skip_images:
            ensure_tag_in_ecr(ecr, targets, tag)
        else:
            try:
                client = docker.from_env()
                client.ping()
            except DockerException as exc:
                raise DeployError(f"no Docker engine reachable ({exc}); "
                                  "--skip-images rolls out an image already in ECR") from exc
            build_images(client, targets, tag)
            push_images(client, targets, tag, uris, ecr_login(ecr, client))
        if args.push_only:
            return 0
        roll_out(ecs, cluster, targets, tag, uris)
        wait_stable(ecs, cluster, targets, args.timeout)
        print(f"deployed {tag}: {', '.join(ecs_services(targets))} stable", flush=True)
    except DeployError as exc:
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        print(f"deploy failed: AWS said {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
