#!/usr/bin/env python3
"""The services around the media ones, on every protocol their clients speak: STS and IAM (AWS
query, XML answers), Secrets Manager, SSM, CloudWatch Logs and ECR (AWS JSON 1.1), CloudWatch (JSON 1.0 as boto3 1.43
picks it, AWS query as AWS CLI v2 2.9 and Debian's boto3 send it, and smithy-rpc-v2-cbor made by
botocore's own serializer, since no client here picks it), with boto3 and both AWS CLIs, as the seeds use them: who am I, a role with its trust and
inline policies (seed 002 step 3), managed policies, instance profiles, AssumeRole credentials
that mediaemu accepts and knows again, secrets with versions, deletion and restore,
GetRandomPassword with its options, parameters with versions and paths, log groups, streams and
events read back and filtered, metric data read back as statistics, alarms. Each protocol's bad input answers in its own error shape; state survives a
kill -9.
"""

import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "medialive.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"}]}







def test_sts_who_am_i_and_assume_role(t):
    sts, iam = t.client("sts"), t.client("iam")
    me = sts.get_caller_identity()
    check_eq((me["Account"], me["Arn"]), ("123456789012", "arn:aws:iam::123456789012:root"),
             "GetCallerIdentity: the account's root")
    role = iam.create_role(RoleName=harness.unique("assumable"), AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci-session", DurationSeconds=900)
    c = creds["Credentials"]
    check(c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20, "AssumeRole: an ASIA access key",
          "ASIA + 16", c["AccessKeyId"])
    check(len(c["SecretAccessKey"]) == 40 and c["SessionToken"], "AssumeRole: secret key and session token")
    check_eq(creds["AssumedRoleUser"]["Arn"],
             f"arn:aws:sts::123456789012:assumed-role/{role['RoleName']}/ci-session", "AssumedRoleUser ARN")
    import boto3
    session = boto3.client("sts", region_name=harness.REGION, endpoint_url=t.endpoint,
                           aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                           aws_session_token=c["SessionToken"])
    check_eq(session.get_caller_identity()["Arn"], creds["AssumedRoleUser"]["Arn"],
             "the session's credentials are accepted and known as the assumed role")
    expect_error(lambda: sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/nope", RoleSessionName="s1"),
                 403, "AccessDenied", "AssumeRole of a role that does not exist is refused")
    expect_error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200),
                 400, "ValidationError", "DurationSeconds above the role's MaxSessionDuration")
    token = sts.get_session_token()["Credentials"]
    check(token["AccessKeyId"].startswith("ASIA"), "GetSessionToken: temporary credentials")


