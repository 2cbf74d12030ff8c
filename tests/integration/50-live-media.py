# timeout: 300
"""The live path end to end, with real clients: boto3 sets up MediaLive and MediaPackage, ffmpeg
publishes over RTMP, the origin is read over HTTP and the media checked with ffprobe.

Two channels run at once, on one timeline (seconds after both publishers start):

  channel A  3-rung ladder (640x360 1.2 Mb/s, 416x234 600 kb/s, 256x144 250 kb/s, GOP 2 s)
             -> MediaPackageGroupSettings -> MediaPackage channel "live", with HLS (TS), DASH
             and CMAF origin endpoints.  Push 0-20 s, input lost 20-28 s, push again 28-36 s.
  channel B  one 256x144 rung -> HlsGroupSettings to MediaPackage channel "loss"'s ingest URL
             (InputLossAction EMIT_OUTPUT) and HlsGroupSettings to s3://mediaemu-it/b/index.
             Push 0-10 s, input lost 10-18 s, push again 18-30 s.

AWS's documented input-loss behaviour is followed (shared/reference/aws-behaviour.md): with a
MediaPackage output group MediaLive pauses delivery, so A's endpoints stop advancing during the
loss and resume after a discontinuity; an HLS group with EMIT_OUTPUT sends filler frames, so B's
endpoint keeps advancing. Security checks run while A is live and must not disturb it.
"""

import datetime
import json
import os
import re
import socket
import time
import xml.etree.ElementTree as ET

import harness
import media
from harness import check, check_eq

LADDER = [("v360", 640, 360, 1_200_000), ("v234", 416, 234, 600_000), ("v144", 256, 144, 250_000)]
HLS_SEGMENT, HLS_WINDOW = 2, 12
DASH_SEGMENT, DASH_WINDOW = 2, 12
CMAF_REQUESTED, CMAF_SEGMENT = 3, 4  # 3 s rounded up to whole 2 s GOPs (ML-UG mediapackage-encode-packaging)
TIME_DELAY = 10  # delayed-hls's TimeDelaySeconds
STARTOVER = 300  # the HLS, DASH and MSS endpoints' StartoverWindowSeconds (test_*_time_shift*)
CDN_IDENTIFIER = "5f7c1b8e-2a4d-4e6f-9b0a-3c2d1e0f9a8b"
S = {}  # what the tests share: clients, ids, URLs, publishers, the timeline's zero


def at(seconds: float) -> None:
    """Sleeps until `seconds` after both publishers started."""
    delay = S["t0"] + seconds - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def create_channel(ml, name: str, input_id: str, videos: list, groups: list, destinations: list,
                   log_level: str = "DISABLED") -> str:
    req = {"Name": name, "ChannelClass": "SINGLE_PIPELINE", "LogLevel": log_level, "RoleArn": "arn:aws:iam::123456789012:role/MediaLiveAccessRole",
           "InputSpecification": {"Codec": "AVC", "Resolution": "SD", "MaximumBitrate": "MAX_10_MBPS"},
           "InputAttachments": [{"InputId": input_id, "InputAttachmentName": "main"}],
           "Destinations": destinations,
           "EncoderSettings": {"TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
                               "VideoDescriptions": videos, "OutputGroups": groups}}
    return ml.create_channel(**req)["Channel"]["Id"]


