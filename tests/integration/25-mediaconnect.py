# timeout: 180
"""AWS Elemental MediaConnect with real clients: boto3 creates, describes, lists, starts, stops
and deletes a flow with two RTP sources and FAILOVER (the seed 003 "redundant flows" recipe);
the AWS CLI reads it with the seed's `aws mediaconnect list-flows` / `describe-flow` and --query
expressions; a running flow relays ffmpeg's `-f rtp_mpegts rtp://127.0.0.1:<IngestPort>` to its
outputs (a Python socket counts the RTP packets, ffprobe reads the udp output), and when the
primary sender stops the output keeps flowing from the backup. Needs boto3, the AWS CLI, ffmpeg
and ffprobe; exits 77 naming whichever is missing.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import harness
import media
from harness import check, check_eq, expect_error

S = {"procs": []}
NAME = "live-event-flow"


def send_rtp(port: int, seconds: int, label: str, t) -> subprocess.Popen:
    """ffmpeg -re sending small lavfi H.264/AAC as RTP/MPEG-TS to 127.0.0.1:<port>."""
    p = media.Push(f"rtp://127.0.0.1:{port}", seconds, size="320x180", rate=25, log_dir=Path(t.server.tmp), label=label,
                   container="rtp_mpegts", preset="ultrafast", video_bitrate="300k", audio_bitrate="64k").start().proc
    S["procs"].append(p)
    return p


class RtpCounter:
    """Counts RTP packets arriving on 127.0.0.1:<port>, by SSRC and over time."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets = []  # (monotonic time, ssrc)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            if len(data) >= 12 and data[0] >> 6 == 2:
                self.packets.append((time.monotonic(), int.from_bytes(data[8:12], "big")))

    def since(self, t0: float) -> list:
        return [ssrc for at, ssrc in list(self.packets) if at >= t0]

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def aws_cli(t, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    return subprocess.run(["aws", "--endpoint-url", t.endpoint, "--region", harness.REGION, "mediaconnect", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_setup(t):
    missing = [c for c in ("aws", "ffmpeg", "ffprobe") if not shutil.which(c)]
    try:
        import boto3  # noqa: F401
    except ImportError:
        missing.insert(0, "boto3 (python3 -m pip install boto3)")
    if missing:
        print(f"SKIP: this suite needs {', '.join(missing)}")
        raise SystemExit(77)
    mc = t.client("mediaconnect")
    S["mc"] = mc
    S["ports"] = (harness.free_port(socket.SOCK_DGRAM), harness.free_port(socket.SOCK_DGRAM))
    S["counter"] = RtpCounter()
    S["probe_port"] = harness.free_port(socket.SOCK_DGRAM)
    # Plain UDP outputs came to MediaConnect's model after Debian's botocore 1.29 (mediaemu serves the
    # newest model on the machine, so there it refuses "udp" as AWS's API then did): probe over RTP.
    S["probe_protocol"] = "udp" if "udp" in mc.meta.service_model.shape_for("Protocol").enum else "rtp"
    flow = mc.create_flow(
        Name=NAME,
        Sources=[{"Name": "primary-source", "Protocol": "rtp", "IngestPort": S["ports"][0], "WhitelistCidr": "127.0.0.0/8",
                  "Description": "Primary encoder"},
                 {"Name": "backup-source", "Protocol": "rtp", "IngestPort": S["ports"][1], "WhitelistCidr": "127.0.0.0/8",
                  "Description": "Backup encoder"}],
        SourceFailoverConfig={"FailoverMode": "FAILOVER", "RecoveryWindow": 500, "State": "ENABLED",
                              "SourcePriority": {"PrimarySource": "primary-source"}},
        Outputs=[{"Name": "to-medialive", "Protocol": "rtp", "Destination": "127.0.0.1", "Port": S["counter"].port},
                 {"Name": "probe", "Protocol": S["probe_protocol"], "Destination": "127.0.0.1", "Port": S["probe_port"]}])["Flow"]
    S["arn"] = flow["FlowArn"]
    check(S["arn"].startswith("arn:aws:mediaconnect:us-east-1:123456789012:flow:1-") and S["arn"].endswith(":" + NAME),
          "the flow ARN has AWS's shape", "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-…:" + NAME, S["arn"])
    check_eq(flow["Status"], "STANDBY", "a new flow is STANDBY")
    check_eq(flow["Source"]["IngestIp"], "127.0.0.1", "Source.IngestIp is this machine")
    check_eq([s["IngestPort"] for s in flow["Sources"]], list(S["ports"]), "each source keeps its IngestPort")
    check_eq(flow["AvailabilityZone"], "us-east-1a", "the flow gets an availability zone")


def test_describe_and_list_with_boto3(t):
    mc = S["mc"]
    flow = mc.describe_flow(FlowArn=S["arn"])["Flow"]
    check_eq(flow["SourceFailoverConfig"]["SourcePriority"]["PrimarySource"], "primary-source", "the primary is kept")
    check_eq(flow["SourceFailoverConfig"]["FailoverMode"], "FAILOVER", "failover mode is kept")
    check(all(s["SourceArn"].startswith("arn:aws:mediaconnect:us-east-1:123456789012:source:1-") for s in flow["Sources"]),
          "sources get source ARNs", "arn:aws:mediaconnect:…:source:1-…", [s["SourceArn"] for s in flow["Sources"]])
    flows = mc.list_flows()["Flows"]
    check_eq([(f["Name"], f["Status"], f["SourceType"]) for f in flows], [(NAME, "STANDBY", "OWNED")],
             "ListFlows shows the flow as a ListedFlow")
    expect_error(lambda: mc.describe_flow(FlowArn=S["arn"].replace(":flow:1-", ":flow:1-0")), 404, "NotFoundException",
                 "an unknown flow ARN is 404 NotFoundException")
    expect_error(lambda: mc.create_flow(Name="bad", Sources=[
        {"Name": "a", "Protocol": "rtp", "IngestPort": 7000}, {"Name": "b", "Protocol": "rtp", "IngestPort": 7001}]),
        400, "BadRequestException", "two sources without failover are refused")
    # Offerings are in every model mediaemu builds with (botocore 1.29's included) and have no behaviour.
    expect_error(lambda: mc.list_offerings(), 501, "NotImplementedException", "an operation without behaviour is 501")


def test_seed_cli_queries(t):
    r = aws_cli(t, "list-flows")
    check_eq(r.returncode, 0, "aws mediaconnect list-flows succeeds")
    listed = json.loads(r.stdout or "{}").get("Flows", [])
    check_eq([f["FlowArn"] for f in listed], [S["arn"]], "aws mediaconnect list-flows shows the flow")
    r = aws_cli(t, "describe-flow", "--flow-arn", S["arn"])
    check_eq(r.returncode, 0, "aws mediaconnect describe-flow --flow-arn succeeds")
    queries = {
        "Flow.Status": "STANDBY",
        "Flow.Source.IngestIp": "127.0.0.1",
        "Flow.Source.IngestPort": str(S["ports"][0]),
        "Flow.SourceFailoverConfig.FailoverMode": "FAILOVER",
        "Flow.Outputs[0].Destination": "127.0.0.1",
        "length(Flow.Sources)": "2",
    }
    for query, expected in queries.items():
        r = aws_cli(t, "describe-flow", "--flow-arn", S["arn"], "--query", query, "--output", "text")
        check_eq(r.stdout.strip(), expected, f"describe-flow --query '{query}'")
    r = aws_cli(t, "list-flows", "--query", f"Flows[?Name=='{NAME}'].FlowArn | [0]", "--output", "text")
    check_eq(r.stdout.strip(), S["arn"], "list-flows --query by name gives the ARN")


def test_active_flow_relays_and_fails_over(t):
    mc = S["mc"]
    expect_error(lambda: mc.stop_flow(FlowArn=S["arn"]), 400,
                 "BadRequestException", "stopping a STANDBY flow is refused")
    check_eq(mc.start_flow(FlowArn=S["arn"])["Status"], "STARTING", "StartFlow answers STARTING")
    mc.get_waiter("flow_active").wait(FlowArn=S["arn"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    expect_error(lambda: mc.delete_flow(FlowArn=S["arn"]), 400, "BadRequestException", "an ACTIVE flow cannot be deleted")
    time.sleep(0.3)  # the relay binds right after ACTIVE (a command on its own thread)
    probe = subprocess.Popen(["ffprobe", "-v", "error", "-analyzeduration", "3000000", "-probesize", "2000000",
                              "-show_entries", "stream=codec_name,width,height", "-of", "json",
                              f"{S['probe_protocol']}://127.0.0.1:{S['probe_port']}?timeout=8000000"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    S["procs"].append(probe)
    primary = send_rtp(S["ports"][0], 12, "primary", t)
    backup = send_rtp(S["ports"][1], 12, "backup", t)
    counter = S["counter"]
    time.sleep(4)
    t_primary = time.monotonic() - 2
    before = counter.since(t_primary)
    check(len(before) > 40, "the output receives the flow's RTP packets", "> 40 packets in 2 s (about 35/s at 364 kb/s)", len(before))
    ssrcs = set(before)
    check_eq(len(ssrcs), 1, "while the primary sends, the output carries one source")
    primary.kill()  # the primary encoder fails
    primary.wait(5)
    t_killed = time.monotonic()
    time.sleep(3)
    after = counter.since(t_killed + 1.0)  # after the 500 ms recovery window
    check(len(after) > 40, "the output keeps flowing after the primary stops", "> 40 packets in 2 s", len(after))
    check(bool(after) and not (set(after) & ssrcs), "the packets now come from the backup source",
          f"an SSRC other than {ssrcs}", set(after))
    times = [at for at, _ in list(counter.packets) if t_killed - 1 <= at <= t_killed + 3]
    gap = max((b - a for a, b in zip(times, times[1:])), default=0)
    print(f"    measured: {len(before)} packets in 2 s from the primary, {len(after)} in 2 s from the backup, "
          f"longest gap around the failover {gap * 1000:.0f} ms (RecoveryWindow 500 ms)", flush=True)
    check(gap < 2.0, "the failover gap stays near the recovery window", "< 2 s", f"{gap:.2f} s")
    out, err = probe.communicate(timeout=20)
    streams = json.loads(out or "{}").get("streams", [])
    check(any(s.get("codec_name") == "h264" and s.get("width") == 320 for s in streams),
          f"ffprobe reads H.264 320x180 from the {S['probe_protocol']} output", "h264 320x180", streams or err[-300:])
    backup.wait(20)
    log = t.server.log_path.read_text(errors="replace")
    check("switches from source primary-source to backup-source" in log, "the log says the flow failed over",
          "switches from source primary-source to backup-source", "not in the log")


def rtp_datagrams(port: int, count: int) -> None:
    """RTP packets (PT 33) each carrying one null MPEG-TS packet, sent to 127.0.0.1:<port>."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(count):
            s.sendto(bytes([0x80, 33, 0, i]) + bytes(8) + b"\x47\x1f\xff\x10" + bytes(184), ("127.0.0.1", port))


def test_kill9_keeps_the_flow_active_and_relaying(t):
    t.server.restart()  # kill -9, then start on the same data dir
    mc = S["mc"] = t.client("mediaconnect")
    check_eq(mc.describe_flow(FlowArn=S["arn"])["Flow"]["Status"], "ACTIVE", "the flow is still ACTIVE after kill -9")
    time.sleep(0.5)  # the relay is rebuilt right after the restart
    t0 = time.monotonic()
    rtp_datagrams(S["ports"][1], 5)
    time.sleep(0.5)
    check_eq(len(S["counter"].since(t0)), 5, "the restarted flow relays again")


def test_a_protocol_the_relay_does_not_carry_is_reported(t):
    mc = S["mc"]
    arn = mc.create_flow(Name="zixi-flow", Source={"Name": "zixi", "Protocol": "zixi-push", "StreamId": "live"})["Flow"]
    check_eq(arn["Source"].get("IngestPort"), 2088, "a zixi-push source listens on port 2088, as on AWS")
    arn = arn["FlowArn"]
    mc.start_flow(FlowArn=arn)
    mc.get_waiter("flow_active").wait(FlowArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    time.sleep(0.3)
    errors = mc.describe_flow(FlowArn=arn).get("Messages", {}).get("Errors", [])
    check(any("zixi-push" in e for e in errors), "DescribeFlow's Messages.Errors names the protocol the relay does not carry",
          "an error naming zixi-push", errors)
    mc.stop_flow(FlowArn=arn)
    mc.get_waiter("flow_standby").wait(FlowArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    mc.delete_flow(FlowArn=arn)
    mc.get_waiter("flow_deleted").wait(FlowArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 10})


def test_stop_and_delete(t):
    mc = S["mc"]
    check_eq(mc.stop_flow(FlowArn=S["arn"])["Status"], "STOPPING", "StopFlow answers STOPPING")
    mc.get_waiter("flow_standby").wait(FlowArn=S["arn"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    time.sleep(0.3)
    t0 = time.monotonic()
    rtp_datagrams(S["ports"][1], 5)
    time.sleep(0.5)
    check_eq(len(S["counter"].since(t0)), 0, "a stopped flow relays nothing")
    check_eq(mc.delete_flow(FlowArn=S["arn"])["Status"], "DELETING", "DeleteFlow answers DELETING")
    mc.get_waiter("flow_deleted").wait(FlowArn=S["arn"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    expect_error(lambda: mc.describe_flow(FlowArn=S["arn"]), 404, "NotFoundException", "a deleted flow is gone")
    check_eq(mc.list_flows()["Flows"], [], "ListFlows is empty again")


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        for p in S["procs"]:
            if p.poll() is None:
                p.kill()
        if "counter" in S:
            S["counter"].close()
