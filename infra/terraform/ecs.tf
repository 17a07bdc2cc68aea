# One Fargate service per component plus the gateway, each with its task definition, log
# group, Service Connect entry, autoscaling target and CPU target tracking; the gateway also
# scales on ALB requests per target. scripts/deploy.py rolls out new images by registering
# new task definition revisions, so Terraform ignores the services' current revision.

resource "aws_ecs_cluster" "this" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.this.arn
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# Service Connect (Cloud Map) namespace: the services find each other as <dns_name>:<port>
# (local.endpoints), e.g. grading-orchestrator and its registry port.
resource "aws_service_discovery_http_namespace" "this" {
  name        = "${local.name}.internal"
  description = "Service Connect namespace of the MedGrade services"
}

resource "aws_ecs_task_definition" "this" {
  for_each = local.services

  family                   = local.ecs_names[each.key]
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.services[each.key].cpu
  memory                   = var.services[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # nginx renders its config and keeps its pid and temp files here; the root filesystem
  # of every container is read-only.
  dynamic "volume" {
    for_each = each.key == "gateway" ? ["nginx-run"] : []
    content {
      name = volume.value
    }
  }

  container_definitions = jsonencode([{
    name                   = each.key
    image                  = "${aws_ecr_repository.this[each.key].repository_url}:${var.image_tags[each.key]}"
    essential              = true
    readonlyRootFilesystem = true
    portMappings = [{
      name          = "http"
      containerPort = each.value.port
      protocol      = "tcp"
      appProtocol   = "http"
    }]
    environment = [for key in sort(keys(local.environment[each.key])) : { name = key, value = local.environment[each.key][key] }]
    # The internal credential, from Secrets Manager (storage.tf); nginx gets it as its template value.
    secrets = [{
      name      = each.key == "gateway" ? "GATEWAY_INTERNAL_TOKEN" : "MEDGRADE_INTERNAL_TOKEN"
      valueFrom = aws_secretsmanager_secret.internal_token.arn
    }]
    mountPoints = each.key == "gateway" ? [{ sourceVolume = "nginx-run", containerPath = "/tmp/nginx", readOnly = false }] : []
    healthCheck = {
      command     = local.health_commands[each.key]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 20
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.service[each.key].name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }])
}

resource "aws_ecs_service" "components" {
  for_each = local.components

  name                               = local.ecs_names[each.key]
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = var.services[each.key].min_capacity
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.components.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Published in the namespace under the service's dns_name and settings port.
  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn

    service {
      port_name      = "http"
      discovery_name = each.value.dns_name

      client_alias {
        port     = each.value.port
        dns_name = each.value.dns_name
      }
    }
  }

  lifecycle {
    # deploy.py registers new revisions; autoscaling owns the task count.
    ignore_changes = [task_definition, desired_count]
  }
}

# The gateway is a Service Connect client only, and starts after the components: nginx
# resolves its upstreams (grading-orchestrator, rubric-management) when it starts.
resource "aws_ecs_service" "gateway" {
  name                               = local.ecs_names.gateway
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this["gateway"].arn
  desired_count                      = var.services.gateway.min_capacity
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.gateway.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.gateway.arn
    container_name   = "gateway"
    container_port   = local.services.gateway.port
  }

  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn
  }

  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_ecs_service.components]
}

locals {
  ecs_services = merge(aws_ecs_service.components, { gateway = aws_ecs_service.gateway })
}

# --- Autoscaling: every service tracks CPU; the gateway also tracks ALB requests per target.

resource "aws_appautoscaling_target" "this" {
  for_each = local.services

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${local.ecs_services[each.key].name}"
  min_capacity       = var.services[each.key].min_capacity
  max_capacity       = var.services[each.key].max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each = local.services

  name               = "${local.ecs_names[each.key]}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "gateway_requests" {
  name               = "${local.ecs_names.gateway}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this["gateway"].service_namespace
  scalable_dimension = aws_appautoscaling_target.this["gateway"].scalable_dimension
  resource_id        = aws_appautoscaling_target.this["gateway"].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.gateway_requests_per_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.gateway.arn_suffix}"
    }
  }
}