def test_iam_roles_and_policies(t):
    iam = t.client("iam")
    name = harness.unique("MediaLiveAccessRole")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Description="seed 002",
                           Tags=[{"Key": "env", "Value": "ci"}])["Role"]
    check_eq(role["Arn"], f"arn:aws:iam::123456789012:role/{name}", "role ARN")
    check(role["RoleId"].startswith("AROA"), "role id starts with AROA", "AROA...", role["RoleId"])
    got = iam.get_role(RoleName=name)["Role"]
    check_eq(got["AssumeRolePolicyDocument"], TRUST, "trust policy round-trips (URL-encoded on the wire)")
    check_eq(got["Tags"], [{"Key": "env", "Value": "ci"}], "tags")
    expect_error(lambda: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST)),
                 409, "EntityAlreadyExists", "a second role of the same name")
    expect_error(lambda: iam.get_role(RoleName="no-such-role"), 404, "NoSuchEntity", "GetRole of a missing role")
    expect_error(lambda: iam.create_role(RoleName=harness.unique("bad"), AssumeRolePolicyDocument="{not json"),
                 400, "MalformedPolicyDocument", "a trust policy that is not JSON")

    iam.put_role_policy(RoleName=name, PolicyName="MediaLiveCustomPolicy", PolicyDocument=json.dumps(POLICY))
    check_eq(iam.get_role_policy(RoleName=name, PolicyName="MediaLiveCustomPolicy")["PolicyDocument"], POLICY,
             "inline policy round-trips")
    check_eq(iam.list_role_policies(RoleName=name)["PolicyNames"], ["MediaLiveCustomPolicy"], "ListRolePolicies")

    policy = iam.create_policy(PolicyName=harness.unique("managed"), PolicyDocument=json.dumps(POLICY))["Policy"]
    iam.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AWSElementalMediaLiveReadOnly")
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    check_eq(sorted(attached), sorted([policy["Arn"], "arn:aws:iam::aws:policy/AWSElementalMediaLiveReadOnly"]),
             "ListAttachedRolePolicies")
    check_eq(iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"], 1, "AttachmentCount")
    v2 = iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(TRUST), SetAsDefault=True)
    check_eq(v2["PolicyVersion"]["VersionId"], "v2", "CreatePolicyVersion")
    check_eq(iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v2")["PolicyVersion"]["Document"], TRUST,
             "GetPolicyVersion returns the document")
    expect_error(lambda: iam.delete_role(RoleName=name), 409, "DeleteConflict", "a role with policies is not deleted")
    expect_error(lambda: iam.delete_policy(PolicyArn=policy["Arn"]), 409, "DeleteConflict",
                 "an attached policy is not deleted")

    profile = iam.create_instance_profile(InstanceProfileName=harness.unique("profile"))["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    roles = iam.get_instance_profile(InstanceProfileName=profile["InstanceProfileName"])["InstanceProfile"]["Roles"]
    check_eq([r["RoleName"] for r in roles], [name], "instance profile holds the role")
    iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_instance_profile(InstanceProfileName=profile["InstanceProfileName"])

    names = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1})
             for r in page["Roles"]]
    check(name in names, "ListRoles pages (Marker / MaxItems) reach the role", name, names)

    iam.delete_role_policy(RoleName=name, PolicyName="MediaLiveCustomPolicy")
    iam.detach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AWSElementalMediaLiveReadOnly")
    iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
    iam.delete_policy(PolicyArn=policy["Arn"])
    iam.delete_role(RoleName=name)
    expect_error(lambda: iam.get_role(RoleName=name), 404, "NoSuchEntity", "the role is gone")

    linked = iam.create_service_linked_role(AWSServiceName="medialive.amazonaws.com")["Role"]
    check(linked["Path"] == "/aws-service-role/medialive.amazonaws.com/", "service-linked role path",
          "/aws-service-role/medialive.amazonaws.com/", linked["Path"])
    task = iam.delete_service_linked_role(RoleName=linked["RoleName"])["DeletionTaskId"]
    check_eq(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"], "SUCCEEDED",
             "service-linked role deletion")


