# timeout: 240
"""Seed 003's architecture end to end: two MediaConnect flows (primary and backup, each with one
RTP source) fed by two ffmpeg `-f rtp_mpegts` senders -> one MediaLive input of type MEDIACONNECT
naming both flows -> a STANDARD channel with a two-rung ladder -> a MediaPackage channel with an
HLS endpoint, whose segments ffprobe reads as H.264 at each rung's size. A SINGLE_PIPELINE channel
takes the primary flow alone at the same time (two inputs on one flow).

As on AWS, the STANDARD channel's pipeline 0 encodes the first flow and pipeline 1 the second, each
delivering to its own MediaPackage ingest endpoint, and MediaPackage plays one input at a time
(MP-UG what-is-flow-ir). What it proves: the channel starts before its flows and picks them up
when they become ACTIVE; stopping the primary sender makes MediaPackage fail over to pipeline 1
(the backup flow) and segments keep coming, while hls.js in headless Chromium plays on across
it; the primary coming back is received by pipeline 0 again while MediaPackage stays on
pipeline 1 (it switches only when the active input fails);
garbage datagrams on a flow leave the channel running; a StopFlow of the backup flow makes
MediaPackage take pipeline 0 again, and StartFlow gives pipeline 1 its flow back; with every
sender stopped the channel reports Input Not Present (ListAlerts) while DescribeInput/
DescribeChannel answer as they did; after kill -9 the resumed channel takes the resumed flow
again. Needs boto3, ffmpeg and ffprobe; exits 77 naming whichever is missing.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import harness
import media
from harness import check, check_eq, expect_error

S = {"procs": [], "senders": {}}
ROLE = "arn:aws:iam::123456789012:role/MediaLiveAccessRole"
LADDER = [("v180", 320, 180, 400_000), ("v144", 256, 144, 200_000)]


def send(label: str, port: int, seconds: int, t) -> subprocess.Popen:
    """ffmpeg -re sending small lavfi H.264/AAC as RTP/MPEG-TS to a flow's ingest port."""
    p = media.Push(f"rtp://127.0.0.1:{port}", seconds, size="320x180", rate=30, log_dir=Path(t.server.tmp), label=label,
                   container="rtp_mpegts", preset="ultrafast", video_bitrate="400k", audio_bitrate="64k").start().proc
    S["procs"].append(p)
    S["senders"][label] = p
    return p


def stop_sender(label: str) -> None:
    p = S["senders"].pop(label, None)
    if p and p.poll() is None:
        p.terminate()
        p.wait(10)


def log_text(t) -> str:
    return t.server.log_path.read_text(errors="replace")


