#!/usr/bin/env python3
# alongside: it mostly waits on the provider's own fixed delays, so tools/test runs it in the
# background next to the control-plane suites after it (20-25), which have no timing checks.
"""Terraform against mediaemu: the AWS provider (hashicorp/aws 5.100, from the offline filesystem
mirror) applies tests/integration/terraform/main.tf — the seeds' MediaLive input security group,
RTMP input and channel feeding a MediaPackage channel with HLS and DASH origin endpoints, plus
the channel's IAM role, an S3 archive bucket (versioning, lifecycle rule, an object), an SNS topic
with an HTTP subscriber and a CloudWatch alarm notifying it. Then boto3 checks that every
resource exists with the configured values, `terraform plan -detailed-exitcode` must find no
changes (every read-back the provider makes answers what it wrote), the alarm's notification
reaches the subscriber, and `terraform destroy` removes it all.

The expensive apply runs once; the checks after it read the same stack. Most of the apply's time
is the provider's own fixed waits, the same against AWS: aws_medialive_input waits 30 s before
its first DescribeInput, aws_s3_bucket_lifecycle_configuration polls GetBucketLifecycleConfiguration
every 5 s until it has read the rules it wrote 10 times in a row (about a minute).

Provider settings the configuration needs, and why (see main.tf's provider block):
  endpoints { ... }         every service used, pointed at mediaemu
  s3_use_path_style = true  virtual-hosted buckets would need <bucket>.127.0.0.1 to resolve
  skip_metadata_api_check   no EC2 instance metadata service offline
Credential validation and the account-id lookup stay on: mediaemu's STS answers them.

Needs terraform (TERRAFORM, or on PATH, or /usr/local/bin/terraform), the provider in the
mirror (MEDIAEMU_TF_PLUGINS, default /opt/tf-plugins), the AWS CLI (the origin endpoints, which
the provider has no resource for) and boto3; exits 77 naming what is missing.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parent / "terraform"
MIRROR = Path(os.environ.get("MEDIAEMU_TF_PLUGINS", "/opt/tf-plugins"))
PROVIDER_DIR = MIRROR / "registry.terraform.io" / "hashicorp" / "aws"
TERRAFORM = os.environ.get("TERRAFORM") or shutil.which("terraform") or "/usr/local/bin/terraform"


def missing_tools() -> list:
    missing = []
    if not Path(TERRAFORM).is_file():
        missing.append(f"terraform (not on PATH, not at {TERRAFORM})")
    if not PROVIDER_DIR.is_dir():
        missing.append(f"the hashicorp/aws provider in the filesystem mirror {MIRROR} ({PROVIDER_DIR} does not exist)")
    if not shutil.which("aws"):
        missing.append("the AWS CLI (main.tf creates the MediaPackage origin endpoints with it)")
    try:
        import boto3  # noqa: F401
    except ImportError:
        missing.append("boto3")
    return missing


def confirm_subscriptions(_path: str, _headers: dict, body: str) -> None:
    """What endpoint_auto_confirms promises the provider: the endpoint confirms by fetching the
    SubscribeURL of the SubscriptionConfirmation mediaemu posts."""
    message = json.loads(body or "{}")
    if message.get("Type") == "SubscriptionConfirmation":
        urllib.request.urlopen(message["SubscribeURL"], timeout=10).read()


class Stack:
    """main.tf in a temporary working directory, run by terraform against the suite's server."""

    def __init__(self, endpoint: str):
        self.dir = Path(tempfile.mkdtemp(prefix="mediaemu-tf-"))
        shutil.copy(CONFIG_DIR / "main.tf", self.dir / "main.tf")
        (self.dir / "cli.tfrc").write_text(
            'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % MIRROR)
        self.subscriber = harness.HttpReceiver(confirm_subscriptions)
        self.name = harness.unique("tf")
        self.env = dict(os.environ, TF_CLI_CONFIG_FILE=str(self.dir / "cli.tfrc"), TF_IN_AUTOMATION="1",
                        TF_INPUT="0", CHECKPOINT_DISABLE="1",  # no version check over the network
                        TF_VAR_endpoint=endpoint, TF_VAR_name=self.name,
                        TF_VAR_subscriber_url=self.subscriber.url + "/sns",
                        AWS_MAX_ATTEMPTS="1")  # for the AWS CLI of the origin endpoints
        self.outputs: dict = {}
        self.times: dict = {}

    def run(self, label: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        started = time.monotonic()
        r = subprocess.run([TERRAFORM, *args, "-no-color"], cwd=self.dir, env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        self.times[label] = time.monotonic() - started
        print(f"    terraform {label}: exit {r.returncode} in {self.times[label]:.1f} s", flush=True)
        (self.dir / f"{label}.log").write_text(r.stdout + r.stderr)
        return r

    def read_outputs(self) -> None:
        r = subprocess.run([TERRAFORM, "output", "-json"], cwd=self.dir, env=self.env, capture_output=True,
                           text=True, timeout=120)
        self.outputs = {k: v["value"] for k, v in json.loads(r.stdout or "{}").items()}

    def cleanup(self) -> None:
        self.subscriber.close()
        if not os.environ.get("MEDIAEMU_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)


STACK = None


def tail(r: subprocess.CompletedProcess, lines: int = 60) -> str:
    return "\n".join((r.stdout + r.stderr).splitlines()[-lines:])


def deleted_state(describe) -> str:
    """"DELETED" for a resource that answers 404 or describes as DELETED, else its state."""
    from botocore.exceptions import ClientError
    try:
        return describe()["State"]
    except ClientError as e:
        return "DELETED" if e.response["ResponseMetadata"]["HTTPStatusCode"] == 404 else str(e)


def test_init(t):
    global STACK
    STACK = Stack(t.endpoint)
    r = STACK.run("init", "init", "-input=false")
    check(r.returncode == 0, "terraform init from the filesystem mirror, offline", "exit 0", tail(r))


def test_apply(t):
    r = STACK.run("apply", "apply", "-auto-approve", "-input=false", timeout=400)
    check(r.returncode == 0, "terraform apply", "exit 0", tail(r))
    STACK.read_outputs()
    check_eq(STACK.outputs.get("account_id"), "123456789012", "the provider learnt the account from STS")


def test_s3_bucket(t):
    s3, o = t.client("s3"), STACK.outputs
    bucket = o["bucket"]
    s3.head_bucket(Bucket=bucket)
    check_eq(s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Enabled", "bucket versioning")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    check_eq([(r["ID"], r["Status"], r.get("Filter"), r.get("Expiration"), r.get("NoncurrentVersionExpiration"))
              for r in rules],
             [("expire-old-segments", "Enabled", {"Prefix": "live/"}, {"Days": 30}, {"NoncurrentDays": 7})],
             "the lifecycle rule")
    check_eq(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], [{"Key": "Stack", "Value": STACK.name}], "bucket tags")
    body = s3.get_object(Bucket=bucket, Key="README.txt")
    check_eq(body["Body"].read().decode(), f"HLS archive of the {STACK.name} channel\n", "the object's content")
    check_eq(body["ContentType"], "text/plain", "the object's content type")


def test_iam_role(t):
    iam, o = t.client("iam"), STACK.outputs
    role = iam.get_role(RoleName=o["role_name"])["Role"]
    check_eq(role["Arn"], o["role_arn"], "role ARN")
    check_eq(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"], {"Service": "medialive.amazonaws.com"},
             "the trust policy lets MediaLive assume the role")
    inline = iam.get_role_policy(RoleName=o["role_name"], PolicyName=f"{STACK.name}-medialive-delivery")
    actions = [a for s in inline["PolicyDocument"]["Statement"] for a in s["Action"]]
    check("mediapackage:DescribeChannel" in actions and "s3:PutObject" in actions, "the inline policy's actions",
          "mediapackage:DescribeChannel and s3:PutObject", actions)
    attached = iam.list_attached_role_policies(RoleName=o["role_name"])["AttachedPolicies"]
    check_eq([p["PolicyArn"] for p in attached], ["arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"],
             "the AWS managed policy is attached")


def test_sns_and_alarm(t):
    sns, cw, o = t.client("sns"), t.client("cloudwatch"), STACK.outputs
    check_eq(sns.get_topic_attributes(TopicArn=o["topic_arn"])["Attributes"].get("DisplayName"),
             "Live event alerts", "topic display name")
    subs = sns.list_subscriptions_by_topic(TopicArn=o["topic_arn"])["Subscriptions"]
    check_eq([(s["Protocol"], s["Endpoint"], s["SubscriptionArn"]) for s in subs],
             [("http", STACK.subscriber.url + "/sns", o["subscription_arn"])], "the confirmed HTTP subscription")
    confirmation = STACK.subscriber.next("the SubscriptionConfirmation", timeout=1)
    check(confirmation and json.loads(confirmation[2])["Type"] == "SubscriptionConfirmation",
          "the subscriber received the SubscriptionConfirmation first", "SubscriptionConfirmation", confirmation)
    alarms = cw.describe_alarms(AlarmNames=[o["alarm_name"]])["MetricAlarms"]
    if not check_eq(len(alarms), 1, "the alarm exists"):
        return
    a = alarms[0]
    check_eq((a["AlarmActions"], a["OKActions"]), ([o["topic_arn"]], [o["topic_arn"]]), "alarm actions")
    check_eq(sorted((d["Name"], d["Value"]) for d in a["Dimensions"]), [("ChannelId", o["channel_id"]), ("Pipeline", "0")],
             "alarm dimensions name the channel")
    check_eq((a["Namespace"], a["MetricName"], a["Threshold"], a["EvaluationPeriods"], a["DatapointsToAlarm"]),
             ("AWS/MediaLive", "ActiveAlerts", 1.0, 2, 2), "alarm metric and threshold")
    tags = cw.list_tags_for_resource(ResourceARN=a["AlarmArn"])["Tags"]
    check_eq(tags, [{"Key": "Stack", "Value": STACK.name}], "alarm tags")


def test_media_resources(t):
    ml, mp, o = t.client("medialive"), t.client("mediapackage"), STACK.outputs
    channel = ml.describe_channel(ChannelId=o["channel_id"])
    check_eq(channel["RoleArn"], o["role_arn"], "the channel runs as the IAM role")
    check_eq(channel["State"], "IDLE", "channel state")
    destinations = {d["Id"]: d for d in channel["Destinations"]}
    check_eq(destinations.get("primary_package", {}).get("MediaPackageSettings"),
             [{"ChannelId": o["mediapackage_channel_id"]}], "the MediaPackage destination")
    check_eq(sorted(s["Url"] for s in destinations.get("s3_archive", {}).get("Settings", [])),
             [f"s3://{o['bucket']}/live/a/index", f"s3://{o['bucket']}/live/b/index"], "the S3 archive destination")
    check_eq([a["InputId"] for a in channel["InputAttachments"]], [o["input_id"]], "the input is attached")
    groups = [g["OutputGroupSettings"] for g in channel["EncoderSettings"]["OutputGroups"]]
    check("MediaPackageGroupSettings" in groups[0] and "HlsGroupSettings" in groups[1], "output groups",
          "MediaPackage, then HLS", groups)
    inp = ml.describe_input(InputId=o["input_id"])
    check_eq((inp["Type"], inp["State"], inp["SecurityGroups"]), ("RTMP_PUSH", "ATTACHED", [o["input_security_group_id"]]),
             "the RTMP input")
    check(all(d["Url"].startswith("rtmp://127.0.0.1:") for d in inp["Destinations"]), "RTMP ingest URLs",
          "rtmp://127.0.0.1:...", inp["Destinations"])
    sg = ml.describe_input_security_group(InputSecurityGroupId=o["input_security_group_id"])
    check_eq(sg["WhitelistRules"], [{"Cidr": "127.0.0.1/32"}], "the security group's rule")
    package = mp.describe_channel(Id=o["mediapackage_channel_id"])
    check_eq(package["HlsIngest"]["IngestEndpoints"][0]["Url"], o["hls_ingest_url"], "MediaPackage ingest URL")
    endpoints = mp.list_origin_endpoints(ChannelId=o["mediapackage_channel_id"])["OriginEndpoints"]
    check_eq(sorted((e["Id"], "HlsPackage" in e, "DashPackage" in e) for e in endpoints),
             sorted([(f"{o['mediapackage_channel_id']}-dash", False, True),
                     (f"{o['mediapackage_channel_id']}-hls", True, False)]), "the HLS and DASH origin endpoints")


def test_s3_reads_the_provider_makes(t):
    """The answers behind the plan's silence, checked directly: what S3 answers for a bucket on
    which nothing was set, object tags, and CloudWatch tags by ARN."""
    s3, cw = t.client("s3"), t.client("cloudwatch")
    b = harness.unique("tf-reads")
    s3.create_bucket(Bucket=b)
    acl = s3.get_bucket_acl(Bucket=b)
    check_eq([(g["Grantee"]["Type"], g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]],
             [("CanonicalUser", acl["Owner"]["ID"], "FULL_CONTROL")], "the owner's FULL_CONTROL grant")
    check_eq(s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"],
             [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}],
             "SSE-S3 by default")
    check("Status" not in s3.get_bucket_accelerate_configuration(Bucket=b), "acceleration never set: no Status")
    check_eq(s3.get_bucket_request_payment(Bucket=b)["Payer"], "BucketOwner", "the owner pays")
    check("LoggingEnabled" not in s3.get_bucket_logging(Bucket=b), "logging off")
    expect_error(lambda: s3.get_bucket_replication(Bucket=b), 404, "ReplicationConfigurationNotFoundError",
                 "no replication")
    expect_error(lambda: s3.get_object_lock_configuration(Bucket=b), 404, "ObjectLockConfigurationNotFoundError",
                 "no Object Lock")
    expect_error(lambda: s3.get_bucket_encryption(Bucket="tf-no-such-bucket"), 404, "NoSuchBucket", "no bucket")
    s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": [
        {"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]})
    check_eq(s3.get_bucket_lifecycle_configuration(Bucket=b).get("TransitionDefaultMinimumObjectSize"),
             "all_storage_classes_128K", "the transition default S3 applies when none is given")

    s3.put_object(Bucket=b, Key="k", Body=b"x", Tagging="team=media+ops&env=")
    check_eq(s3.get_object_tagging(Bucket=b, Key="k")["TagSet"],
             [{"Key": "team", "Value": "media ops"}, {"Key": "env", "Value": ""}], "tags from x-amz-tagging")
    check_eq(s3.get_object(Bucket=b, Key="k")["TagCount"], 2, "GetObject counts the tags")
    s3.copy_object(Bucket=b, Key="copy", CopySource=f"{b}/k")
    check_eq(len(s3.get_object_tagging(Bucket=b, Key="copy")["TagSet"]), 2, "a copy keeps the tags")
    s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
    check_eq(s3.get_object_tagging(Bucket=b, Key="k")["TagSet"], [{"Key": "a", "Value": "1"}], "PutObjectTagging")
    check_eq(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"x", "tagging leaves the bytes alone")
    s3.delete_object_tagging(Bucket=b, Key="k")
    check_eq(s3.get_object_tagging(Bucket=b, Key="k")["TagSet"], [], "DeleteObjectTagging")
    expect_error(lambda: s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [
        {"Key": f"k{i}", "Value": "v"} for i in range(11)]}), 400, "BadRequest", "at most 10 tags")
    expect_error(lambda: s3.get_object_tagging(Bucket=b, Key="missing"), 404, "NoSuchKey", "tags of no object")

    name = harness.unique("tf-tags")
    cw.put_metric_alarm(AlarmName=name, Namespace="Suite26", MetricName="M", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                        Tags=[{"Key": "a", "Value": "1"}])
    arn = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["b"])
    check_eq(cw.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "a", "Value": "2"}],
             "alarm tags: a new value replaces the old, untag removes")
    cw.delete_alarms(AlarmNames=[name])
    expect_error(lambda: cw.list_tags_for_resource(ResourceARN=arn), 404, "ResourceNotFoundException",
                 "tags of a deleted alarm")