def test_secrets(t):
    sm = t.client("secretsmanager")
    name = harness.unique("streaming-platform/drm-key")
    created = sm.create_secret(Name=name, SecretString='{"key":"one"}', Description="DRM",
                               Tags=[{"Key": "Project", "Value": "live"}])
    check(created["ARN"].startswith(f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-"),
          "secret ARN: name and a random suffix", "...:secret:<name>-XXXXXX", created["ARN"])
    check_eq(sm.get_secret_value(SecretId=name)["SecretString"], '{"key":"one"}', "GetSecretValue by name")
    check_eq(sm.get_secret_value(SecretId=created["ARN"])["VersionId"], created["VersionId"], "by ARN")
    second = sm.put_secret_value(SecretId=name, SecretString="two")
    check_eq(sm.get_secret_value(SecretId=name)["SecretString"], "two", "PutSecretValue becomes AWSCURRENT")
    check_eq(sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"], '{"key":"one"}',
             "the former value is AWSPREVIOUS")
    stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
    check_eq(stages, {created["VersionId"]: ["AWSPREVIOUS"], second["VersionId"]: ["AWSCURRENT"]},
             "DescribeSecret VersionIdsToStages")
    expect_error(lambda: sm.create_secret(Name=name, SecretString="x"), 400, "ResourceExistsException",
                 "a second secret of the same name")
    expect_error(lambda: sm.get_secret_value(SecretId="no-such-secret"), 400, "ResourceNotFoundException",
                 "GetSecretValue of a missing secret")

    deletion = sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    check("DeletionDate" in deletion, "DeleteSecret schedules the deletion")
    expect_error(lambda: sm.get_secret_value(SecretId=name), 400, "InvalidRequestException",
                 "a secret marked for deletion cannot be read")
    check(name not in [s["Name"] for s in sm.list_secrets()["SecretList"]], "ListSecrets leaves it out")
    sm.restore_secret(SecretId=name)
    check_eq(sm.get_secret_value(SecretId=name)["SecretString"], "two", "RestoreSecret brings it back")
    sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    expect_error(lambda: sm.describe_secret(SecretId=name), 400, "ResourceNotFoundException",
                 "ForceDeleteWithoutRecovery deletes at once")

    pw = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True, ExcludeUppercase=True)["RandomPassword"]
    check(len(pw) == 20 and pw.isalnum() and pw == pw.lower() and any(ch.isdigit() for ch in pw),
          "GetRandomPassword honours length and exclusions (each included type present)", "20 lower/digits", pw)
    expect_error(lambda: sm.get_random_password(PasswordLength=3), 400, "InvalidParameterException",
                 "a length too short for every required type")


