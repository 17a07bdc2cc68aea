# Logs of every service, and the alarms that page: the ALB's 5xx ratio, unhealthy gateway
# targets and failed gradings. The grading-errors alarm is built from the orchestrator's own
# JSON access log (POST /grade answered 5xx), so it works without Prometheus.

resource "aws_cloudwatch_log_group" "service" {
  for_each = local.services

  name              = "/${local.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/${local.name}/vpc-flow-logs"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

# A grading that fails (a component down after retries, the deadline, the store) is answered
# 5xx, and the orchestrator logs every request as one JSON line with its route and status.
resource "aws_cloudwatch_log_metric_filter" "grading_errors" {
  name           = "${local.name}-grading-errors"
  log_group_name = aws_cloudwatch_log_group.service["grading_orchestrator"].name
  pattern        = "{ $.route = \"/grade\" && $.status >= 500 }"

  metric_transformation {
    name          = "GradingErrors"
    namespace     = "MedGrade"
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "alarm_email" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx_ratio" {
  alarm_name          = "${local.name}-alb-5xx-ratio"
  alarm_description   = "More than 5% of the requests through the ALB were answered 5xx (by the ALB or the gateway) for 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.05
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "ratio"
    expression  = "IF(requests > 0, (elb_5xx + target_5xx) / requests, 0)"
    label       = "5xx ratio"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
    }
  }

  metric_query {
    id = "elb_5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
    }
  }

  metric_query {
    id = "target_5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "gateway_unhealthy_targets" {
  alarm_name          = "${local.name}-gateway-unhealthy-targets"
  alarm_description   = "At least one gateway task failed the ALB health check for 3 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.gateway.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "grading_errors" {
  alarm_name          = "${local.name}-grading-errors"
  alarm_description   = "Gradings failed (POST /grade answered 5xx) in the last 5 minutes; see the orchestrator log group and grading_errors_total{stage,reason}."
  namespace           = aws_cloudwatch_log_metric_filter.grading_errors.metric_transformation[0].namespace
  metric_name         = aws_cloudwatch_log_metric_filter.grading_errors.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.grading_error_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
