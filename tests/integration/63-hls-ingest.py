# timeout: 300
"""MediaPackage HLS ingest over HTTP (issue 8, part 5, and MediaPackage's input redundancy): an
encoder outside mediaemu PUTs HLS to a MediaPackage channel's ingest URLs with digest
authentication, as `ffmpeg -f hls -method PUT` with `user:password@` does, and MediaPackage's
endpoints serve it repackaged (no transcoding).
- Two renditions (640x360, 416x234; a 440 Hz tone) PUT to the first ingest URL: the HLS endpoint
  serves both variants (ffprobe: resolution, H.264, AAC, 2 s segments), the DASH endpoint two
  video representations that decode; hls.js plays the HLS endpoint in headless Chromium.
- Wrong credentials, and credentials rotated away, get 401 with a digest challenge and nothing
  is kept; garbage uploads are refused in the log while the stream goes on.
- Input redundancy (MP-UG what-is-flow-gen): a second encoder (1000 Hz) PUTs to the second ingest
  URL and stays standby; the first is killed, the second takes over within seconds (the tone of
  the newest segment says which), after one EXT-X-DISCONTINUITY and with the media sequence
  running on; its EXT-X-ENDLIST ends the endpoint's playlist.
- AWS/MediaPackage IngressRequestCount, IngressBytes and IngressResponseTime count the uploads per
  channel and ingest endpoint (the 401s in the 4xx range), and ActiveInput was 1 for each ingest
  endpoint in turn (the second's checked once it took over), as GetMetricStatistics reads them.
"""

import datetime
import subprocess
import time
import urllib.error
import urllib.request
from typing import Optional

import harness
import media
from harness import check, check_eq

S = {}


def credentials_url(endpoint: dict) -> str:
    return endpoint["Url"].replace("http://", f"http://{endpoint['Username']}:{endpoint['Password']}@", 1)


def hls_push(t, endpoint: dict, seconds: int, tone: int, label: str) -> media.Push:
    """A two-rendition ffmpeg HLS push over HTTP PUT (GOP 1 s, 2 s segments)."""
    p = media.Push(credentials_url(endpoint), seconds, log_dir=t.server.tmp, label=label, tone=tone)
    url = p.argv[-1]
    inputs = p.argv[: p.argv.index("-t") + 2]  # ffmpeg -re, the lavfi sources and -t
    p.argv = inputs + [
        "-filter_complex", "[0:v]split=2[a][b];[b]scale=416:234[b2]", "-map", "[a]", "-map", "[b2]",
        "-map", "1:a", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-keyint_min", "30",
        "-sc_threshold", "0", "-b:v:0", "800k", "-b:v:1", "400k", "-c:a", "aac", "-b:a", "96k", "-ac", "2",
        "-f", "hls", "-method", "PUT", "-hls_time", "2", "-hls_list_size", "5", "-hls_flags", "delete_segments",
        "-var_stream_map", "v:0,a:0 v:1,a:1", "-master_pl_name", "channel.m3u8", url + "_%v.m3u8"]
    return p.start()


def newest_tone(t, label: str) -> float:
    pl = media.variant_playlist(S["hls"], "the HLS endpoint")
    return media.segment_tone(pl.segments[-1]["url"], t.server.tmp / f"{label}.ts") if pl and pl.segments else 0.0


def test_setup(t):
    mp = t.client("mediapackage")
    S["mp"] = mp
    channel = mp.create_channel(Id="ingest")
    S["ingest"] = channel["HlsIngest"]["IngestEndpoints"]
    S["hls"] = mp.create_origin_endpoint(ChannelId="ingest", Id="ingest-hls",
                                         HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30})["Url"]
    S["dash"] = mp.create_origin_endpoint(ChannelId="ingest", Id="ingest-dash",
                                          DashPackage={"SegmentDurationSeconds": 2})["Url"]
    S["first"] = hls_push(t, S["ingest"][0], 90, 440, "first")


