output "alb_dns_name" {
  description = "DNS name of the public load balancer; point the API's DNS record (alias) at it."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "cluster_name" {
  description = "ECS cluster of the five services (scripts/deploy.py --cluster)."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service name of each MedGrade service, and of the batch workers."
  value       = merge({ for name, svc in local.ecs_services : name => svc.name }, { (local.batch_worker.name) = aws_ecs_service.batch_worker.name })
}

output "batch_queue_url" {
  description = "SQS queue of the batch items."
  value       = aws_sqs_queue.batch_items.url
}

output "batch_dead_letter_queue_url" {
  description = "SQS dead-letter queue of the batch items given up on."
  value       = aws_sqs_queue.batch_dead_letters.url
}

output "ecr_repository_urls" {
  description = "ECR repository URL of each service's image."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "service_connect_namespace" {
  description = "Cloud Map namespace the services find each other in."
  value       = aws_service_discovery_http_namespace.this.name
}

output "store_bucket" {
  description = "S3 bucket of the store."
  value       = aws_s3_bucket.store.id
}

output "api_keys_secret_arn" {
  description = "Secrets Manager secret in which operators keep the plaintext API keys they issue."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to."
  value       = aws_sns_topic.alarms.arn
}
