# timeout: 240
"""A STANDARD channel runs two pipelines (issue 8, part 2; ML-UG channel-class, plan-redundancy-mode):
an RTMP_PUSH input with two destinations, "main" (440 Hz) pushed to the first and "backup"
(1000 Hz) to the second, a one-rung ladder delivered by a MediaPackageGroupSettings group to a
MediaPackage channel and by an HLS group to two S3 URLs (one per pipeline). "main" starts first, so
pipeline 0 is the first to deliver and MediaPackage's active input.

What it proves: each pipeline encodes its own destination's stream and writes its own S3 URL;
MediaPackage plays pipeline 0 (its first ingest endpoint) and, when that pipeline's sender stops,
fails over to pipeline 1 with one EXT-X-DISCONTINUITY (while the S3 group, EMIT_OUTPUT, gets
pipeline 0's filler), and stays there when pipeline 0 comes back
(MP-UG what-is-flow-ir: the other input stays active until it fails); RestartChannelPipelines of
PIPELINE_1 alone rebuilds that pipeline only, and MediaPackage takes pipeline 0 again meanwhile;
PipelineDetails has both pipelines, ListAlerts names the pipeline an alert belongs to; StopChannel
ends the playlist. Which pipeline is on air is read from the decoded audio of the endpoint's
newest segment. Needs boto3 and ffmpeg; exits 77 naming whichever is missing.
"""

import time

import harness
import media
from harness import check, check_eq

S = {}
ROLE = "arn:aws:iam::123456789012:role/MediaLiveAccessRole"


def newest_tone(t) -> float:
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    return media.segment_tone(pl.segments[-1]["url"], t.server.tmp / "newest.ts") if pl and pl.segments else 0.0


def wait_for_tone(t, hz: float, what: str, timeout: float = 30) -> None:
    deadline, seen = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        seen = newest_tone(t)
        if abs(seen - hz) < hz * 0.1:
            break
        time.sleep(1)
    check(abs(seen - hz) < hz * 0.1, what, f"about {hz} Hz", f"{seen:.0f} Hz")


def s3_segments(prefix: str) -> int:
    listed = S["s3"].list_objects_v2(Bucket="pipelines", Prefix=prefix).get("Contents", [])
    return sum(1 for o in listed if o["Key"].endswith(".ts"))


def push(label: str, index: int, tone: int, t) -> media.Push:
    return media.Push(S["urls"][index], 120, size="320x180", log_dir=t.server.tmp, label=label, tone=tone,
                      preset="ultrafast").start()