def test_setup(t):
    ml, mp = t.client("medialive"), t.client("mediapackage")
    S.update(ml=ml, mp=mp, endpoint=t.endpoint, data_dir=t.server.data_dir)
    mp.create_channel(Id="live", Description="channel A's packaging")
    mp.configure_logs(Id="live", EgressAccessLogs={})  # the default group, /aws/MediaPackage/EgressAccessLogs
    loss = mp.create_channel(Id="loss", Description="channel B's packaging")
    S["hls"] = mp.create_origin_endpoint(
        ChannelId="live", Id="live-hls", ManifestName="index",
        HlsPackage={"SegmentDurationSeconds": HLS_SEGMENT, "PlaylistWindowSeconds": HLS_WINDOW,
                    "ProgramDateTimeIntervalSeconds": 2, "IncludeIframeOnlyStream": True},
        StartoverWindowSeconds=STARTOVER)["Url"]
    # TimeDelaySeconds (test_time_delay): the same playlists, 10 s behind the live edge.
    S["delayed_hls"] = mp.create_origin_endpoint(
        ChannelId="live", Id="delayed-hls", ManifestName="index", TimeDelaySeconds=TIME_DELAY,
        HlsPackage={"SegmentDurationSeconds": HLS_SEGMENT, "PlaylistWindowSeconds": HLS_WINDOW,
                    "ProgramDateTimeIntervalSeconds": 2})["Url"]
    S["dash"] = mp.create_origin_endpoint(
        ChannelId="live", Id="live-dash", ManifestName="stream",
        DashPackage={"SegmentDurationSeconds": DASH_SEGMENT, "ManifestWindowSeconds": DASH_WINDOW,
                     "MinBufferTimeSeconds": 4, "MinUpdatePeriodSeconds": 2, "SuggestedPresentationDelaySeconds": 6,
                     "UtcTiming": "HTTP-ISO", "UtcTimingUri": t.endpoint + "/_mediaemu/time"},
        StartoverWindowSeconds=STARTOVER)["Url"]
    # Smooth Streaming with a start-over window (test_mss_time_shift_and_filter).
    S["mss"] = mp.create_origin_endpoint(
        ChannelId="live", Id="live-mss", MssPackage={"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 12},
        StartoverWindowSeconds=STARTOVER)["Url"]
    cmaf = mp.create_origin_endpoint(
        ChannelId="live", Id="live-cmaf",
        CmafPackage={"SegmentDurationSeconds": CMAF_REQUESTED, "SegmentPrefix": "cmafseg",
                     "HlsManifests": [{"Id": "all", "ManifestName": "main", "PlaylistWindowSeconds": 12},
                                      {"Id": "low", "ManifestName": "low", "PlaylistWindowSeconds": 8,
                                       "ProgramDateTimeIntervalSeconds": 4}],
                     "StreamSelection": {"MaxVideoBitsPerSecond": 2_000_000}})
    S["cmaf"] = {m["Id"]: m["Url"] for m in cmaf["CmafPackage"]["HlsManifests"]}
    S["loss_hls"] = mp.create_origin_endpoint(
        ChannelId="loss", Id="loss-hls",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30})["Url"]
    # Access control (test_origin_access_control): a CDN identifier in Secrets Manager and a
    # whitelist that admits loopback; a whitelist that does not; Origination DENY.
    secret = t.client("secretsmanager").create_secret(
        Name="mediapackage/cdn", SecretString=json.dumps({"MediaPackageCDNIdentifier": CDN_IDENTIFIER}))["ARN"]
    S["guarded_hls"] = mp.create_origin_endpoint(
        ChannelId="live", Id="guarded-hls", HlsPackage={}, Whitelist=["10.0.0.0/8", "127.0.0.0/8"],
        Authorization={"CdnIdentifierSecret": secret,
                       "SecretsRoleArn": f"arn:aws:iam::{harness.ACCOUNT}:role/MediaPackageSecrets"})["Url"]
    S["walled_hls"] = mp.create_origin_endpoint(ChannelId="live", Id="walled-hls", HlsPackage={},
                                                Whitelist=["10.0.0.0/8"])["Url"]
    S["denied_hls"] = mp.create_origin_endpoint(ChannelId="live", Id="denied-hls", HlsPackage={},
                                                Origination="DENY")["Url"]
    # Only test_cloudwatch_metrics requests this one, so it can count them.
    S["counted_hls"] = mp.create_origin_endpoint(ChannelId="live", Id="counted-hls", HlsPackage={})["Url"]

    a_in = ml.create_input(Name="a", Type="RTMP_PUSH", Destinations=[{"StreamName": "live/main"}])["Input"]
    b_in = ml.create_input(Name="b", Type="RTMP_PUSH", Destinations=[{"StreamName": "live/second"}])["Input"]
    isg = ml.create_input_security_group(WhitelistRules=[{"Cidr": "10.0.0.0/8"}])["SecurityGroup"]["Id"]
    c_in = ml.create_input(Name="c", Type="RTMP_PUSH", InputSecurityGroups=[isg],
                           Destinations=[{"StreamName": "guarded/main"}])["Input"]
    idle_in = ml.create_input(Name="idle", Type="RTMP_PUSH", Destinations=[{"StreamName": "idle/main"}])["Input"]
    S["urls"] = {k: i["Destinations"][0]["Url"] for k, i in (("a", a_in), ("b", b_in), ("c", c_in), ("idle", idle_in))}
    check_eq(S["urls"]["a"], f"rtmp://127.0.0.1:{t.server.rtmp_port}/live/main", "RTMP_PUSH input URL")

    mp_group = {"Name": "mp", "OutputGroupSettings": {"MediaPackageGroupSettings": {"Destination": {"DestinationRefId": "mp"}}},
                "Outputs": media.outputs([n for n, *_ in LADDER], {"MediaPackageOutputSettings": {}})}
    S["a"] = create_channel(ml, "channel-a", a_in["Id"], [media.video_description(*r) for r in LADDER], [mp_group],
                            [{"Id": "mp", "MediaPackageSettings": [{"ChannelId": "live"}]}], log_level="INFO")
    hls_out = {"HlsOutputSettings": {"NameModifier": "_144p", "HlsSettings": {"StandardHlsSettings": {"M3u8Settings": {}}}}}
    ingest = loss["HlsIngest"]["IngestEndpoints"][0]
    media.put_ingest_password(ml, "/medialive/loss", ingest)
    b_groups = [
        {"Name": "to-mediapackage", "OutputGroupSettings": {"HlsGroupSettings": {
            "Destination": {"DestinationRefId": "mp-ingest"}, "InputLossAction": "EMIT_OUTPUT", "SegmentLength": 2,
            "HlsCdnSettings": {"HlsWebdavSettings": {}}}}, "Outputs": media.outputs(["v144"], hls_out)},
        {"Name": "archive", "OutputGroupSettings": {"HlsGroupSettings": {
            "Destination": {"DestinationRefId": "s3"}, "SegmentLength": 2, "IndexNSegments": 5}},
         "Outputs": media.outputs(["v144"], hls_out)},
    ]
    archive_group = {"Name": "recording", "OutputGroupSettings": {"ArchiveGroupSettings": {
        "Destination": {"DestinationRefId": "s3-archive"}, "RolloverInterval": 4}},
        "Outputs": media.outputs(["v144"], {"ArchiveOutputSettings": {
            "NameModifier": "_144p", "ContainerSettings": {"M2tsSettings": {}}}})}
    thumbs_group = {"Name": "thumbs", "OutputGroupSettings": {"FrameCaptureGroupSettings": {
        "Destination": {"DestinationRefId": "s3-thumbs"}}},
        "Outputs": [{"OutputName": "thumb", "VideoDescriptionName": "thumb",
                     "OutputSettings": {"FrameCaptureOutputSettings": {"NameModifier": "-small"}}}]}
    thumb = {"Name": "thumb", "Width": 320, "Height": 180,
             "CodecSettings": {"FrameCaptureSettings": {"CaptureInterval": 2, "CaptureIntervalUnits": "SECONDS"}}}
    t.client("s3").create_bucket(Bucket="mediaemu-it")  # as the seed's `aws s3 mb` does before the channel
    S["b"] = create_channel(ml, "channel-b", b_in["Id"], [media.video_description("v144", 256, 144, 250_000), thumb],
                            b_groups + [archive_group, thumbs_group],
                            [{"Id": "mp-ingest", "Settings": [{"Url": ingest["Url"], "Username": ingest["Username"],
                                                               "PasswordParam": "/medialive/loss"}]},
                             {"Id": "s3", "Settings": [{"Url": "s3://mediaemu-it/b/index"}]},
                             {"Id": "s3-archive", "Settings": [{"Url": "s3://mediaemu-it/b-archive/recording"}]},
                             {"Id": "s3-thumbs", "Settings": [{"Url": "s3://mediaemu-it/b-thumbs/frame"}]}])
    # Channel C also sends HLS to MediaPackage's ingest URL with a PasswordParam that names no SSM
    # parameter: MediaPackage would answer 401 to every upload, so nothing is delivered (ListAlerts).
    S["c"] = create_channel(ml, "channel-c", c_in["Id"], [media.video_description("v144", 256, 144, 250_000)],
                            [dict(b_groups[1], Name="c-archive"), dict(b_groups[0], Name="c-unauthorized")],
                            [{"Id": "s3", "Settings": [{"Url": "s3://mediaemu-it/c/index"}]},
                             {"Id": "mp-ingest", "Settings": [{"Url": ingest["Url"], "Username": ingest["Username"],
                                                               "PasswordParam": "/medialive/not-there"}]}])
    S["idle"] = create_channel(ml, "channel-idle", idle_in["Id"], [media.video_description("v144", 256, 144, 250_000)],
                               [dict(b_groups[1], Name="idle-archive")],
                               [{"Id": "s3", "Settings": [{"Url": "s3://mediaemu-it/idle/index"}]}])
    for key in ("a", "b", "c"):
        ml.start_channel(ChannelId=S[key])
    for key in ("a", "b", "c"):
        ml.get_waiter("channel_running").wait(ChannelId=S[key], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    cannot = t.lacks("medialive", "ListAlerts")
    if cannot:
        print(f"    skip ListAlerts check: {cannot}")
    else:
        # The supervisor reports the missing input as soon as the pipeline runs: wait for the
        # report, then it must be that alert and no other (an empty list would prove nothing).
        deadline = time.monotonic() + 5
        alerts = ml.list_alerts(ChannelId=S["a"])["Alerts"]
        while not alerts and time.monotonic() < deadline:
            time.sleep(0.2)
            alerts = ml.list_alerts(ChannelId=S["a"])["Alerts"]
        check_eq(sorted({a["AlertType"] for a in alerts}), ["Input Not Present"],
                 "channel A runs everything it was given (its only alert: no input yet)")
        deadline = time.monotonic() + 5
        refused = []
        while not refused and time.monotonic() < deadline:
            refused = [a["Message"] for a in ml.list_alerts(ChannelId=S["c"])["Alerts"]
                       if "'c-unauthorized': MediaPackage channel 'loss' refuses its uploads (HTTP 401)" in a["Message"]]
            time.sleep(0.2)
        check(bool(refused) and "'/medialive/not-there', does not exist" in refused[0],
              "an HLS group to MediaPackage's ingest URL without the password in SSM is refused, and ListAlerts says why",
              "refuses its uploads (HTTP 401): its PasswordParam … does not exist", refused)

    tmp = t.server.tmp
    S["t0"] = time.monotonic()
    S["push_a"] = media.Push(S["urls"]["a"], 20, log_dir=tmp, label="a1").start()
    S["push_b"] = media.Push(S["urls"]["b"], 10, size="320x180", log_dir=tmp, label="b1").start()


def test_refused_publishers_leave_the_live_channel_alone(t):
    at(3)
    media.push_refused(S["urls"]["c"], "a publisher outside the input security group (10.0.0.0/8)")
    media.push_refused(f"rtmp://127.0.0.1:{t.server.rtmp_port}/live/no-such-key", "an unknown stream key")
    media.push_refused(S["urls"]["idle"], "a publish to an input whose channel is IDLE")
    media.push_refused(S["urls"]["a"], "a second publisher to channel A's input")
    # Garbage on the RTMP port: random bytes, a truncated handshake, a connection that stalls.
    junk = [socket.create_connection(("127.0.0.1", t.server.rtmp_port), timeout=5) for _ in range(3)]
    junk[0].sendall(os.urandom(64 * 1024))
    junk[1].sendall(b"\x03" + os.urandom(700))  # C0 + part of C1
    for s in junk:
        s.close()
    log = t.server.log_path.read_text(errors="replace")
    for needle, what in (("outside the whitelist", "the whitelist refusal"), ("no-such-key", "the unknown key"),
                         ("which is IDLE; start the channel first", "the idle channel"), ("already being published", "the second publisher")):
        check(needle in log, f"the server log says why it refused {what}", needle, "not in the log")
    check(S["push_a"].alive(), "channel A's publisher is still streaming", "alive", S["push_a"].log())


def test_alarm_on_active_alerts(t):
    """An alarm on channel A's ActiveAlerts whose actions notify an SNS topic's HTTP subscriber.
    Created while A's publisher streams and after the samples of the seconds before it started
    have left the alarm's 10 s period, so its first evaluation finds no alert (OK)."""
    at(12)
    sns, cw = t.client("sns"), t.client("cloudwatch")
    rx = S["rx"] = harness.HttpReceiver()
    topic = sns.create_topic(Name="channel-a-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=rx.url + "/alerts")
    got = rx.next("the alarm's HTTP subscriber receives its SubscriptionConfirmation")
    if got:
        sns.confirm_subscription(TopicArn=topic, Token=json.loads(got[2])["Token"])
    cw.put_metric_alarm(AlarmName="channel-a-alerts", Namespace="AWS/MediaLive", MetricName="ActiveAlerts",
                        Dimensions=[{"Name": "ChannelId", "Value": S["a"]}, {"Name": "Pipeline", "Value": "0"}],
                        Statistic="Maximum", Period=10, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                        AlarmActions=[topic], OKActions=[topic])


def test_input_loss_begins(t):
    at(12)  # channel B's publisher stopped at 10 s
    S["b_during"] = media.variant_playlist(S["loss_hls"], "channel B during loss")


def test_hls_endpoint(t):
    at(14)
    master = media.master_playlist(S["hls"], "HLS master")
    if not master:
        return
    variants = master["variants"]
    check_eq([v["attrs"].get("RESOLUTION") for v in variants], ["640x360", "416x234", "256x144"],
             "HLS master: one variant per rung, in the channel's order")
    for v, (name, w, h, bitrate) in zip(variants, LADDER):
        a = v["attrs"]
        for attr in ("BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "FRAME-RATE"):
            check(attr in a, f"HLS master {name}: has {attr}", attr, a)
        check(a.get("CODECS", "").startswith("avc1.4d") and "mp4a.40.2" in a.get("CODECS", ""),
              f"HLS master {name}: CODECS names H.264 Main and AAC-LC", "avc1.4d...,mp4a.40.2", a.get("CODECS"))
        check_eq(a.get("FRAME-RATE"), "30.000", f"HLS master {name}: FRAME-RATE")
        check(int(a.get("AVERAGE-BANDWIDTH", 0)) <= int(a.get("BANDWIDTH", 0)), f"HLS master {name}: average <= peak")
    check_eq(len(master["iframes"]), 1, "HLS master: one I-frame-only playlist (IncludeIframeOnlyStream)")
    first = {}
    for i, v in enumerate(variants):
        pl = media.media_playlist(v["url"], f"HLS {LADDER[i][0]}")
        if pl:
            media.check_media_playlist(pl, f"HLS {LADDER[i][0]}", HLS_SEGMENT, HLS_WINDOW, version=3)
            check(all(s["pdt"] for s in pl.segments), f"HLS {LADDER[i][0]}: EXT-X-PROGRAM-DATE-TIME on every 2 s segment")
            first[i] = pl
    if master["iframes"]:
        iframes = media.media_playlist(master["iframes"][0]["url"], "HLS I-frame playlist")
        if iframes:
            check("EXT-X-I-FRAMES-ONLY" in iframes.tags and "EXT-X-BYTERANGE" in iframes.tags,
                  "I-frame playlist: EXT-X-I-FRAMES-ONLY with byte ranges", True, iframes.text[:300])
    # The renditions, probed from the segments the playlists list.
    for i, pl in first.items():
        name, w, h, bitrate = LADDER[i]
        whole = pl.segments[:-1] or pl.segments
        path = media.download([s["url"] for s in whole], t.server.tmp / f"hls-{name}.ts")
        media.probe_rendition(path, f"HLS {name}", w, h, bitrate, 2.0, sum(s["duration"] for s in whole))
    S["hls_first"] = {i: (variants[i]["url"], pl) for i, pl in first.items()}


def test_dash_endpoint(t):
    root = media.mpd(S["dash"], "DASH MPD")
    if root is None:
        return
    ns = media.DASH_NS
    check_eq(root.get("type"), "dynamic", "DASH: a live MPD is dynamic")
    for attr in ("availabilityStartTime", "publishTime", "minimumUpdatePeriod", "timeShiftBufferDepth"):
        check(root.get(attr) is not None, f"DASH: MPD@{attr}", attr, root.attrib)
    check_eq(media.iso_duration(root.get("minBufferTime")), 4.0, "DASH: MinBufferTimeSeconds")
    check_eq(media.iso_duration(root.get("suggestedPresentationDelay")), 6.0, "DASH: SuggestedPresentationDelaySeconds")
    utc = root.find("d:UTCTiming", ns)
    check(utc is not None and utc.get("schemeIdUri") == "urn:mpeg:dash:utc:http-iso:2014"
          and utc.get("value", "").endswith("/_mediaemu/time"), "DASH: UTCTiming from UtcTiming/UtcTimingUri",
          "http-iso", None if utc is None else utc.attrib)
    if utc is not None:
        clock = media.fetch(utc.get("value"))
        check(clock.status == 200 and clock.text.endswith("Z"), "the UTCTiming clock answers ISO 8601", "...Z", clock.text)
    reps = root.findall("d:Period/d:AdaptationSet/d:Representation", ns)
    video = [r for r in reps if r.get("width")]
    check_eq([(int(r.get("width")), int(r.get("height"))) for r in video], [(w, h) for _, w, h, _ in LADDER],
             "DASH: a video Representation per rung")
    check_eq(len(reps) - len(video), 1, "DASH: one audio Representation")
    for r in reps:
        template = r.find("d:SegmentTemplate", ns)
        what = f"DASH representation {r.get('id')}"
        if not check(template is not None, f"{what}: has a SegmentTemplate"):
            continue
        segs = media.check_mpd_timeline(template, what, DASH_SEGMENT)
        scale = int(template.get("timescale"))
        span = sum(d for _, d in segs) / scale
        check(span <= DASH_WINDOW + DASH_SEGMENT + 0.1, f"{what}: the timeline spans at most ManifestWindowSeconds",
              f"<= {DASH_WINDOW + DASH_SEGMENT}", span)
        number = int(template.get("startNumber", "1")) + len(segs) - 1
        base = S["dash"].rsplit("/", 1)[0] + "/"
        init = base + template.get("initialization").replace("$RepresentationID$", r.get("id"))
        last = base + template.get("media").replace("$RepresentationID$", r.get("id")).replace("$Number$", str(number))
        path = media.download([init, last], t.server.tmp / f"dash-{r.get('id')}.mp4")
        probe = media.ffprobe(path, "-show_streams").get("streams", [])
        check_eq([s.get("codec_name") for s in probe], ["h264" if r.get("width") else "aac"],
                 f"{what}: init + newest segment decode as one fMP4 track")


def test_cmaf_endpoint(t):
    for mid, window in (("all", 12), ("low", 8)):
        master = media.master_playlist(S["cmaf"][mid], f"CMAF {mid} master")
        if not master:
            continue
        check_eq(len(master["variants"]), 3, f"CMAF {mid}: three video variants")
        check(all(v["attrs"].get("AUDIO") for v in master["variants"]) and len(master["media"]) == 1,
              f"CMAF {mid}: audio in an EXT-X-MEDIA group (CMAF always separates audio)", True, master["lines"][:6])
        for v in master["variants"][:1] + master["media"]:
            pl = media.media_playlist(v["url"], f"CMAF {mid} media")
            if not pl:
                continue
            media.check_media_playlist(pl, f"CMAF {mid} {v['url'].rsplit('/', 1)[1]}", CMAF_SEGMENT, window, version=6)
            check("EXT-X-MAP" in pl.tags, f"CMAF {mid}: EXT-X-MAP names the init segment")
            check(all("cmafseg" in s["uri"] for s in pl.segments), f"CMAF {mid}: segments use SegmentPrefix",
                  "cmafseg...", pl.segments[0]["uri"] if pl.segments else None)
            if mid == "low":
                check("EXT-X-PROGRAM-DATE-TIME" in pl.tags, "CMAF low: its own ProgramDateTimeIntervalSeconds")
            if mid == "all" and v in master["variants"]:
                init = media.urljoin(v["url"], media.attributes(pl.tag("EXT-X-MAP"))["URI"])
                path = media.download([init] + [s["url"] for s in pl.segments[:-1]], t.server.tmp / "cmaf-v360.mp4")
                streams = media.ffprobe(path, "-show_streams").get("streams", [])
                check_eq([(s.get("codec_name"), s.get("width")) for s in streams], [("h264", 640)],
                         "CMAF: init + segments decode as one 640x360 H.264 track")


def test_s3_hls_output(t):
    root = S["data_dir"] / "s3" / "mediaemu-it" / "b"
    master = root / "index.m3u8"
    check(master.exists(), "channel B's HLS group to s3://mediaemu-it/b/index writes index.m3u8 under --data-dir",
          str(master), sorted(p.name for p in root.glob("*"))[:10] if root.exists() else "no directory")
    ts = sorted(root.glob("*.ts"))
    check(len(ts) >= 3, "s3 output: TS segments", ">= 3", len(ts))
    # MediaLive's names (ML-UG hls-destinations-s3-design): <base><NameModifier>.m3u8 and
    # <base><NameModifier>_<five-digit counter>.ts.
    check((root / "index_144p.m3u8").exists() and all(re.fullmatch(r"index_144p_\d{5}\.ts", p.name) for p in ts),
          "s3 output: files named as MediaLive names them", "index_144p.m3u8, index_144p_00001.ts, …",
          sorted(p.name for p in root.glob("*"))[:6])
    if ts:
        streams = media.ffprobe(ts[-1], "-show_streams").get("streams", [])
        check_eq(sorted(s.get("codec_name") for s in streams), ["aac", "h264"], "s3 output: a segment has H.264 and AAC")
    check(not any(p.name.startswith(".") or p.suffix == ".tmp" for p in root.glob("*")),
          "s3 output: no half-written files are left under their final names", [], [p.name for p in root.glob(".*")])


def test_s3_archive_output(t):
    """Channel B's Archive group: MPEG-TS files of RolloverInterval (4 s) seconds, named as MediaLive
    names them, listed and downloaded through the S3 API while the channel runs."""
    s3 = t.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="mediaemu-it", Prefix="b-archive/").get("Contents", [])]
    check(len(keys) >= 2 and keys[0] == "b-archive/recording_144p.000000.m2ts",
          "ListObjectsV2: the archive's closed files, <base><NameModifier>.<counter>.m2ts from 000000",
          "b-archive/recording_144p.000000.m2ts, ...", keys)
    check(all(k.startswith("b-archive/recording_144p.") and k.endswith(".m2ts") for k in keys),
          "only closed files are listed (the one being written is not)", "recording_144p.NNNNNN.m2ts", keys)
    if keys:
        path = t.server.tmp / "archive-first.m2ts"
        path.write_bytes(s3.get_object(Bucket="mediaemu-it", Key=keys[0])["Body"].read())
        probe = media.ffprobe(path, "-show_streams", "-show_format")
        check_eq(sorted((s.get("codec_name"), s.get("width")) for s in probe.get("streams", [])),
                 [("aac", None), ("h264", 256)], "an archive file carries the output's 256x144 H.264 and AAC")
        duration = float(probe.get("format", {}).get("duration", 0))
        check(3.5 <= duration <= 6.5, "an archive file lasts the rollover interval, to a whole GOP", "4 to 6 s", duration)


def test_s3_frame_capture_output(t):
    """Channel B's FrameCapture group: a 320x180 JPEG every 2 s while the input is present, named
    <base><NameModifier>.<5-digit counter>.jpg, through the S3 API."""
    s3 = t.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="mediaemu-it", Prefix="b-thumbs/").get("Contents", [])]
    check(len(keys) >= 3 and keys[0] == "b-thumbs/frame-small.00000.jpg",
          "ListObjectsV2: the stills, <base><NameModifier>.<counter>.jpg from 00000", "b-thumbs/frame-small.00000.jpg, ...",
          keys)
    if keys:
        path = t.server.tmp / "still.jpg"
        path.write_bytes(s3.get_object(Bucket="mediaemu-it", Key=keys[-1])["Body"].read())
        streams = media.ffprobe(path, "-show_streams").get("streams", [])
        check_eq([(s.get("codec_name"), s.get("width"), s.get("height")) for s in streams], [("mjpeg", 320, 180)],
                 "a still is a 320x180 JPEG")


