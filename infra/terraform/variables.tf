variable "region" {
  type        = string
  description = "AWS region to deploy into, e.g. eu-west-1."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (cluster, services, repositories, roles)."
  default     = "medgrade"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC; split into two public and two private subnets over two availability zones."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block."
  }
}

variable "availability_zone_suffixes" {
  type        = list(string)
  description = "The two availability zones of the VPC, as suffixes of the region name (a, b -> eu-west-1a, eu-west-1b)."
  default     = ["a", "b"]

  validation {
    condition     = length(var.availability_zone_suffixes) == 2 && alltrue([for s in var.availability_zone_suffixes : can(regex("^[a-z]$", s))])
    error_message = "availability_zone_suffixes must name exactly two zones, each by one letter."
  }
}

variable "image_tags" {
  type        = map(string)
  description = "Image tag of each service's first deployment, keyed by service (gateway, grading_orchestrator, rubric_management, document_parser, scoring). Later releases go out with scripts/deploy.py, which registers new task definition revisions."

  validation {
    condition = alltrue([
      for name in ["gateway", "grading_orchestrator", "rubric_management", "document_parser", "scoring"] :
      contains(keys(var.image_tags), name)
    ])
    error_message = "image_tags needs a tag for each of gateway, grading_orchestrator, rubric_management, document_parser and scoring."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ARN of the ACM certificate of the public HTTPS listener."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "services" {
  type = map(object({
    cpu          = number
    memory       = number
    min_capacity = number
    max_capacity = number
  }))
  description = "Fargate size (cpu units, memory MiB) and autoscaling bounds (task count) of each service."
  default = {
    gateway              = { cpu = 256, memory = 512, min_capacity = 2, max_capacity = 6 }
    grading_orchestrator = { cpu = 512, memory = 1024, min_capacity = 2, max_capacity = 10 }
    rubric_management    = { cpu = 256, memory = 512, min_capacity = 2, max_capacity = 4 }
    document_parser      = { cpu = 1024, memory = 2048, min_capacity = 2, max_capacity = 10 }
    scoring              = { cpu = 1024, memory = 2048, min_capacity = 2, max_capacity = 10 }
  }

  validation {
    condition     = alltrue([for s in values(var.services) : s.min_capacity >= 1 && s.max_capacity >= s.min_capacity])
    error_message = "Every service needs min_capacity >= 1 and max_capacity >= min_capacity."
  }
}

variable "cpu_target_percent" {
  type        = number
  description = "Average CPU utilisation each service's target-tracking policy keeps its tasks at."
  default     = 60
}

variable "gateway_requests_per_target" {
  type        = number
  description = "ALB requests per minute per gateway task that the gateway's request-count policy aims for."
  default     = 600
}

variable "alarm_email" {
  type        = string
  description = "Email address subscribed to the alarm topic (the subscription must be confirmed)."
}

variable "bucket_name" {
  type        = string
  description = "Name of the S3 bucket of the store (rubrics, gradings, API key hashes); globally unique."
}

variable "store_prefix" {
  type        = string
  description = "Key prefix of the store inside the bucket; the task roles may touch nothing else."
  default     = "medgrade/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*/$", var.store_prefix))
    error_message = "store_prefix must be lowercase letters, digits or hyphens ending in a slash."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the CloudWatch log groups keep the services' and the VPC flow logs."
  default     = 365
}

variable "alb_deletion_protection" {
  type        = bool
  description = "Protect the load balancer from deletion (turn off only to destroy the stack)."
  default     = true
}

variable "gateway_rate" {
  type        = string
  description = "Per-client request rate of the nginx gateway (limit_req), e.g. 10r/s."
  default     = "10r/s"
}

variable "gateway_burst" {
  type        = number
  description = "Requests a client may go over gateway_rate before the gateway answers 429."
  default     = 20
}

variable "grading_error_threshold" {
  type        = number
  description = "Failed gradings (POST /grade answered 5xx) in five minutes that raise the grading-errors alarm."
  default     = 5
}

variable "batch_workers" {
  type = object({
    cpu              = number
    memory           = number
    min_capacity     = number
    max_capacity     = number
    backlog_per_task = number
  })
  description = "Fargate size (cpu units, memory MiB) and task-count bounds of the batch workers, and the batch items waiting per running worker that their autoscaling aims for (a worker grades about 3 items/s on 1 vCPU with the default batch concurrency)."
  default     = { cpu = 512, memory = 1024, min_capacity = 1, max_capacity = 10, backlog_per_task = 100 }

  validation {
    condition     = var.batch_workers.min_capacity >= 0 && var.batch_workers.max_capacity >= max(1, var.batch_workers.min_capacity) && var.batch_workers.backlog_per_task > 0
    error_message = "batch_workers needs min_capacity >= 0, max_capacity >= 1 and >= min_capacity, and backlog_per_task > 0."
  }
}

variable "batch_max_receives" {
  type        = number
  description = "Receives of a batch item's message before SQS moves it to the dead-letter queue (the item is then recorded as failed)."
  default     = 5

  validation {
    condition     = var.batch_max_receives >= 1 && var.batch_max_receives <= 1000
    error_message = "batch_max_receives must be 1-1000 (SQS's maxReceiveCount)."
  }
}

variable "batch_visibility_timeout_s" {
  type        = number
  description = "Seconds a received batch item stays hidden from other workers; the orchestrator refuses to start unless it is longer than its grading deadline (25 s) times the item attempts (3)."
  default     = 180

  validation {
    condition     = var.batch_visibility_timeout_s > 75 && var.batch_visibility_timeout_s <= 43200
    error_message = "batch_visibility_timeout_s must be over 75 (grading deadline x attempts) and at most 43200 (SQS's limit)."
  }
}
