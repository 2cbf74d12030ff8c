# timeout: 300
"""Real players in headless Chromium (tests/browser/play.mjs: hls.js, dash.js, Shaka) play a
running channel's origin endpoints while ffmpeg publishes, across an 8 s loss of the publisher.

  channel P  640x360 1.2 Mb/s + 416x234 600 kb/s, GOP 2 s -> HlsGroupSettings to MediaPackage
             channel "play"'s ingest URL, InputLossAction EMIT_OUTPUT -> HLS (TS), DASH and CMAF
             origin endpoints.  Push 0-14 s, publisher gone 14-22 s, push again 22-67 s.

hls.js starts at about 6 s and must play 20 s of media, through the loss (MediaLive sends filler
frames for EMIT_OUTPUT, so the player never stalls); then dash.js plays the DASH endpoint for 8 s,
Shaka the CMAF endpoint for 5 s, dash.js with its default settings an endpoint with
DashPackage's defaults (no UTCTiming: the Date header is dash.js's only clock offline) for 5 s,
and dash.js an MSS (Smooth Streaming) endpoint for 5 s, then 5 s of a time-shifted window of it
(`?start=&end=` 34-44 s after the first push began: a finished Smooth presentation).
Seed 002's viewer path runs too: its player page, on S3 static website hosting, plays the HLS
endpoint through a CloudFront distribution's local edge with hls.js (the seed's page loads its
player from a CDN, which is offline here, so the library is added to the page). Screenshots are kept
in tests/artifacts/ (not committed).
"""

import json
import shutil
import subprocess
import time
from urllib.parse import urlsplit

import harness
import media
from harness import check, check_eq

BROWSER_DIR = harness.REPO / "tests" / "browser"
ARTIFACTS = harness.REPO / "tests" / "artifacts"
S = {}