def wait_for_log(t, needle: str, seconds: float, after: int = 0) -> bool:
    """Whether `needle` appears in the server log past offset `after` within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in log_text(t)[after:]:
            return True
        time.sleep(0.25)
    return False


def variant(index: int):
    """The index-th variant's media playlist, or None while the endpoint has none yet (polled:
    no check is recorded for a 404 before the first segments)."""
    r = media.fetch(S["hls"])
    if r.status != 200:
        return None
    lines = [l.strip() for l in r.text.splitlines() if l.strip()]
    uris = [lines[i + 1] for i, l in enumerate(lines[:-1]) if l.startswith("#EXT-X-STREAM-INF:")]
    if len(uris) <= index:
        return None
    url = urljoin(S["hls"], uris[index])
    r = media.fetch(url)
    return media.MediaPlaylist(r.text, url) if r.status == 200 else None


def last_sequence() -> int:
    pl = variant(0)
    return pl.last_sequence if pl and pl.segments else -1


def wait_for_new_segments(after: int, count: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    seq = last_sequence()
    while time.monotonic() < deadline and seq < after + count:
        time.sleep(0.5)
        seq = last_sequence()
    return seq


def alert_types(channel_id: str) -> list:
    return [a["AlertType"] for a in S["ml"].list_alerts(ChannelId=channel_id)["Alerts"]]


def flow(mc, name: str, port: int, zone: str) -> str:
    return mc.create_flow(
        Name=name, AvailabilityZone=zone,
        Source={"Name": f"{name}-source", "Protocol": "rtp", "IngestPort": port, "WhitelistCidr": "127.0.0.0/8",
                "Description": f"{name} encoder"})["Flow"]["FlowArn"]


def test_setup(t):
    missing = [c for c in ("ffmpeg", "ffprobe") if not shutil.which(c)]
    try:
        import boto3  # noqa: F401
    except ImportError:
        missing.insert(0, "boto3 (python3 -m pip install boto3)")
    if missing:
        print(f"SKIP: this suite needs {', '.join(missing)}")
        raise SystemExit(77)
    mc, ml, mp = t.client("mediaconnect"), t.client("medialive"), t.client("mediapackage")
    S.update(mc=mc, ml=ml)
    S["ports"] = {"primary": harness.free_port(socket.SOCK_DGRAM), "backup": harness.free_port(socket.SOCK_DGRAM)}
    S["flows"] = {"primary": flow(mc, "live-primary", S["ports"]["primary"], "us-east-1a"),
                  "backup": flow(mc, "live-backup", S["ports"]["backup"], "us-east-1b")}

    expect_error(lambda: ml.create_input(Name="no-flow", Type="MEDIACONNECT", RoleArn=ROLE), 422,
                 "UnprocessableEntityException", "a MEDIACONNECT input without mediaConnectFlows is refused")
    expect_error(lambda: ml.create_input(Name="bad-flow", Type="MEDIACONNECT", RoleArn=ROLE,
                                         MediaConnectFlows=[{"FlowArn": "not-an-arn"}]),
                 422, "UnprocessableEntityException", "a flow ARN that is no MediaConnect flow ARN is refused")
    both = ml.create_input(Name="seed-003", Type="MEDIACONNECT", RoleArn=ROLE,
                           MediaConnectFlows=[{"FlowArn": S["flows"]["primary"]}, {"FlowArn": S["flows"]["backup"]}])["Input"]
    one = ml.create_input(Name="primary-only", Type="MEDIACONNECT", RoleArn=ROLE,
                          MediaConnectFlows=[{"FlowArn": S["flows"]["primary"]}])["Input"]
    check_eq((both["Type"], both["InputClass"], [f["FlowArn"] for f in both["MediaConnectFlows"]], both["RoleArn"]),
             ("MEDIACONNECT", "STANDARD", [S["flows"]["primary"], S["flows"]["backup"]], ROLE),
             "a two-flow MEDIACONNECT input is STANDARD and keeps its flows and role")
    check_eq(one["InputClass"], "SINGLE_PIPELINE", "a one-flow MEDIACONNECT input is SINGLE_PIPELINE")
    S["inputs"] = {"both": both["Id"], "one": one["Id"]}

    mp.create_channel(Id="mc-live")
    S["hls"] = mp.create_origin_endpoint(ChannelId="mc-live", Id="mc-live-hls", ManifestName="index",
                                         HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30})["Url"]
    videos = [media.video_description(*r) for r in LADDER]
    mp_group = {"Name": "mp", "OutputGroupSettings": {"MediaPackageGroupSettings": {"Destination": {"DestinationRefId": "mp"}}},
                "Outputs": media.outputs([n for n, *_ in LADDER], {"MediaPackageOutputSettings": {}})}
    S["standard"] = ml.create_channel(
        Name="seed-003-channel", ChannelClass="STANDARD", RoleArn=ROLE,
        InputAttachments=[{"InputId": both["Id"], "InputAttachmentName": "mediaconnect"}],
        Destinations=[{"Id": "mp", "MediaPackageSettings": [{"ChannelId": "mc-live"}]}],
        EncoderSettings={"TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
                         "VideoDescriptions": videos, "OutputGroups": [mp_group]})["Channel"]["Id"]
    t.client("s3").create_bucket(Bucket="mediaemu-it")
    small = media.video_description("v144", 256, 144, 200_000)
    s3_group = {"Name": "archive", "OutputGroupSettings": {"HlsGroupSettings": {
        "Destination": {"DestinationRefId": "s3"}, "SegmentLength": 2, "IndexNSegments": 5}},
        "Outputs": media.outputs(["v144"], {"HlsOutputSettings": {
            "NameModifier": "_144p", "HlsSettings": {"StandardHlsSettings": {"M3u8Settings": {}}}}})}
    S["single"] = ml.create_channel(
        Name="primary-only-channel", ChannelClass="SINGLE_PIPELINE", RoleArn=ROLE,
        InputAttachments=[{"InputId": one["Id"], "InputAttachmentName": "primary"}],
        Destinations=[{"Id": "s3", "Settings": [{"Url": "s3://mediaemu-it/mc-single/index"}]}],
        EncoderSettings={"TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
                         "VideoDescriptions": [small], "OutputGroups": [s3_group]})["Channel"]["Id"]
    S["single_dir"] = Path(t.server.data_dir) / "s3" / "mediaemu-it" / "mc-single"
    for cid in (S["standard"], S["single"]):
        ml.get_waiter("channel_created").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        ml.start_channel(ChannelId=cid)
    for cid in (S["standard"], S["single"]):
        ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    S["described"] = {cid: ml.describe_channel(ChannelId=cid) for cid in (S["standard"], S["single"])}
    S["input_described"] = ml.describe_input(InputId=both["Id"])
    check_eq(S["input_described"]["State"], "ATTACHED", "the MEDIACONNECT input is ATTACHED to its channel")
    check_eq(S["input_described"]["AttachedChannels"], [S["standard"]], "DescribeInput names its channel")

    # The flows start after the channels: the inputs subscribe by flow ARN, not to a running relay.
    for arn in S["flows"].values():
        mc.start_flow(FlowArn=arn)
    for arn in S["flows"].values():
        mc.get_waiter("flow_active").wait(FlowArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    time.sleep(0.3)  # the relays bind their ports on the flow runtime's thread
    # The primary first: the first pipeline to deliver is MediaPackage's active input, and the
    # tests below expect pipeline 0 (the primary flow) to be it.
    send("primary", S["ports"]["primary"], 90, t)
    check(wait_for_log(t, "MediaPackage channel us-east-1/mc-live: input 1 is active", 30),
          "MediaPackage plays pipeline 0 (the primary flow) first", True, False)
    send("backup", S["ports"]["backup"], 90, t)


def test_flows_become_hls_segments_of_the_ladder(t):
    S["lacks_alerts"] = t.lacks("medialive", "ListAlerts")
    if S["lacks_alerts"]:
        print(f"    skip the ListAlerts checks: {S['lacks_alerts']}")
    deadline = time.monotonic() + 40
    pl = None
    while time.monotonic() < deadline:
        pl = variant(0)
        if pl and len(pl.segments) >= 3:
            break
        time.sleep(1)
    if not check(pl is not None and len(pl.segments) >= 3, "the MediaPackage HLS endpoint lists segments", ">= 3",
                 len(pl.segments) if pl else None):
        print(log_text(t)[-3000:])
        return
    master = media.master_playlist(S["hls"], "master playlist")
    check_eq(len(master["variants"]), len(LADDER), "the master playlist has one variant per rung")
    for i, (name, width, height, _) in enumerate(LADDER):
        pl = variant(i)
        if not pl or not pl.segments:
            check(False, f"rung {name} lists segments")
            continue
        probe = media.ffprobe(Path(media.download([pl.segments[-2]["url"]], Path(t.server.tmp) / f"{name}.ts")),
                              "-show_streams")
        streams = probe.get("streams", [])
        video = [s for s in streams if s.get("codec_type") == "video"]
        check_eq([(s.get("codec_name"), s.get("width"), s.get("height")) for s in video], [("h264", width, height)],
                 f"rung {name}: an H.264 {width}x{height} segment from the flows")
        check_eq(sorted(s.get("codec_name") for s in streams), ["aac", "h264"], f"rung {name}: video and AAC audio")
    check("receives from flow live-primary" in log_text(t), "the STANDARD channel's pipeline 0 plays the primary flow",
          "receives from flow live-primary", "not in the log")
    check("receives from flow live-backup" in log_text(t), "its pipeline 1 plays the backup flow",
          "receives from flow live-backup", "not in the log")
    # The SINGLE_PIPELINE channel takes the same primary flow at the same time.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(list(S["single_dir"].glob("*.ts"))) < 2:
        time.sleep(0.5)
    check(len(list(S["single_dir"].glob("*.ts"))) >= 2, "a second channel on the primary flow writes segments too",
          ">= 2", len(list(S["single_dir"].glob("*.ts"))))
    if not t.lacks("medialive", "ListAlerts"):
        check("Input Not Present" not in alert_types(S["standard"]), "while the flows deliver: no Input Not Present",
              "no such alert", alert_types(S["standard"]))


def mediapackage_log(what: str) -> str:
    return f"MediaPackage channel us-east-1/mc-live: {what}"


def wait_lost(pipelines: set, seconds: float) -> set:
    """Waits until exactly `pipelines` of the STANDARD channel report Input Not Present (ListAlerts
    names each alert's PipelineId); returns the last set seen. Models without ListAlerts (Debian's
    botocore 1.29): waits `seconds` and returns `pipelines`, so the caller's check says nothing."""
    if S["lacks_alerts"]:
        time.sleep(min(seconds, 5))
        return pipelines
    deadline, lost = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        lost = {a["PipelineId"] for a in S["ml"].list_alerts(ChannelId=S["standard"])["Alerts"]
                if a["AlertType"] == "Input Not Present"}
        if lost == pipelines:
            break
        time.sleep(0.5)
    return lost


