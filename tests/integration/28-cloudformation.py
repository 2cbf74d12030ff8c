# timeout: 420
"""CloudFormation with real clients: seed 004's template (fixtures/cloudformation) deploys with the
AWS CLI exactly as its README says (create-stack, wait, describe-stacks --query), its Outputs give
the RTMP and playback URLs, ffmpeg pushes to the input the stack made and ffprobe reads the
segments at the Outputs' HLS URL; update-stack changes the channel's bitrate in place;
delete-stack removes every resource. Seed 003's template (MediaConnect flows -> MEDIACONNECT
input -> STANDARD channel -> MediaPackage) deploys with `aws cloudformation deploy`, twice (the
second run: no changes, exit 0). Failure paths: an invalid channel setting rolls back with events
naming the resource and the reason and leaves nothing; a cycle, an unknown function, a missing
parameter and malformed YAML are ValidationErrors before anything exists; a custom resource and a
type with no provider fail clearly (or get placeholders with --cfn-unsupported=placeholder);
exports, imports and termination protection; a nested stack from a TemplateURL; a CloudFront distribution in front of the stack's bucket; AWS::KMS::Key/Alias, Fn::ForEach loops and a multiplex's Destinations; kill -9 in the middle of a deploy comes back rolled
back. Needs boto3, the AWS CLIs, ffmpeg and ffprobe; exits 77 naming whichever is missing.
"""

import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import media  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SEED_003 = REPO / "fixtures/cloudformation/seed-003-live-event.yaml"
SEED_004 = REPO / "fixtures/cloudformation/seed-004-streaming-platform.yaml"
S = {}


def wait_status(t, stack: str, done=lambda s: not s.endswith("_IN_PROGRESS"), timeout: float = 60) -> str:
    cf = t.client("cloudformation")
    deadline, status = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        status = cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if done(status):
            return status
        time.sleep(0.1)
    return status


def outputs(t, stack: str) -> dict:
    s = t.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o.get("OutputValue") for o in s.get("Outputs", [])}


def events(t, stack: str) -> list:
    """(logical id, status, reason), oldest first."""
    evs = t.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")) for e in reversed(evs)]


def cli_ok(t, argv: list, v2: bool, what: str):
    r = t.cli(argv, v2)
    check(r.returncode == 0, f"{what}: exit 0", 0, f"{r.returncode}: {r.stderr.strip()[-600:]}")
    return r


def test_validate_template_with_both_clis(t):
    for label, v2 in harness.aws_clis():
        r = cli_ok(t, ["cloudformation", "validate-template", "--template-body", f"file://{SEED_004}"], v2,
                   f"{label} validate-template")
        if r.returncode == 0:
            doc = json.loads(r.stdout)
            check_eq(sorted(p["ParameterKey"] for p in doc["Parameters"]),
                     ["ArchiveRetentionDays", "EnableDRM", "EnableLowLatency", "Environment", "PlatformName", "VideoBitrate"],
                     f"{label}: the template's parameters")
            check_eq(doc.get("Capabilities"), ["CAPABILITY_IAM"], f"{label}: an unnamed IAM role needs CAPABILITY_IAM")


