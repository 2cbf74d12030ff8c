# timeout: 300
"""Inputs mediaemu fetches or calls instead of being pushed to: URL_PULL (a live HLS playlist
that ffmpeg writes into a directory served by Python's http.server), MP4_FILE (a local MP4
made by ffmpeg, played once in real time), TS_FILE (an MPEG-TS file, looped by the attachment's
SourceEndBehavior), RTMP_PULL (ffmpeg serving RTMP with -listen 1), SRT_CALLER (the channel calls ffmpeg, which listens)
and SRT_LISTENER (ffmpeg calls the input's srt:// destination; a caller outside the input
security group is refused). Each channel transcodes to HLS, checked with ffprobe, and delivers to
its own MediaPackage channel, whose HLS endpoint hls.js plays in headless Chromium. The URL_PULL
input starts before its playlist exists: the channel runs with Input Not Present, and recovers
when the playlist appears. CreateInput validates each type's sources and SRT settings.
"""

import functools
import http.server
import shutil
import subprocess
import threading
import time
from pathlib import Path

import harness
import media
from harness import check, check_eq, expect_error

SRT_PASSPHRASE = "correcthorsebattery"  # kept in Secrets Manager; the sender encrypts with it

S = {"procs": []}
LAVFI = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
        "-b:v", "500k", "-c:a", "aac", "-b:a", "96k", "-ac", "2"]


def ffmpeg(args: list, label: str, t) -> subprocess.Popen:
    log = open(Path(t.server.tmp) / f"{label}.log", "ab")
    p = subprocess.Popen(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning", *args],
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    S["procs"].append(p)
    return p


def ffmpeg_can(kind: str, name: str) -> bool:
    out = subprocess.run(["ffmpeg", "-hide_banner", f"-{kind}"], capture_output=True, text=True).stdout
    return any(name in line.split()[:2] for line in out.splitlines())


def segments_under(root: Path) -> list:
    return sorted(root.glob("*.ts")) if root.exists() else []


def alert_types(channel_id: str) -> list:
    return [a["AlertType"] for a in S["ml"].list_alerts(ChannelId=channel_id)["Alerts"]]


def wait_for_segments(kind: str, count: int, seconds: float) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(segments_under(S["s3"] / f"pull-{kind}")) < count:
        time.sleep(1)
    return segments_under(S["s3"] / f"pull-{kind}")


def check_hls_output(kind: str, what: str) -> None:
    segs = wait_for_segments(kind, 3, 45)
    check(len(segs) >= 3, f"{what} becomes HLS segments", ">= 3", len(segs))
    if len(segs) < 2:
        return
    probe = media.ffprobe(segs[-2], "-show_streams", "-show_format")
    streams = probe.get("streams", [])
    check_eq(sorted(s.get("codec_name") for s in streams), ["aac", "h264"], f"{what}: a segment carries H.264 and AAC")
    video = [s for s in streams if s.get("codec_type") == "video"]
    check_eq((video[0].get("width"), video[0].get("height")) if video else None, (256, 144),
             f"{what}: the rung's resolution")
    duration = float(probe.get("format", {}).get("duration", 0))
    print(f"    {what}: {len(segs)} segments, {time.monotonic() - S['started']:.1f} s after start; "
          f"{segs[-2].name} {video[0].get('width') if video else '?'}x{video[0].get('height') if video else '?'}, "
          f"{duration:.2f} s", flush=True)
    check(1.5 <= duration <= 2.6, f"{what}: a segment lasts SegmentLength (2 s)", "1.5-2.6 s", duration)


def test_setup(t):
    missing = [n for n in ("ffmpeg", "ffprobe") if not shutil.which(n)]
    if missing or not ffmpeg_can("protocols", "srt") or not ffmpeg_can("muxers", "hls"):
        print(f"SKIP: needs ffmpeg and ffprobe with the srt protocol and the hls muxer (missing: {missing or 'srt/hls'})")
        raise SystemExit(77)
    ml = t.client("medialive")
    types = ml.meta.service_model.shape_for("InputType").enum
    S.update(ml=ml, s3=Path(t.server.data_dir) / "s3" / "mediaemu-it", tmp=Path(t.server.tmp),
             caller=("SRT_CALLER" in types), listener=("SRT_LISTENER" in types))
    # botocore 1.29 (Debian 12) predates MediaLive's SRT inputs: neither type nor SrtSettings.
    if not S["caller"]:
        print("    skip SRT_CALLER: this botocore's MediaLive model has no such input type")
    if not S["listener"]:
        print("    skip SRT_LISTENER: this botocore's MediaLive model has no such input type")
    # The live HLS directory, served on 127.0.0.1 (empty for now: the pull gets 404 and retries).
    S["www"] = S["tmp"] / "www"
    (S["www"] / "live").mkdir(parents=True)
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                                     {"log_message": lambda *a: None}), directory=str(S["www"]))
    S["http"] = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=S["http"].serve_forever, daemon=True).start()
    S["playlist"] = f"http://127.0.0.1:{S['http'].server_address[1]}/live/index.m3u8"
    # A 6-second MP4 for the file input.
    S["clip"] = S["tmp"] / "clip.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *LAVFI, "-t", "6", *X264, str(S["clip"])], check=True)
    S["ts_clip"] = S["tmp"] / "clip.ts"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *LAVFI, "-t", "3", *X264, str(S["ts_clip"])], check=True)