def test_plan_finds_no_changes(t):
    r = STACK.run("plan", "plan", "-detailed-exitcode", "-input=false")
    check(r.returncode == 0, "terraform plan -detailed-exitcode after apply (2 = drift: a read-back differs)",
          "exit 0", tail(r, 120))


def test_alarm_notifies_the_subscriber(t):
    cw, o = t.client("cloudwatch"), STACK.outputs
    # The alarm's own evaluations (OK with no data, every period) notify the topic too: wait for
    # the notification of this ALARM among whatever else arrives.
    cw.set_alarm_state(AlarmName=o["alarm_name"], StateValue="ALARM", StateReason="suite 26")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        post = STACK.subscriber.next("the alarm's ALARM notification reaches the topic's HTTP subscriber",
                                     timeout=max(0.1, deadline - time.monotonic()))
        if not post:
            return
        message = json.loads(post[2])
        alarm = json.loads(message.get("Message", "{}")) if message.get("Type") == "Notification" else {}
        if alarm.get("NewStateValue") == "ALARM":
            check_eq((message["TopicArn"], alarm["AlarmName"], alarm["NewStateReason"]),
                     (o["topic_arn"], o["alarm_name"], "suite 26"), "the alarm's notification")
            return
    check(False, "the alarm's ALARM notification reaches the topic's HTTP subscriber", "a Notification", "none in 10 s")