def test_seed_004_create_stack_as_its_readme_says(t):
    label, v2 = harness.aws_clis()[-1]
    S["platform"] = harness.unique("platform")
    S["stack"] = "video-streaming-platform"
    r = t.cli(["cloudformation", "create-stack", "--stack-name", S["stack"], "--template-body", f"file://{SEED_004}",
               "--parameters", f"ParameterKey=PlatformName,ParameterValue={S['platform']}"], v2)
    check(r.returncode != 0 and "InsufficientCapabilities" in r.stderr and "CAPABILITY_IAM" in r.stderr,
          f"{label}: without --capabilities the stack is refused, naming CAPABILITY_IAM", "InsufficientCapabilities",
          r.stderr.strip())
    cli_ok(t, ["cloudformation", "create-stack", "--stack-name", S["stack"], "--template-body", f"file://{SEED_004}",
               "--parameters", f"ParameterKey=PlatformName,ParameterValue={S['platform']}", "--capabilities",
               "CAPABILITY_IAM", "--tags", "Key=Environment,Value=Production", "Key=Service,Value=StreamingPlatform"],
           v2, f"{label} create-stack")
    cli_ok(t, ["cloudformation", "wait", "stack-create-complete", "--stack-name", S["stack"]], v2, f"{label} wait")
    for label, v2 in harness.aws_clis():
        r = cli_ok(t, ["cloudformation", "describe-stacks", "--stack-name", S["stack"], "--query", "Stacks[0].StackStatus",
                       "--output", "text"], v2, f"{label} describe-stacks")
        check_eq(r.stdout.strip(), "CREATE_COMPLETE", f"{label}: the stack's status")
        r = cli_ok(t, ["cloudformation", "describe-stacks", "--stack-name", S["stack"], "--query",
                       "Stacks[0].Outputs[?OutputKey==`MediaLiveChannelId`].OutputValue", "--output", "text"], v2,
                   f"{label} the channel id output")
        S["channel"] = r.stdout.strip()
    out = outputs(t, S["stack"])
    S["outputs"] = out
    check(out.get("PrimaryRTMPEndpoint", "").startswith(f"rtmp://127.0.0.1:{t.server.rtmp_port}/"),
          "PrimaryRTMPEndpoint is the input's first RTMP destination", f"rtmp://127.0.0.1:{t.server.rtmp_port}/...",
          out.get("PrimaryRTMPEndpoint"))
    check(out.get("HLSPlaybackURL", "").startswith(t.endpoint + "/out/v1/"), "HLSPlaybackURL is the endpoint's URL",
          t.endpoint + "/out/v1/...", out.get("HLSPlaybackURL"))
    check(out.get("DRMKeyArn", "").startswith("arn:aws:secretsmanager:"), "DRMKeyArn (EnableDRM defaults to true)")
    ml = t.client("medialive")
    channel = ml.describe_channel(ChannelId=S["channel"])
    check_eq(channel["State"], "IDLE", "the stack's channel, read with the MediaLive API")
    check_eq(channel["Tags"].get("Platform"), S["platform"], "its Tags (a JSON object, resolved from !Ref)")
    check_eq(channel["Destinations"][0]["MediaPackageSettings"][0]["ChannelId"], f"{S['platform']}-package",
             "its MediaPackage destination is the stack's channel")
    secret = json.loads(t.client("secretsmanager").get_secret_value(SecretId=out["DRMKeyArn"])["SecretString"])
    check(secret.get("keyId") == "platform" and len(secret.get("key", "")) == 32,
          "GenerateSecretString put a 32-character key into the template JSON", {"keyId": "platform", "key": "32 chars"}, secret)
    rules = t.client("s3").get_bucket_lifecycle_configuration(Bucket=out["ArchiveBucketName"])["Rules"]
    check_eq(rules[0]["Expiration"]["Days"], 30, "the bucket's lifecycle rule (ExpirationInDays from a Number parameter)")
    res = t.client("cloudformation").describe_stack_resource(StackName=S["stack"], LogicalResourceId="LiveChannel")
    check_eq(res["StackResourceDetail"]["PhysicalResourceId"], S["channel"], "describe-stack-resource")


def test_update_stack_changes_the_bitrate_in_place(t):
    label, v2 = harness.aws_clis()[0]
    cli_ok(t, ["cloudformation", "update-stack", "--stack-name", S["stack"], "--use-previous-template",
               "--parameters", "ParameterKey=PlatformName,UsePreviousValue=true",
               "ParameterKey=VideoBitrate,ParameterValue=1200000", "--capabilities", "CAPABILITY_IAM"], v2,
           f"{label} update-stack")
    cli_ok(t, ["cloudformation", "wait", "stack-update-complete", "--stack-name", S["stack"]], v2, f"{label} wait")
    channel = t.client("medialive").describe_channel(ChannelId=S["channel"])
    check_eq(channel["Id"], S["channel"], "the same channel (updated in place, not replaced)")
    check_eq(channel["EncoderSettings"]["VideoDescriptions"][0]["CodecSettings"]["H264Settings"]["Bitrate"], 1200000,
             "the new bitrate")
    changed = [e for e in events(t, S["stack"]) if e[1].startswith("UPDATE")]
    check_eq([e[0] for e in changed], [S["stack"], "LiveChannel", "LiveChannel", S["stack"], S["stack"]],
             "only the channel was updated")
    r = t.cli(["cloudformation", "update-stack", "--stack-name", S["stack"], "--use-previous-template", "--parameters",
               "ParameterKey=PlatformName,UsePreviousValue=true", "ParameterKey=VideoBitrate,UsePreviousValue=true",
               "--capabilities", "CAPABILITY_IAM"], v2)
    check(r.returncode != 0 and "No updates are to be performed." in r.stderr, "an update with no changes is refused",
          "No updates are to be performed.", r.stderr.strip())


