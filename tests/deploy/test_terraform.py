"""infra/terraform, read statically with python-hcl2: five Fargate services each with an
autoscaling target and a CPU policy (the gateway also scales on ALB requests), the ALB
forwards only to the gateway, health paths agree with the services and nginx.conf (ports:
test_registry_files.py), and nothing but the ALB takes traffic from the internet."""

from __future__ import annotations

import functools
import importlib
import json
import re
from pathlib import Path

import hcl2
import pytest
from fastapi.testclient import TestClient
from hcl2 import SerializationOptions

from medgrade_shared import registry
from medgrade_shared.testing.internal_token import TEST_INTERNAL_TOKEN

from .test_compose import settings_class

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "infra" / "terraform"

SERVICES = (registry.GATEWAY.name, *(service.name for service in registry.SERVICES))
OPEN = {"0.0.0.0/0", "::/0"}


def _parse(path: Path) -> dict:
    options = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
    with path.open() as handle:
        return hcl2.load(handle, serialization_options=options)


@functools.cache
def merged_terraform(folder: Path = TF) -> dict:
    """All .tf files of ``folder`` merged: resources[type][name], data[type][name], locals,
    variables, terraform."""
    merged: dict = {"resource": {}, "data": {}, "locals": {}, "variable": {}, "terraform": []}
    for path in sorted(folder.glob("*.tf")):
        parsed = _parse(path)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        assert name not in merged[kind].setdefault(rtype, {}), f"{rtype}.{name} twice"
                        merged[kind][rtype][name] = body
        for block in parsed.get("locals", []):
            merged["locals"].update(block)
        for block in parsed.get("variable", []):
            merged["variable"].update(block)
        merged["terraform"].extend(parsed.get("terraform", []))
    return merged


@pytest.fixture(scope="module")
def tf() -> dict:
    return merged_terraform()


def ref(expr: str) -> str:
    """The reference inside a lone interpolation: "${local.services}" -> "local.services"."""
    match = re.fullmatch(r"\$\{(.+)\}", str(expr))
    assert match, f"{expr!r} is not a single reference"
    return match.group(1)


def local_value(tf: dict, path: str):
    """local.a.b.c from the parsed locals (literal values only)."""
    value = tf["locals"]
    for part in path.removeprefix("local.").split("."):
        value = value[part]
    return value


