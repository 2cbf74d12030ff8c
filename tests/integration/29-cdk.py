# timeout: 300
"""CDK, as a user runs it: the npm `aws-cdk` CLI with `aws-cdk-lib` (pinned in fixtures/cdk, the last
releases that run on Debian 12's Node.js 18) and the TypeScript app fixtures/cdk/bin/app.ts (seed
004's platform: RTMP input, MediaLive channel, MediaPackage HLS and DASH, IAM role, secret). With
only AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3 pointing at mediaemu: `cdk bootstrap` deploys the
CDKToolkit stack (the CLI's own bootstrap template: S3 staging bucket, ECR repository, five IAM
roles, policies, the SSM version parameter), `cdk deploy` publishes the template to the staging
bucket and deploys it through a change set, its outputs work (ffmpeg pushes to the RTMP output and
the HLS output serves H.264 segments), a second deploy finds no changes, and `cdk destroy` removes
the stack. Python CDK apps need pip, which these machines cannot reach: TypeScript only.
Needs node/npx and the fixture's packages (tools/install-deps --test), ffmpeg and ffprobe; exits 77
naming whichever is missing.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import media  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

APP = Path(__file__).resolve().parents[2] / "fixtures/cdk"
S = {}


def cdk(t, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, AWS_ENDPOINT_URL=t.endpoint, AWS_ENDPOINT_URL_S3=t.endpoint, AWS_ACCESS_KEY_ID="x",
               AWS_SECRET_ACCESS_KEY="y", AWS_REGION=harness.REGION, AWS_DEFAULT_REGION=harness.REGION,
               CDK_DISABLE_VERSION_CHECK="1", CI="true")
    out = Path(t.server.tmp) / "cdk.out"
    return subprocess.run(["npx", "--no-install", "cdk", *args, "--output", str(out)], cwd=APP, env=env,
                          capture_output=True, text=True, timeout=timeout)


def ok(r: subprocess.CompletedProcess, what: str) -> bool:
    return check(r.returncode == 0, f"{what}: exit 0", 0, f"{r.returncode}\n{(r.stdout + r.stderr).strip()[-1500:]}")


def test_the_app_compiles(t):
    r = subprocess.run(["npx", "--no-install", "tsc"], cwd=APP, capture_output=True, text=True, timeout=120)
    ok(r, "tsc (the TypeScript app)")


def test_cdk_bootstrap(t):
    ok(cdk(t, "bootstrap", f"aws://{harness.ACCOUNT}/{harness.REGION}"), "cdk bootstrap")
    cf = t.client("cloudformation")
    toolkit = cf.describe_stacks(StackName="CDKToolkit")["Stacks"][0]
    check_eq(toolkit["StackStatus"], "CREATE_COMPLETE", "the CDKToolkit stack")
    out = {o["OutputKey"]: o["OutputValue"] for o in toolkit["Outputs"]}
    check_eq(out.get("BucketName"), f"cdk-hnb659fds-assets-{harness.ACCOUNT}-{harness.REGION}", "its staging bucket")
    version = t.client("ssm").get_parameter(Name="/cdk-bootstrap/hnb659fds/version")["Parameter"]["Value"]
    check_eq(version, out.get("BootstrapVersion"), "the SSM bootstrap version matches the stack's output")
    roles = [r["RoleName"] for r in t.client("iam").list_roles()["Roles"] if r["RoleName"].startswith("cdk-hnb659fds-")]
    check(len(roles) == 5, "the five CDK roles", 5, roles)


def test_cdk_deploy_and_its_outputs_work(t):
    S["platform"] = harness.unique("cdk")
    outputs_file = Path(t.server.tmp) / "outputs.json"
    r = cdk(t, "deploy", "--require-approval", "never", "-c", f"platformName={S['platform']}", "--outputs-file",
            str(outputs_file))
    if not ok(r, "cdk deploy"):
        return
    out = json.loads(outputs_file.read_text())["StreamingPlatform"]
    S["outputs"] = out
    objects = t.client("s3").list_objects_v2(Bucket=f"cdk-hnb659fds-assets-{harness.ACCOUNT}-{harness.REGION}")
    check(any(o["Key"].endswith(".json") for o in objects.get("Contents", [])),
          "the template was published to the staging bucket as a file asset", "*.json", objects.get("Contents"))
    ml = t.client("medialive")
    channel = out["MediaLiveChannelId"]
    check_eq(ml.describe_channel(ChannelId=channel)["State"], "IDLE", "the app's channel")
    ml.start_channel(ChannelId=channel)
    ml.get_waiter("channel_running").wait(ChannelId=channel, WaiterConfig={"Delay": 1})
    push = media.Push(out["PrimaryRTMPEndpoint"], 14, log_dir=Path(t.server.tmp)).start()
    pl = media.wait_for_variant(out["HLSPlaybackURL"], "the app's HLS endpoint")
    push.stop()
    ml.stop_channel(ChannelId=channel)
    if check(pl is not None, "segments at the HLSPlaybackURL output", ">= 2 segments", None):
        video = media.probe_last_segment(pl, Path(t.server.tmp) / "segment.ts")
        check(video and video.get("codec_name") == "h264", "ffprobe: H.264", "h264", video)


def test_a_second_deploy_has_no_changes(t):
    r = cdk(t, "deploy", "--require-approval", "never", "-c", f"platformName={S.get('platform')}")
    ok(r, "cdk deploy again")
    check("no changes" in (r.stdout + r.stderr).lower(), "... and says there were no changes", "no changes",
          (r.stdout + r.stderr).strip()[-400:])


def test_cdk_destroy_removes_the_stack(t):
    ok(cdk(t, "destroy", "--force", "-c", f"platformName={S.get('platform')}"), "cdk destroy")
    expect_error(lambda: t.client("cloudformation").describe_stacks(StackName="StreamingPlatform"), 400, "ValidationError",
                 "the stack is gone")
    if "outputs" in S:
        check_eq(t.client("medialive").describe_channel(ChannelId=S["outputs"]["MediaLiveChannelId"])["State"], "DELETED",
                 "its channel is deleted")
        expect_error(lambda: t.client("mediapackage").describe_channel(Id=f"{S['platform']}-package"), 404,
                     "NotFoundException", "its MediaPackage channel is gone")


if __name__ == "__main__":
    missing = [n for n in ("node", "npx", "ffmpeg", "ffprobe") if not shutil.which(n)]
    if not (APP / "node_modules/aws-cdk-lib").is_dir() or not (APP / "node_modules/aws-cdk").is_dir():
        missing.append("fixtures/cdk/node_modules (tools/install-deps --test runs npm ci there)")
    if missing:
        print(f"SKIP: needs {', '.join(missing)}")
        sys.exit(77)
    harness.main(globals())
