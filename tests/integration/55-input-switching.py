# timeout: 300
"""Input switching in a running channel (issue 8, part 3): a channel with two inputs, RTMP_PUSH
("main", a 440 Hz tone) and RTP_PUSH ("backup", 1000 Hz), delivering to a MediaPackage HLS endpoint.
Which source is on air is read from the decoded audio of the endpoint's newest segment (its
zero crossings) and from DescribeChannel's PipelineDetails.ActiveInputAttachmentName.
- AutomaticInputFailoverSettings on "main" (secondary: "backup", input loss 1 s,
  EQUAL_INPUT_PREFERENCE): stopping the RTMP sender puts the RTP input on air, and it stays there
  when RTMP comes back, as EQUAL_INPUT_PREFERENCE means.
- A fixed-time InputSwitch by BatchUpdateSchedule (at least 15 s ahead, as AWS requires) puts
  "main" back on air at its time; the playlist runs on without EXT-X-DISCONTINUITY.
- The pair's VideoBlackSettings (10% of white, 1.5 s): "main" publishing black, switched on air at
  once (an immediate InputSwitch), fails over to "backup" once it has been black that long.
- InputClippingSettings: an immediate switch to an MP4_FILE input ("clip": a 10 s file whose tone
  is 1500 Hz from 5 s to 8 s and 2500 Hz elsewhere) clipped to 00:00:05:00-00:00:08:00 plays only
  the 1500 Hz part: no new segment carries 2500 Hz, before the clip or after its stop. A
  follow-mode switch (FollowPoint END of that action) puts "backup" back on air when the clip ends,
  and a follow-mode SCTE-35 splice insert on the same END opens a break there (EXT-X-CUE-OUT in a
  second endpoint with AdMarkers SCTE35_ENHANCED).
- A dynamic MP4_FILE input (`<dir>/$urlPath$`): an immediate switch with UrlPath ["movie-2000.mp4"]
  plays that file (2000 Hz), and a follow-mode switch puts "backup" back on air at its end. An input
  prepare before it is run: a file input opens at its switch, from its start.
"""

import subprocess
import time
from datetime import datetime, timedelta, timezone

import harness
import media
from harness import check, check_eq

S = {}


def dominant_tone(t, label: str) -> float:
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    return media.segment_tone(pl.segments[-1]["url"], t.server.tmp / f"{label}.ts") if pl and pl.segments else 0.0


def wait_for_tone(t, hz: float, what: str, timeout: float = 40) -> float:
    deadline, seen = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        seen = dominant_tone(t, f"tone-{int(hz)}")
        if abs(seen - hz) < hz * 0.1:
            break
        time.sleep(1)
    check(abs(seen - hz) < hz * 0.1, what, f"about {hz} Hz", f"{seen:.0f} Hz")
    return seen


def on_air(t) -> str:
    details = S["ml"].describe_channel(ChannelId=S["cid"]).get("PipelineDetails", [])
    return details[0].get("ActiveInputAttachmentName", "") if details else ""