def test_versions_are_pinned(tf):
    terraform = tf["terraform"][0]
    assert terraform["required_version"] == ">= 1.6"
    aws = terraform["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert re.fullmatch(r"~> 5\.\d+", aws["version"])


def test_every_variable_is_typed_and_described(tf):
    assert tf["variable"]
    for name, body in tf["variable"].items():
        assert body.get("type"), f"variable {name} has no type"
        assert len(body.get("description", "")) > 10, f"variable {name} has no description"
    for required in ("region", "name_prefix", "vpc_cidr", "image_tags", "certificate_arn", "services",
                     "alarm_email", "bucket_name"):
        assert required in tf["variable"]
    assert set(tf["variable"]["services"]["default"]) == set(SERVICES)
    for sizes in tf["variable"]["services"]["default"].values():
        assert set(sizes) == {"cpu", "memory", "min_capacity", "max_capacity"}


def test_tfvars_example_sets_every_variable_without_a_default(tf):
    example = (TF / "terraform.tfvars.example").read_text()
    for name, body in tf["variable"].items():
        if "default" not in body:
            assert re.search(rf"^{name}\s*=", example, flags=re.M), f"terraform.tfvars.example lacks {name}"


def test_five_services_each_with_autoscaling_target_and_cpu_policy(tf):
    services = local_value(tf, "local.services")
    assert tuple(services) == SERVICES
    assert re.fullmatch(r'\$\{\{for name, svc in local\.services : name => svc if name != "gateway"\}\}',
                        tf["locals"]["components"])
    ecs = tf["resource"]["aws_ecs_service"]
    assert set(ecs) == {"components", "gateway", "batch_worker"}  # the workers: test_batch_queue_and_workers_…
    assert ref(ecs["components"]["for_each"]) == "local.components"
    assert "for_each" not in ecs["gateway"]
    assert ref(tf["locals"]["ecs_services"]) == "merge(aws_ecs_service.components, {gateway = aws_ecs_service.gateway})"

    for name in ("aws_ecs_task_definition", "aws_cloudwatch_log_group", "aws_ecr_repository", "aws_iam_role"):
        keyed = [body for body in tf["resource"][name].values() if body.get("for_each") == "${local.services}"]
        assert keyed, f"no {name} per service"

    target = tf["resource"]["aws_appautoscaling_target"]["this"]
    assert ref(target["for_each"]) == "local.services"
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert "local.ecs_services[each.key].name" in target["resource_id"]
    assert target["min_capacity"] == "${var.services[each.key].min_capacity}"
    assert target["max_capacity"] == "${var.services[each.key].max_capacity}"

    policies = tf["resource"]["aws_appautoscaling_policy"]
    cpu = policies["cpu"]
    assert ref(cpu["for_each"]) == "local.services"
    assert cpu["resource_id"] == "${aws_appautoscaling_target.this[each.key].resource_id}"
    assert cpu["policy_type"] == "TargetTrackingScaling"
    spec = cpu["target_tracking_scaling_policy_configuration"][0]["predefined_metric_specification"][0]
    assert spec["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"

    requests = policies["gateway_requests"]
    assert requests["resource_id"] == '${aws_appautoscaling_target.this["gateway"].resource_id}'
    spec = requests["target_tracking_scaling_policy_configuration"][0]["predefined_metric_specification"][0]
    assert spec["predefined_metric_type"] == "ALBRequestCountPerTarget"
    assert "aws_lb_target_group.gateway.arn_suffix" in spec["resource_label"]


def test_alb_forwards_only_to_the_gateway(tf):
    assert list(tf["resource"]["aws_lb_target_group"]) == ["gateway"]
    assert "aws_lb_listener_rule" not in tf["resource"]
    listeners = tf["resource"]["aws_lb_listener"]
    kinds = {}
    for name, listener in listeners.items():
        for action in listener["default_action"]:
            kinds[name] = (listener["port"], listener["protocol"], action["type"])
            if action["type"] == "forward":
                assert action["target_group_arn"] == "${aws_lb_target_group.gateway.arn}"
            else:
                assert action["type"] == "redirect"
                redirect = action["redirect"][0]
                assert (redirect["protocol"], redirect["port"]) == ("HTTPS", "443")
    assert sorted(kinds.values()) == [(80, "HTTP", "redirect"), (443, "HTTPS", "forward")]
    assert listeners["https"]["certificate_arn"] == "${var.certificate_arn}"
    assert listeners["https"]["ssl_policy"].startswith("ELBSecurityPolicy-TLS13")

    ecs = tf["resource"]["aws_ecs_service"]
    assert "load_balancer" not in ecs["components"]
    lb = ecs["gateway"]["load_balancer"][0]
    assert lb["target_group_arn"] == "${aws_lb_target_group.gateway.arn}"
    assert lb["container_name"] == "gateway"
    assert lb["container_port"] == "${local.services.gateway.port}"


def test_component_health_paths_answer_in_the_services(tf, tmp_path):
    services = local_value(tf, "local.services")
    for component in registry.SERVICES:
        # The health path answers 200 in the service itself (no lifespan: /health is shallow).
        settings_cls = settings_class(component.name)
        kwargs = {"store_path": tmp_path / component.name} if "store_path" in settings_cls.model_fields else {}
        kwargs["internal_token"] = TEST_INTERNAL_TOKEN
        app = importlib.import_module(f"{component.name}.main").create_app(settings_cls(**kwargs))
        assert TestClient(app).get(services[component.name]["health_path"]).status_code == 200, component.name
    commands = tf["locals"]["health_commands"]
    assert "http://127.0.0.1:${svc.port}${svc.health_path}" in commands

    definition = tf["resource"]["aws_ecs_task_definition"]["this"]["container_definitions"]
    assert "containerPort = each.value.port" in definition
    assert "command = local.health_commands[each.key]" in definition
    assert "environment = [for key in sort(keys(local.environment[each.key]))" in definition
    assert "readonlyRootFilesystem = true" in definition


def test_orchestrator_and_gateway_reach_the_components_by_service_connect_names(tf):
    services = local_value(tf, "local.services")
    for name, svc in services.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", svc["dns_name"]), f"{name}: not a DNS label"
    assert tf["locals"]["endpoints"] == '${{for name, svc in local.services : name => "${svc.dns_name}:${svc.port}"}}'
    env = tf["locals"]["service_environment"]
    orchestrator = env["grading_orchestrator"]
    assert orchestrator["MEDGRADE_ORCHESTRATOR_RUBRIC_SERVICE_URL"] == "http://${local.endpoints.rubric_management}"
    assert orchestrator["MEDGRADE_ORCHESTRATOR_PARSER_SERVICE_URL"] == "http://${local.endpoints.document_parser}"
    assert orchestrator["MEDGRADE_ORCHESTRATOR_SCORING_SERVICE_URL"] == "http://${local.endpoints.scoring}"
    gateway = env["gateway"]
    assert gateway["ORCHESTRATOR_UPSTREAM"] == "${local.endpoints.grading_orchestrator}"
    assert gateway["RUBRICS_UPSTREAM"] == "${local.endpoints.rubric_management}"
    assert gateway["GATEWAY_LISTEN"] == "${tostring(local.services.gateway.port)}"
    nginx_placeholders = set(re.findall(r"\$\{(\w+)\}", (ROOT / "nginx.conf").read_text()))
    # The rest (run dir, log paths) are the gateway image's defaults, the same in ECS.
    assert {"GATEWAY_LISTEN", "ORCHESTRATOR_UPSTREAM", "RUBRICS_UPSTREAM"} <= nginx_placeholders

    connect = tf["resource"]["aws_ecs_service"]["components"]["service_connect_configuration"][0]
    service = connect["service"][0]
    assert service["discovery_name"] == "${each.value.dns_name}"
    assert service["client_alias"][0] == {"port": "${each.value.port}", "dns_name": "${each.value.dns_name}"}
    assert tf["resource"]["aws_ecs_service"]["gateway"]["service_connect_configuration"][0]["enabled"] is True


def nginx_exact_location(path: str) -> str | None:
    """The body of nginx.conf's `location = <path> { ... }`, or None."""
    nginx = (ROOT / "nginx.conf").read_text()
    match = re.search(rf"^\s*location\s+=\s+{re.escape(path)}\s*\{{(.*?)^\s*\}}", nginx, flags=re.M | re.S)
    return match.group(1) if match else None


def test_gateway_health_check_matches_what_nginx_answers(tf):
    """The gateway's health path is nginx's own `location = /healthz`: 200 with a JSON body,
    no key and no service called, so the ALB and the container expect 200 from it. The
    services' own health and metrics paths still fall through to `location /` (404)."""
    nginx = (ROOT / "nginx.conf").read_text()
    gateway = local_value(tf, "local.services")["gateway"]
    path = gateway["health_path"]
    assert path == "/healthz"
    body = nginx_exact_location(path)
    assert body is not None, f"nginx.conf has no `location = {path}`"
    for directive in ("proxy_pass", "auth_request", "try_files", "limit_req"):
        assert directive not in body, f"{path} must be answered by nginx itself, not with {directive}"
    assert re.search(r"^\s*default_type\s+application/json;", body, flags=re.M)
    assert re.search(r"^\s*access_log\s+off;", body, flags=re.M)
    answer = re.search(r"^\s*return\s+200\s+'([^']*)';", body, flags=re.M)
    assert answer and json.loads(answer.group(1)) == {"status": "ok", "service": "gateway"}
    for hidden in ("/health", "/ready", "/metrics"):
        assert nginx_exact_location(hidden) is None, f"{hidden} must stay a 404 through the gateway"
        for regex in re.findall(r"^\s*location\s+~\s+(\S+)\s*\{", nginx, flags=re.M):
            assert not re.search(regex, hidden), f"{hidden} is routed to a service by {regex}"
    assert re.search(r"^\s*location\s+/\s*\{\s*return\s+404;", nginx, flags=re.M)
    status = tf["locals"]["gateway_health_status"]
    assert status == "200"

    health = tf["resource"]["aws_lb_target_group"]["gateway"]["health_check"][0]
    assert health["path"] == "${local.services.gateway.health_path}"
    assert health["matcher"] == "${local.gateway_health_status}"
    assert tf["resource"]["aws_lb_target_group"]["gateway"]["port"] == "${local.services.gateway.port}"
    # The container check: busybox wget in the nginx image exits non-zero on anything but 2xx.
    commands = tf["locals"]["health_commands"]
    assert '["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${svc.port}${svc.health_path}"]' in commands
    assert "404" not in commands


def test_only_the_alb_takes_traffic_from_the_internet(tf):
    resources = tf["resource"]
    open_rules = []
    for name, rule in resources.get("aws_vpc_security_group_ingress_rule", {}).items():
        if rule.get("cidr_ipv4") in OPEN or rule.get("cidr_ipv6") in OPEN:
            open_rules.append((rule["security_group_id"], rule["from_port"], rule["to_port"]))
        elif "cidr_ipv4" not in rule and "cidr_ipv6" not in rule:
            assert rule.get("referenced_security_group_id"), f"ingress rule {name} names no source"
    for rule in resources.get("aws_security_group_rule", {}).values():
        if rule["type"] == "ingress" and OPEN & set(rule.get("cidr_blocks", []) + rule.get("ipv6_cidr_blocks", [])):
            open_rules.append((rule["security_group_id"], rule["from_port"], rule["to_port"]))
    for name, group in resources["aws_security_group"].items():
        for ingress in group.get("ingress", []):
            if OPEN & set(ingress.get("cidr_blocks", []) + ingress.get("ipv6_cidr_blocks", [])):
                open_rules.append((f"${{aws_security_group.{name}.id}}", ingress["from_port"], ingress["to_port"]))
    expected = [("${aws_security_group.alb.id}", 80, 80), ("${aws_security_group.alb.id}", 443, 443)]
    assert sorted(open_rules, key=str) == sorted(expected, key=str)
    # The gateway only from the ALB; the components only from the gateway and each other.
    ingress = resources["aws_vpc_security_group_ingress_rule"]
    assert ingress["gateway_from_alb"]["referenced_security_group_id"] == "${aws_security_group.alb.id}"
    sources = {(r["security_group_id"], r["referenced_security_group_id"])
               for n, r in ingress.items() if n.startswith("components_")}
    assert sources == {("${aws_security_group.components.id}", "${aws_security_group.gateway.id}"),
                       ("${aws_security_group.components.id}", "${aws_security_group.components.id}")}
    for service in resources["aws_ecs_service"].values():
        assert service["network_configuration"][0]["assign_public_ip"] is False
        assert service["network_configuration"][0]["subnets"] == "${aws_subnet.private[*].id}"


def test_task_roles_reach_only_the_store_prefix(tf):
    data = tf["data"]["aws_iam_policy_document"]["store"]
    statements = data["statement"]
    objects = next(s for s in statements if s["sid"] == "ObjectsUnderTheStorePrefix")
    assert objects["resources"] == ["${aws_s3_bucket.store.arn}/${var.store_prefix}*"]
    assert set(objects["actions"]) == {"s3:GetObject", "s3:PutObject"}
    for statement in statements:
        assert "*" not in statement["resources"] and not any(a.endswith(":*") for a in statement["actions"])
    policies = tf["resource"]["aws_iam_role_policy"]
    assert ref(policies["store"]["for_each"]) == "local.store_services"
    assert local_value(tf, "local.services")["grading_orchestrator"]["store"] is True
    assert local_value(tf, "local.services")["rubric_management"]["store"] is True
    assert [n for n, s in local_value(tf, "local.services").items() if s["store"]] == [
        "grading_orchestrator", "rubric_management"]
    assert "aws_iam_role_policy_attachment" in tf["resource"]
    attached = [a["role"] for a in tf["resource"]["aws_iam_role_policy_attachment"].values()]
    assert attached == ["${aws_iam_role.execution.name}"], "managed policies go to the execution role only"


def test_store_bucket_is_private_versioned_encrypted_and_tls_only(tf):
    r = tf["resource"]
    assert r["aws_s3_bucket_versioning"]["store"]["versioning_configuration"][0]["status"] == "Enabled"
    sse = r["aws_s3_bucket_server_side_encryption_configuration"]["store"]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    block = r["aws_s3_bucket_public_access_block"]["store"]
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                          "restrict_public_buckets"))
    deny = tf["data"]["aws_iam_policy_document"]["store_bucket"]["statement"][0]
    assert deny["effect"] == "Deny"
    assert deny["condition"][0]["variable"] == "aws:SecureTransport" and deny["condition"][0]["values"] == ["false"]