def test_destroy(t):
    r = STACK.run("destroy", "destroy", "-auto-approve", "-input=false", timeout=400)
    check(r.returncode == 0, "terraform destroy", "exit 0", tail(r))
    o = STACK.outputs
    s3, iam, sns, cw = t.client("s3"), t.client("iam"), t.client("sns"), t.client("cloudwatch")
    ml, mp = t.client("medialive"), t.client("mediapackage")
    expect_error(lambda: s3.head_bucket(Bucket=o["bucket"]), 404, "404", "the bucket is gone")
    expect_error(lambda: iam.get_role(RoleName=o["role_name"]), 404, "NoSuchEntity", "the role is gone")
    expect_error(lambda: sns.get_topic_attributes(TopicArn=o["topic_arn"]), 404, "NotFound", "the topic is gone")
    check_eq(cw.describe_alarms(AlarmNames=[o["alarm_name"]])["MetricAlarms"], [], "the alarm is gone")
    # As on AWS, a deleted MediaLive resource may still describe for a while, in state DELETED.
    check_eq(deleted_state(lambda: ml.describe_channel(ChannelId=o["channel_id"])), "DELETED", "the channel is deleted")
    check_eq(deleted_state(lambda: ml.describe_input(InputId=o["input_id"])), "DELETED", "the input is deleted")
    check_eq(deleted_state(lambda: ml.describe_input_security_group(
        InputSecurityGroupId=o["input_security_group_id"])), "DELETED", "the input security group is deleted")
    expect_error(lambda: mp.describe_channel(Id=o["mediapackage_channel_id"]), 404, "NotFoundException",
                 "the MediaPackage channel is gone")
    check_eq(mp.list_origin_endpoints()["OriginEndpoints"], [], "the origin endpoints are gone")
    print("    times: " + ", ".join(f"{k} {v:.1f} s" for k, v in STACK.times.items()), flush=True)
    STACK.cleanup()


if __name__ == "__main__":
    missing = missing_tools()
    if missing:
        print("SKIP: this machine lacks " + "; ".join(missing))
        sys.exit(77)
    harness.main(globals())