def test_the_stack_s_channel_takes_an_rtmp_push(t):
    ml = t.client("medialive")
    ml.start_channel(ChannelId=S["channel"])
    ml.get_waiter("channel_running").wait(ChannelId=S["channel"], WaiterConfig={"Delay": 1})
    push = media.Push(S["outputs"]["PrimaryRTMPEndpoint"], 16, size="640x360", log_dir=t.server.tmp).start()
    pl = media.wait_for_variant(S["outputs"]["HLSPlaybackURL"], "the stack's HLS endpoint")
    push.stop()
    if check(pl is not None, "segments at the HLSPlaybackURL output", ">= 2 segments", None):
        video = media.probe_last_segment(pl, Path(t.server.tmp) / "segment.ts")
        check(video and video.get("codec_name") == "h264" and video.get("height") in (360, 234),
              "ffprobe: an H.264 rendition of the stack's ladder", "h264 360p/234p", video)


def test_delete_stack_removes_every_resource(t):
    label, v2 = harness.aws_clis()[0]
    out = S["outputs"]
    cli_ok(t, ["cloudformation", "delete-stack", "--stack-name", S["stack"]], v2, f"{label} delete-stack")
    cli_ok(t, ["cloudformation", "wait", "stack-delete-complete", "--stack-name", S["stack"]], v2, f"{label} wait")
    r = t.cli(["cloudformation", "describe-stacks", "--stack-name", S["stack"]], v2)
    check(f"Stack with id {S['stack']} does not exist" in r.stderr, "describe-stacks of the deleted stack",
          f"Stack with id {S['stack']} does not exist", r.stderr.strip())
    check_eq(t.client("medialive").describe_channel(ChannelId=S["channel"])["State"], "DELETED",
             "the running channel was stopped and deleted")
    expect_error(lambda: t.client("mediapackage").describe_channel(Id=f"{S['platform']}-package"), 404,
                 "NotFoundException", "the MediaPackage channel is gone")
    expect_error(lambda: t.client("s3").head_bucket(Bucket=out["ArchiveBucketName"]), 404, "404", "the bucket is gone")
    expect_error(lambda: t.client("secretsmanager").describe_secret(SecretId=out["DRMKeyArn"]), 400,
                 "ResourceNotFoundException", "the secret is gone")
    summaries = t.client("cloudformation").list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    check(any(s["StackName"] == S["stack"] for s in summaries), "list-stacks still shows it as DELETE_COMPLETE")


def test_seed_003_deploys_with_cloudformation_deploy_twice(t):
    ports = [harness.free_port(harness.socket.SOCK_DGRAM) for _ in range(2)]
    S["live"] = "live-event-broadcasting"
    for run, (label, v2) in enumerate([harness.aws_clis()[0], harness.aws_clis()[-1]]):
        if run:
            # Both CLIs name their change set awscli-cloudformation-package-deploy-<epoch second>, and
            # an executed change set stays listed (CloudFormation deletes only the *other* change
            # sets of a stack it executes one of), so a second deploy within the second the first
            # one's change set was made in reuses the name and gets AlreadyExistsException, here as
            # on AWS: start it in a later second.
            time.sleep(max(0.0, int(first_done) + 1.05 - time.time()))
        r = t.cli(["cloudformation", "deploy", "--template-file", str(SEED_003), "--stack-name", S["live"],
                   "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "ProjectName=live-demo",
                   f"PrimaryIngestPort={ports[0]}", f"BackupIngestPort={ports[1]}"], v2)
        if run == 0:
            first_done = time.time()
            check(r.returncode == 0 and "Successfully created/updated stack" in r.stdout, f"{label} deploy creates the stack",
                  "Successfully created/updated stack", (r.returncode, r.stdout.strip()[-300:], r.stderr.strip()[-600:]))
        else:
            check(r.returncode == 0 and "No changes to deploy" in r.stdout, f"{label} deploy again: no changes, exit 0",
                  "No changes to deploy", (r.returncode, r.stdout.strip()[-300:], r.stderr.strip()[-600:]))
    out = outputs(t, S["live"])
    check_eq(out.get("PrimaryIngestEndpoint"), f"127.0.0.1:{ports[0]}", "the primary flow's ingest IP and port")
    for label, v2 in harness.aws_clis():
        r = cli_ok(t, ["mediaconnect", "describe-flow", "--flow-arn", out.get("PrimaryFlowArn", ""), "--query",
                       "Flow.[Status, Source.IngestPort]", "--output", "json"], v2, f"{label} describe-flow")
        if r.returncode == 0:
            check_eq(json.loads(r.stdout), ["STANDBY", ports[0]], f"{label}: the stack's flow, read as the seed reads it")
    inp = t.client("medialive").describe_input(InputId=out["MediaLiveInputId"])
    check_eq([f["FlowArn"] for f in inp.get("MediaConnectFlows", [])], [out["PrimaryFlowArn"], out["BackupFlowArn"]],
             "the MEDIACONNECT input names both flows")
    alarm = t.client("cloudwatch").describe_alarms(AlarmNames=["live-demo-input-frame-rate"])["MetricAlarms"]
    check(alarm and alarm[0]["AlarmActions"] == [out["AlertTopicArn"]], "the alarm notifies the stack's topic",
          out["AlertTopicArn"], alarm and alarm[0]["AlarmActions"])


