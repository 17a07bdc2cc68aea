# MedGrade on AWS: the nginx gateway and the four services as Fargate services in private
# subnets, behind one public ALB that forwards only to the gateway. Service-to-service calls
# go through ECS Service Connect (Cloud Map), never through the ALB.
#
#   network.tf        VPC over two AZs: public subnets (ALB, NAT), private subnets (tasks), flow logs
#   alb.tf            the ALB, HTTPS listener, HTTP->HTTPS redirect, the gateway target group
#   ecs.tf            cluster, Service Connect namespace, task definitions, services, autoscaling
#   ecr.tf            one image repository per service
#   iam.tf            execution role, least-privilege task roles
#   storage.tf        the store's S3 bucket, the API-keys secret, the KMS key
#   queue.tf          the batch items' SQS queue and dead-letter queue, the batch workers scaled on its depth
#   observability.tf  log groups, the grading-errors metric filter, alarms, SNS topic

locals {
  name = var.name_prefix

  # Ports and environment prefixes are medgrade_shared.registry's, read from local.registry
  # (registry.tf, written by scripts/render_registry.py); tests/deploy/test_terraform.py checks
  # the health paths.
  # dns_name is the Service Connect name: hyphens, because DNS labels cannot hold underscores.
  services = {
    gateway = {
      port        = local.registry.gateway.port
      health_path = "/healthz"
      dns_name    = "gateway"
      env_prefix  = "GATEWAY_"
      store       = false
    }
    grading_orchestrator = {
      port        = local.registry.grading_orchestrator.port
      health_path = "/health"
      dns_name    = "grading-orchestrator"
      env_prefix  = local.registry.grading_orchestrator.env_prefix
      store       = true
    }
    rubric_management = {
      port        = local.registry.rubric_management.port
      health_path = "/health"
      dns_name    = "rubric-management"
      env_prefix  = local.registry.rubric_management.env_prefix
      store       = true
    }
    document_parser = {
      port        = local.registry.document_parser.port
      health_path = "/health"
      dns_name    = "document-parser"
      env_prefix  = local.registry.document_parser.env_prefix
      store       = false
    }
    scoring = {
      port        = local.registry.scoring.port
      health_path = "/health"
      dns_name    = "scoring"
      env_prefix  = local.registry.scoring.env_prefix
      store       = false
    }
  }

  components     = { for name, svc in local.services : name => svc if name != "gateway" }
  store_services = { for name, svc in local.services : name => svc if svc.store }

  # ECS names use hyphens (scripts/deploy.py derives the same names from the prefix).
  ecs_names = { for name, svc in local.services : name => "${local.name}-${replace(name, "_", "-")}" }

  endpoints = { for name, svc in local.services : name => "${svc.dns_name}:${svc.port}" }

  # The gateway's own /healthz: nginx.conf answers it itself with 200, without an API key and
  # without calling a service (the services' /health stays a 404 through the gateway). The
  # ALB target group matches this status; the container check's wget fails on anything but 2xx.
  gateway_health_status = "200"

  service_environment = {
    gateway = {
      GATEWAY_LISTEN        = tostring(local.services.gateway.port)
      GATEWAY_RATE          = var.gateway_rate
      GATEWAY_BURST         = tostring(var.gateway_burst)
      ORCHESTRATOR_UPSTREAM = local.endpoints.grading_orchestrator
      RUBRICS_UPSTREAM      = local.endpoints.rubric_management
    }
    # Role api: it queues batch items in SQS (queue.tf: queue_environment) and the batch workers grade them.
    grading_orchestrator = {
      MEDGRADE_ORCHESTRATOR_RUBRIC_SERVICE_URL  = "http://${local.endpoints.rubric_management}"
      MEDGRADE_ORCHESTRATOR_PARSER_SERVICE_URL  = "http://${local.endpoints.document_parser}"
      MEDGRADE_ORCHESTRATOR_SCORING_SERVICE_URL = "http://${local.endpoints.scoring}"
      MEDGRADE_ORCHESTRATOR_ROLE                = "api"
    }
    rubric_management = {}
    document_parser   = {}
    scoring           = {}
  }

  # Every Python service listens on all interfaces on its settings port; the two that keep
  # state use the S3 store under the prefix their task role is limited to.
  common_environment = {
    for name, svc in local.components : name => {
      "${svc.env_prefix}HOST" = "0.0.0.0"
      "${svc.env_prefix}PORT" = tostring(svc.port)
    }
  }
  store_environment = {
    for name, svc in local.store_services : name => {
      "${svc.env_prefix}STORE_BACKEND" = "s3"
      "${svc.env_prefix}S3_BUCKET"     = aws_s3_bucket.store.id
      "${svc.env_prefix}S3_PREFIX"     = var.store_prefix
      "${svc.env_prefix}S3_REGION"     = var.region
    }
  }
  environment = {
    for name in keys(local.services) : name => merge(
      lookup(local.common_environment, name, {}),
      lookup(local.store_environment, name, {}),
      lookup(local.queue_users, name, {}),
      local.service_environment[name],
    )
  }

  health_commands = {
    for name, svc in local.services : name => (name == "gateway"
      ? tolist(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${svc.port}${svc.health_path}"])
      : tolist(["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${svc.port}${svc.health_path}', timeout=2)"])
    )
  }
}

# The two zones are named, not "the first two available": the subnets never move when AWS
# adds a zone.
data "aws_availability_zones" "selected" {
  state = "available"

  filter {
    name   = "zone-name"
    values = [for suffix in var.availability_zone_suffixes : "${var.region}${suffix}"]
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
