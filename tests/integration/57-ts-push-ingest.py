# timeout: 240
"""MPEG-TS pushed over UDP (UDP_PUSH) and RTP (RTP_PUSH), the second kind of ingest source:
ffmpeg sends `-f mpegts udp://` and `-f rtp_mpegts rtp://` to the ports the inputs were given,
the channels transcode it and write HLS (checked with ffprobe) and deliver to MediaPackage, whose
HLS endpoints hls.js plays in headless Chromium. The input security group applies
by the sender's address: a whitelist that leaves 127.0.0.1 out refuses every datagram, and the
log says so. Garbage on a listening port leaves the channel running. The RTP sender goes through a relay that
drops every 40th datagram: the channel's RtpPacketsLost metric counts exactly those, and
RtpPacketsReceived the ones relayed.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import urlsplit
from pathlib import Path

import harness
import media
from harness import check, check_eq

S = {"procs": []}
LABELS = {"udp": "UDP", "rtp": "RTP", "gst": "RTP (GStreamer sending)"}


def gst_send(url: str, seconds: int, label: str, t) -> subprocess.Popen:
    """GStreamer, the second sender: videotestsrc + audiotestsrc as H.264 (x264enc) and AAC
    (avenc_aac) in MPEG-TS (mpegtsmux, 7 packets per datagram) over RTP (rtpmp2tpay) to `url`."""
    host_port = urlsplit(url)
    argv = ["gst-launch-1.0", "-q",
            "videotestsrc", "is-live=true", "pattern=ball", f"num-buffers={seconds * 30}", "!",
            "video/x-raw,width=320,height=180,framerate=30/1", "!",
            "x264enc", "tune=zerolatency", "speed-preset=veryfast", "key-int-max=30", "bitrate=500", "!",
            "h264parse", "!", "queue", "!", "mux.",
            "audiotestsrc", "is-live=true", "wave=sine", "freq=440", "samplesperbuffer=1024",
            f"num-buffers={seconds * 48000 // 1024}", "!", "audio/x-raw,rate=48000,channels=2", "!",
            "audioconvert", "!", "avenc_aac", "!", "aacparse", "!", "queue", "!", "mux.",
            "mpegtsmux", "name=mux", "alignment=7", "!", "rtpmp2tpay", "!",
            "udpsink", f"host={host_port.hostname}", f"port={host_port.port}"]
    log = open(Path(t.server.tmp) / f"{label}.log", "ab")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    S["procs"].append(p)
    return p


def send(url: str, muxer: str, seconds: int, label: str, t) -> subprocess.Popen:
    """ffmpeg -re sending lavfi test media as H.264/AAC in MPEG-TS to `url` with `muxer`."""
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30",
            "-pix_fmt", "yuv420p", "-b:v", "600k", "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-f", muxer, url]
    log = open(Path(t.server.tmp) / f"{label}.log", "ab")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    S["procs"].append(p)
    return p


class LossyRelay:
    """Forwards UDP datagrams from a port of its own to `target`, dropping every `nth` one."""

    def __init__(self, target: str, nth: int):
        host_port = urlsplit(target)
        self.target = (host_port.hostname, host_port.port)
        self.nth, self.forwarded, self.dropped = nth, 0, 0
        self.inbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.inbound.bind(("127.0.0.1", 0))
        self.inbound.settimeout(0.2)
        self.outbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"rtp://127.0.0.1:{self.inbound.getsockname()[1]}"

    def run(self):
        count = 0
        while not self.stopping:
            try:
                datagram = self.inbound.recv(65536)
            except socket.timeout:
                continue
            count += 1
            if count % self.nth == 0:
                self.dropped += 1
                continue
            self.outbound.sendto(datagram, self.target)
            self.forwarded += 1

    def stop(self):
        self.stopping = True
        self.thread.join(2)


def segments_under(root: Path) -> list:
    return sorted(root.glob("*.ts")) if root.exists() else []


def kinds() -> list:
    """The inputs that are sent media: UDP and RTP (ffmpeg) and, with GStreamer, RTP from it."""
    return ["udp", "rtp"] + (["gst"] if S["gst"] else [])


def test_setup(t):
    ml = t.client("medialive")
    local = ml.create_input_security_group(WhitelistRules=[{"Cidr": "127.0.0.1/32"}])["SecurityGroup"]["Id"]
    other = ml.create_input_security_group(WhitelistRules=[{"Cidr": "10.0.0.0/8"}])["SecurityGroup"]["Id"]
    inputs = {
        "udp": ml.create_input(Name="udp", Type="UDP_PUSH", InputSecurityGroups=[local])["Input"],
        "rtp": ml.create_input(Name="rtp", Type="RTP_PUSH", InputSecurityGroups=[local])["Input"],
        "guarded": ml.create_input(Name="guarded", Type="UDP_PUSH", InputSecurityGroups=[other])["Input"],
    }
    S["gst"] = shutil.which("gst-launch-1.0") is not None
    if S["gst"]:
        inputs["gst"] = ml.create_input(Name="gst", Type="RTP_PUSH", InputSecurityGroups=[local])["Input"]
    else:
        print("    skip the GStreamer sender: gst-launch-1.0 is not installed (tools/install-deps --test)")
    S.update(ml=ml, s3=Path(t.server.data_dir) / "s3" / "mediaemu-it")
    S["urls"] = {k: i["Destinations"][0]["Url"] for k, i in inputs.items()}
    check(S["urls"]["udp"].startswith("udp://127.0.0.1:"), "a UDP_PUSH input gets a udp:// URL", "udp://127.0.0.1:…",
          S["urls"]["udp"])
    check(S["urls"]["rtp"].startswith("rtp://127.0.0.1:"), "an RTP_PUSH input gets an rtp:// URL", "rtp://127.0.0.1:…",
          S["urls"]["rtp"])
    made = {k: media.one_rung_channel(ml, t.client("mediapackage"), f"ts-{k}", i["Id"]) for k, i in inputs.items()}
    S["ids"] = {k: cid for k, (cid, _) in made.items()}
    S["endpoints"] = {k: url for k, (_, url) in made.items()}
    for cid in S["ids"].values():
        ml.get_waiter("channel_created").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        ml.start_channel(ChannelId=cid)
    for cid in S["ids"].values():
        ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    time.sleep(0.5)  # the supervisors open the ports right after RUNNING
    S["relay"] = LossyRelay(S["urls"]["rtp"], 40)
    S["senders"] = {
        "udp": send(S["urls"]["udp"] + "?pkt_size=1316", "mpegts", 28, "udp", t),
        "rtp": send(S["relay"].url, "rtp_mpegts", 28, "rtp", t),
        "guarded": send(S["urls"]["guarded"] + "?pkt_size=1316", "mpegts", 8, "guarded", t),
    }
    if S["gst"]:
        S["senders"]["gst"] = gst_send(S["urls"]["gst"], 28, "gst", t)


def test_udp_and_rtp_transport_streams_become_hls(t):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(len(segments_under(S["s3"] / f"ts-{k}")) >= 3 for k in kinds()):
            break
        time.sleep(1)
    for kind in kinds():
        segs = segments_under(S["s3"] / f"ts-{kind}")
        check(len(segs) >= 3, f"MPEG-TS over {LABELS[kind]} becomes HLS segments", ">= 3", len(segs))
        if len(segs) >= 2:
            streams = media.ffprobe(segs[-2], "-show_streams").get("streams", [])
            check_eq(sorted(s.get("codec_name") for s in streams), ["aac", "h264"],
                     f"{LABELS[kind]} ingest: a segment carries H.264 and AAC")
            video = [s for s in streams if s.get("codec_type") == "video"]
            check_eq((video[0].get("width"), video[0].get("height")) if video else None, (256, 144),
                     f"{LABELS[kind]} ingest: the rung's resolution")
    cannot = t.lacks("medialive", "ListAlerts")
    if cannot:
        print(f"    skip ListAlerts check: {cannot}")
        return
    alerts = S["ml"].list_alerts(ChannelId=S["ids"]["udp"])["Alerts"]
    check(not any(a["AlertType"] == "Input Not Present" for a in alerts),
          "while the UDP sender sends, its channel does not report Input Not Present", "no such alert", alerts)


def test_mediapackage_endpoints_serve_the_rung_and_hls_js_plays_them(t):
    endpoints = {"the UDP_PUSH channel's endpoint": S["endpoints"]["udp"],
                 "the RTP_PUSH channel's endpoint (every 40th datagram lost)": S["endpoints"]["rtp"]}
    if S["gst"]:
        endpoints["the RTP_PUSH channel's endpoint, GStreamer sending"] = S["endpoints"]["gst"]
    for what, url in endpoints.items():
        media.check_endpoint_segment(url, what, "256x144", 2, Path(t.server.tmp))
    media.check_hls_js_plays(endpoints, sizes={(256, 144)})


def test_security_group_refuses_senders_outside_the_whitelist(t):
    S["senders"]["guarded"].wait(30)
    check_eq(len(segments_under(S["s3"] / "ts-guarded")), 0, "a sender outside the whitelist produces nothing")
    log = t.server.log_path.read_text(errors="replace")
    check("refuses datagrams from 127.0.0.1" in log, "the server log says why it refused the sender",
          "refuses datagrams from 127.0.0.1", "not in the log")
    cannot = t.lacks("medialive", "ListAlerts")
    if cannot:
        print(f"    skip ListAlerts check: {cannot}")
        return
    alerts = S["ml"].list_alerts(ChannelId=S["ids"]["guarded"])["Alerts"]
    check(any(a["AlertType"] == "Input Not Present" for a in alerts), "the guarded channel reports Input Not Present",
          "Input Not Present", alerts)


def metric_sum(t, name: str, channel_id: str) -> float:
    cw = t.client("cloudwatch")
    now = time.time()
    points = cw.get_metric_statistics(Namespace="AWS/MediaLive", MetricName=name,
                                      Dimensions=[{"Name": "ChannelId", "Value": channel_id}, {"Name": "Pipeline", "Value": "0"}],
                                      StartTime=now - 600, EndTime=now + 60, Period=60, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points) if points else None


def test_rtp_packet_metrics_count_what_the_relay_dropped(t):
    S["senders"]["rtp"].wait(30)
    time.sleep(0.5)  # the relay forwards what it still holds
    S["relay"].stop()
    relay = S["relay"]
    expected = (relay.forwarded, relay.dropped)
    got = None
    deadline = time.monotonic() + 25  # a telemetry round every 10 s
    while time.monotonic() < deadline:
        got = (metric_sum(t, "RtpPacketsReceived", S["ids"]["rtp"]), metric_sum(t, "RtpPacketsLost", S["ids"]["rtp"]))
        if got == expected:
            break
        time.sleep(2)
    check(relay.dropped > 10, "the relay dropped datagrams", "> 10", relay.dropped)
    check_eq(got, expected, "RtpPacketsReceived and RtpPacketsLost: the datagrams relayed and dropped")
    check_eq(metric_sum(t, "RtpPacketsReceived", S["ids"]["udp"]), None, "a UDP_PUSH channel has no RTP datapoints")


def test_garbage_on_the_port_leaves_the_channel_running(t):
    port = int(S["urls"]["udp"].rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(200):
            s.sendto(os.urandom(1316 if i % 2 else 37), ("127.0.0.1", port))
            s.sendto(b"\x47" + os.urandom(187), ("127.0.0.1", port))  # sync byte, then noise
    for kind in kinds():
        S["senders"][kind].wait(30)
    time.sleep(1)
    check_eq(S["ml"].describe_channel(ChannelId=S["ids"]["udp"])["State"], "RUNNING", "the channel is still RUNNING")
    check(t.server.healthy(), "the server still answers health", True, False)
    for cid in S["ids"].values():
        S["ml"].stop_channel(ChannelId=cid)
    for cid in S["ids"].values():
        S["ml"].get_waiter("channel_stopped").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    playlists = [p for p in (S["s3"] / "ts-udp").glob("*.m3u8") if "#EXTINF" in p.read_text(errors="replace")]
    check(bool(playlists) and "#EXT-X-ENDLIST" in playlists[0].read_text(errors="replace"),
          "StopChannel ends the UDP channel's playlist", "#EXT-X-ENDLIST", [p.name for p in playlists])


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        for p in S["procs"]:
            if p.poll() is None:
                p.kill()