def test_setup(t):
    ml, mp, s3 = t.client("medialive"), t.client("mediapackage"), t.client("s3")
    S.update(ml=ml, s3=s3)
    s3.create_bucket(Bucket="pipelines")
    mp.create_channel(Id="redundant")
    S["hls"] = mp.create_origin_endpoint(ChannelId="redundant", Id="redundant-hls",
                                         HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30})["Url"]
    inp = ml.create_input(Name="studio", Type="RTMP_PUSH",
                          Destinations=[{"StreamName": "live/a"}, {"StreamName": "live/b"}])["Input"]
    S["urls"] = [d["Url"] for d in inp["Destinations"]]
    check_eq(len(S["urls"]), 2, "a STANDARD RTMP_PUSH input has two destinations")
    rung = [("v180", 320, 180, 400_000)]
    hls_out = {"HlsOutputSettings": {"NameModifier": "_180", "HlsSettings": {"StandardHlsSettings": {"M3u8Settings": {}}}}}
    S["cid"] = ml.create_channel(
        Name="redundant", ChannelClass="STANDARD", RoleArn=ROLE,
        InputAttachments=[{"InputId": inp["Id"], "InputAttachmentName": "main"}],
        Destinations=[{"Id": "mp", "MediaPackageSettings": [{"ChannelId": "redundant"}]},
                      {"Id": "s3", "Settings": [{"Url": "s3://pipelines/p0/index"}, {"Url": "s3://pipelines/p1/index"}]}],
        EncoderSettings={
            "TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
            "VideoDescriptions": [media.video_description(*r) for r in rung],
            "OutputGroups": [
                {"Name": "mp", "OutputGroupSettings": {"MediaPackageGroupSettings": {"Destination": {"DestinationRefId": "mp"}}},
                 "Outputs": [{"OutputName": "v180", "VideoDescriptionName": "v180", "AudioDescriptionNames": ["aac"],
                              "OutputSettings": {"MediaPackageOutputSettings": {}}}]},
                # EMIT_OUTPUT (the default): during input loss this group gets filler while the
                # MediaPackage group pauses, so MediaPackage sees the pipeline stop.
                {"Name": "s3", "OutputGroupSettings": {"HlsGroupSettings": {
                    "Destination": {"DestinationRefId": "s3"}, "SegmentLength": 2}},
                 "Outputs": media.outputs(["v180"], hls_out)}]})["Channel"]["Id"]
    ml.start_channel(ChannelId=S["cid"])
    ml.get_waiter("channel_running").wait(ChannelId=S["cid"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    S["main"] = push("main", 0, 440, t)


def test_each_pipeline_encodes_its_own_destination(t):
    check(media.wait_for_variant(S["hls"], "the HLS endpoint", segments=2) is not None,
          "the MediaPackage endpoint serves segments", True, False)
    wait_for_tone(t, 440, "MediaPackage plays pipeline 0: main's 440 Hz")
    # The first pipeline to deliver is the active input; the second then stands by.
    S["backup"] = push("backup", 1, 1000, t)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (s3_segments("p0/") < 2 or s3_segments("p1/") < 2):
        time.sleep(1)
    check(s3_segments("p0/") >= 2, "pipeline 0 writes its own S3 URL (p0/)", ">= 2 segments", s3_segments("p0/"))
    check(s3_segments("p1/") >= 2, "pipeline 1 writes its own S3 URL (p1/)", ">= 2 segments", s3_segments("p1/"))
    keys = sorted(o["Key"] for o in S["s3"].list_objects_v2(Bucket="pipelines", Prefix="p1/")["Contents"]
                  if o["Key"].endswith(".ts"))
    tone = media.segment_tone(f"{t.server.endpoint}/pipelines/{keys[-1]}", t.server.tmp / "p1.ts")
    check(abs(tone - 1000) < 100, "pipeline 1's S3 segments carry backup's 1000 Hz", "about 1000 Hz", f"{tone:.0f} Hz")
    doc = S["ml"].describe_channel(ChannelId=S["cid"])
    check_eq(doc["PipelinesRunningCount"], 2, "PipelinesRunningCount")
    check_eq(sorted(p["PipelineId"] for p in doc["PipelineDetails"]), ["0", "1"], "PipelineDetails has both pipelines")
    check_eq({p.get("ActiveInputAttachmentName") for p in doc["PipelineDetails"]}, {"main"},
             "each pipeline names the input it ingests")
    wait_for_tone(t, 440, "with both pipelines delivering, MediaPackage stays on pipeline 0", timeout=2)
    check("pipeline 1 is running" in t.server.log_path.read_text(errors="replace"),
          "the server log has pipeline 1 running on its own", True, False)


def test_mediapackage_fails_over_to_pipeline_1_and_stays(t):
    S["main"].stop()
    wait_for_tone(t, 1000, "after main stops, MediaPackage plays pipeline 1: backup's 1000 Hz", timeout=25)
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    check(pl is not None and sum(s["discontinuity"] for s in pl.segments) == 1,
          "one EXT-X-DISCONTINUITY where pipeline 1 takes over", 1,
          sum(s["discontinuity"] for s in pl.segments) if pl else None)
    log = t.server.log_path.read_text(errors="replace")
    check("input 1 stopped delivering; input 2 takes over" in log, "the server log says why it failed over", True, False)
    if t.lacks("medialive", "ListAlerts"):
        print(f"    skip the ListAlerts check: {t.lacks('medialive', 'ListAlerts')}")
    else:
        alerts = S["ml"].list_alerts(ChannelId=S["cid"])["Alerts"]
        lost = {a["PipelineId"] for a in alerts if a["AlertType"] == "Input Not Present"}
        check_eq(lost, {"0"}, "ListAlerts: Input Not Present on pipeline 0 only")
    check("input lost; filling" in log, "pipeline 0 fills input loss for its EMIT_OUTPUT group meanwhile", True, False)
    S["main"] = push("main-again", 0, 440, t)
    time.sleep(8)
    wait_for_tone(t, 1000, "pipeline 0 delivering again does not take over: pipeline 1 stays active", timeout=2)


def test_restarting_pipeline_1_alone_hands_back_to_pipeline_0(t):
    cannot = t.lacks("medialive", "RestartChannelPipelines")
    if cannot:
        print(f"    skip: {cannot}")
        return
    mark = len(t.server.log_path.read_text(errors="replace"))
    S["ml"].restart_channel_pipelines(ChannelId=S["cid"], PipelineIds=["PIPELINE_1"])
    wait_for_tone(t, 440, "while pipeline 1 restarts, MediaPackage plays pipeline 0 again", timeout=20)
    log = t.server.log_path.read_text(errors="replace")[mark:]
    check("pipeline 1: restarting its pipeline" in log, "pipeline 1 restarts", True, False)
    check(": restarting its pipeline" not in log.replace("pipeline 1: restarting its pipeline", ""),
          "pipeline 0 does not restart", True, False)
    check_eq(S["ml"].describe_channel(ChannelId=S["cid"])["State"], "RUNNING", "the channel stays RUNNING")


def test_stop_ends_the_playlist(t):
    # Stopped while both pipelines deliver: the first to end ends MediaPackage's playlist; it does
    # not hand over to the other for its last moments (no EXT-X-DISCONTINUITY before ENDLIST).
    before = media.variant_playlist(S["hls"], "the HLS endpoint")
    S["ml"].stop_channel(ChannelId=S["cid"])
    S["ml"].get_waiter("channel_stopped").wait(ChannelId=S["cid"], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    for p in ("main", "backup"):
        S[p].stop()
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    check(pl is not None and pl.tag("EXT-X-ENDLIST") is not None, "StopChannel ends the endpoint's playlist", True, False)
    if pl and before:
        tail = pl.segments[max(0, before.last_sequence + 1 - pl.media_sequence):]
        check_eq([s["uri"] for s in tail if s["discontinuity"]], [],
                 "no EXT-X-DISCONTINUITY among the segments written after StopChannel")


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        media.Push.stop_all()