def at(seconds: float) -> None:
    delay = S["t0"] + seconds - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def test_setup(t):
    media.require_player_tools()
    ml, mp = t.client("medialive"), t.client("mediapackage")
    channel = mp.create_channel(Id="play")
    S["hls"] = mp.create_origin_endpoint(
        ChannelId="play", Id="play-hls",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30})["Url"]
    S["dash"] = mp.create_origin_endpoint(
        ChannelId="play", Id="play-dash",
        DashPackage={"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 30, "MinBufferTimeSeconds": 4,
                     "MinUpdatePeriodSeconds": 2,  # the default 15 s outlasts a 6 s delay: players would stall
                     "SuggestedPresentationDelaySeconds": 6, "UtcTiming": "HTTP-ISO",
                     "UtcTimingUri": t.endpoint + "/_mediaemu/time"})["Url"]
    # Every DashPackage setting at its default but the segment length: no UTCTiming (AWS's default
    # is NONE), so dash.js, offline, can only take the time from the responses' Date header.
    S["dash_default"] = mp.create_origin_endpoint(
        ChannelId="play", Id="play-dash-default", DashPackage={"SegmentDurationSeconds": 2})["Url"]
    cmaf = mp.create_origin_endpoint(
        ChannelId="play", Id="play-cmaf",
        CmafPackage={"SegmentDurationSeconds": 2, "HlsManifests": [{"Id": "cmaf", "PlaylistWindowSeconds": 30}]})
    S["cmaf"] = cmaf["CmafPackage"]["HlsManifests"][0]["Url"]
    # Smooth Streaming: dash.js's MSS support plays <name>.ism/Manifest.
    S["mss"] = mp.create_origin_endpoint(
        ChannelId="play", Id="play-mss", MssPackage={"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 30},
        StartoverWindowSeconds=300)["Url"]
    check(S["mss"].endswith("/index.ism/Manifest"), "the MSS endpoint's Url is <manifest name>.ism/Manifest", None, S["mss"])
    site_and_distribution(t)
    S["push_url"] = media.start_channel_to_mediapackage(ml, "play", channel, input_loss_action="EMIT_OUTPUT")
    S["t0"], S["t0_epoch"] = time.monotonic(), time.time()
    S["push"] = media.Push(S["push_url"], 14, log_dir=t.server.tmp, label="p1").start()


def site_and_distribution(t):
    """Seed 002 steps 7 and 9: a CloudFront distribution whose origin is the HLS endpoint's host and
    folder, and the player page on the bucket's website."""
    s3, cf = t.client("s3"), t.client("cloudfront")
    s3.create_bucket(Bucket="player-site")
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Enterprise Streaming Platform'
            '</title></head><body><video id="streaming-player" class="video-js" controls preload="auto"></video>'
            '</body></html>')
    s3.put_object(Bucket="player-site", Key="index.html", Body=page.encode(), ContentType="text/html")
    s3.put_bucket_website(Bucket="player-site", WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
    hls = urlsplit(S["hls"])
    folder, manifest = hls.path.rsplit("/", 1)
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "suite-60", "Comment": "seed 002's distribution, HLS origin", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "hls", "DomainName": hls.netloc, "OriginPath": folder,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "hls", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"},
                                                     "Headers": {"Quantity": 1, "Items": ["Origin"]}}}})["Distribution"]
    cf.get_waiter("distribution_deployed").wait(Id=dist["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    port = urlsplit(t.endpoint).port
    S["site"] = f"http://player-site.s3-website.localhost:{port}/"
    S["edge_hls"] = f"http://{dist['DomainName']}:{port}/{manifest}"


def test_players_play_through_input_loss(t):
    at(6)
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS / "browser", ignore_errors=True)
    (ARTIFACTS / "browser").mkdir(parents=True, exist_ok=True)
    plays = [
        {"player": "hls", "url": S["hls"], "minSeconds": 20, "screenshot": str(ARTIFACTS / "browser" / "hls.js.png")},
        # 8 s: longer than MinUpdatePeriodSeconds, so dash.js must reload the MPD to keep playing.
        # Seed 002's viewer: its page from S3 website hosting, the stream through CloudFront.
        {"player": "hls", "url": S["edge_hls"], "page": S["site"], "video": "#streaming-player",
         "screenshot": str(ARTIFACTS / "browser" / "hls.js-website-cloudfront.png")},
        {"player": "dash", "url": S["dash"], "minSeconds": 8, "screenshot": str(ARTIFACTS / "browser" / "dash.js.png")},
        {"player": "shaka", "url": S["cmaf"], "screenshot": str(ARTIFACTS / "browser" / "shaka-cmaf.png")},
        {"player": "dash", "url": S["dash_default"], "screenshot": str(ARTIFACTS / "browser" / "dash.js-default.png")},
        {"player": "dash", "url": S["mss"], "screenshot": str(ARTIFACTS / "browser" / "dash.js-mss.png")},
        # Start-over on Smooth Streaming: 34-44 s after the first push began (the second push), over
        # when its turn comes (a finished presentation, MP-UG time-shifted). Its chunks start well
        # past time 0, where dash.js's MSS parser takes the earliest StreamIndex start as the offset.
        {"player": "dash", "url": f"{S['mss']}?start={S['t0_epoch'] + 34:.0f}&end={S['t0_epoch'] + 44:.0f}",
         "screenshot": str(ARTIFACTS / "browser" / "dash.js-mss-startover.png")},
    ]
    node = subprocess.Popen(["node", str(BROWSER_DIR / "play.mjs"), json.dumps({"plays": plays, "minSeconds": 5,
                                                                                  "timeoutSeconds": 40})],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    at(22)  # the publisher comes back while hls.js is playing the filler
    check(not S["push"].alive(), "the first publisher stopped at 14 s")
    S["push"] = media.Push(S["push_url"], 55, log_dir=t.server.tmp, label="p2").start()
    try:
        out, _ = node.communicate(timeout=220)
    except subprocess.TimeoutExpired:
        node.kill()
        out, _ = node.communicate()
    results = []
    for line in out.splitlines():
        try:
            results.append(json.loads(line))
        except ValueError:
            print(f"    node: {line}")
    for play in plays:
        r = next((x for x in results if x.get("url") == play["url"]), None)
        if not check(r is not None, f"{play['player']}: the browser reported a result", "a JSON line", out[-800:]):
            continue
        print(f"    {play['player']}: played {r['played']:.1f} s (currentTime {r['currentTime']:.1f}), "
              f"{r['decodedFrames']} frames decoded, {r['droppedFrames']} dropped, {r['width']}x{r['height']}, "
              f"{r['seconds']:.1f} s wall; screenshot {r['screenshot']}", flush=True)
        if "page" in play:
            check_eq(r.get("page"), play["page"], "the player page is the one S3 website hosting serves")
        check(r["ok"], f"{play['player']} plays {play['url']} for {play.get('minSeconds', 5)} s with no fatal error",
              "ok", {k: r.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
        check(r["width"] in (640, 416), f"{play['player']}: the picture is one of the ladder's sizes", "640 or 416",
              r["width"])
    S["push"].stop()


harness.main(globals())