def test_seed_003_stack_carries_rtp_from_its_flows_to_its_hls_endpoint(t):
    out = outputs(t, S["live"])
    mc, ml = t.client("mediaconnect"), t.client("medialive")
    for arn in (out["PrimaryFlowArn"], out["BackupFlowArn"]):
        mc.start_flow(FlowArn=arn)
    ml.start_channel(ChannelId=out["MediaLiveChannelId"])
    ml.get_waiter("channel_running").wait(ChannelId=out["MediaLiveChannelId"], WaiterConfig={"Delay": 1})
    sender = media.Push(f"rtp://{out['PrimaryIngestEndpoint']}", 16, size="320x180", rate=25, log_dir=Path(t.server.tmp),
                        label="rtp-sender", container="rtp_mpegts", preset="ultrafast", video_bitrate="300k",
                        audio_bitrate="64k").start()
    pl = media.wait_for_variant(out["HlsEndpointUrl"], "seed 003's HLS endpoint")
    sender.stop()
    ml.stop_channel(ChannelId=out["MediaLiveChannelId"])
    if check(pl is not None, "segments at the HlsEndpointUrl output, from RTP into the flow", ">= 2 segments", None):
        video = media.probe_last_segment(pl, Path(t.server.tmp) / "seed003.ts")
        check(video and video.get("codec_name") == "h264" and video.get("height") == 360,
              "ffprobe: the stack's 640x360 H.264 rendition", "h264 360", video)