def test_primary_sender_stops_mediapackage_plays_pipeline_1(t):
    # hls.js plays the endpoint across the failover: 16 s of media from about 6 s before the
    # primary stops, so through the backup's first segments (1 s input loss + 4 s failover).
    player = threading.Thread(target=media.check_hls_js_plays, args=(
        {"seed 003's MediaPackage endpoint across the failover": S["hls"]},),
        kwargs={"min_seconds": 16, "sizes": {(w, h) for _, w, h, _ in LADDER}})
    player.start()
    time.sleep(6)
    mark = len(log_text(t))
    seq = last_sequence()
    stop_sender("primary")
    check_eq(wait_lost({"0"}, 10), {"0"}, "ListAlerts: pipeline 0 (the primary flow) has no input")
    failover = mediapackage_log("input 1 stopped delivering; input 2 takes over")
    # Input loss (1 s) plus MediaPackage's failover (4 s), and whatever pipeline 0 still had queued.
    check(wait_for_log(t, failover, 25, mark), "MediaPackage fails over to pipeline 1 (the backup flow)", failover,
          "not in the log")
    after = wait_for_new_segments(seq, 3, 20)
    check(after >= seq + 3, "segments keep coming from the backup flow", f">= {seq + 3}", after)
    pl = variant(0)
    if pl and pl.segments:
        probe = media.ffprobe(media.download([pl.segments[-1]["url"]], Path(t.server.tmp) / "backup.ts"), "-show_streams")
        check("h264" in [s.get("codec_name") for s in probe.get("streams", [])], "a segment made from the backup flow is H.264",
              "h264", probe.get("streams"))
    player.join()