def test_create_input_validates_each_type(t):
    ml = S["ml"]
    expect_error(lambda: ml.create_input(Name="x", Type="URL_PULL"), 422, "UnprocessableEntityException",
                 "a URL_PULL input without sources")
    expect_error(lambda: ml.create_input(Name="x", Type="MP4_FILE", Sources=[{"Url": "ftp://host/clip.mp4"}]), 422,
                 "UnprocessableEntityException", "an MP4_FILE source with an ftp:// URL")
    expect_error(lambda: ml.create_input(Name="x", Type="RTMP_PULL", Sources=[{"Url": "http://host/live"}]), 422,
                 "UnprocessableEntityException", "an RTMP_PULL source that is not rtmp://")
    if S["caller"]:
        expect_error(lambda: ml.create_input(Name="x", Type="SRT_CALLER"), 422, "UnprocessableEntityException",
                     "an SRT_CALLER input without srtCallerSources")
        expect_error(lambda: ml.create_input(Name="x", Type="SRT_CALLER", SrtSettings={"SrtCallerSources": [
            {"SrtListenerAddress": "127.0.0.1", "SrtListenerPort": "70000"}]}), 422, "UnprocessableEntityException",
            "an SRT caller source with port 70000")
        expect_error(lambda: ml.create_input(Name="x", Type="SRT_CALLER", SrtSettings={"SrtCallerSources": [
            {"SrtListenerAddress": "127.0.0.1", "SrtListenerPort": "9000", "MinimumLatency": 50}]}), 422,
            "UnprocessableEntityException", "an SRT caller source with MinimumLatency 50 ms")
    # UpdateInput checks what it changes the same way.
    detached = ml.create_input(Name="x", Type="MP4_FILE", Sources=[{"Url": "https://example.com/clip.mp4"}])["Input"]
    expect_error(lambda: ml.update_input(InputId=detached["Id"], Sources=[{"Url": "rtmp://example.com/live"}]), 422,
                 "UnprocessableEntityException", "UpdateInput to an MP4_FILE source with an rtmp:// URL")
    updated = ml.update_input(InputId=detached["Id"], Sources=[{"Url": "s3ssl://bucket/clip.mp4"}])["Input"]
    check_eq(updated["Sources"][0]["Url"], "s3ssl://bucket/clip.mp4", "UpdateInput takes an s3ssl:// MP4 source")
    ml.delete_input(InputId=detached["Id"])