def test_exports_imports_and_termination_protection(t):
    cf = t.client("cloudformation")
    exports = {e["Name"]: e["Value"] for e in cf.list_exports()["Exports"]}
    check_eq(exports.get(f"{S['live']}-AlertTopicArn"), outputs(t, S["live"])["AlertTopicArn"], "list-exports")
    importer = "alerts-subscriber"
    body = json.dumps({"Resources": {"Param": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": {"Fn::ImportValue": f"{S['live']}-AlertTopicArn"}}}}})
    cf.create_stack(StackName=importer, TemplateBody=body)
    check_eq(wait_status(t, importer), "CREATE_COMPLETE", "a stack importing the export")
    check_eq(cf.list_imports(ExportName=f"{S['live']}-AlertTopicArn")["Imports"], [importer], "list-imports")
    # As on AWS, the deletion itself fails: DELETE_FAILED, with the reason, and nothing deleted.
    cf.delete_stack(StackName=S["live"])
    check_eq(wait_status(t, S["live"]), "DELETE_FAILED", "an exporter whose export is in use is not deleted")
    reason = cf.describe_stacks(StackName=S["live"])["Stacks"][0].get("StackStatusReason", "")
    check(f"in use by {importer}" in reason, "... and its reason names the importer", f"in use by {importer}", reason)
    status = t.client("mediaconnect").describe_flow(FlowArn=outputs(t, S["live"])["PrimaryFlowArn"])["Flow"]["Status"]
    check(status in ("ACTIVE", "STANDBY"), "... its resources are still there (the flow, started above)", "ACTIVE",
          status)
    cf.update_termination_protection(StackName=importer, EnableTerminationProtection=True)
    expect_error(lambda: cf.delete_stack(StackName=importer), 400, "ValidationError", "termination protection")
    cf.update_termination_protection(StackName=importer, EnableTerminationProtection=False)
    for name in (importer, S["live"]):
        cf.delete_stack(StackName=name)
        cf.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
    check_eq([f for f in t.client("mediaconnect").list_flows()["Flows"] if f["Name"].startswith("live-demo")], [],
             "deleting seed 003's stack removed its flows")


def test_an_invalid_channel_setting_rolls_back_and_leaves_nothing(t):
    cf, ml = t.client("cloudformation"), t.client("medialive")
    tpl = SEED_004.read_text().replace("Width: 640", "Width: wide")
    stack = "broken-platform"
    platform = harness.unique("broken")
    cf.create_stack(StackName=stack, TemplateBody=tpl, Capabilities=["CAPABILITY_IAM"],
                    Parameters=[{"ParameterKey": "PlatformName", "ParameterValue": platform}])
    check_eq(wait_status(t, stack), "ROLLBACK_COMPLETE", "the stack rolled back")
    evs = events(t, stack)
    failed = [e for e in evs if e[1] == "CREATE_FAILED"]
    check(failed and failed[0][0] == "LiveChannel" and "Width" in failed[0][2],
          "the event names the channel and the bad property", "LiveChannel ... Width", failed)
    stack_reason = [e[2] for e in evs if e[0] == stack and e[1] == "ROLLBACK_IN_PROGRESS"]
    check(stack_reason and "[LiveChannel]" in stack_reason[0], "the stack's reason names the resource", "[LiveChannel]",
          stack_reason)
    created = {e[0] for e in evs if e[1] == "CREATE_COMPLETE"}
    deleted = {e[0] for e in evs if e[1] == "DELETE_COMPLETE"}
    check(created and created <= deleted, "everything created was deleted", created, deleted)
    check_eq([i for i in ml.list_inputs()["Inputs"] if i["Name"].startswith(platform)], [], "no input left behind")
    expect_error(lambda: t.client("mediapackage").describe_channel(Id=f"{platform}-package"), 404, "NotFoundException",
                 "no MediaPackage channel left behind")
    cf.delete_stack(StackName=stack)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1})


def test_bad_templates_are_validation_errors_before_anything_exists(t):
    label, v2 = harness.aws_clis()[-1]
    cases = {
        "a cycle": ("Resources:\n  A: {Type: AWS::SNS::Topic, Properties: {DisplayName: !GetAtt B.TopicName}}\n"
                    "  B: {Type: AWS::SNS::Topic, DependsOn: A}\n", "Circular dependency between resources: [A, B]"),
        "an unknown function": ('{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": '
                                '{"Fn::Reverse": "x"}}}}}', "Encountered unsupported function: Fn::Reverse"),
        "a missing parameter": ("Parameters:\n  Name: {Type: String}\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
                                "Parameters: [Name] must have values"),
        "malformed YAML": ("Resources:\n  A: {Type: AWS::SNS::Topic\n", "YAML not well-formed"),
        "an unresolved Ref": ("Resources:\n  A: {Type: AWS::SNS::Topic, Properties: {DisplayName: !Ref Nope}}\n",
                              "Unresolved resource dependencies [Nope]"),
    }
    for what, (body, message) in cases.items():
        path = Path(t.server.tmp) / "bad.yaml"
        path.write_text(body)
        r = t.cli(["cloudformation", "create-stack", "--stack-name", "bad-template", "--template-body", f"file://{path}"], v2)
        check(r.returncode != 0 and "ValidationError" in r.stderr and message in r.stderr, f"{label}: {what}", message,
              r.stderr.strip())
    r = t.cli(["cloudformation", "describe-stacks", "--stack-name", "bad-template"], v2)
    check("Stack with id bad-template does not exist" in r.stderr, "no stack was made", "does not exist", r.stderr.strip())


def test_a_nested_stack_from_a_template_url(t):
    cf, s3, ssm = t.client("cloudformation"), t.client("s3"), t.client("ssm")
    bucket = harness.unique("templates")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="child.yaml", Body=(
        "Parameters:\n  Name: {Type: String}\nResources:\n  Param:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Name: !Sub '/nested/${Name}', Type: String, Value: child}\n"
        "Outputs:\n  ParamName: {Value: !Ref Param}\n").encode())
    # The URL form CDK sends: virtual-hosted names are not needed, the path names the bucket.
    parent = {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {
        "TemplateURL": f"https://s3.{harness.REGION}.amazonaws.com/{bucket}/child.yaml", "Parameters": {"Name": "demo"}}}},
        "Outputs": {"FromChild": {"Value": {"Fn::GetAtt": ["Child", "Outputs.ParamName"]}}}}
    cf.create_stack(StackName="parent", TemplateBody=json.dumps(parent))
    check_eq(wait_status(t, "parent"), "CREATE_COMPLETE", "the parent, once its nested stack is complete")
    check_eq(outputs(t, "parent").get("FromChild"), "/nested/demo", "GetAtt Child.Outputs.ParamName")
    check_eq(ssm.get_parameter(Name="/nested/demo")["Parameter"]["Value"], "child", "the child's resource")
    child_id = cf.describe_stack_resource(StackName="parent", LogicalResourceId="Child")["StackResourceDetail"]["PhysicalResourceId"]
    check_eq(cf.describe_stacks(StackName=child_id)["Stacks"][0]["StackStatus"], "CREATE_COMPLETE", "the child stack")
    cf.delete_stack(StackName="parent")
    cf.get_waiter("stack_delete_complete").wait(StackName="parent", WaiterConfig={"Delay": 1})
    check_eq(cf.describe_stacks(StackName=child_id)["Stacks"][0]["StackStatus"], "DELETE_COMPLETE", "the child went with it")
    expect_error(lambda: ssm.get_parameter(Name="/nested/demo"), 400, "ParameterNotFound", "... and so did its resource")


