#!/usr/bin/env python3
"""tools/bench/channel_cpu.py: what a whole mediaemu server spends on one running channel.

A fresh server, a MediaLive channel with the given ladder into a MediaPackage channel (with the
origin endpoints the caller asks for), a pre-encoded file pushed in real time with `ffmpeg -re -c
copy` (so the publisher costs almost nothing), and the server's CPU seconds (user + sys, every
thread, from /proc) over the push, per media second. Shared by tools/bench/drm and
tools/bench/ladder; run alone it prints that number for the ladder given on the command line:

  tools/bench/channel_cpu.py <source> <seconds> <name:WxH:bitrate>... [--endpoints N]
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
os.environ.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_source(path: Path, seconds: int, size: str = "1280x720", bitrate: str = "3M") -> None:
    """A generated H.264/AAC source (testsrc2 + a tone), in the container the path's suffix names."""
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds),
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p", "-b:v", bitrate,
                    "-c:a", "aac", "-b:a", "128k", "-ac", "2", str(path)], check=True)


def video_description(name: str, width: int, height: int, bitrate: int, h264: dict) -> dict:
    return {"Name": name, "Width": width, "Height": height, "CodecSettings": {"H264Settings": dict({
        "Bitrate": bitrate, "RateControlMode": "CBR", "GopSize": 60, "GopSizeUnits": "FRAMES",
        "FramerateControl": "SPECIFIED", "FramerateNumerator": 30, "FramerateDenominator": 1}, **h264)}}


def channel_cpu(ladder: list, source: Path, seconds: int, tmp: Path, label: str,
                packages: list = (), on_server=None, h264: dict = None) -> float:
    """CPU seconds per media second of a server running `ladder` (name, width, height, bitrate;
    H264Settings beyond CBR at GOP 60 frames in `h264`) into MediaPackage origin endpoints, one per
    function in `packages` (endpoint URL, index -> HlsPackage). `on_server(data_dir)` runs after
    the push, while the server still runs."""
    import boto3

    binary = Path(os.environ.get("MEDIAEMU_BIN", REPO / "build" / "mediaemu"))
    port, rtmp_port = free_port(), free_port()
    data = Path(tempfile.mkdtemp(prefix=f"data-{label}-", dir=tmp))  # a fresh server each run
    server = subprocess.Popen([str(binary), "--port", str(port), "--rtmp-port", str(rtmp_port), "--data-dir",
                               str(data), "--log-level", "warn"], stdout=open(tmp / f"{label}.log", "wb"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(500):
            try:
                urllib.request.urlopen(endpoint + "/_mediaemu/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.01)
        ml = boto3.client("medialive", endpoint_url=endpoint, region_name="us-east-1")
        mp = boto3.client("mediapackage", endpoint_url=endpoint, region_name="us-east-1")
        mp.create_channel(Id="bench")
        for i, package in enumerate(packages):
            mp.create_origin_endpoint(ChannelId="bench", Id=f"hls-{i}", HlsPackage=package(endpoint, i))
        inp = ml.create_input(Name="bench", Type="RTMP_PUSH", Destinations=[{"StreamName": "live/main"}])["Input"]
        cid = ml.create_channel(
            Name="bench", ChannelClass="SINGLE_PIPELINE", InputAttachments=[{"InputId": inp["Id"]}],
            Destinations=[{"Id": "mp", "MediaPackageSettings": [{"ChannelId": "bench"}]}],
            EncoderSettings={
                "TimecodeConfig": {"Source": "SYSTEMCLOCK"},
                "AudioDescriptions": [{"Name": "aac", "AudioSelectorName": "default", "CodecSettings": {
                    "AacSettings": {"Bitrate": 128000, "SampleRate": 48000, "CodingMode": "CODING_MODE_2_0"}}}],
                "VideoDescriptions": [video_description(*r, h264 or {}) for r in ladder],
                "OutputGroups": [{"Name": "mp", "OutputGroupSettings": {"MediaPackageGroupSettings": {
                    "Destination": {"DestinationRefId": "mp"}}}, "Outputs": [
                    {"OutputName": n, "VideoDescriptionName": n, "AudioDescriptionNames": ["aac"],
                     "OutputSettings": {"MediaPackageOutputSettings": {}}} for n, *_ in ladder]}]})["Channel"]["Id"]
        ml.start_channel(ChannelId=cid)
        ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        cpu0 = proc_cpu_seconds(server.pid)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-i", str(source), "-c", "copy", "-f", "flv",
                        inp["Destinations"][0]["Url"]], check=True, timeout=seconds + 60)
        time.sleep(1)  # the last segments
        cpu = proc_cpu_seconds(server.pid) - cpu0
        if on_server:
            on_server(data)
        report_dropped_frames(endpoint, cid, label)
        return cpu / seconds
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def report_dropped_frames(endpoint: str, channel_id: str, label: str) -> None:
    """A channel that fell behind real time drops input frames (AWS/MediaLive DroppedFrames), and
    then its CPU figure undercounts the work: say so. Waits for the telemetry round (every 10 s)
    that follows the push."""
    import boto3

    cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1")
    dims = [{"Name": "ChannelId", "Value": channel_id}, {"Name": "Pipeline", "Value": "0"}]
    deadline, dropped = time.monotonic() + 12, None
    while time.monotonic() < deadline:
        now = time.time()
        points = cw.get_metric_statistics(Namespace="AWS/MediaLive", MetricName="DroppedFrames", Dimensions=dims,
                                          StartTime=now - 3600, EndTime=now + 60, Period=60,
                                          Statistics=["Sum"])["Datapoints"]
        dropped = sum(p["Sum"] for p in points)
        if dropped:
            break
        time.sleep(2)
    if dropped:
        print(f"  {label}: the channel dropped {dropped:.0f} input frames (it fell behind real time), so its "
              f"CPU figure undercounts the work", file=sys.stderr)


def hls_package(endpoint: str, index: int) -> dict:
    return {"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 12}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path)
    ap.add_argument("seconds", type=int)
    ap.add_argument("rungs", nargs="+", help="name:WxH:bitrate")
    ap.add_argument("--endpoints", type=int, default=1, help="HLS origin endpoints (2 s segments)")
    ap.add_argument("--high", action="store_true", help="H.264 High profile with 3 B-frames (tools/bench/ladder's)")
    args = ap.parse_args()
    ladder = []
    for rung in args.rungs:
        name, size, bitrate = rung.split(":")
        width, height = size.split("x")
        ladder.append((name, int(width), int(height), int(bitrate)))
    with tempfile.TemporaryDirectory(prefix="bench-channel-") as t:
        per_media_second = channel_cpu(ladder, args.source, args.seconds, Path(t), "channel",
                                       [hls_package] * args.endpoints,
                                       h264={"Profile": "HIGH", "GopNumBFrames": 3} if args.high else None)
    print(f"cpu_per_media_second={per_media_second:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