def test_input_loss_emit_output_keeps_advancing(t):
    at(17)
    later = media.variant_playlist(S["loss_hls"], "channel B still during loss")
    during = S.get("b_during")
    if during and later:
        check(later.last_sequence >= during.last_sequence + 2,
              "EMIT_OUTPUT: the media playlist keeps advancing while the input is lost (filler frames)",
              f">= {during.last_sequence + 2}", later.last_sequence)
        S["b_loss_last"] = later.last_sequence
    check(not S["push_b"].alive(), "channel B's first publisher has finished")
    at(18)
    S["push_b"] = media.Push(S["urls"]["b"], 12, size="320x180", log_dir=t.server.tmp, label="b2").start()


def test_hls_window_slides(t):
    at(19)
    for i, (url, pl) in S.get("hls_first", {}).items():
        later = media.media_playlist(url, f"HLS {LADDER[i][0]} 5 s later")
        if later:
            media.check_slid(pl, later, f"HLS {LADDER[i][0]}")
            check(later.media_sequence > pl.media_sequence, f"HLS {LADDER[i][0]}: the window slid",
                  f"> {pl.media_sequence}", later.media_sequence)


def test_time_delay(t):
    """MP-UG endpoints-hls (TimeDelaySeconds): the endpoint serves the stream that many seconds
    behind the live edge; with channel A published since 0 s, the newest segment of delayed-hls
    ends TIME_DELAY seconds (give or take a segment) before live-hls's."""
    def edge(url, what):
        pl = media.variant_playlist(url, what)
        # Where the last dated segment and the undated ones after it end.
        last_dated = max((i for i, seg in enumerate(pl.segments) if seg["pdt"]), default=None) if pl else None
        if last_dated is None:
            return None
        tail = pl.segments[last_dated:]
        start = datetime.datetime.fromisoformat(tail[0]["pdt"].replace("Z", "+00:00")).timestamp()
        return start + sum(seg["duration"] for seg in tail)
    live = edge(S["hls"], "time delay: live-hls")
    delayed = edge(S["delayed_hls"], "time delay: delayed-hls")
    if live is not None and delayed is not None:
        check(abs((live - delayed) - TIME_DELAY) <= HLS_SEGMENT + 0.5,
              "time delay: delayed-hls's newest segment ends TimeDelaySeconds before live-hls's",
              f"{TIME_DELAY} +/- {HLS_SEGMENT + 0.5} s", round(live - delayed, 3))