def test_a_cloudfront_distribution_in_front_of_the_stack_s_bucket(t):
    cf, s3 = t.client("cloudformation"), t.client("s3")
    bucket = harness.unique("site")
    tpl = f"""
Resources:
  Site:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties: {{BucketName: {bucket}}}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Comment: seed 004's CDN
        DefaultRootObject: index.html
        Origins:
          - Id: site
            DomainName: !GetAtt Site.RegionalDomainName
            S3OriginConfig: {{OriginAccessIdentity: ''}}
        DefaultCacheBehavior:
          TargetOriginId: site
          ViewerProtocolPolicy: redirect-to-https
          AllowedMethods: [GET, HEAD, OPTIONS]
          CachedMethods: [GET, HEAD]
          ForwardedValues: {{QueryString: false, Cookies: {{Forward: none}}}}
        CustomErrorResponses:
          - {{ErrorCode: 404, ResponseCode: 200, ResponsePagePath: /index.html}}
        Restrictions: {{GeoRestriction: {{RestrictionType: none}}}}
Outputs:
  CdnDomain: {{Value: !GetAtt Cdn.DomainName}}
  CdnId: {{Value: !Ref Cdn}}
"""
    cf.create_stack(StackName="cdn", TemplateBody=tpl)
    if not check_eq(wait_status(t, "cdn"), "CREATE_COMPLETE", "a distribution whose origin is the stack's bucket"):
        print("\n".join(f"      {e}" for e in events(t, "cdn")))
        return
    out = outputs(t, "cdn")
    config = t.client("cloudfront").get_distribution_config(Id=out["CdnId"])["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]
    check_eq(behavior["AllowedMethods"]["CachedMethods"]["Items"], ["GET", "HEAD"],
             "CloudFormation's lists became the API's {Quantity, Items} (CachedMethods inside AllowedMethods)")
    check_eq(config["Origins"]["Items"][0]["DomainName"], f"{bucket}.s3.{harness.REGION}.amazonaws.com", "the origin")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>player</h1>", ContentType="text/html")
    host, port = t.endpoint.split("//", 1)[1].split(":")
    import http.client
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/", headers={"Host": f"{out['CdnDomain']}:{port}"})
    r = conn.getresponse()
    check_eq((r.status, r.read()), (200, b"<h1>player</h1>"), "the edge serves the bucket's default root object")
    conn.close()
    cf.delete_stack(StackName="cdn")
    cf.get_waiter("stack_delete_complete").wait(StackName="cdn", WaiterConfig={"Delay": 1})
    expect_error(lambda: t.client("cloudfront").get_distribution(Id=out["CdnId"]), 404, "NoSuchDistribution",
                 "deleting the stack disabled and deleted the distribution")
    check(s3.head_bucket(Bucket=bucket) is not None, "the bucket (DeletionPolicy Retain) stays")


def test_a_multiplex_with_a_program_and_language_extensions(t):
    cf, ml = t.client("cloudformation"), t.client("medialive")
    tpl = """
Transform: AWS::LanguageExtensions
Parameters:
  Zones: {Type: CommaDelimitedList, Default: 'us-east-1a,us-east-1b'}
Resources:
  Mux:
    Type: AWS::MediaLive::Multiplex
    Properties:
      Name: stack-mux
      AvailabilityZones: !Ref Zones
      MultiplexSettings: {TransportStreamBitrate: 1000000, TransportStreamId: 1}
      Tags: [{Key: suite, Value: '28'}]
  Program:
    Type: AWS::MediaLive::Multiplexprogram
    Properties:
      MultiplexId: !Ref Mux
      ProgramName: news
      MultiplexProgramSettings: {ProgramNumber: 1}
Outputs:
  MuxArn: {Value: !GetAtt Mux.Arn}
  ProgramChannel: {Value: !GetAtt Program.ChannelId}
  ZoneCount: {Value: !ToJsonString {count: !Length {Ref: Zones}}}
"""
    cf.create_stack(StackName="mux", TemplateBody=tpl)
    if not check_eq(wait_status(t, "mux"), "CREATE_COMPLETE", "a multiplex and its program"):
        print("\n".join(f"      {e}" for e in events(t, "mux")))
        return
    out = outputs(t, "mux")
    mux_id = out["MuxArn"].rsplit(":", 1)[-1]
    mux = ml.describe_multiplex(MultiplexId=mux_id)
    check_eq((mux["State"], mux["ProgramCount"], mux["Tags"]), ("IDLE", 1, {"suite": "28"}), "the multiplex, read back")
    check_eq(out.get("ZoneCount"), '{"count":2}', "Fn::Length and Fn::ToJsonString (AWS::LanguageExtensions)")
    cf.delete_stack(StackName="mux")
    cf.get_waiter("stack_delete_complete").wait(StackName="mux", WaiterConfig={"Delay": 1})
    check_eq(ml.describe_multiplex(MultiplexId=mux_id)["State"], "DELETED", "deleting the stack deleted the multiplex")


KMS_LOOPS_AND_DESTINATIONS = """
Transform: AWS::LanguageExtensions
Parameters:
  Renditions: {Type: CommaDelimitedList, Default: '1080p,720p,480p'}
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: stack key
      EnableKeyRotation: true
      PendingWindowInDays: 7
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - {Sid: stack-root, Effect: Allow, Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'},
             Action: 'kms:*', Resource: '*'}
      Tags: [{Key: suite, Value: '28'}]
  Alias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/stack-media
      TargetKeyId: !Ref Key
  Fn::ForEach::Renditions:
    - Rendition
    - !Ref Renditions
    - Param&{Rendition}:
        Type: AWS::SSM::Parameter
        Properties:
          Name: !Sub /stack/renditions/${Rendition}
          Type: String
          Value: !Sub '${Rendition} under ${Key}'
  Mux:
    Type: AWS::MediaLive::Multiplex
    Properties:
      Name: stack-mux-destinations
      AvailabilityZones: [!Sub '${AWS::Region}a', !Sub '${AWS::Region}b']
      MultiplexSettings: {TransportStreamBitrate: 1000000, TransportStreamId: 2}
      Destinations:
        - MultiplexMediaConnectOutputDestinationSettings:
            EntitlementArn: !Sub 'arn:aws:mediaconnect:${AWS::Region}:${AWS::AccountId}:entitlement:1-abc:mux-a'
        - MultiplexMediaConnectOutputDestinationSettings:
            EntitlementArn: !Sub 'arn:aws:mediaconnect:${AWS::Region}:${AWS::AccountId}:entitlement:1-def:mux-b'
Outputs:
  KeyArn: {Value: !GetAtt Key.Arn}
  KeyId: {Value: !Ref Key}
  AliasName: {Value: !Ref Alias}
  MuxId: {Value: !Ref Mux}
  Fn::ForEach::Values:
    - Rendition
    - !Ref Renditions
    - Value&{Rendition}: {Value: !GetAtt 'Param&{Rendition}.Value'}
"""


def test_kms_keys_for_each_loops_and_multiplex_destinations(t):
    cf, kms, ssm, ml = t.client("cloudformation"), t.client("kms"), t.client("ssm"), t.client("medialive")
    cf.create_stack(StackName="kms-loops", TemplateBody=KMS_LOOPS_AND_DESTINATIONS,
                    Parameters=[{"ParameterKey": "Renditions", "ParameterValue": "1080p,720p"}])
    if not check_eq(wait_status(t, "kms-loops"), "CREATE_COMPLETE", "a KMS key + alias, looped parameters, a multiplex"):
        print("\n".join(f"      {e}" for e in events(t, "kms-loops")))
        return
    out = outputs(t, "kms-loops")
    key = kms.describe_key(KeyId="alias/stack-media")["KeyMetadata"]
    check_eq((key["KeyId"], key["Arn"], key["Description"], out["AliasName"]),
             (out["KeyId"], out["KeyArn"], "stack key", "alias/stack-media"),
             "AWS::KMS::Key Ref = key id, GetAtt Arn; AWS::KMS::Alias Ref = its name")
    check_eq(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"], True, "EnableKeyRotation")
    check_eq(json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])["Statement"][0]["Sid"],
             "stack-root", "the template's KeyPolicy object is the key's policy")
    check_eq(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], [{"TagKey": "suite", "TagValue": "28"}], "key tags")
    names = sorted(p["Name"] for p in ssm.get_parameters_by_path(Path="/stack/renditions")["Parameters"])
    check_eq(names, ["/stack/renditions/1080p", "/stack/renditions/720p"],
             "Fn::ForEach over the list parameter's given value made one parameter per item")
    check_eq((out.get("Value1080p"), out.get("Value720p")),
             (f"1080p under {key['KeyId']}", f"720p under {key['KeyId']}"), "Fn::ForEach in Outputs, &{} in keys")
    blob = kms.encrypt(KeyId=out["AliasName"], Plaintext=b"stack secret")["CiphertextBlob"]
    check_eq(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"stack secret", "the stack's key encrypts and decrypts")
    mux = ml.describe_multiplex(MultiplexId=out["MuxId"])
    check_eq([d["MediaConnectSettings"]["EntitlementArn"].rsplit(":", 1)[-1] for d in mux["Destinations"]],
             ["mux-a", "mux-b"], "the multiplex's Destinations are the template's entitlements")
    cf.delete_stack(StackName="kms-loops")
    cf.get_waiter("stack_delete_complete").wait(StackName="kms-loops", WaiterConfig={"Delay": 1})
    key = kms.describe_key(KeyId=out["KeyId"])["KeyMetadata"]
    check_eq((key["KeyState"], key.get("PendingDeletionWindowInDays")), ("PendingDeletion", 7),
             "deleting the stack schedules the key's deletion with PendingWindowInDays")
    expect_error(lambda: kms.describe_key(KeyId="alias/stack-media"), 400, "NotFoundException", "the alias is gone")
    check_eq(ssm.get_parameters_by_path(Path="/stack/renditions")["Parameters"], [], "the looped parameters are gone")
    check_eq(ml.describe_multiplex(MultiplexId=out["MuxId"])["State"], "DELETED", "the multiplex is deleted")
    # A loop whose items collide after &{} strips them is a ValidationError before anything exists.
    bad = KMS_LOOPS_AND_DESTINATIONS.replace("'1080p,720p,480p'", "'a-1,a1'")
    expect_error(lambda: cf.create_stack(StackName="kms-loops-bad", TemplateBody=bad), 400, "ValidationError",
                 "Fn::ForEach producing one logical id twice")