def test_uploads_are_packaged_without_transcoding(t):
    pl = media.wait_for_variant(S["hls"], "the HLS endpoint", segments=3, timeout=40)
    if not check(pl is not None, "the HLS endpoint serves what the encoder PUT", True, False):
        print(S["first"].log())
        return
    master = media.master_playlist(S["hls"], "the HLS endpoint")
    resolutions = sorted(v["attrs"].get("RESOLUTION", "") for v in master["variants"])
    check_eq(resolutions, ["416x234", "640x360"], "one variant per uploaded rendition, at its resolution")
    check_eq(pl.target_duration, 2, "EXT-X-TARGETDURATION is the endpoint's SegmentDurationSeconds")
    for index, (width, height) in enumerate([(640, 360), (416, 234)]):
        variant = media.variant_playlist(S["hls"], "the HLS endpoint", index)
        if not variant or not variant.segments:
            check(False, f"variant {index} lists segments", True, False)
            continue
        seg = media.download([variant.segments[-1]["url"]], t.server.tmp / f"variant{index}.ts")
        info = media.ffprobe(seg, "-show_streams", "-show_format")
        video = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
        audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
        check_eq((video[0]["codec_name"], video[0]["width"], video[0]["height"]) if video else None,
                 ("h264", width, height), f"variant {index}: the uploaded H.264 rendition, not re-scaled")
        check_eq(audio[0]["codec_name"] if audio else None, "aac", f"variant {index}: AAC audio")
        duration = float(info.get("format", {}).get("duration", 0))
        check(abs(duration - 2.0) < 0.2, f"variant {index}: 2 s segments", "2 s", duration)
    check(abs(newest_tone(t, "first-tone") - 440) < 44, "the newest segment carries the first encoder's tone", True,
          False)
    doc = media.mpd(S["dash"], "the DASH endpoint")
    if check(doc is not None, "the DASH endpoint serves an MPD", True, False):
        reps = [r for r in doc.iter() if r.tag.endswith("Representation") and r.get("width")]
        check_eq(sorted(int(r.get("width")) for r in reps), [416, 640], "DASH: a representation per rendition")
        init = media.fetch(S["dash"].rsplit("/", 1)[0] + "/index_video_1_0_init.mp4")
        check_eq(init.status, 200, "DASH: the first representation's init segment is served")


def test_hls_js_plays_what_the_encoder_put(t):
    media.check_hls_js_plays({"the HLS endpoint fed by HTTP PUT": S["hls"]}, sizes={(640, 360), (416, 234)})


def test_wrong_or_rotated_credentials_are_401_and_nothing_is_kept(t):
    second = S["ingest"][1]
    url = second["Url"] + "_0.m3u8"
    raw = urllib.request.Request(url, data=b"#EXTM3U\n", method="PUT")
    try:
        urllib.request.urlopen(raw, timeout=10)
        status, challenge = 200, ""
    except urllib.error.HTTPError as e:
        status, challenge = e.code, e.headers.get("WWW-Authenticate", "")
    check_eq(status, 401, "a PUT without credentials is 401")
    check(challenge.startswith("Digest ") and 'qop="auth"' in challenge, "the 401 carries a digest challenge",
          'Digest ... qop="auth"', challenge)
    check_eq(media.digest_put(url, b"#EXTM3U\n", second["Username"], "0" * 32), 401, "a wrong password is 401")
    rotated = S["mp"].rotate_ingest_endpoint_credentials(Id="ingest", IngestEndpointId=second["Id"])
    S["ingest"][1] = new = rotated["HlsIngest"]["IngestEndpoints"][1]
    check_eq(media.digest_put(url, b"#EXTM3U\n", second["Username"], second["Password"]), 401,
             "credentials rotated away are 401")
    check_eq(media.digest_put(second["Url"] + "_9.ts", b"x", new["Username"], new["Password"], method="DELETE"), 204,
             "the rotated credentials are accepted (a DELETE is 204)")
    log = t.server.log_path.read_text(errors="replace")
    check("refused PUT" in log and "a wrong password" in log, "the server log says why a PUT was refused", True, False)
    check_eq(media.fetch(second["Url"] + "_0.m3u8").status, 405, "GET on an ingest URL is 405 (uploads only)")


def test_garbage_uploads_are_refused_and_the_stream_goes_on(t):
    new = S["ingest"][1]
    before = media.variant_playlist(S["hls"], "the HLS endpoint")
    check_eq(media.digest_put(new["Url"] + "_x0.ts", b"\x00garbage" * 500, new["Username"], new["Password"]), 201,
             "an authenticated upload is taken (201)")
    playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nchannel_x0.ts\n"
    check(media.digest_put(new["Url"] + "_x.m3u8", playlist, new["Username"], new["Password"]) in (201, 204),
          "a playlist naming it is taken", True, False)
    time.sleep(4)
    log = t.server.log_path.read_text(errors="replace")
    check("not an MPEG-TS segment" in log, "the log says the garbage segment is not used", True, False)
    after = media.variant_playlist(S["hls"], "the HLS endpoint")
    check(before and after and after.last_sequence > before.last_sequence, "the endpoint's playlist keeps advancing",
          True, False)