def test_primary_returns_and_garbage_on_a_flow_is_survived(t):
    mark = len(log_text(t))
    send("primary", S["ports"]["primary"], 90, t)
    check_eq(wait_lost(set(), 15), set(), "pipeline 0 receives the restarted primary sender: no pipeline lacks input")
    check("input 1 takes over" not in log_text(t)[mark:], "MediaPackage stays on pipeline 1 while it delivers",
          "no switch back", "switched back")
    # RTP-framed garbage and bare noise into the primary flow's source: the flow relays what is
    # RTP, the input's demuxer has to skip it.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(300):
            header = bytes([0x80, 33, (i >> 8) & 0xff, i & 0xff, 0, 0, 0, 0, 1, 2, 3, 4])
            s.sendto(header + b"\x47" + os.urandom(1315 if i % 2 else 40), ("127.0.0.1", S["ports"]["primary"]))
            if i % 50 == 0:
                s.sendto(os.urandom(200), ("127.0.0.1", S["ports"]["primary"]))
                # RTP v2 with padding and 15 CSRCs in 40 bytes, padded "200": this once made the
                # flow hand its tap a payload of about 2^64 bytes and ended the process.
                s.sendto(bytes([0xAF, 33]) + bytes(37) + bytes([200]), ("127.0.0.1", S["ports"]["primary"]))
    seq = last_sequence()
    after = wait_for_new_segments(seq, 2, 15)
    check(after >= seq + 2, "after garbage on the flow, segments keep coming", f">= {seq + 2}", after)
    check_eq(S["ml"].describe_channel(ChannelId=S["standard"])["State"], "RUNNING", "the channel is still RUNNING")