def wait_on_air(t, name: str, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and on_air(t) != name:
        time.sleep(0.5)
    check_eq(on_air(t), name, what)


def test_setup(t):
    ml, mp = t.client("medialive"), t.client("mediapackage")
    S["ml"] = ml
    channel = mp.create_channel(Id="switching")
    S["hls"] = mp.create_origin_endpoint(ChannelId="switching", Id="switching-hls",
                                         HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 20})["Url"]
    S["ads"] = mp.create_origin_endpoint(ChannelId="switching", Id="switching-ads", HlsPackage={
        "SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 60, "AdMarkers": "SCTE35_ENHANCED"})["Url"]
    rtp = ml.create_input(Name="backup", Type="RTP_PUSH")["Input"]
    S["clip_file"] = t.server.tmp / "clip.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
                    "-f", "lavfi", "-i", "aevalsrc=sin(2*PI*if(between(t\\,5\\,8)\\,1500\\,2500)*t):s=48000",
                    "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "128k", str(S["clip_file"])], check=True, timeout=60)
    clip = ml.create_input(Name="clip", Type="MP4_FILE", Sources=[{"Url": str(S["clip_file"])}])["Input"]
    # A dynamic input: its URL's $urlPath$ is what each switch to it names (a 2000 Hz file here).
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=2000:sample_rate=48000", "-t", "8", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                    str(t.server.tmp / "movie-2000.mp4")], check=True, timeout=60)
    dyn = ml.create_input(Name="dyn", Type="MP4_FILE", Sources=[{"Url": str(t.server.tmp / "$urlPath$")}])["Input"]
    S["dyn"] = dyn["Id"]
    S["rtp_url"] = rtp["Destinations"][0]["Url"]
    S["rtmp_url"] = media.start_channel_to_mediapackage(
        ml, "switching", channel, ladder=[("v360", 640, 360, 800_000)], input_loss_action="EMIT_OUTPUT",
        more_attachments=[{"InputId": rtp["Id"], "InputAttachmentName": "backup"},
                          {"InputId": clip["Id"], "InputAttachmentName": "clip"},
                          {"InputId": dyn["Id"], "InputAttachmentName": "dyn"}],
        failover={"SecondaryInputId": rtp["Id"], "InputPreference": "EQUAL_INPUT_PREFERENCE",
                  "FailoverConditions": [
                      {"FailoverConditionSettings": {"InputLossSettings": {"InputLossThresholdMsec": 1000}}},
                      {"FailoverConditionSettings": {"VideoBlackSettings": {
                          "BlackDetectThreshold": 0.1, "VideoBlackThresholdMsec": 1500}}}]})
    S["cid"] = next(c["Id"] for c in ml.list_channels()["Channels"] if c["Name"] == "switching")
    S["main"] = media.Push(S["rtmp_url"], 120, size="320x180", log_dir=t.server.tmp, label="main", tone=440).start()
    S["backup"] = media.Push(S["rtp_url"], 120, size="320x180", log_dir=t.server.tmp, label="backup", tone=1000,
                             container="rtp_mpegts").start()


def test_the_first_attachment_is_on_air(t):
    check(media.wait_for_variant(S["hls"], "the HLS endpoint", segments=2) is not None,
          "the endpoint serves segments", True, False)
    wait_on_air(t, "main", "a started channel ingests its first input attachment")
    wait_for_tone(t, 440, "the newest segment carries main's 440 Hz tone")


def test_input_loss_fails_over_to_the_secondary_and_stays(t):
    S["main"].stop()
    wait_on_air(t, "backup", "input loss on main puts the secondary input on air")
    wait_for_tone(t, 1000, "the newest segment carries backup's 1000 Hz tone")
    S["main"] = media.Push(S["rtmp_url"], 120, size="320x180", log_dir=t.server.tmp, label="main2", tone=440).start()
    time.sleep(5)
    check_eq(on_air(t), "backup", "EQUAL_INPUT_PREFERENCE: the recovered primary does not take over")


def test_a_fixed_time_schedule_switch_runs_at_its_time(t):
    at = datetime.now(timezone.utc) + timedelta(seconds=16)
    S["ml"].batch_update_schedule(ChannelId=S["cid"], Creates={"ScheduleActions": [{
        "ActionName": "back-to-main",
        "ScheduleActionStartSettings": {"FixedModeScheduleActionStartSettings": {
            "Time": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}},
        "ScheduleActionSettings": {"InputSwitchSettings": {"InputAttachmentNameReference": "main"}}}]})
    time.sleep(max(0.0, (at - datetime.now(timezone.utc)).total_seconds() - 2))
    check_eq(on_air(t), "backup", "two seconds before its time, the switch has not happened")
    wait_on_air(t, "main", "at its time, the schedule's switch puts main on air", timeout=10)
    wait_for_tone(t, 440, "the newest segment carries main's tone again")
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    check("#EXT-X-DISCONTINUITY" not in (pl.text if pl else "#EXT-X-DISCONTINUITY"),
          "switches keep the output timeline continuous (no EXT-X-DISCONTINUITY)", True, False)
    log = t.server.log_path.read_text(errors="replace")
    check("on air after" in log, "the server log names each switch", True, False)


def test_a_black_input_on_air_fails_over(t):
    S["main"].stop()
    wait_on_air(t, "backup", "input loss on main puts the secondary on air again")
    S["main"] = media.Push(S["rtmp_url"], 120, size="320x180", log_dir=t.server.tmp, label="black", tone=440,
                           pattern="color=c=black").start()
    # The black publisher connects, standing by (EQUAL_INPUT_PREFERENCE keeps backup on air).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and t.server.log_path.read_text(errors="replace").count("publishes live/") < 3:
        time.sleep(0.2)
    time.sleep(1)
    S["ml"].batch_update_schedule(ChannelId=S["cid"], Creates={"ScheduleActions": [{
        "ActionName": "to-black-main",
        "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
        "ScheduleActionSettings": {"InputSwitchSettings": {"InputAttachmentNameReference": "main"}}}]})
    wait_on_air(t, "main", "the immediate switch puts the black main on air", timeout=10)
    wait_on_air(t, "backup", "after 1.5 s of black, automatic failover puts backup on air", timeout=15)
    log = t.server.log_path.read_text(errors="replace")
    check("was black for" in log, "the server log gives black video as the reason", True, False)


def test_an_input_switch_plays_only_the_clip_of_a_file(t):
    before = media.variant_playlist(S["hls"], "the HLS endpoint")
    seen = {s["uri"] for s in before.segments} if before else set()
    S["ml"].batch_update_schedule(ChannelId=S["cid"], Creates={"ScheduleActions": [{
        "ActionName": "to-clip",
        "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
        "ScheduleActionSettings": {"InputSwitchSettings": {
            "InputAttachmentNameReference": "clip",
            "InputClippingSettings": {"InputTimecodeSource": "ZEROBASED",
                                      "StartTimecode": {"Timecode": "00:00:05:00"},
                                      "StopTimecode": {"Timecode": "00:00:08:00"}}}}}, {
        "ActionName": "after-clip",
        "ScheduleActionStartSettings": {"FollowModeScheduleActionStartSettings": {
            "FollowPoint": "END", "ReferenceActionName": "to-clip"}},
        "ScheduleActionSettings": {"InputSwitchSettings": {"InputAttachmentNameReference": "backup"}}}, {
        "ActionName": "break-after-clip",
        "ScheduleActionStartSettings": {"FollowModeScheduleActionStartSettings": {
            "FollowPoint": "END", "ReferenceActionName": "to-clip"}},
        "ScheduleActionSettings": {"Scte35SpliceInsertSettings": {"SpliceEventId": 77, "Duration": 4 * 90000}}}]})
    wait_on_air(t, "clip", "the immediate switch puts the file on air", timeout=10)
    tones, deadline = [], time.monotonic() + 16  # the clip (3 s) and the segments after its stop
    while time.monotonic() < deadline:
        pl = media.variant_playlist(S["hls"], "the HLS endpoint")
        for seg in (pl.segments if pl else []):
            if seg["uri"] not in seen:
                seen.add(seg["uri"])
                tones += [round(hz) for hz in media.segment_tones(seg["url"], t.server.tmp / "clip-seg.ts")]
        time.sleep(1)
    # Tones of each quarter second of the new segments: the clip's, never the rest of the file's.
    check(sum(abs(hz - 1500) < 50 for hz in tones) >= 8, "at least 2 s of the new segments carry the clip's 1500 Hz",
          ">= 8 quarter seconds at 1500 Hz", tones)
    check(all(hz < 2200 for hz in tones), "nothing carries the 2500 Hz outside the clip", "all < 2200 Hz", tones)
    clip_end = max((i for i, hz in enumerate(tones) if abs(hz - 1500) < 50), default=len(tones))
    check(sum(abs(hz - 1000) < 50 for hz in tones[clip_end:]) >= 4,
          "the follow-mode switch puts backup (1000 Hz) on air when the clip ends", ">= 1 s of 1000 Hz after it",
          tones[clip_end:])
    check_eq(on_air(t), "backup", "backup is on air after the clip")
    log = t.server.log_path.read_text(errors="replace")
    check("clipped to 5000 ms .. 8000 ms" in log, "the server log gives the clip", True, False)
    check("SCTE-35 schedule action break-after-clip handed to the encoder: the input of to-clip reached its end" in log,
          "the follow-mode splice insert goes to the encoder when the clip ends", True, False)
    ads = media.variant_playlist(S["ads"], "the SCTE35_ENHANCED endpoint")
    check(ads is not None and "#EXT-X-CUE-OUT:4" in ads.text and "#EXT-X-CUE-IN" in ads.text,
          "the SCTE35_ENHANCED endpoint opens and closes the 4 s break at the clip's end", "CUE-OUT:4 ... CUE-IN",
          ads.text if ads else None)


def test_a_dynamic_input_plays_what_the_switch_names(t):
    check_eq(S["ml"].describe_input(InputId=S["dyn"])["InputSourceType"], "DYNAMIC", "a $urlPath$ input is DYNAMIC")
    S["ml"].batch_update_schedule(ChannelId=S["cid"], Creates={"ScheduleActions": [{
        "ActionName": "ready-movie",
        "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
        "ScheduleActionSettings": {"InputPrepareSettings": {"InputAttachmentNameReference": "dyn",
                                                            "UrlPath": ["movie-2000.mp4"]}}}, {
        "ActionName": "to-movie",
        "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
        "ScheduleActionSettings": {"InputSwitchSettings": {"InputAttachmentNameReference": "dyn",
                                                           "UrlPath": ["movie-2000.mp4"]}}}, {
        "ActionName": "after-movie",
        "ScheduleActionStartSettings": {"FollowModeScheduleActionStartSettings": {
            "FollowPoint": "END", "ReferenceActionName": "to-movie"}},
        "ScheduleActionSettings": {"InputSwitchSettings": {"InputAttachmentNameReference": "backup"}}}]})
    wait_on_air(t, "dyn", "the immediate switch puts the dynamic input on air", timeout=10)
    wait_for_tone(t, 2000, "the newest segment carries the 2000 Hz of the file its UrlPath names", timeout=12)
    log = t.server.log_path.read_text(errors="replace")
    check("pulls MP4_FILE from " + str(t.server.tmp / "movie-2000.mp4") in log, "the server pulls the UrlPath's file",
          True, False)
    check(f"Input {S['dyn']} is a file: it opens at its switch, from its start or clip (input prepare ready-movie)"
          in log, "an input prepare of a file input is run (a file opens at its switch, from its start)", True, False)
    wait_on_air(t, "backup", "the follow-mode switch puts backup on air when the movie ends", timeout=15)


def test_teardown(t):
    for p in ("main", "backup"):
        S[p].stop()
    S["ml"].stop_channel(ChannelId=S["cid"])
    S["ml"].get_waiter("channel_stopped").wait(ChannelId=S["cid"], WaiterConfig={"Delay": 1, "MaxAttempts": 30})


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        media.Push.stop_all()