def test_start_channels(t):
    ml = S["ml"]
    local = ml.create_input_security_group(WhitelistRules=[{"Cidr": "127.0.0.1/32"}])["SecurityGroup"]["Id"]
    other = ml.create_input_security_group(WhitelistRules=[{"Cidr": "10.0.0.0/8"}])["SecurityGroup"]["Id"]
    S["srt_port"] = harness.free_port(harness.socket.SOCK_DGRAM)
    inputs = {
        "hls": ml.create_input(Name="hls", Type="URL_PULL", Sources=[{"Url": S["playlist"]}])["Input"],
        "mp4": ml.create_input(Name="mp4", Type="MP4_FILE", Sources=[{"Url": str(S["clip"])}])["Input"],
    }
    if S["caller"]:
        # The SRT_CALLER input's passphrase lives in Secrets Manager, as MediaLive reads it.
        secret = t.client("secretsmanager").create_secret(Name="srt-passphrase", SecretString=SRT_PASSPHRASE)["ARN"]
        inputs["srt"] = ml.create_input(Name="srt", Type="SRT_CALLER", SrtSettings={"SrtCallerSources": [
            {"SrtListenerAddress": "127.0.0.1", "SrtListenerPort": str(S["srt_port"]), "MinimumLatency": 200,
             "StreamId": "cam1", "Decryption": {"Algorithm": "AES128", "PassphraseSecretArn": secret}}]})["Input"]
    S["rtmp_port"] = harness.free_port()
    inputs["ts"] = ml.create_input(Name="ts", Type="TS_FILE", Sources=[{"Url": "file://" + str(S["ts_clip"])}])["Input"]
    inputs["rtmp"] = ml.create_input(Name="rtmp", Type="RTMP_PULL", Sources=[
        {"Url": f"rtmp://127.0.0.1:{S['rtmp_port']}/live/main"}])["Input"]
    if S["caller"]:
        check_eq(inputs["srt"]["SrtSettings"]["SrtCallerSources"][0]["StreamId"], "cam1", "SrtSettings are kept")
    check_eq(inputs["mp4"]["InputClass"], "SINGLE_PIPELINE", "one source: a SINGLE_PIPELINE input")
    if S["listener"]:
        srt = {"SrtListenerSettings": {"MinimumLatency": 200, "Decryption": {
            "Algorithm": "AES128", "PassphraseSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:srt"}}}
        inputs["srtl"] = ml.create_input(Name="srtl", Type="SRT_LISTENER", SrtSettings=srt,
                                         InputSecurityGroups=[local])["Input"]
        inputs["guarded"] = ml.create_input(Name="guarded", Type="SRT_LISTENER", SrtSettings=srt,
                                            InputSecurityGroups=[other])["Input"]
        url = inputs["srtl"]["Destinations"][0]["Url"]
        check(url.startswith("srt://127.0.0.1:"), "an SRT_LISTENER input gets an srt:// destination", "srt://…", url)
        S["urls"] = {k: inputs[k]["Destinations"][0]["Url"] for k in ("srtl", "guarded")}
    mp = t.client("mediapackage")
    made = {k: media.one_rung_channel(ml, mp, f"pull-{k}", i["Id"], {"SourceEndBehavior": "LOOP" if k == "ts" else "CONTINUE"})
            for k, i in inputs.items()}
    S["ids"] = {k: cid for k, (cid, _) in made.items()}
    S["endpoints"] = {k: url for k, (_, url) in made.items()}
    for cid in S["ids"].values():
        ml.get_waiter("channel_created").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        ml.start_channel(ChannelId=cid)
    for cid in S["ids"].values():
        ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    S["started"] = time.monotonic()


def test_a_url_that_does_not_answer_is_input_loss_then_recovers(t):
    time.sleep(2.5)  # two failed pulls (404), back-off growing
    cannot = t.lacks("medialive", "ListAlerts")
    if cannot:
        print(f"    skip ListAlerts check: {cannot}")
    else:
        check("Input Not Present" in alert_types(S["ids"]["hls"]), "a playlist that is not there yet: Input Not Present",
              "Input Not Present", alert_types(S["ids"]["hls"]))
    check_eq(S["ml"].describe_channel(ChannelId=S["ids"]["hls"])["State"], "RUNNING", "the channel keeps RUNNING")
    log = t.server.log_path.read_text(errors="replace")
    check("pulling http://127.0.0.1" in log and "again in" in log, "the log says the pull failed and when it retries",
          "…pulling http://… again in …", "not in the log")
    # Now the live HLS appears (1-second segments, a sliding window of 6).
    ffmpeg(["-re", *LAVFI, "-t", "55", *X264, "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
            "-hls_flags", "delete_segments", str(S["www"] / "live" / "index.m3u8")], "hls", t)
    # The SRT listener the SRT_CALLER input calls, and callers of the SRT_LISTENER inputs.
    if S["caller"]:
        ffmpeg(["-re", *LAVFI, "-t", "45", *X264, "-f", "mpegts",
                f"srt://127.0.0.1:{S['srt_port']}?mode=listener&latency=200000&passphrase={SRT_PASSPHRASE}&pbkeylen=16"],
               "srt-listener", t)
    # An RTMP server for the RTMP_PULL input: ffmpeg waits for the channel to connect and play.
    ffmpeg(["-re", *LAVFI, "-t", "45", *X264, "-f", "flv", "-listen", "1",
            f"rtmp://127.0.0.1:{S['rtmp_port']}/live/main"], "rtmp-server", t)
    if S["listener"]:
        ffmpeg(["-re", *LAVFI, "-t", "45", *X264, "-f", "mpegts", S["urls"]["srtl"] + "?mode=caller"], "srt-caller", t)
        ffmpeg(["-re", *LAVFI, "-t", "8", *X264, "-f", "mpegts", S["urls"]["guarded"] + "?mode=caller"], "guarded", t)
    check_hls_output("hls", "a live HLS pulled over HTTP (URL_PULL)")
    if not cannot:
        check("Input Not Present" not in alert_types(S["ids"]["hls"]), "once the playlist plays, the alert clears",
              "no Input Not Present", alert_types(S["ids"]["hls"]))


