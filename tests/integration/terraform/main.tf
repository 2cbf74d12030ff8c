# The seeds' live-streaming stack plus the services around it, applied by the Terraform AWS
# provider against mediaemu (tests/integration/26-terraform.py drives it):
#   MediaLive input security group, RTMP_PUSH input and a channel whose MediaPackage output group
#   feeds a MediaPackage channel (seed 000's "broadcast_encoder") and whose HLS output group
#   archives to the S3 bucket; MediaPackage HLS and DASH origin endpoints; the channel's IAM role
#   (trust policy, inline policy, an AWS-managed policy attached); the archive bucket with
#   versioning, a lifecycle rule and an object; an SNS topic with an HTTP subscriber; a CloudWatch
#   alarm on the channel that notifies the topic.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" {
  description = "mediaemu's base URL, e.g. http://127.0.0.1:4566"
  type        = string
}

variable "name" {
  description = "a prefix that keeps this stack's names apart from anything else on the server"
  type        = string
}

variable "subscriber_url" {
  description = "an HTTP endpoint on 127.0.0.1 that confirms SNS subscriptions (the suite runs one)"
  type        = string
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  # Required: path-style S3 (http://127.0.0.1:4566/<bucket>/<key>); virtual-hosted style would need
  # <bucket>.127.0.0.1 to resolve.
  s3_use_path_style = true
  # Required offline: with static keys the provider still probes the EC2 instance metadata
  # service (169.254.169.254) while resolving credentials, which no laptop or CI runner answers.
  skip_metadata_api_check = true
  # Deliberately NOT skipped: credential validation and the account-id lookup. mediaemu's STS
  # answers GetCallerIdentity (account 123456789012), so the provider learns the account as it
  # does from AWS and builds ARNs with it.

  endpoints {
    cloudwatch   = var.endpoint
    iam          = var.endpoint
    medialive    = var.endpoint
    mediapackage = var.endpoint
    s3           = var.endpoint
    sns          = var.endpoint
    sts          = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

# --- IAM: the role MediaLive assumes to reach MediaPackage, S3 and SSM -------------------------

resource "aws_iam_role" "medialive" {
  name        = "${var.name}-medialive-access"
  description = "Role MediaLive assumes for the ${var.name} channel"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "medialive.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = { Stack = var.name }
}

resource "aws_iam_role_policy" "medialive" {
  name = "${var.name}-medialive-delivery"
  role = aws_iam_role.medialive.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["mediapackage:DescribeChannel"]
        Resource = aws_media_package_channel.primary.arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"]
        Resource = [aws_s3_bucket.archive.arn, "${aws_s3_bucket.archive.arn}/*"]
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "medialive_logs" {
  role       = aws_iam_role.medialive.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
}

# --- S3: the archive bucket --------------------------------------------------------------------

resource "aws_s3_bucket" "archive" {
  bucket        = "${var.name}-archive"
  force_destroy = true
  tags          = { Stack = var.name }
}

resource "aws_s3_bucket_versioning" "archive" {
  bucket = aws_s3_bucket.archive.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "archive" {
  bucket = aws_s3_bucket.archive.id
  rule {
    id     = "expire-old-segments"
    status = "Enabled"
    filter {
      prefix = "live/"
    }
    expiration {
      days = 30
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.archive]
}

resource "aws_s3_object" "readme" {
  bucket       = aws_s3_bucket.archive.id
  key          = "README.txt"
  content      = "HLS archive of the ${var.name} channel\n"
  content_type = "text/plain"
  depends_on   = [aws_s3_bucket_versioning.archive]
}

# --- MediaPackage ------------------------------------------------------------------------------

resource "aws_media_package_channel" "primary" {
  channel_id  = "${var.name}-primary"
  description = "Primary live streaming channel for content packaging"
  tags        = { Stack = var.name, Tier = "primary" }
}

# The AWS provider has no MediaPackage (v1) origin endpoint resource, so the seed's HLS and DASH
# endpoints are made with the AWS CLI (v1 or v2 take the same arguments) from a terraform_data
# resource, the way a configuration needing them against AWS would; a destroy-time provisioner
# removes them.
resource "terraform_data" "origin_endpoint" {
  for_each = {
    hls  = "--hls-package SegmentDurationSeconds=6,PlaylistWindowSeconds=60,IncludeIframeOnlyStream=true,UseAudioRenditionGroup=true"
    dash = "--dash-package SegmentDurationSeconds=6,ManifestWindowSeconds=60,Profile=NONE"
  }
  input = {
    id       = "${aws_media_package_channel.primary.channel_id}-${each.key}"
    channel  = aws_media_package_channel.primary.channel_id
    package  = each.value
    endpoint = var.endpoint
  }
  provisioner "local-exec" {
    command = "aws --endpoint-url ${self.input.endpoint} --region us-east-1 mediapackage create-origin-endpoint --channel-id ${self.input.channel} --id ${self.input.id} ${self.input.package} --query Url --output text"
  }
  provisioner "local-exec" {
    when    = destroy
    command = "aws --endpoint-url ${self.input.endpoint} --region us-east-1 mediapackage delete-origin-endpoint --id ${self.input.id}"
  }
}

# --- MediaLive ---------------------------------------------------------------------------------

resource "aws_medialive_input_security_group" "studio" {
  whitelist_rules {
    cidr = "127.0.0.1/32"
  }
  tags = { Stack = var.name }
}

resource "aws_medialive_input" "studio" {
  name                  = "${var.name}-studio-rtmp"
  type                  = "RTMP_PUSH"
  input_security_groups = [aws_medialive_input_security_group.studio.id]
  destinations {
    stream_name = "${var.name}/main"
  }
  destinations {
    stream_name = "${var.name}/backup"
  }
  tags = { Stack = var.name }
}

resource "aws_medialive_channel" "encoder" {
  name          = "${var.name}-broadcast-encoder"
  channel_class = "STANDARD"
  role_arn      = aws_iam_role.medialive.arn

  input_specification {
    codec            = "AVC"
    input_resolution = "HD"
    maximum_bitrate  = "MAX_20_MBPS"
  }

  input_attachments {
    input_attachment_name = "primary_input"
    input_id              = aws_medialive_input.studio.id
  }

  destinations {
    id = "primary_package"
    media_package_settings {
      channel_id = aws_media_package_channel.primary.channel_id
    }
  }

  destinations {
    id = "s3_archive"
    settings {
      url = "s3://${aws_s3_bucket.archive.id}/live/a/index"
    }
    settings {
      url = "s3://${aws_s3_bucket.archive.id}/live/b/index"
    }
  }

  encoder_settings {
    timecode_config {
      source = "SYSTEMCLOCK"
    }

    audio_descriptions {
      audio_selector_name = "default"
      name                = "aac_audio"
      codec_settings {
        aac_settings {
          bitrate     = 128000
          coding_mode = "CODING_MODE_2_0"
          sample_rate = 48000
        }
      }
    }

    video_descriptions {
      name   = "hd_video"
      width  = 1280
      height = 720
      codec_settings {
        h264_settings {
          bitrate           = 3000000
          rate_control_mode = "CBR"
          gop_size          = 60
          gop_size_units    = "FRAMES"
        }
      }
    }

    output_groups {
      name = "mediapackage"
      output_group_settings {
        media_package_group_settings {
          destination {
            destination_ref_id = "primary_package"
          }
        }
      }
      outputs {
        output_name             = "hd"
        video_description_name  = "hd_video"
        audio_description_names = ["aac_audio"]
        output_settings {
          media_package_output_settings {}
        }
      }
    }

    output_groups {
      name = "s3-archive"
      output_group_settings {
        hls_group_settings {
          destination {
            destination_ref_id = "s3_archive"
          }
          segment_length = 6
        }
      }
      outputs {
        output_name             = "archive-hd"
        video_description_name  = "hd_video"
        audio_description_names = ["aac_audio"]
        output_settings {
          hls_output_settings {
            name_modifier = "_hd"
            hls_settings {
              standard_hls_settings {
                m3u8_settings {}
              }
            }
          }
        }
      }
    }
  }

  tags = { Stack = var.name }

  # The provider writes media_package_output_settings {} to the API but cannot read the empty
  # block back (it has no fields in the provider's schema), so without this every plan shows it
  # being added again. The rest of the channel is compared as usual.
  lifecycle {
    ignore_changes = [encoder_settings[0].output_groups[0].outputs[0].output_settings[0].media_package_output_settings]
  }
}

# --- SNS and CloudWatch: alert when the channel raises alerts ----------------------------------

resource "aws_sns_topic" "alerts" {
  name         = "${var.name}-live-event-alerts"
  display_name = "Live event alerts"
  tags         = { Stack = var.name }
}

resource "aws_sns_topic_subscription" "ops" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "http"
  endpoint  = var.subscriber_url
  # The suite's subscriber fetches the SubscribeURL of the SubscriptionConfirmation mediaemu
  # posts, so the provider can wait for the subscription to be confirmed as it does on AWS.
  endpoint_auto_confirms          = true
  confirmation_timeout_in_minutes = 1
}

resource "aws_cloudwatch_metric_alarm" "channel_alerts" {
  alarm_name          = "${var.name}-channel-active-alerts"
  alarm_description   = "The ${var.name} channel has active alerts"
  namespace           = "AWS/MediaLive"
  metric_name         = "ActiveAlerts"
  dimensions          = { ChannelId = aws_medialive_channel.encoder.channel_id, Pipeline = "0" }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = { Stack = var.name }
}

# --- What the suite checks through boto3 -------------------------------------------------------

output "account_id" { value = data.aws_caller_identity.current.account_id }
output "bucket" { value = aws_s3_bucket.archive.id }
output "role_arn" { value = aws_iam_role.medialive.arn }
output "role_name" { value = aws_iam_role.medialive.name }
output "topic_arn" { value = aws_sns_topic.alerts.arn }
output "subscription_arn" { value = aws_sns_topic_subscription.ops.arn }
output "alarm_name" { value = aws_cloudwatch_metric_alarm.channel_alerts.alarm_name }
output "mediapackage_channel_id" { value = aws_media_package_channel.primary.channel_id }
output "hls_ingest_url" { value = aws_media_package_channel.primary.hls_ingest[0].ingest_endpoints[0].url }
output "origin_endpoint_ids" { value = [for e in terraform_data.origin_endpoint : e.input.id] }
output "input_id" { value = aws_medialive_input.studio.id }
output "input_security_group_id" { value = aws_medialive_input_security_group.studio.id }
output "channel_id" { value = aws_medialive_channel.encoder.channel_id }
