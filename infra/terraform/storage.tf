# The store (rubrics, gradings and the API keys' hashes under var.store_prefix), the secret
# that holds the plaintext API keys issued to clients, and the KMS key that encrypts both,
# the log groups, the alarm topic and the image repositories.

resource "aws_kms_key" "this" {
  description             = "MedGrade data: S3 store, API-keys secret, logs, alarm topic, images"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsTheLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/${local.name}/*"
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToTheTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_s3_bucket" "store" {
  #checkov:skip=CKV_AWS_18:Only the two task roles reach the objects; record access with CloudTrail S3 data events at the account level rather than a second bucket per stack
  #checkov:skip=CKV_AWS_144:One-region deployment; versioning and the KMS key protect the data, replication is an account-level decision
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events; the services read the store directly
  bucket = var.bucket_name
}

resource "aws_s3_bucket_ownership_controls" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "store" {
  bucket                  = aws_s3_bucket.store.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Rubric versions and gradings are immutable objects; versioning keeps the API-key document's
# history (it is replaced on every change) and any object overwritten by mistake.
resource "aws_s3_bucket_versioning" "store" {
  bucket = aws_s3_bucket.store.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    id     = "noncurrent-versions-and-stale-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 365
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.store]
}

data "aws_iam_policy_document" "store_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.store.arn,
      "${aws_s3_bucket.store.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "store" {
  bucket = aws_s3_bucket.store.id
  policy = data.aws_iam_policy_document.store_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.store]
}

# Operators keep the plaintext API keys they issue (keys_cli create prints a key once) here,
# as {"<client>": "<key>"}. The services never read it: they verify keys against the
# SHA-256 hashes in the store, so no task role is granted access to it.
resource "aws_secretsmanager_secret" "api_keys" {
  #checkov:skip=CKV2_AWS_57:Keys are rotated by issuing a new key and revoking the old one with keys_cli (the services hold only hashes); a rotation Lambda could not do that
  name                    = "${local.name}/api-keys"
  description             = "Plaintext MedGrade API keys issued to clients, by client name"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30
}

# The suite's internal credential (MEDGRADE_INTERNAL_TOKEN, medgrade_shared.internal_auth): the
# internal services answer only callers presenting it (the orchestrator, and the gateway for
# the rubric routes). Generated once by Secrets Manager; ECS injects it into every task from
# here (ecs.tf: secrets), so it is never in the task definition or the state's plan output.
# Rotate with put-secret-value, then force a new deployment of all five services.
data "aws_secretsmanager_random_password" "internal_token" {
  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "internal_token" {
  #checkov:skip=CKV2_AWS_57:Rotation needs every service and the gateway redeployed together; done by an operator (put-secret-value, then a deployment), not a rotation Lambda
  name                    = "${local.name}/internal-token"
  description             = "MedGrade's service-to-service credential (MEDGRADE_INTERNAL_TOKEN)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "internal_token" {
  secret_id     = aws_secretsmanager_secret.internal_token.id
  secret_string = data.aws_secretsmanager_random_password.internal_token.random_password

  lifecycle {
    ignore_changes = [secret_string] # the data source draws a new one each plan; keep the first
  }
}