def test_ssm_parameters(t):
    ssm = t.client("ssm")
    base = "/" + harness.unique("cdk-bootstrap")
    check_eq(ssm.put_parameter(Name=f"{base}/version", Value="21", Type="String")["Version"], 1, "PutParameter v1")
    expect_error(lambda: ssm.put_parameter(Name=f"{base}/version", Value="22", Type="String"), 400,
                 "ParameterAlreadyExists", "a second PutParameter without Overwrite")
    check_eq(ssm.put_parameter(Name=f"{base}/version", Value="22", Overwrite=True)["Version"], 2, "Overwrite: v2")
    p = ssm.get_parameter(Name=f"{base}/version")["Parameter"]
    check_eq((p["Value"], p["Version"], p["Type"]), ("22", 2, "String"), "GetParameter: the latest")
    check(p["ARN"].endswith(f":parameter{base}/version"), "parameter ARN", f"...:parameter{base}/version", p["ARN"])
    check_eq(ssm.get_parameter(Name=f"{base}/version:1")["Parameter"]["Value"], "21", "GetParameter name:version")
    ssm.put_parameter(Name=f"{base}/deep/key", Value="s3cret", Type="SecureString")
    flat = [x["Name"] for x in ssm.get_parameters_by_path(Path=base)["Parameters"]]
    deep = [x["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=base, Recursive=True)
            for x in page["Parameters"]]
    check_eq((flat, sorted(deep)), ([f"{base}/version"], [f"{base}/deep/key", f"{base}/version"]),
             "GetParametersByPath: one level, and Recursive")
    got = ssm.get_parameters(Names=[f"{base}/version", f"{base}/missing"])
    check_eq(got["InvalidParameters"], [f"{base}/missing"], "GetParameters lists what it did not find")
    check_eq(len(ssm.get_parameter_history(Name=f"{base}/version")["Parameters"]), 2, "GetParameterHistory")
    ssm.delete_parameter(Name=f"{base}/version")
    expect_error(lambda: ssm.get_parameter(Name=f"{base}/version"), 400, "ParameterNotFound",
                 "a deleted parameter is gone")


def epoch(dt: datetime.datetime) -> float:
    return dt.timestamp()


def test_cloudwatch_in_every_protocol(t):
    cw = t.client("cloudwatch")
    import botocore
    now = datetime.datetime.now(datetime.timezone.utc)
    window = dict(StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=5))
    dims = [{"Name": "Channel", "Value": "ci"}]
    cw.put_metric_data(Namespace="Seed/Live", MetricData=[
        {"MetricName": "Viewers", "Dimensions": dims, "Value": 10, "Unit": "Count"},
        {"MetricName": "Viewers", "Dimensions": dims, "Values": [20, 30], "Counts": [1, 2], "Unit": "Count"}])
    stats = cw.get_metric_statistics(Namespace="Seed/Live", MetricName="Viewers", Dimensions=dims, Period=60,
                                     Statistics=["Sum", "SampleCount", "Maximum", "Minimum", "Average"], **window)
    points = stats["Datapoints"]
    total = (sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points))
    check_eq(total, (90.0, 4.0), f"botocore {botocore.__version__} "
             f"({cw.meta.service_model.protocol}): PutMetricData read back by GetMetricStatistics (sum, count)")
    data = cw.get_metric_data(MetricDataQueries=[{"Id": "v", "MetricStat": {
        "Metric": {"Namespace": "Seed/Live", "MetricName": "Viewers", "Dimensions": dims}, "Period": 60,
        "Stat": "Sum"}}], **window)["MetricDataResults"][0]
    check_eq(sum(data["Values"]), 90.0, "GetMetricData MetricStat Sum")
    check_eq(cw.list_metrics(Namespace="Seed/Live")["Metrics"],
             [{"Namespace": "Seed/Live", "MetricName": "Viewers", "Dimensions": dims}], "ListMetrics")
    expect_error(lambda: cw.put_metric_data(Namespace="AWS/MediaLive", MetricData=[{"MetricName": "x", "Value": 1}]),
                 400, "InvalidParameterValue", "the AWS/ namespaces are AWS's own")
    cw.put_metric_alarm(AlarmName="MediaLive-Channel-Errors", MetricName="ActiveAlerts", Namespace="AWS/MediaLive",
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold", Dimensions=[{"Name": "ChannelId", "Value": "1"}])
    alarm = cw.describe_alarms(AlarmNames=["MediaLive-Channel-Errors"])["MetricAlarms"][0]
    check_eq((alarm["StateValue"], alarm["Threshold"]), ("INSUFFICIENT_DATA", 0.0), "a new alarm, as AWS starts it")
    cw.set_alarm_state(AlarmName="MediaLive-Channel-Errors", StateValue="ALARM", StateReason="test")
    check_eq(cw.describe_alarms(StateValue="ALARM")["MetricAlarms"][0]["AlarmName"], "MediaLive-Channel-Errors",
             "SetAlarmState, and DescribeAlarms by state")
    expect_error(lambda: cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x"), 404,
                 "ResourceNotFound", "SetAlarmState of a missing alarm")

    # smithy-rpc-v2-cbor, which no client here picks (botocore prefers json): a request made by
    # botocore's own CBOR serializer (tag-1 timestamps), its answer read by botocore's CBOR parser.
    try:
        from botocore.parsers import create_parser
        from botocore.serialize import create_serializer
        cbor_ok = True
    except ImportError:
        cbor_ok = False
    op_model = cw.meta.service_model.operation_model("GetMetricStatistics")
    if cbor_ok and "smithy-rpc-v2-cbor" in (cw.meta.service_model.metadata.get("protocols") or []):
        try:
            serializer, parser = create_serializer("smithy-rpc-v2-cbor"), create_parser("smithy-rpc-v2-cbor")
        except Exception:  # an older botocore without the CBOR protocol
            serializer = None
        if serializer:
            req = serializer.serialize_to_request(dict(Namespace="Seed/Live", MetricName="Viewers", Dimensions=dims,
                                                       Period=60, Statistics=["Sum"], **window), op_model)
            r = t.request("POST", req["url_path"], req["body"], service="monitoring", content_type="application/cbor",
                          headers={k: v for k, v in req["headers"].items() if k.lower() != "content-type"})
            parsed = parser.parse({"status_code": r.status, "headers": {k.lower(): v for k, v in r.headers.items()}, "body": r.body},
                                  op_model.output_shape)
            check(r.status == 200 and sum(p["Sum"] for p in parsed["Datapoints"]) == 90.0,
                  "cbor: GetMetricStatistics with tag-1 timestamps, answered in CBOR botocore parses", 90.0,
                  (r.status, parsed.get("Datapoints")))
    else:
        print("    skip the CBOR request: this botocore's CloudWatch model has no smithy-rpc-v2-cbor")
    # The protocols this botocore's model lists; mediaemu embeds the newest model on the machine, so
    # a machine whose only botocore is Debian's 1.29 (query only) serves query alone.
    listed = cw.meta.service_model.metadata.get("protocols") or [cw.meta.service_model.protocol]
    if "json" in listed:
        # JSON 1.0 sent by hand, answered in kind.
        target = "GraniteServiceVersion20100801."
        r = t.request("POST", "/", json.dumps({"Namespace": "Seed/Live"}), service="monitoring",
                      content_type="application/x-amz-json-1.0", headers={"X-Amz-Target": target + "ListMetrics"})
        check(r.status == 200 and r.json()["Metrics"][0]["MetricName"] == "Viewers", "json 1.0: ListMetrics", 200, r)
        r = t.request("POST", "/", json.dumps({"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"}),
                      service="monitoring", content_type="application/x-amz-json-1.0",
                      headers={"X-Amz-Target": target + "SetAlarmState"})
        check(r.status == 404 and r.json().get("__type") == "ResourceNotFound"
              and r.header("x-amzn-query-error") == "ResourceNotFound;Sender",
              "json 1.0: the error's __type and its query code header", "404 ResourceNotFound", r)
    else:
        print(f"    skip the JSON 1.0 requests: this botocore's CloudWatch model lists {listed}")
    if "smithy-rpc-v2-cbor" in listed:
        # CBOR sent by hand: garbage is a 400 in CBOR.
        r = t.request("POST", f"/service/GraniteServiceVersion20100801/operation/ListMetrics", b"\xff\x00garbage",
                      service="monitoring", content_type="application/cbor", headers={"smithy-protocol": "rpc-v2-cbor"})
        check(r.status == 400 and r.header("smithy-protocol") == "rpc-v2-cbor", "cbor: a body that is not CBOR -> 400",
              400, r)
    # AWS query, as AWS CLI v2 2.9 and Debian's boto3 1.26 send it.
    r = t.request("POST", "/", "Action=ListMetrics&Version=2010-08-01&Namespace=Seed%2FLive", service="monitoring",
                  content_type="application/x-www-form-urlencoded")
    check(r.status == 200 and b"<ListMetricsResponse" in r.body and b"<MetricName>Viewers</MetricName>" in r.body,
          "query: ListMetrics in XML", 200, r)
    for label, v2 in harness.aws_clis():
        # The threshold and not the state: a state set by SetAlarmState lasts until the next evaluation
        # (on AWS "often within seconds"), which the period boundary may bring at any moment.
        r = t.cli(["cloudwatch", "describe-alarms", "--alarm-names", "MediaLive-Channel-Errors", "--query",
                    "MetricAlarms[0].[MetricName,ComparisonOperator]", "--output", "text"], v2)
        check_eq((r.returncode, r.stdout.split()), (0, ["ActiveAlerts", "GreaterThanThreshold"]),
                 f"{label}: cloudwatch describe-alarms")
        start = (now - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        r = t.cli(["cloudwatch", "get-metric-statistics", "--namespace", "Seed/Live", "--metric-name", "Viewers",
                    "--dimensions", "Name=Channel,Value=ci", "--start-time", start, "--end-time", end,
                    "--period", "60", "--statistics", "Sum", "--query", "sum(Datapoints[].Sum)"], v2)
        check_eq((r.returncode, r.stdout.strip()), (0, "90.0"), f"{label}: cloudwatch get-metric-statistics")
    cw.delete_alarms(AlarmNames=["MediaLive-Channel-Errors"])
    check_eq(cw.describe_alarms()["MetricAlarms"], [], "DeleteAlarms")


def test_alarms_are_evaluated_on_the_clock(t):
    cw = t.client("cloudwatch")
    dims = [{"Name": "Channel", "Value": "eval"}]
    # A 10-second (high-resolution) alarm: evaluated every 10 s against the last period's data.
    cw.put_metric_alarm(AlarmName="errors-high", Namespace="Seed/Eval", MetricName="Errors", Dimensions=dims,
                        Statistic="Maximum", Period=10, EvaluationPeriods=1, Threshold=5,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="missing")
    cw.put_metric_data(Namespace="Seed/Eval", MetricData=[{"MetricName": "Errors", "Dimensions": dims, "Value": 9,
                                                           "StorageResolution": 1}])
    state, deadline = None, time.monotonic() + 25
    while time.monotonic() < deadline:
        alarm = cw.describe_alarms(AlarmNames=["errors-high"])["MetricAlarms"][0]
        state = alarm["StateValue"]
        if state == "ALARM":
            break
        time.sleep(1)
    check_eq(state, "ALARM", "a datapoint above the threshold puts the alarm in ALARM at its next evaluation")
    check("Threshold Crossed" in alarm["StateReason"], "the reason says the threshold was crossed", "Threshold Crossed",
          alarm["StateReason"])
    # No more data: the next evaluation finds none and says so (TreatMissingData missing).
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and state == "ALARM":
        state = cw.describe_alarms(AlarmNames=["errors-high"])["MetricAlarms"][0]["StateValue"]
        time.sleep(1)
    check_eq(state, "INSUFFICIENT_DATA", "with no data in the period, the alarm goes to INSUFFICIENT_DATA")
    cw.delete_alarms(AlarmNames=["errors-high"])


def test_logs(t):
    logs = t.client("logs")
    group = "/aws/medialive/" + harness.unique("channel")
    logs.create_log_group(logGroupName=group, tags={"env": "ci"})
    expect_error(lambda: logs.create_log_group(logGroupName=group), 400, "ResourceAlreadyExistsException",
                 "a second group of the same name")
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    g = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    check_eq((g["logGroupName"], g["retentionInDays"]), (group, 7), "DescribeLogGroups with retention")
    check_eq(logs.list_tags_for_resource(resourceArn=g["arn"])["tags"], {"env": "ci"}, "tags by the group's ARN")
    for stream in ("pipeline-0", "pipeline-1"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    base = int(datetime.datetime.now().timestamp() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="pipeline-0", logEvents=[
        {"timestamp": base + i, "message": f"event {i} {'ERROR input lost' if i % 3 == 0 else 'ok'}"}
        for i in range(10)])
    logs.put_log_events(logGroupName=group, logStreamName="pipeline-1",
                        logEvents=[{"timestamp": base + 5, "message": "ERROR from the other pipeline"}])
    got = logs.get_log_events(logGroupName=group, logStreamName="pipeline-0", startFromHead=True, limit=4)
    check_eq([e["message"][:7] for e in got["events"]], ["event 0", "event 1", "event 2", "event 3"],
             "GetLogEvents from the head, limited")
    more = logs.get_log_events(logGroupName=group, logStreamName="pipeline-0", startFromHead=True, limit=4,
                               nextToken=got["nextForwardToken"])
    check_eq(more["events"][0]["message"][:7], "event 4", "the forward token continues")
    found = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    check_eq(len(found), 5, "FilterLogEvents with a term across both streams (4 + 1)")
    check_eq(sorted({e["logStreamName"] for e in found}), ["pipeline-0", "pipeline-1"], "each event names its stream")
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
    check_eq([s["logStreamName"] for s in streams], ["pipeline-0", "pipeline-1"], "DescribeLogStreams by last event")
    expect_error(lambda: logs.put_log_events(logGroupName=group, logStreamName="missing",
                                             logEvents=[{"timestamp": base, "message": "x"}]),
                 400, "ResourceNotFoundException", "PutLogEvents into a missing stream")
    for label, v2 in harness.aws_clis():
        r = t.cli(["logs", "describe-log-streams", "--log-group-name", group, "--query",
                    "logStreams[].logStreamName", "--output", "text"], v2)
        check_eq((r.returncode, sorted(r.stdout.split())), (0, ["pipeline-0", "pipeline-1"]),
                 f"{label}: seed 003's logs describe-log-streams")
    logs.delete_log_group(logGroupName=group)
    expect_error(lambda: logs.describe_log_streams(logGroupName=group), 400, "ResourceNotFoundException",
                 "DeleteLogGroup takes its streams")


def test_ecr_repositories(t):
    ecr = t.client("ecr")
    name = harness.unique("cdk-hnb659fds-container-assets")
    repo = ecr.create_repository(repositoryName=name, imageScanningConfiguration={"scanOnPush": True},
                                 tags=[{"Key": "env", "Value": "ci"}])["repository"]
    check_eq(repo["repositoryUri"], f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}", "repository URI")
    check_eq(repo["imageTagMutability"], "MUTABLE", "default tag mutability")
    expect_error(lambda: ecr.create_repository(repositoryName=name), 400, "RepositoryAlreadyExistsException",
                 "a second repository of the same name")
    policy = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged",
                         "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
                         "action": {"type": "expire"}}]})
    expect_error(lambda: ecr.get_lifecycle_policy(repositoryName=name), 400, "LifecyclePolicyNotFoundException",
                 "no lifecycle policy yet")
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=policy)
    check_eq(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"], policy, "lifecycle policy")
    check_eq(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"], [{"Key": "env", "Value": "ci"}],
             "tags by ARN")
    check_eq(ecr.list_images(repositoryName=name)["imageIds"], [], "nothing can be pushed: no images")
    check_eq([r["repositoryName"] for r in ecr.describe_repositories(repositoryNames=[name])["repositories"]], [name],
             "DescribeRepositories by name")
    ecr.delete_repository(repositoryName=name, force=True)
    expect_error(lambda: ecr.describe_repositories(repositoryNames=[name]), 400, "RepositoryNotFoundException",
                 "a deleted repository is gone")


def test_clis(t):
    found = harness.aws_clis()
    if not found:
        print("    SKIP no AWS CLI on this machine")
        return
    for label, v2 in found:
        r = t.cli(["sts", "get-caller-identity", "--query", "Account", "--output", "text"], v2)
        check_eq((r.returncode, r.stdout.strip()), (0, "123456789012"), f"{label}: sts get-caller-identity")
        role = harness.unique("cli-role")
        r = t.cli(["iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST)], v2)
        check_eq(r.returncode, 0, f"{label}: iam create-role ({r.stderr.strip()[:200]})")
        r = t.cli(["iam", "get-role", "--role-name", role, "--query", "Role.Arn", "--output", "text"], v2)
        check_eq(r.stdout.strip(), f"arn:aws:iam::123456789012:role/{role}", f"{label}: iam get-role --query")
        r = t.cli(["iam", "get-role", "--role-name", "missing-" + role], v2)
        check(r.returncode != 0 and "NoSuchEntity" in r.stderr, f"{label}: a missing role names NoSuchEntity",
              "NoSuchEntity", r.stderr.strip()[:300])
        t.cli(["iam", "delete-role", "--role-name", role], v2)
        r = t.cli(["secretsmanager", "get-random-password", "--password-length", "16", "--exclude-punctuation",
                    "--query", "RandomPassword", "--output", "text"], v2)
        check(r.returncode == 0 and len(r.stdout.strip()) == 16, f"{label}: secretsmanager get-random-password",
              "16 characters", r.stdout + r.stderr)
        secret = harness.unique("cli-secret")
        r = t.cli(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "s3cr3t"], v2)
        check_eq(r.returncode, 0, f"{label}: secretsmanager create-secret ({r.stderr.strip()[:200]})")
        r = t.cli(["secretsmanager", "get-secret-value", "--secret-id", secret, "--query", "SecretString",
                    "--output", "text"], v2)
        check_eq(r.stdout.strip(), "s3cr3t", f"{label}: secretsmanager get-secret-value")


def test_bad_input_in_each_protocol(t):
    # query: an unknown Action, a missing required member, a wrong type.
    r = t.request("POST", "/", "Action=NoSuchAction&Version=2010-05-08", service="iam",
                  content_type="application/x-www-form-urlencoded")
    check(r.status == 400 and b"<Code>InvalidAction</Code>" in r.body and b"<ErrorResponse" in r.body,
          "query: unknown Action -> 400 InvalidAction in <ErrorResponse>", "400 InvalidAction", r)
    r = t.request("POST", "/", "Action=CreateRole&Version=2010-05-08&RoleName=x", service="iam",
                  content_type="application/x-www-form-urlencoded")
    check(r.status == 400 and b"<Code>ValidationError</Code>" in r.body and b"AssumeRolePolicyDocument" in r.body,
          "query: a missing required member -> 400 ValidationError naming it", "400 ValidationError", r)
    r = t.request("POST", "/", "Action=CreateRole&Version=2010-05-08&RoleName=x&AssumeRolePolicyDocument=%7B%7D"
                  "&MaxSessionDuration=abc", service="iam", content_type="application/x-www-form-urlencoded")
    check(r.status == 400 and b"MaxSessionDuration" in r.body, "query: a wrong type -> 400 naming the member", 400, r)
    check(t.client("iam").list_roles(PathPrefix="/x")["Roles"] == [], "nothing was created by the refused requests")
    # json: malformed body, wrong type, unknown target.
    headers = {"X-Amz-Target": "secretsmanager.CreateSecret"}
    r = t.request("POST", "/", b"{not json", service="secretsmanager", content_type="application/x-amz-json-1.1",
                  headers=headers)
    check(r.status == 400 and r.json().get("__type") == "SerializationException",
          "json: malformed body -> 400 SerializationException in __type", "400", r)
    r = t.request("POST", "/", json.dumps({"Name": ["a", "list"]}), service="secretsmanager",
                  content_type="application/x-amz-json-1.1", headers=headers)
    check(r.status == 400 and "Name" in r.json().get("message", ""), "json: a list where a string belongs -> 400", 400, r)
    r = t.request("POST", "/", "{}", service="secretsmanager", content_type="application/x-amz-json-1.1",
                  headers={"X-Amz-Target": "secretsmanager.Bogus"})
    check(r.status == 400 and r.json().get("__type") == "UnknownOperationException",
          "json: unknown target -> 400 UnknownOperationException", 400, r)
    check_eq(t.client("secretsmanager").list_secrets(Filters=[{"Key": "name", "Values": ["a"]}])["SecretList"], [],
             "nothing was created by the refused requests")


def test_state_survives_kill9(t):
    iam, sm = t.client("iam"), t.client("secretsmanager")
    role, secret = harness.unique("durable"), harness.unique("durable")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(POLICY))
    sm.create_secret(Name=secret, SecretString="kept")
    t.server.restart(hard=True)
    iam, sm = t.client("iam"), t.client("secretsmanager")
    check_eq(iam.get_role_policy(RoleName=role, PolicyName="p")["PolicyDocument"], POLICY,
             "an IAM role and its inline policy survive kill -9")
    check_eq(sm.get_secret_value(SecretId=secret)["SecretString"], "kept", "a secret survives kill -9")


harness.main(globals())