def test_custom_resources_and_types_without_a_provider_fail_clearly(t):
    cf = t.client("cloudformation")
    for stack, type_, reason in [("custom", "Custom::Thing", "runs no Lambda functions"),
                                 ("no-provider", "AWS::EC2::VPC", "start mediaemu with --cfn-unsupported=placeholder")]:
        body = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"},
                                         "Thing": {"Type": type_, "DependsOn": "Topic", "Properties": {"X": "1"}}}})
        cf.create_stack(StackName=stack, TemplateBody=body)
        check_eq(wait_status(t, stack), "ROLLBACK_COMPLETE", f"{type_}: rolled back")
        failed = [e for e in events(t, stack) if e[1] == "CREATE_FAILED"]
        check(failed and reason in failed[0][2], f"{type_}: the reason says why", reason, failed)


def test_kill9_in_the_middle_of_a_deploy_comes_back_rolled_back(t):
    # Slow transitions keep the stack in CREATE_IN_PROGRESS long enough to be killed there.
    t.server.restart("--state-delay", "1500")
    cf = t.client("cloudformation")
    platform = harness.unique("killed")
    cf.create_stack(StackName="killed", TemplateBody=SEED_004.read_text(), Capabilities=["CAPABILITY_IAM"],
                    Parameters=[{"ParameterKey": "PlatformName", "ParameterValue": platform}])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(e[0] == "RTMPInput" and e[1] == "CREATE_IN_PROGRESS"
                                                  for e in events(t, "killed")):
        time.sleep(0.05)
    t.server.restart()  # kill -9, then start with the suite's own flags
    if not check_eq(wait_status(t, "killed", timeout=60), "ROLLBACK_COMPLETE", "the interrupted stack settles rolled back"):
        print("\n".join(f"      {e}" for e in events(t, "killed")))
    reasons = [e[2] for e in events(t, "killed") if e[1] == "ROLLBACK_IN_PROGRESS"]
    check(reasons and "interrupted" in reasons[0], "its reason says the operation was interrupted", "interrupted", reasons)
    check_eq([b["Name"] for b in t.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(platform)], [],
             "what it had created is gone")
    t.server.restart("--cfn-unsupported", "placeholder")
    body = json.dumps({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
                       "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}}})
    cf.create_stack(StackName="placeholders", TemplateBody=body)
    check_eq(wait_status(t, "placeholders"), "CREATE_COMPLETE", "--cfn-unsupported=placeholder: the stack completes")
    done = [e for e in events(t, "placeholders") if e[0] == "Vpc" and e[1] == "CREATE_COMPLETE"]
    check(done and "placeholder" in done[0][2], "... and its event says the VPC is a placeholder", "placeholder", done)


if __name__ == "__main__":
    missing = [n for n in ("ffmpeg", "ffprobe") if not shutil.which(n)]
    if missing or not harness.aws_clis():
        print(f"SKIP: needs ffmpeg, ffprobe and an AWS CLI (missing: {missing or 'aws'})")
        sys.exit(77)
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("SKIP: needs boto3")
        sys.exit(77)
    harness.main(globals())