def test_mediapackage_group_pauses_then_resumes(t):
    at(23)
    variant = S["hls"].replace("index.m3u8", "index_1.m3u8")  # the master's first variant (test_hls_endpoint)
    paused = media.media_playlist(variant, "channel A paused")
    at(27)
    still = media.media_playlist(variant, "channel A still paused")
    if paused and still:
        check_eq(still.last_sequence, paused.last_sequence,
                 "MediaPackage output group: the endpoint pauses (no new segments) during input loss")
        check(not still.ended, "a lost input does not end the live playlist")
    S["push_a"] = media.Push(S["urls"]["a"], 8, log_dir=t.server.tmp, label="a2").start()
    at(37)
    resumed = media.media_playlist(variant, "channel A resumed")
    if resumed and still:
        check(resumed.last_sequence > still.last_sequence, "the endpoint resumes when the publisher returns",
              f"> {still.last_sequence}", resumed.last_sequence)
        check("EXT-X-DISCONTINUITY" in resumed.tags, "HLS: EXT-X-DISCONTINUITY where the timeline jumps",
              "EXT-X-DISCONTINUITY", resumed.text[-600:])
        media.check_media_playlist(resumed, "HLS v360 after resume", HLS_SEGMENT, HLS_WINDOW, version=3)
    root = media.mpd(S["dash"], "DASH MPD after resume")
    if root is not None:
        periods = root.findall("d:Period", media.DASH_NS)
        check(len(periods) >= 2, "DASH: a new Period after the input loss", ">= 2 periods", len(periods))


def test_origin_access_control(t):
    """MP-UG cdn-auth and endpoints-hls-access-control: the right X-MediaPackage-CDNIdentifier
    from an allowed address plays; a missing or wrong one, an address outside the Whitelist or
    an endpoint with Origination DENY gets 403."""
    right = {"X-MediaPackage-CDNIdentifier": CDN_IDENTIFIER}
    check_eq(media.fetch(S["guarded_hls"], headers=right).status, 200, "CDN authorisation: the right identifier plays")
    check_eq(media.fetch(S["guarded_hls"]).status, 403, "CDN authorisation: no identifier is 403")
    check_eq(media.fetch(S["guarded_hls"], headers={"X-MediaPackage-CDNIdentifier": "wrong"}).status, 403,
             "CDN authorisation: a wrong identifier is 403")
    check_eq(media.fetch(S["walled_hls"]).status, 403, "Whitelist: 127.0.0.1 outside 10.0.0.0/8 is 403")
    check_eq(media.fetch(S["denied_hls"]).status, 403, "Origination DENY: playback is refused")


