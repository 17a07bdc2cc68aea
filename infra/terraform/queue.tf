# Batches at scale: the orchestrator (role api) queues each batch item in SQS, and a worker
# service — the orchestrator's image with role worker — grades them, scaled on the backlog
# per task. A message received batch_max_receives times without being acknowledged moves to
# the dead-letter queue; its visibility timeout outlasts a grading's deadline times its
# attempts, so an item goes to a second worker only when the first is gone. Exactly one
# grading is stored per item whatever the deliveries (claims and write-once objects in the
# store: grading_orchestrator/batch_runner.py).

resource "aws_sqs_queue" "batch_dead_letters" {
  name                      = "${local.name}-batch-items-dlq"
  message_retention_seconds = 1209600 # 14 days, the most SQS keeps: time for an operator to look
  kms_master_key_id         = aws_kms_key.this.arn
}

resource "aws_sqs_queue" "batch_items" {
  name                       = "${local.name}-batch-items"
  visibility_timeout_seconds = var.batch_visibility_timeout_s
  message_retention_seconds  = 345600 # 4 days
  receive_wait_time_seconds  = 20
  kms_master_key_id          = aws_kms_key.this.arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.batch_dead_letters.arn
    maxReceiveCount     = var.batch_max_receives
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "batch_dead_letters" {
  queue_url = aws_sqs_queue.batch_dead_letters.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.batch_items.arn]
  })
}

locals {
  batch_worker = {
    name       = "batch_worker"
    ecs_name   = "${local.name}-batch-worker"
    image_from = "grading_orchestrator"
  }

  # Both roles of the orchestrator's image read the same queue settings (its env prefix).
  queue_environment = {
    "${local.services.grading_orchestrator.env_prefix}BATCH_QUEUE_BACKEND"         = "sqs"
    "${local.services.grading_orchestrator.env_prefix}BATCH_QUEUE_URL"             = aws_sqs_queue.batch_items.url
    "${local.services.grading_orchestrator.env_prefix}BATCH_DEAD_LETTER_QUEUE_URL" = aws_sqs_queue.batch_dead_letters.url
    "${local.services.grading_orchestrator.env_prefix}BATCH_MAX_RECEIVES"          = tostring(var.batch_max_receives)
    "${local.services.grading_orchestrator.env_prefix}BATCH_VISIBILITY_TIMEOUT_S"  = tostring(var.batch_visibility_timeout_s)
    "${local.services.grading_orchestrator.env_prefix}SQS_REGION"                  = var.region
  }

  queue_users = { grading_orchestrator = local.queue_environment }

  batch_worker_environment = merge(local.environment.grading_orchestrator, {
    "${local.services.grading_orchestrator.env_prefix}ROLE" = "worker"
  })
}

# --- Who may do what with the queue: the API sends, the workers receive and acknowledge.

# Both sides encrypt or decrypt the messages with the stack's key, through SQS only.
data "aws_iam_policy_document" "queue_encryption" {
  statement {
    sid       = "QueueEncryptionThroughSqs"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${var.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "queue_send" {
  source_policy_documents = [data.aws_iam_policy_document.queue_encryption.json]

  statement {
    sid       = "SendBatchItems"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.batch_items.arn]
  }
}

data "aws_iam_policy_document" "queue_work" {
  source_policy_documents = [data.aws_iam_policy_document.queue_encryption.json]

  # Workers also send: at start-up they queue again the items of a batch whose submission was cut short.
  statement {
    sid = "WorkOnBatchItems"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:SendMessage",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.batch_items.arn]
  }
}

resource "aws_iam_role_policy" "orchestrator_queue" {
  name   = "batch-queue-send"
  role   = aws_iam_role.task["grading_orchestrator"].id
  policy = data.aws_iam_policy_document.queue_send.json
}

resource "aws_iam_role" "batch_worker" {
  name               = "${local.batch_worker.ecs_name}-task"
  description        = "Task role of the batch workers"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "batch_worker_store" {
  name   = "store"
  role   = aws_iam_role.batch_worker.id
  policy = data.aws_iam_policy_document.store.json
}

resource "aws_iam_role_policy" "batch_worker_queue" {
  name   = "batch-queue-work"
  role   = aws_iam_role.batch_worker.id
  policy = data.aws_iam_policy_document.queue_work.json
}

# --- The worker service: the orchestrator's image and health check, role worker.

resource "aws_cloudwatch_log_group" "batch_worker" {
  name              = "/${local.name}/${local.batch_worker.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

resource "aws_ecs_task_definition" "batch_worker" {
  family                   = local.batch_worker.ecs_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.batch_workers.cpu
  memory                   = var.batch_workers.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.batch_worker.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = local.batch_worker.name
    image                  = "${aws_ecr_repository.this[local.batch_worker.image_from].repository_url}:${var.image_tags[local.batch_worker.image_from]}"
    essential              = true
    readonlyRootFilesystem = true
    portMappings = [{
      name          = "http"
      containerPort = local.services.grading_orchestrator.port
      protocol      = "tcp"
      appProtocol   = "http"
    }]
    environment = [for key in sort(keys(local.batch_worker_environment)) : { name = key, value = local.batch_worker_environment[key] }]
    secrets = [{
      name      = "MEDGRADE_INTERNAL_TOKEN"
      valueFrom = aws_secretsmanager_secret.internal_token.arn
    }]
    healthCheck = {
      command     = local.health_commands.grading_orchestrator
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 20
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.batch_worker.name
        awslogs-region        = var.region
        awslogs-stream-prefix = local.batch_worker.name
      }
    }
  }])
}

resource "aws_ecs_service" "batch_worker" {
  name                               = local.batch_worker.ecs_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.batch_worker.arn
  desired_count                      = var.batch_workers.min_capacity
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

  # A Service Connect client only: it calls rubric-management, document-parser and scoring.
  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn
  }

  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_ecs_service.components]
}

# --- Autoscaling on queue depth: the items waiting per running worker (SQS's visible
# messages over Container Insights' running task count) is kept at batch_workers.backlog_per_task.

resource "aws_appautoscaling_target" "batch_worker" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.batch_worker.name}"
  min_capacity       = var.batch_workers.min_capacity
  max_capacity       = var.batch_workers.max_capacity
}

resource "aws_appautoscaling_policy" "batch_worker_backlog" {
  name               = "${local.batch_worker.ecs_name}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.batch_worker.service_namespace
  scalable_dimension = aws_appautoscaling_target.batch_worker.scalable_dimension
  resource_id        = aws_appautoscaling_target.batch_worker.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.batch_workers.backlog_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Batch items waiting"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"

            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.batch_items.name
            }
          }
        }
      }

      metrics {
        id          = "workers"
        label       = "Running batch workers"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }

            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.batch_worker.name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_worker"
        label       = "Batch items waiting per running worker"
        expression  = "visible / IF(workers > 0, workers, 1)"
        return_data = true
      }
    }
  }
}

# Items given up on are an operator's business.
resource "aws_cloudwatch_metric_alarm" "batch_dead_letters" {
  alarm_name          = "${local.name}-batch-dead-letters"
  alarm_description   = "Batch items moved to the dead-letter queue after ${var.batch_max_receives} receives: see the workers' logs"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.batch_dead_letters.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