def test_an_mp4_file_plays_once_in_real_time(t):
    check_hls_output("mp4", "a local MP4 (MP4_FILE)")
    # 6 s of media paced in real time: it cannot have produced much more than 6 s of segments
    # before its end, and ends with Input Not Present (it is not looped).
    deadline = S["started"] + 20
    while time.monotonic() < deadline and "played" not in t.server.log_path.read_text(errors="replace"):
        time.sleep(1)
    log = t.server.log_path.read_text(errors="replace")
    check(f"played {S['clip']} to its end" in log, "the log says the file played to its end", "played … to its end",
          "not in the log")
    elapsed = time.monotonic() - S["started"]
    print(f"    the 6 s MP4 ended {elapsed:.1f} s after the channel started", flush=True)
    check(elapsed >= 6, "a 6-second file takes at least 6 s (real time)", ">= 6 s", round(elapsed, 1))
    time.sleep(3)
    if not t.lacks("medialive", "ListAlerts"):
        check("Input Not Present" in alert_types(S["ids"]["mp4"]), "after its end, the file input is lost",
              "Input Not Present", alert_types(S["ids"]["mp4"]))


def test_a_looped_ts_file_and_an_rtmp_pull_become_hls(t):
    check_hls_output("rtmp", "an RTMP stream pulled from a server (RTMP_PULL)")
    # 3 s of MPEG-TS, looped: well past its length it still delivers, and never "played to its end".
    segs = wait_for_segments("ts", 6, 30)
    check(len(segs) >= 6, "a looped 3-second TS_FILE keeps the channel fed past its length", ">= 6", len(segs))
    check_hls_output("ts", "a looped MPEG-TS file (TS_FILE)")
    log = t.server.log_path.read_text(errors="replace")
    check(f"played {S['ts_clip']} to its end" not in log, "a looped file is never reported as ended",
          "no 'played … to its end'", "reported ended")
    if not t.lacks("medialive", "ListAlerts"):
        check("Input Not Present" not in alert_types(S["ids"]["ts"]), "a looped file input is present",
              "no Input Not Present", alert_types(S["ids"]["ts"]))


def test_srt_caller_and_listener_become_hls(t):
    if S["caller"]:
        check_hls_output("srt", "MPEG-TS over SRT, the channel calling (SRT_CALLER) with the passphrase from Secrets Manager")
    if not S["listener"]:
        return
    check_hls_output("srtl", "MPEG-TS over SRT, the sender calling (SRT_LISTENER)")
    check_eq(len(segments_under(S["s3"] / "pull-guarded")), 0, "an SRT caller outside the whitelist produces nothing")
    log = t.server.log_path.read_text(errors="replace")
    check("refuses SRT datagrams from 127.0.0.1" in log, "the log says why the SRT caller was refused",
          "refuses SRT datagrams from 127.0.0.1", "not in the log")
    check("Secrets Manager" in log or "Secrets Manager" in str(S["ml"].list_alerts(ChannelId=S["ids"]["srtl"])),
          "the unusable SRT passphrase is said, not ignored", "Secrets Manager", "neither logged nor alerted")


def test_each_input_types_mediapackage_endpoint_serves_the_rung_and_hls_js_plays_it(t):
    # Each channel's MediaPackage HLS endpoint, played at once. The MP4 file ended long ago: its
    # endpoint keeps its last segments (MediaPackage groups pause on input loss), which hls.js
    # plays from its live edge as it would any live stream that stopped advancing.
    names = {"hls": "URL_PULL (HLS)", "mp4": "MP4_FILE", "ts": "TS_FILE", "rtmp": "RTMP_PULL",
             "srt": "SRT_CALLER", "srtl": "SRT_LISTENER"}
    endpoints = {f"the {names[k]} channel's endpoint": S["endpoints"][k] for k in names if k in S["endpoints"]}
    for what, url in endpoints.items():
        media.check_endpoint_segment(url, what, "256x144", 2, S["tmp"])
    media.check_hls_js_plays(endpoints, sizes={(256, 144)})


def test_stop_channels(t):
    for cid in S["ids"].values():
        S["ml"].stop_channel(ChannelId=cid)
    for cid in S["ids"].values():
        S["ml"].get_waiter("channel_stopped").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    check(t.server.healthy(), "the server still answers health", True, False)
    playlists = [p for p in (S["s3"] / "pull-hls").glob("*.m3u8") if "#EXTINF" in p.read_text(errors="replace")]
    check(bool(playlists) and "#EXT-X-ENDLIST" in playlists[0].read_text(errors="replace"),
          "StopChannel ends the URL_PULL channel's playlist", "#EXT-X-ENDLIST", [p.name for p in playlists])


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        for p in S["procs"]:
            if p.poll() is None:
                p.kill()
        if "http" in S:
            S["http"].shutdown()