def test_ecr_scans_on_push_and_expires_images(tf):
    repo = tf["resource"]["aws_ecr_repository"]["this"]
    assert repo["image_scanning_configuration"][0]["scan_on_push"] is True
    assert repo["name"] == "${local.name}/${each.key}"  # scripts/deploy.py: <prefix>/<service>
    assert tf["locals"]["ecs_names"] == (
        '${{for name, svc in local.services : name => "${local.name}-${replace(name, "_", "-")}"}}')
    assert ref(tf["resource"]["aws_ecr_lifecycle_policy"]["this"]["for_each"]) == "aws_ecr_repository.this"


def test_alarms_publish_to_the_topic(tf):
    alarms = tf["resource"]["aws_cloudwatch_metric_alarm"]
    assert set(alarms) == {"alb_5xx_ratio", "gateway_unhealthy_targets", "grading_errors", "batch_dead_letters"}
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == ["${aws_sns_topic.alarms.arn}"]
    assert alarms["gateway_unhealthy_targets"]["metric_name"] == "UnHealthyHostCount"
    ratio = next(q for q in alarms["alb_5xx_ratio"]["metric_query"] if q.get("return_data"))
    assert "elb_5xx + target_5xx" in ratio["expression"] and "requests" in ratio["expression"]
    metric_filter = tf["resource"]["aws_cloudwatch_log_metric_filter"]["grading_errors"]
    assert metric_filter["log_group_name"] == '${aws_cloudwatch_log_group.service["grading_orchestrator"].name}'
    assert metric_filter["pattern"] == '{ $.route = "/grade" && $.status >= 500 }'
    for group in tf["resource"]["aws_cloudwatch_log_group"].values():
        assert group["retention_in_days"] == "${var.log_retention_days}"