def test_the_second_input_takes_over_when_the_first_stops(t):
    S["second"] = hls_push(t, S["ingest"][1], 60, 1000, "second")
    time.sleep(8)
    check(abs(newest_tone(t, "standby") - 440) < 44, "while the first input delivers, the second stands by", True,
          False)
    before = media.variant_playlist(S["hls"], "the HLS endpoint")
    S["first"].proc.kill()  # an encoder that dies: no EXT-X-ENDLIST
    deadline, tone = time.monotonic() + 30, 0.0
    while time.monotonic() < deadline:
        tone = newest_tone(t, "failover")
        if abs(tone - 1000) < 100:
            break
        time.sleep(1)
    check(abs(tone - 1000) < 100, "the second input is on the endpoint after the first stopped", "about 1000 Hz",
          f"{tone:.0f} Hz")
    after = media.variant_playlist(S["hls"], "the HLS endpoint")
    if before and after:
        check(after.media_sequence >= before.media_sequence and after.last_sequence > before.last_sequence,
              "the media sequence runs on across the switch", True, False)
        check_eq(after.text.count("#EXT-X-DISCONTINUITY"), 1, "one EXT-X-DISCONTINUITY marks the switch")
    log = t.server.log_path.read_text(errors="replace")
    check("input 2 takes over" in log, "the server log names the switch", True, False)
    # AWS/MediaPackage ActiveInput (published every 10 s): now the second ingest endpoint's.
    cw, second = t.client("cloudwatch"), {"IngestEndpoint": S["ingest"][1]["Id"], "OriginEndpoint": "ingest-hls"}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and 1.0 not in mediapackage_stat(cw, "ActiveInput", second, "Maximum"):
        time.sleep(1)
    check_eq(max(mediapackage_stat(cw, "ActiveInput", second, "Maximum"), default=None), 1.0,
             "ActiveInput is 1 for the second ingest endpoint once it took over")


def test_the_active_encoders_endlist_ends_the_endpoint(t):
    S["second"].stop()  # SIGINT: ffmpeg writes its final playlist with EXT-X-ENDLIST
    deadline, pl = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        pl = media.variant_playlist(S["hls"], "the HLS endpoint")
        if pl and pl.ended:
            break
        time.sleep(1)
    check(pl is not None and pl.ended, "the endpoint's playlist ends (EXT-X-ENDLIST)", True, False)


def mediapackage_stat(cw, name: str, dims: dict, stat: str = "Sum") -> list:
    now = datetime.datetime.now(datetime.timezone.utc)
    got = cw.get_metric_statistics(Namespace="AWS/MediaPackage", MetricName=name, Period=60, Statistics=[stat],
                                   Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
                                   StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=1))
    return [p[stat] for p in got["Datapoints"]]


def ingress_sum(cw, name: str, dims: dict) -> float:
    return sum(mediapackage_stat(cw, name, dims))


def test_ingress_metrics_count_the_uploads(t):
    cw = t.client("cloudwatch")
    first = {"Channel": "ingest", "IngestEndpoint": S["ingest"][0]["Id"]}
    second_4xx = {"Channel": "ingest", "IngestEndpoint": S["ingest"][1]["Id"], "StatusCodeRange": "4xx"}
    deadline = time.monotonic() + 25  # published every 10 s
    while time.monotonic() < deadline and (ingress_sum(cw, "IngressRequestCount", first) == 0 or
                                           ingress_sum(cw, "IngressRequestCount", second_4xx) < 3):
        time.sleep(2)
    requests = ingress_sum(cw, "IngressRequestCount", first)
    check(requests >= 20, "IngressRequestCount counts the first encoder's uploads", ">= 20", requests)
    uploaded = ingress_sum(cw, "IngressBytes", first)
    check(uploaded > 200_000, "IngressBytes sums the uploaded bytes", "> 200000", uploaded)
    refused = ingress_sum(cw, "IngressRequestCount", second_4xx)
    check(refused >= 3, "the refused uploads count in the 4xx range", ">= 3", refused)
    check(ingress_sum(cw, "IngressResponseTime", {"Channel": "ingest"}) > 0, "IngressResponseTime is published",
          True, False)
    first_active = {"IngestEndpoint": S["ingest"][0]["Id"], "OriginEndpoint": "ingest-hls"}
    check_eq(max(mediapackage_stat(cw, "ActiveInput", first_active, "Maximum"), default=None), 1.0,
             "ActiveInput was 1 for the first ingest endpoint while it delivered")


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        media.Push.stop_all()
