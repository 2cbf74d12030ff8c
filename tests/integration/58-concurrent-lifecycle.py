# timeout: 300
"""Lifecycle calls from several threads while channels run real pipelines: StartChannel,
StopChannel, DescribeChannel, ListAlerts and RestartChannelPipelines on three channels, each fed
by an ffmpeg RTMP publisher, from six client threads at once. Every call must be answered (a
success, or the 409 a call in the wrong state gets) within the client's read timeout: no
deadlock, no lost answer. Afterwards every channel still stops and starts, and a fresh publisher
still produces segments. Loopback only; the number of calls is fixed, not the time they take.
"""

import shutil
import threading
import time
from pathlib import Path

import harness
import media
from harness import check, check_eq

CHANNELS = 3
THREADS, CALLS = 6, 30
S = {}


def client(t):
    import boto3
    from botocore.config import Config

    # One client per thread; no retries, so a 5xx or a hang shows. 20 s bounds a hung call.
    return boto3.client("medialive", region_name=harness.REGION, endpoint_url=t.endpoint,
                        aws_access_key_id="x", aws_secret_access_key="y",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20))


def test_setup(t):
    ml = t.client("medialive")
    S.update(ml=ml, ids=[], urls=[], pushes=[])
    rung = media.video_description("v144", 256, 144, 250_000)
    hls_out = {"HlsOutputSettings": {"NameModifier": "_144p", "HlsSettings": {"StandardHlsSettings": {"M3u8Settings": {}}}}}
    for i in range(CHANNELS):
        inp = ml.create_input(Name=f"load-{i}", Type="RTMP_PUSH", Destinations=[{"StreamName": f"load/{i}"}])["Input"]
        group = {"Name": "archive", "OutputGroupSettings": {"HlsGroupSettings": {
            "Destination": {"DestinationRefId": "s3"}, "SegmentLength": 2, "IndexNSegments": 5}},
            "Outputs": media.outputs(["v144"], hls_out)}
        cid = ml.create_channel(
            Name=f"load-{i}", ChannelClass="SINGLE_PIPELINE",
            InputAttachments=[{"InputId": inp["Id"], "InputAttachmentName": "main"}],
            Destinations=[{"Id": "s3", "Settings": [{"Url": f"s3://mediaemu-it/load{i}/index"}]}],
            EncoderSettings={"TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
                             "VideoDescriptions": [rung], "OutputGroups": [group]})["Channel"]["Id"]
        S["ids"].append(cid)
        S["urls"].append(inp["Destinations"][0]["Url"])
    for cid in S["ids"]:
        ml.get_waiter("channel_created").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        ml.start_channel(ChannelId=cid)
    for cid in S["ids"]:
        ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    for i, url in enumerate(S["urls"]):
        S["pushes"].append(media.Push(url, 30, size="320x180", log_dir=t.server.tmp, label=f"load{i}").start())
    time.sleep(4)  # the publishers are on air and the transcoders busy
    check(all(p.alive() for p in S["pushes"]), "three publishers stream to three running channels", "alive",
          [p.log()[-200:] for p in S["pushes"]])


def test_lifecycle_calls_from_six_threads_are_all_answered(t):
    from botocore.exceptions import ClientError

    answered, problems = [], []
    lock = threading.Lock()
    # Every lifecycle call this server and client have (botocore 1.29 lacks the last two).
    calls = [c for c in ("StartChannel", "DescribeChannel", "StopChannel", "ListAlerts", "RestartChannelPipelines")
             if not t.lacks("medialive", c)]
    if len(calls) < 5:
        print(f"    calls made: {calls} (the models here lack the others)")

    def worker(n: int) -> None:
        ml = client(t)
        method_of = {api: method for method, api in ml.meta.method_to_api_mapping.items()}
        for i in range(CALLS):
            cid = S["ids"][(n + i) % CHANNELS]
            operation = calls[(n * 7 + i) % len(calls)]
            started = time.monotonic()
            try:
                getattr(ml, method_of[operation])(ChannelId=cid)
                outcome = "ok"
            except ClientError as e:
                status = e.response["ResponseMetadata"]["HTTPStatusCode"]
                outcome = "conflict" if status == 409 else f"HTTP {status}: {e}"
            except Exception as e:  # a read timeout: the call was never answered
                outcome = f"{type(e).__name__}: {e}"
            with lock:
                answered.append((outcome, time.monotonic() - started))
                if outcome not in ("ok", "conflict"):
                    problems.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    check(not any(th.is_alive() for th in threads), "every client thread finished (no call hangs)", "all joined",
          sum(th.is_alive() for th in threads))
    check_eq(len(answered), THREADS * CALLS, "every lifecycle call was answered")
    check(not problems, "every answer is a success or a state conflict (409)", "none else", problems[:5])
    slowest = max((s for _, s in answered), default=0)
    oks = sum(1 for o, _ in answered if o == "ok")
    print(f"    {len(answered)} calls: {oks} succeeded, {len(answered) - oks} conflicts; slowest {slowest:.3f} s")
    check(t.server.healthy(), "the server still answers health", True, False)


def test_channels_still_stop_start_and_produce(t):
    ml = S["ml"]
    for p in S["pushes"]:
        p.stop()
    for cid in S["ids"]:
        state = ml.describe_channel(ChannelId=cid)["State"]
        if state in ("STARTING", "RUNNING"):
            ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 15})
            ml.stop_channel(ChannelId=cid)
        ml.get_waiter("channel_stopped").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    check(all(ml.describe_channel(ChannelId=c)["State"] == "IDLE" for c in S["ids"]), "every channel settles IDLE",
          "IDLE", [ml.describe_channel(ChannelId=c)["State"] for c in S["ids"]])

    cid = S["ids"][0]
    root = Path(t.server.data_dir) / "s3" / "mediaemu-it" / "load0"
    shutil.rmtree(root, ignore_errors=True)  # only what the new run writes counts
    ml.start_channel(ChannelId=cid)
    ml.get_waiter("channel_running").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    push = media.Push(S["urls"][0], 60, size="320x180", log_dir=t.server.tmp, label="after").start()

    def variant() -> tuple[int, str]:
        """The media playlist under root (the one listing segments): its segment count and text."""
        best = (0, "")
        for p in root.glob("*.m3u8"):
            text = p.read_text(errors="replace")
            if "#EXTINF" in text:
                best = max(best, (sum(1 for line in text.splitlines() if line and not line.startswith("#")), text))
        return best

    deadline = time.monotonic() + 25
    segments = 0
    while time.monotonic() < deadline and segments < 2:
        time.sleep(1)
        segments, _ = variant()
    check(segments >= 2, "after the storm, a new publisher to a restarted channel produces HLS segments", ">= 2",
          f"{segments} under {root}")
    ml.stop_channel(ChannelId=cid)
    ml.get_waiter("channel_stopped").wait(ChannelId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    # Like MediaLive, a stopped channel drops its encoder's connection (the push would last 60 s).
    rc = push.wait(20)
    check(rc is not None and rc != 0, "StopChannel disconnects the live RTMP publisher", "ffmpeg exits non-zero",
          f"exit {rc}; {push.log()[-300:]}")
    push.stop()
    _, text = variant()
    check("#EXT-X-ENDLIST" in text, "StopChannel ends the playlist before the channel is IDLE", "#EXT-X-ENDLIST",
          text[-200:])


if __name__ == "__main__":
    harness.main(globals())