def test_batch_queue_has_dead_letters_and_a_visibility_timeout_the_orchestrator_accepts(tf):
    queues = tf["resource"]["aws_sqs_queue"]
    items, dead = queues["batch_items"], queues["batch_dead_letters"]
    assert "maxReceiveCount = var.batch_max_receives" in items["redrive_policy"]
    assert "deadLetterTargetArn = aws_sqs_queue.batch_dead_letters.arn," in items["redrive_policy"]
    assert items["visibility_timeout_seconds"] == "${var.batch_visibility_timeout_s}"
    for queue in (items, dead):
        assert queue["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    defaults = settings_class("grading_orchestrator")(internal_token=TEST_INTERNAL_TOKEN)
    floor = defaults.grading_deadline_s * defaults.batch_item_attempts
    validation = tf["variable"]["batch_visibility_timeout_s"]["validation"][0]["condition"]
    assert f"var.batch_visibility_timeout_s > {floor:g}" in validation
    assert tf["variable"]["batch_visibility_timeout_s"]["default"] > floor
    assert tf["variable"]["batch_max_receives"]["default"] == defaults.batch_max_receives
    # The queue settings the orchestrator's image reads, under its own prefix, in both roles.
    queue_env = tf["locals"]["queue_environment"]
    prefix = "${local.services.grading_orchestrator.env_prefix}"
    assert queue_env[f"{prefix}BATCH_QUEUE_BACKEND"] == "sqs"
    assert queue_env[f"{prefix}BATCH_QUEUE_URL"] == "${aws_sqs_queue.batch_items.url}"
    assert queue_env[f"{prefix}BATCH_VISIBILITY_TIMEOUT_S"] == "${tostring(var.batch_visibility_timeout_s)}"
    for variable in ("BATCH_QUEUE_BACKEND", "BATCH_QUEUE_URL", "BATCH_DEAD_LETTER_QUEUE_URL", "BATCH_MAX_RECEIVES",
                     "BATCH_VISIBILITY_TIMEOUT_S", "SQS_REGION"):
        assert variable.lower() in type(defaults).model_fields, f"the orchestrator has no setting {variable}"


def test_batch_workers_run_the_orchestrator_image_as_workers_scaled_on_queue_depth(tf):
    assert tf["locals"]["service_environment"]["grading_orchestrator"]["MEDGRADE_ORCHESTRATOR_ROLE"] == "api"
    assert ref(tf["locals"]["queue_users"]["grading_orchestrator"]) == "local.queue_environment"
    assert "lookup(local.queue_users, name, {})" in tf["locals"]["environment"]
    assert "local.environment.grading_orchestrator" in tf["locals"]["batch_worker_environment"]
    assert '"worker"' in tf["locals"]["batch_worker_environment"]
    assert tf["locals"]["batch_worker"]["image_from"] == "grading_orchestrator"
    definition = tf["resource"]["aws_ecs_task_definition"]["batch_worker"]["container_definitions"]
    assert "aws_ecr_repository.this[local.batch_worker.image_from].repository_url" in definition
    assert "local.health_commands.grading_orchestrator" in definition
    assert "readonlyRootFilesystem = true" in definition
    worker = tf["resource"]["aws_ecs_service"]["batch_worker"]
    assert worker["service_connect_configuration"][0]["enabled"] is True
    assert "service" not in worker["service_connect_configuration"][0], "a client only: nothing calls a worker"
    target = tf["resource"]["aws_appautoscaling_target"]["batch_worker"]
    assert "aws_ecs_service.batch_worker.name" in target["resource_id"]
    config = tf["resource"]["aws_appautoscaling_policy"]["batch_worker_backlog"][
        "target_tracking_scaling_policy_configuration"][0]
    assert config["target_value"] == "${var.batch_workers.backlog_per_task}"
    metrics = {m["id"]: m for m in config["customized_metric_specification"][0]["metrics"]}
    visible = metrics["visible"]["metric_stat"][0]["metric"][0]
    assert visible["metric_name"] == "ApproximateNumberOfMessagesVisible"
    assert visible["dimensions"][0]["value"] == "${aws_sqs_queue.batch_items.name}"
    assert metrics["workers"]["metric_stat"][0]["metric"][0]["metric_name"] == "RunningTaskCount"
    returned = [m for m in metrics.values() if m["return_data"]]
    assert [m["id"] for m in returned] == ["backlog_per_worker"] and "visible /" in returned[0]["expression"]


def test_only_the_api_sends_and_only_the_workers_receive_batch_items(tf):
    documents = tf["data"]["aws_iam_policy_document"]
    send = {a for s in documents["queue_send"]["statement"] for a in s["actions"] if a.startswith("sqs:")}
    work = {a for s in documents["queue_work"]["statement"] for a in s["actions"] if a.startswith("sqs:")}
    assert send == {"sqs:SendMessage", "sqs:GetQueueAttributes"}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= work
    for document in ("queue_send", "queue_work"):
        assert documents[document]["statement"][0]["resources"] == ["${aws_sqs_queue.batch_items.arn}"]
        assert documents[document]["source_policy_documents"] == [
            "${data.aws_iam_policy_document.queue_encryption.json}"]
    (encryption,) = documents["queue_encryption"]["statement"]
    assert encryption["resources"] == ["${aws_kms_key.this.arn}"]
    assert encryption["condition"][0]["values"] == ["sqs.${var.region}.amazonaws.com"]
    policies = tf["resource"]["aws_iam_role_policy"]
    assert policies["orchestrator_queue"]["role"] == '${aws_iam_role.task["grading_orchestrator"].id}'
    assert policies["orchestrator_queue"]["policy"] == "${data.aws_iam_policy_document.queue_send.json}"
    assert policies["batch_worker_queue"]["role"] == "${aws_iam_role.batch_worker.id}"
    assert policies["batch_worker_store"]["policy"] == "${data.aws_iam_policy_document.store.json}"
