# The only public entry point. HTTPS ends here; HTTP is redirected to HTTPS. Every request
# goes to the nginx gateway, which checks the API key, rate-limits per client and routes.
# Idle timeout (60 s) > nginx proxy_read_timeout (30 s) > the orchestrator's deadline (25 s).

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:API keys, per-client rate limits and body-size limits are enforced by the nginx gateway; a WAF web ACL can be associated without changing this stack
  #checkov:skip=CKV_AWS_91:The gateway writes one JSON access-log line per request (client, route, status, timings) to CloudWatch Logs
  name                       = "${local.name}-alb"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  idle_timeout               = 60
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  desync_mitigation_mode     = "defensive"

  tags = { Name = "${local.name}-alb" }
}

resource "aws_lb_target_group" "gateway" {
  #checkov:skip=CKV_AWS_378:TLS ends at the ALB; the hop to the gateway stays inside the VPC's private subnets
  name                 = "${local.name}-gateway"
  port                 = local.services.gateway.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.this.id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = local.services.gateway.health_path
    matcher             = local.gateway_health_status
    port                = "traffic-port"
    protocol            = "HTTP"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Name = "${local.name}-gateway" }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