def test_flow_restart_fails_over_and_back(t):
    mc = S["mc"]
    mark = len(log_text(t))
    check_eq(wait_lost(set(), 5), set(), "both pipelines receive their flows")
    mc.stop_flow(FlowArn=S["flows"]["backup"])
    mc.get_waiter("flow_standby").wait(FlowArn=S["flows"]["backup"], WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    back = mediapackage_log("input 2 stopped delivering; input 1 takes over")
    check(wait_for_log(t, back, 25, mark), "a stopped backup flow: MediaPackage plays pipeline 0 (the primary) again",
          back, "not in the log")
    mark = len(log_text(t))
    mc.start_flow(FlowArn=S["flows"]["backup"])
    mc.get_waiter("flow_active").wait(FlowArn=S["flows"]["backup"], WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    check_eq(wait_lost(set(), 15), set(), "the restarted flow (a new relay) is picked up again by pipeline 1")
    seq = last_sequence()
    after = wait_for_new_segments(seq, 2, 15)
    check(after >= seq + 2, "segments keep coming after the flow restart", f">= {seq + 2}", after)


def test_every_sender_stopped_is_input_loss(t):
    for label in list(S["senders"]):
        stop_sender(label)
    cannot = t.lacks("medialive", "ListAlerts")
    if cannot:
        print(f"    skip ListAlerts check: {cannot}")
    else:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "Input Not Present" not in alert_types(S["standard"]):
            time.sleep(0.5)
        check("Input Not Present" in alert_types(S["standard"]), "with no sender, the channel reports Input Not Present",
              "Input Not Present", alert_types(S["standard"]))
    ml = S["ml"]
    for cid, before in S["described"].items():
        now = ml.describe_channel(ChannelId=cid)
        check_eq(now["State"], "RUNNING", f"channel {cid} stays RUNNING through input loss")
        for key in ("Arn", "ChannelClass", "InputAttachments", "Destinations", "EncoderSettings", "PipelinesRunningCount"):
            check_eq(now.get(key), before.get(key), f"DescribeChannel {key} answers as before")
    described = ml.describe_input(InputId=S["inputs"]["both"])
    for key in ("Arn", "Type", "InputClass", "MediaConnectFlows", "RoleArn", "State", "AttachedChannels"):
        check_eq(described.get(key), S["input_described"].get(key), f"DescribeInput {key} answers as before")


def test_after_kill_9_the_resumed_channel_takes_the_resumed_flow_again(t):
    # The flows and channels were ACTIVE/RUNNING: a new process relays and runs them again, and the
    # resumed input subscribes to the resumed flow by its ARN.
    mark = len(log_text(t))
    t.server.restart()
    restarted = time.time()
    check_eq(S["mc"].describe_flow(FlowArn=S["flows"]["primary"])["Flow"]["Status"], "ACTIVE",
             "the primary flow is ACTIVE after kill -9")
    send("primary", S["ports"]["primary"], 30, t)
    check(wait_for_log(t, "receives from flow live-primary", 15, mark), "the resumed input receives the resumed flow",
          "receives from flow live-primary", "not in the log")
    # Counted on disk: the restarted packager numbers its segments afresh.
    origin = Path(t.server.data_dir) / "origin" / S["hls"].split("/")[-2]
    fresh = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(fresh) < 2:
        time.sleep(0.5)
        fresh = [p for p in origin.glob("*.ts") if p.stat().st_mtime > restarted]
    check(len(fresh) >= 2, "segments come again after the restart", ">= 2 new segment files", len(fresh))
    stop_sender("primary")


def test_stop_channels_and_flows(t):
    ml = S["ml"]
    for cid in (S["standard"], S["single"]):
        ml.stop_channel(ChannelId=cid)
    for cid in (S["standard"], S["single"]):
        ml.get_waiter("channel_stopped").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    check("stopped; " in log_text(t) and "switches between flows" in log_text(t),
          "the input's source logs its counters when the channel stops", "switches between flows", "not in the log")
    for arn in S["flows"].values():
        S["mc"].stop_flow(FlowArn=arn)


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        for p in S["procs"]:
            if p.poll() is None:
                p.kill()