def test_hls_time_shift(t):
    """MP-UG time-shifted: start/end (query or path, epoch seconds or ISO 8601) cut the start-over
    window by program date time; both in the past is a VOD playlist of exactly the segments dated
    in the window; start alone grows; outside the window is 404; malformed is 400."""
    if "hls_first" not in S or 0 not in S["hls_first"]:
        return
    url, early = S["hls_first"][0]  # v360 at 14 s: segments of the first push, each dated
    dates = [datetime.datetime.fromisoformat(s["pdt"].replace("Z", "+00:00")).timestamp() for s in early.segments]
    if not check(len(dates) >= 5, "time shift: the early playlist has segments to choose from", ">= 5", len(dates)):
        return
    start, end = dates[1], dates[4]
    vod = media.media_playlist(f"{url}?start={start:.3f}&end={end:.3f}", "time shift: a past window")
    if vod:
        check_eq([s["uri"] for s in vod.segments], [s["uri"] for s in early.segments[1:4]],
                 "time shift: exactly the segments whose PDT lies in [start, end)")
        check(vod.ended, "time shift: a window in the past is a VOD playlist (EXT-X-ENDLIST)", True, vod.text[-200:])
        check_eq(vod.media_sequence, early.media_sequence + 1, "time shift: EXT-X-MEDIA-SEQUENCE of the first segment")
        check_eq(media.fetch(vod.segments[0]["url"]).status, 200, "time shift: its segments are still served")
    iso = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    iso_end = datetime.datetime.fromtimestamp(end, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    path_url = url.replace("/index_1.m3u8", f"/start/{iso}/end/{iso_end}/index_1.m3u8")
    by_path = media.media_playlist(path_url, "time shift: the path style, ISO 8601")
    if by_path and vod:
        check_eq([s["uri"] for s in by_path.segments], ["../../../../" + s["uri"] for s in vod.segments],
                 "time shift (path): the same segments, their URIs up the added path levels")
        check_eq(media.fetch(by_path.segments[0]["url"]).status, 200, "time shift (path): segment URLs resolve")
    growing = media.media_playlist(f"{url}?start={start:.3f}", "time shift: start only")
    live = media.media_playlist(url, "the live playlist")
    if growing and live:
        check(not growing.ended, "time shift: start alone does not end", False, growing.ended)
        check(growing.segments[0]["uri"] == early.segments[1]["uri"] and growing.last_sequence >= live.last_sequence - 1,
              "time shift: start alone runs from start to the live edge",
              f"{early.segments[1]['uri']} .. {live.last_sequence}", f"{growing.segments[0]['uri']} .. {growing.last_sequence}")
        check("EXT-X-DISCONTINUITY" in growing.tags, "time shift: the input loss's discontinuity is kept")
    master = media.fetch_ok(f"{S['hls']}?start={start:.3f}&end={end:.3f}", "time shift: the master")
    if master:
        children = [l for l in master.text.splitlines() if l and not l.startswith("#")]
        check(children and all(c.endswith(f"?start={start:.3f}&end={end:.3f}") for c in children),
              "time shift: the master passes start/end to its child playlists", "?start=..&end=..", children)
    now = time.time()
    check_eq(media.fetch(f"{url}?start={now - STARTOVER - 60:.0f}&end={now - STARTOVER - 30:.0f}").status, 404,
             "time shift: a window before the start-over window is 404")
    check_eq(media.fetch(f"{url}?start=yesterday").status, 400, "time shift: a malformed start is 400")
    check_eq(media.fetch(f"{url}?start={now + 600:.0f}").status, 200, "time shift: a start still to come is live")
    # What every response carries: Date (dash.js's fallback clock), and on manifests what was published last.
    r = media.fetch(url)
    date = r.header("Date")
    check(date is not None and abs(datetime.datetime.strptime(date, "%a, %d %b %Y %H:%M:%S GMT").replace(
        tzinfo=datetime.timezone.utc).timestamp() - time.time()) < 5, "origin: a Date header with the time", "now", date)
    seq = r.header("X-MediaPackage-Manifest-Last-Sequence")
    pl = media.MediaPlaylist(r.text, url)
    check(seq is not None and pl.last_sequence <= int(seq) <= pl.last_sequence + 1,
          "origin: X-MediaPackage-Manifest-Last-Sequence is the newest segment's", pl.last_sequence, seq)
    check(r.header("X-MediaPackage-Manifest-Last-Updated") is not None, "origin: X-MediaPackage-Manifest-Last-Updated")
    check(media.fetch(t.endpoint + "/_mediaemu/health").header("Date") is not None, "API responses carry Date too")


def test_dash_time_shift(t):
    """MP-UG time-shifted: `start`/`end` in the past on a DASH endpoint give a static MPD of the
    segments that start in the window; a start in the future the live MPD; outside the
    start-over window 404."""
    iso = lambda ts: datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    # Start only: the live presentation from that start on, every segment since in its timeline.
    root = media.mpd(f"{S['dash']}?start={iso(time.time() - STARTOVER + 30)}", "DASH time shift: start only")
    if root is None:
        return
    ns = media.DASH_NS
    check_eq(root.get("type"), "dynamic", "DASH time shift: start only is a dynamic MPD")
    ast = datetime.datetime.fromisoformat(root.get("availabilityStartTime").replace("Z", "+00:00")).timestamp()
    period = max(root.findall("d:Period", ns),
                 key=lambda p: len(media.timeline(p.find("d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", ns))))
    template = period.find("d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", ns)
    scale, pto = int(template.get("timescale")), int(template.get("presentationTimeOffset", "0"))
    segs = media.timeline(template)
    starts = [ast + media.iso_duration(period.get("start")) + (t - pto) / scale for t, _ in segs]
    if not check(len(starts) >= 5, "DASH time shift: start only reaches back past the live window",
                 ">= 5 segments in a Period", len(starts)):
        return
    S["dash_window"] = (iso(starts[1] - 0.2), iso(starts[4] - 0.2), [t for t, _ in segs[1:4]])  # test_harvest_job
    clip = media.mpd(f"{S['dash']}?start={iso(starts[1] - 0.2)}&end={iso(starts[4] - 0.2)}", "DASH time shift: a past window")
    if clip is not None:
        check_eq(clip.get("type"), "static", "DASH time shift: a past window is a static MPD")
        check(clip.get("minimumUpdatePeriod") is None, "DASH time shift: no minimumUpdatePeriod", None, clip.attrib)
        periods = clip.findall("d:Period", ns)
        video = [media.timeline(p.find("d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", ns))
                 for p in periods]
        check_eq([t for tl in video for t, _ in tl], [t for t, _ in segs[1:4]],
                 "DASH time shift: exactly the video segments that start in the window")
        check_eq(round(media.iso_duration(clip.get("mediaPresentationDuration"))),
                 round(sum(d for _, d in segs[1:4]) / scale), "DASH time shift: mediaPresentationDuration spans them")
        clip_template = periods[0].find("d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", ns)
        rep = periods[0].find("d:AdaptationSet[@contentType='video']/d:Representation", ns)
        base = S["dash"].rsplit("/", 1)[0] + "/"
        number = int(clip_template.get("startNumber", "1"))
        media_url = clip_template.get("media").replace("$RepresentationID$", rep.get("id"))
        media_url = media_url.replace("$Number$", str(number)).replace("$Time$", str(video[0][0][0]))
        path = media.download([base + clip_template.get("initialization").replace("$RepresentationID$", rep.get("id")),
                               base + media_url], t.server.tmp / "dash-clip.mp4")
        check_eq([s.get("codec_name") for s in media.ffprobe(path, "-show_streams").get("streams", [])], ["h264"],
                 "DASH time shift: the clip's first segment decodes")
    future = media.mpd(f"{S['dash']}?start={int(time.time()) + 3600}", "DASH time shift: a start in the future")
    if future is not None:
        check_eq(future.get("type"), "dynamic", "DASH time shift: a start in the future is the live MPD")
    check_eq(media.fetch(f"{S['dash']}?start={int(time.time()) - STARTOVER - 60}").status, 404,
             "DASH time shift: a start before the start-over window is 404")


def test_manifest_filter(t):
    """MP-UG manifest-filtering: aws.manifestfilter keeps the streams that match, on multivariant
    playlists and DASH manifests; on a child playlist, malformed or matching nothing it is 400."""
    query = "aws.manifestfilter=video_height:1-300"
    master = media.fetch_ok(f"{S['hls']}?{query}", "manifest filter: the HLS master")
    if master:
        heights = sorted(int(l.split("RESOLUTION=")[1].split("x")[1].split(",")[0])
                         for l in master.text.splitlines() if l.startswith("#EXT-X-STREAM-INF") and "RESOLUTION=" in l)
        check_eq(heights, [144, 234], "manifest filter: video_height:1-300 keeps the 234p and 144p variants")
        # A filter on a child playlist is 400 (MP-UG error-conditions-and-handling), so the
        # filtered playlist's child URIs are the plain ones.
        children = [l for l in master.text.splitlines() if l and not l.startswith("#")]
        check(children and not any("manifestfilter" in c for c in children),
              "manifest filter: child URIs do not repeat the filter", "no aws.manifestfilter", children)
    variant = S["hls"].replace("index.m3u8", "index_1.m3u8")
    check_eq(media.fetch(f"{variant}?{query}").status, 400, "manifest filter: on a child playlist is 400")
    check_eq(media.fetch(f"{S['hls']}?aws.manifestfilter=video_height:4000-5000").status, 400,
             "manifest filter: a filter that leaves nothing is 400")
    check_eq(media.fetch(f"{S['hls']}?aws.manifestfilter=video_height:abc").status, 400,
             "manifest filter: a malformed value is 400")
    check_eq(media.fetch(f"{S['hls']}?aws.manifestfilter=video_height:1-300;video_height:1-200").status, 400,
             "manifest filter: a parameter named twice is 400")
    # MediaPackage filters DASH on each Representation's bandwidth (mediaemu's is the measured
    # peak), so the bound lies between the two lowest rungs as the unfiltered MPD states them.
    video = lambda root: sorted(int(r.get("bandwidth")) for r in root.iter(f"{{{media.DASH_NS['d']}}}Representation")
                                if r.get("height"))
    whole = media.mpd(S["dash"], "manifest filter: the unfiltered DASH MPD")
    rungs = sorted(set(video(whole))) if whole is not None else []
    if len(rungs) >= 2:
        bound = (rungs[0] + rungs[1]) // 2
        root = media.mpd(f"{S['dash']}?aws.manifestfilter=video_bitrate:0-{bound}", "manifest filter: the DASH MPD")
        if root is not None:
            check(video(root) and all(b <= bound for b in video(root)) and len(video(root)) < len(video(whole)),
                  "manifest filter: DASH keeps the video representations within video_bitrate", f"<= {bound}",
                  video(root))
            check(any(r.get("audioSamplingRate") for r in root.iter(f"{{{media.DASH_NS['d']}}}Representation")),
                  "manifest filter: a video filter keeps the audio")


def test_mss_time_shift_and_filter(t):
    """MP-UG time-shifted and manifest-filtering apply to every packager: on a Smooth Streaming
    endpoint a past window is a finished presentation of exactly the fragments dated in it (query
    or path style), start alone a live one reaching back; aws.manifestfilter keeps the matching
    QualityLevels. An MSS endpoint cannot be harvested (ltov-reqmts: DASH or HLS only)."""
    if "hls_first" not in S or 0 not in S["hls_first"]:
        return
    _, early = S["hls_first"][0]  # the HLS endpoint cuts 2 s segments at the same instants
    dates = [datetime.datetime.fromisoformat(s["pdt"].replace("Z", "+00:00")).timestamp() for s in early.segments]
    start, end = dates[1], dates[4]
    base = S["mss"].rsplit("/", 1)[0]  # .../index.ism
    iso = lambda ts: datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def video_chunks(r, what):
        root = ET.fromstring(r.text)
        video = root.find("StreamIndex[@Type='video']")
        if not check(video is not None, f"{what}: a video StreamIndex", "present", r.text[:300]):
            return root, None, []
        return root, video, [(int(c.get("t")), int(c.get("d"))) for c in video.findall("c")]

    clip = media.fetch_ok(f"{S['mss']}?start={start:.3f}&end={end:.3f}", "MSS time shift: a past window")
    if clip:
        root, video, chunks = video_chunks(clip, "MSS time shift")
        check(root.get("IsLive") is None and root.get("DVRWindowLength") is None,
              "MSS time shift: a past window is a finished presentation (no IsLive)", None, root.attrib)
        check_eq(len(chunks), 3, "MSS time shift: exactly the fragments dated in [start, end)")
        if video is not None and chunks:
            scale = int(video.get("TimeScale"))
            check_eq(round(int(root.get("Duration")) / 1e7, 1), round(sum(d for _, d in chunks) / scale, 1),
                     "MSS time shift: Duration spans them")
            bitrate = video.find("QualityLevel").get("Bitrate")
            check_eq(media.fetch(f"{base}/QualityLevels({bitrate})/Fragments(video={chunks[0][0]})").status, 200,
                     "MSS time shift: its first fragment is still served")
            path_base = base.replace("/index.ism", f"/start/{iso(start)}/end/{iso(end)}/index.ism")
            by_path = media.fetch_ok(f"{path_base}/Manifest", "MSS time shift: the path style")
            if by_path:
                check_eq(video_chunks(by_path, "MSS time shift (path)")[2], chunks,
                         "MSS time shift (path): the same fragments")
                check_eq(media.fetch(f"{path_base}/QualityLevels({bitrate})/Fragments(video={chunks[0][0]})").status,
                         200, "MSS time shift (path): fragment URLs resolve under the path")
            growing = media.fetch_ok(f"{S['mss']}?start={start:.3f}", "MSS time shift: start only")
            if growing:
                groot, _, gchunks = video_chunks(growing, "MSS time shift: start only")
                check(groot.get("IsLive") == "TRUE" and gchunks[:1] == chunks[:1] and len(gchunks) > len(chunks),
                      "MSS time shift: start alone is live from the start on", f"IsLive, from {chunks[0]}",
                      (groot.get("IsLive"), gchunks[:1], len(gchunks)))
    check_eq(media.fetch(f"{S['mss']}?start={time.time() - STARTOVER - 60:.0f}&end={time.time() - STARTOVER - 30:.0f}"
                         ).status, 404, "MSS time shift: a window before the start-over window is 404")
    filtered = media.fetch_ok(f"{S['mss']}?aws.manifestfilter=video_height:1-300", "MSS manifest filter")
    if filtered:
        root = ET.fromstring(filtered.text)
        heights = sorted(int(q.get("MaxHeight")) for q in root.findall("StreamIndex[@Type='video']/QualityLevel"))
        check_eq(heights, [144, 234], "MSS manifest filter: video_height:1-300 keeps the 234p and 144p QualityLevels")
        check(root.find("StreamIndex[@Type='audio']/QualityLevel") is not None, "MSS manifest filter: the audio stays")
    check_eq(media.fetch(f"{S['mss']}?aws.manifestfilter=video_height:4000-5000;audio_sample_rate:0-1").status, 400,
             "MSS manifest filter: a filter that leaves no stream is 400 (an empty manifest)")
    mp = S["mp"]
    try:
        mp.create_harvest_job(Id="mss-clip", OriginEndpointId="live-mss", StartTime=iso(start),
                              EndTime=iso(end), S3Destination={
                                  "BucketName": "mediaemu-it", "ManifestKey": "harvest/mss/index.ism",
                                  "RoleArn": f"arn:aws:iam::{harness.ACCOUNT}:role/MediaPackageHarvest"})
        check(False, "harvest: an MSS endpoint is refused", "422", "created")
    except mp.exceptions.UnprocessableEntityException:
        check(True, "harvest: an MSS endpoint is refused (422)")


def test_harvest_job(t):
    """MP-UG ltov: a harvest job of a past window inside the start-over window writes a VOD HLS
    package of exactly those segments to S3; a window not over yet fails the job; an endpoint
    without start-over or a malformed time is refused."""
    if "hls_first" not in S or 0 not in S["hls_first"]:
        return
    mp, s3 = S["mp"], t.client("s3")
    url, early = S["hls_first"][0]
    dates = [datetime.datetime.fromisoformat(s["pdt"].replace("Z", "+00:00")).timestamp() for s in early.segments]
    iso = lambda ts: datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    destination = {"BucketName": "mediaemu-it", "ManifestKey": "harvest/clip/index.m3u8",
                   "RoleArn": f"arn:aws:iam::{harness.ACCOUNT}:role/MediaPackageHarvest"}
    job = mp.create_harvest_job(Id="clip", OriginEndpointId="live-hls", StartTime=iso(dates[1]), EndTime=iso(dates[4]),
                                S3Destination=destination)
    check_eq((job["Status"], job["ChannelId"]), ("IN_PROGRESS", "live"), "harvest: a new job is IN_PROGRESS")
    late = mp.create_harvest_job(Id="not-over", OriginEndpointId="live-hls", StartTime=iso(dates[1]),
                                 EndTime=iso(time.time() + 600), S3Destination=dict(destination, ManifestKey="harvest/late/index.m3u8"))
    check_eq(late["Status"], "IN_PROGRESS", "harvest: a window that has not ended is accepted")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
            mp.describe_harvest_job(Id=i)["Status"] == "IN_PROGRESS" for i in ("clip", "not-over")):
        time.sleep(0.5)
    check_eq(mp.describe_harvest_job(Id="clip")["Status"], "SUCCEEDED", "harvest: the past window SUCCEEDED")
    check_eq(mp.describe_harvest_job(Id="not-over")["Status"], "FAILED", "harvest: a window ending in the future FAILED")
    check_eq([j["Id"] for j in mp.list_harvest_jobs(IncludeStatus="SUCCEEDED")["HarvestJobs"]], ["clip"],
             "harvest: ListHarvestJobs filters by status")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="mediaemu-it", Prefix="harvest/clip/").get("Contents", [])]
    check("harvest/clip/index.m3u8" in keys and "harvest/clip/index_1.m3u8" in keys,
          "harvest: the master and media playlists are in S3", "index.m3u8, index_1.m3u8", keys)
    child = s3.get_object(Bucket="mediaemu-it", Key="harvest/clip/index_1.m3u8")["Body"].read().decode()
    pl = media.MediaPlaylist(child, url)
    check_eq([s["uri"].split("?")[0] for s in pl.segments], [s["uri"].split("?")[0] for s in early.segments[1:4]],
             "harvest: exactly the segments whose PDT lies in the window")
    check(pl.ended and "#EXT-X-PLAYLIST-TYPE:VOD" in child, "harvest: a VOD playlist with EXT-X-ENDLIST", True, child[:300])
    if pl.segments:
        segment = t.server.tmp / "harvested.ts"
        s3.download_file("mediaemu-it", "harvest/clip/" + pl.segments[0]["uri"].split("?")[0], str(segment))
        streams = media.ffprobe(segment, "-show_streams").get("streams", [])
        check_eq(sorted((s.get("codec_name"), s.get("height")) for s in streams), [("aac", None), ("h264", 360)],
                 "harvest: ffprobe reads a harvested segment (H.264 360p + AAC)")
    if "dash_window" in S:
        # A DASH endpoint's window: a static MPD and the segments it names.
        start, end, times = S["dash_window"]
        mp.create_harvest_job(Id="dash-clip", OriginEndpointId="live-dash", StartTime=start, EndTime=end,
                              S3Destination=dict(destination, ManifestKey="harvest/dash/stream.mpd"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and mp.describe_harvest_job(Id="dash-clip")["Status"] == "IN_PROGRESS":
            time.sleep(0.5)
        check_eq(mp.describe_harvest_job(Id="dash-clip")["Status"], "SUCCEEDED", "harvest: a DASH window SUCCEEDED")
        try:
            clip = ET.fromstring(s3.get_object(Bucket="mediaemu-it", Key="harvest/dash/stream.mpd")["Body"].read())
        except Exception as e:
            clip = None
            check(False, "harvest: the DASH package's MPD is in S3", "stream.mpd", str(e))
        if clip is not None:
            ns = media.DASH_NS
            check_eq(clip.get("type"), "static", "harvest: the harvested MPD is static")
            rep = clip.find("d:Period/d:AdaptationSet[@contentType='video']/d:Representation", ns)
            template = rep.find("d:SegmentTemplate", ns)
            check_eq([t for t, _ in media.timeline(template)], times, "harvest: the MPD lists exactly the window's segments")
            first = template.get("media").replace("$RepresentationID$", rep.get("id")).replace(
                "$Number$", template.get("startNumber", "1")).replace("$Time$", str(times[0]))
            path = t.server.tmp / "harvested.mp4"
            with open(path, "wb") as f:
                for key in (template.get("initialization").replace("$RepresentationID$", rep.get("id")), first):
                    f.write(s3.get_object(Bucket="mediaemu-it", Key="harvest/dash/" + key)["Body"].read())
            check_eq([s.get("codec_name") for s in media.ffprobe(path, "-show_streams").get("streams", [])], ["h264"],
                     "harvest: ffprobe reads the harvested DASH init + first segment from S3")
    for label, kwargs in (("an endpoint without start-over", {"OriginEndpointId": "walled-hls"}),
                          ("a malformed StartTime", {"StartTime": "yesterday"}),
                          ("an EndTime before StartTime", {"EndTime": iso(dates[0])})):
        request = dict(Id="refused", OriginEndpointId="live-hls", StartTime=iso(dates[1]), EndTime=iso(dates[4]),
                       S3Destination=destination)
        request.update(kwargs)
        try:
            mp.create_harvest_job(**request)
            check(False, f"harvest: {label} is refused", "422", "created")
        except mp.exceptions.UnprocessableEntityException:
            check(True, f"harvest: {label} is refused (422)")


def test_input_loss_resume_channel_b(t):
    # Channel B's second publisher ran 18-30 s; its endpoint went on through and after it.
    after = media.variant_playlist(S["loss_hls"], "channel B after its publisher returned")
    if after and "b_loss_last" in S:
        check(after.last_sequence > S["b_loss_last"], "channel B keeps advancing after the publisher returns")
        last = media.download([after.segments[-1]["url"]], t.server.tmp / "b-last.ts")
        streams = media.ffprobe(last, "-show_streams").get("streams", [])
        check_eq(sorted((s.get("codec_name"), s.get("width")) for s in streams), [("aac", None), ("h264", 256)],
                 "channel B's newest segment is 256x144 H.264 with AAC")


def metric_values(cw, namespace: str, name: str, dims: dict, stat: str, period: int = 10) -> list:
    """The metric's `stat` for every period with data since the run began (GetMetricStatistics)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    got = cw.get_metric_statistics(Namespace=namespace, MetricName=name, Period=period, Statistics=[stat],
                                   Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
                                   StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1))
    return [p[stat] for p in sorted(got["Datapoints"], key=lambda p: p["Timestamp"])]


def test_cloudwatch_metrics(t):
    """AWS/MediaLive and AWS/MediaPackage from what ran: channel A's input rate and frame rate,
    its alerts and outputs; the origin's request count equals the requests this test made; the
    alarm on ActiveAlerts notifies its subscriber once the publisher has gone."""
    cw = t.client("cloudwatch")
    a = {"ChannelId": S["a"], "Pipeline": "0"}
    S["push_a"].wait(15)  # channel A's last publisher (28-36 s) has finished: its alert is set again
    fetched = {"2xx": 0, "4xx": 0}
    for url in [S["counted_hls"]] * 4 + [S["counted_hls"].replace("index.m3u8", "missing.ts")] * 3:
        status = media.fetch(url).status
        fetched[f"{status // 100}xx"] = fetched.get(f"{status // 100}xx", 0) + 1
    counted = {"Channel": "live", "OriginEndpoint": "counted-hls"}
    deadline, total = time.monotonic() + 30, None
    while time.monotonic() < deadline and total != 7:
        time.sleep(2)
        now = datetime.datetime.now(datetime.timezone.utc)
        got = cw.get_metric_data(StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=1),
                                 MetricDataQueries=[{"Id": "requests", "MetricStat": {"Metric": {
                                     "Namespace": "AWS/MediaPackage", "MetricName": "EgressRequestCount",
                                     "Dimensions": [{"Name": k, "Value": v} for k, v in counted.items()]},
                                     "Period": 60, "Stat": "Sum"}}])
        total = sum(got["MetricDataResults"][0]["Values"])
    check_eq(total, 7, "GetMetricData: AWS/MediaPackage EgressRequestCount of the endpoint = the GETs made to it")
    for status_range, n in fetched.items():
        if n:
            check_eq(sum(metric_values(cw, "AWS/MediaPackage", "EgressRequestCount",
                                       dict(counted, StatusCodeRange=status_range), "Sum", 60)), n,
                     f"EgressRequestCount with StatusCodeRange {status_range}")
    check(sum(metric_values(cw, "AWS/MediaPackage", "EgressBytes", {"Channel": "live"}, "Sum", 60)) > 100_000,
          "EgressBytes of channel live: the segments the tests fetched", "> 100 kB")

    # ConfigureLogs: every request to channel live's endpoints is a JSON record in its egress log group.
    logs, records, deadline = t.client("logs"), [], time.monotonic() + 15
    while time.monotonic() < deadline and len(records) < 7:
        events = logs.filter_log_events(logGroupName="/aws/MediaPackage/EgressAccessLogs", logStreamNames=["live"],
                                        filterPattern='"counted-hls"')["events"]
        records = [json.loads(e["message"]) for e in events]
        time.sleep(1)
    check_eq(len(records), 7, "the egress access log has one record per request to the endpoint")
    if records:
        r = records[-1]
        check_eq((r["channelId"], r["endpointId"], r["method"], r["statusCode"], r["account"]),
                 ("live", "counted-hls", "GET", "404", "123456789012"), "an access log record as MediaPackage writes it")
        check(r["request"].endswith("/missing.ts") and r["clientIp"] == "127.0.0.1" and "processingTime" in r,
              "the record has the request URL, client address and processing time", "…/missing.ts, 127.0.0.1", r)

    # Channel A logs at INFO: its encoder log is in ElementalMediaLive, one JSON record per event
    # (ML-UG working-with-logs); channel B (LogLevel DISABLED, the default) writes none.
    logs = t.client("logs")
    arn = S["ml"].describe_channel(ChannelId=S["a"])["Arn"]
    stream = arn.replace(":", "_") + "_0"
    told = lambda messages: all(any(m.startswith(p) for m in messages)
                                for p in ("Channel running", "Input video detected", "Input lost"))
    records, deadline = [], time.monotonic() + 15
    while time.monotonic() < deadline and not told([r["message"] for r in records]):
        try:
            events = logs.get_log_events(logGroupName="ElementalMediaLive", logStreamName=stream, startFromHead=True)["events"]
            records = [json.loads(e["message"]) for e in events]
        except logs.exceptions.ResourceNotFoundException:
            pass
        time.sleep(1)
    messages = [r["message"] for r in records]
    check(told(messages), "channel A's encoder log tells its start, its publisher's stream and its loss", "running, detected, lost", messages)
    if records:
        check_eq((records[0]["channel_arn"], records[0]["encoder_pipeline"], records[0]["logger_name"]), (arn, 0, ""),
                 "an encoder log record as MediaLive writes it")
        check(all(r["severity"] in ("I", "W", "E") for r in records), "LogLevel INFO keeps no DEBUG records",
              "I, W or E", sorted({r["severity"] for r in records}))
    b_arn = S["ml"].describe_channel(ChannelId=S["b"])["Arn"]
    b_streams = logs.describe_log_streams(logGroupName="ElementalMediaLive",
                                          logStreamNamePrefix=b_arn.replace(":", "_"))["logStreams"]
    check_eq(b_streams, [], "channel B (LogLevel DISABLED) has no encoder log stream")

    rates = metric_values(cw, "AWS/MediaLive", "InputVideoFrameRate", a, "Average")
    check(rates and 20 <= max(rates) <= 40, "InputVideoFrameRate: the publisher's 30 fps", "about 30", rates)
    network = metric_values(cw, "AWS/MediaLive", "NetworkIn", a, "Average")
    check(network and 0.1 < max(network) < 50, "NetworkIn: the publisher's Mb/s", "0.1 to 50", network)
    alerts = metric_values(cw, "AWS/MediaLive", "ActiveAlerts", a, "Maximum")
    check(alerts and min(alerts) == 0 and max(alerts) >= 1, "ActiveAlerts: none while published, one without input",
          "0 and >= 1", alerts)
    outputs = metric_values(cw, "AWS/MediaLive", "ActiveOutputs", dict(a, OutputGroupName="mp"), "Maximum")
    check(outputs and max(outputs) == 3, "ActiveOutputs of group mp: its three outputs", 3, outputs)
    dropped = metric_values(cw, "AWS/MediaLive", "DroppedFrames", a, "Sum")
    check(dropped and max(dropped) == 0, "DroppedFrames of channel A: none from a clean publisher", "0s", dropped)
    # Channel B's publisher was away 10-18 s and again since 30 s, and its HLS group emits output on
    # input loss: filler, for as long as each loss has lasted.
    fill = metric_values(cw, "AWS/MediaLive", "FillMsec", {"ChannelId": S["b"], "Pipeline": "0"}, "Maximum")
    check(fill and max(fill) >= 1000 and min(fill) == 0,
          "FillMsec of channel B: 0 while published, the fill period's length during its input loss", "0 and >= 1 s", fill)

    # The alarm: OK while published; ALARM once the publisher is gone (the input loss at 20-28 s may
    # already have raised and cleared it once).
    states, rx = [], S.get("rx")
    deadline = time.monotonic() + 40
    while rx and time.monotonic() < deadline and (not states or states[-1] != "ALARM" or "OK" not in states):
        try:
            path, headers, body = rx.posts.get(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:
            break
        message = json.loads(json.loads(body)["Message"])
        states.append(message["NewStateValue"])
        S["alarm_reason"] = message["NewStateReason"]
    print(f"    InputVideoFrameRate {[round(r, 1) for r in rates]} fps, NetworkIn {[round(n, 2) for n in network]} Mb/s, "
          f"ActiveAlerts {alerts}, alarm notifications {states}")
    check("OK" in states and states[-1] == "ALARM",
          "the ActiveAlerts alarm notifies OK while published, then ALARM when the publisher stops", "OK ... ALARM", states)
    check(S.get("alarm_reason", "").startswith("Threshold Crossed"), "the notification's reason is the evaluation's",
          "Threshold Crossed: ...", S.get("alarm_reason"))


def test_stop_start_delete(t):
    ml = S["ml"]
    S["push_a"].wait(15)
    S["push_b"].wait(15)
    ml.stop_channel(ChannelId=S["a"])
    ml.get_waiter("channel_stopped").wait(ChannelId=S["a"], WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    ended = media.variant_playlist(S["hls"], "HLS after StopChannel")
    if ended:
        check(ended.ended, "StopChannel ends the HLS playlist with EXT-X-ENDLIST", "#EXT-X-ENDLIST", ended.text[-200:])
    root = media.mpd(S["dash"], "DASH after StopChannel")
    if root is not None:
        check_eq(root.get("type"), "static", "StopChannel makes the MPD static")
        check(root.get("mediaPresentationDuration") is not None, "a static MPD has mediaPresentationDuration")

    ml.start_channel(ChannelId=S["a"])
    ml.get_waiter("channel_running").wait(ChannelId=S["a"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    again = media.Push(S["urls"]["a"], 8, log_dir=t.server.tmp, label="a3").start()
    deadline = time.monotonic() + 15
    live = None
    while time.monotonic() < deadline:
        time.sleep(1)
        if media.fetch(S["hls"]).status == 200:
            live = media.variant_playlist(S["hls"], "HLS after StartChannel")
            if live and not live.ended and len(live.segments) >= 2:
                break
    check(live is not None and not live.ended and len(live.segments) >= 2,
          "StartChannel again: the endpoint is live again with new segments", "live playlist",
          live.text[-300:] if live else None)
    again.stop()
    ml.stop_channel(ChannelId=S["a"])
    ml.get_waiter("channel_stopped").wait(ChannelId=S["a"], WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    ml.delete_channel(ChannelId=S["a"])
    ml.get_waiter("channel_deleted").wait(ChannelId=S["a"], WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    # Like AWS: what MediaLive delivered stays at MediaPackage (its window) after the channel is gone.
    check_eq(media.fetch(S["hls"]).status, 200, "after DeleteChannel the MediaPackage endpoint still serves its window")
    for key in ("b", "c"):
        ml.stop_channel(ChannelId=S[key])
    check_eq(media.fetch(S["endpoint"] + "/out/v1/0123456789abcdef0123456789abcdef/index.m3u8").status, 404,
             "an unknown origin endpoint hash is 404")
    check(t.server.healthy(), "the server is still serving")


harness.main(globals())
