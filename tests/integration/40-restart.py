#!/usr/bin/env python3
"""State survives kill -9: 50 resources of every kind come back with the same ids and fields, and
transitions a crash interrupted come back settled (STARTING -> RUNNING, DELETING -> DELETED).

Every kind is one mediaemu has behaviour for: a create that answers 501 (or any error) fails the
suite rather than being swapped for another kind.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

TOTAL = 50


def strip(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "ResponseMetadata"}


class Inventory:
    """Resources created so far: (kind, id, describe) where describe() returns the document."""

    def __init__(self, t):
        self.ml, self.mp, self.vod = t.client("medialive"), t.client("mediapackage"), t.client("mediapackage-vod")
        self.items: list[tuple[str, str, callable]] = []
        self.isgs, self.inputs, self.mp_channels = [], [], []
        self.attached: set[str] = set()

    def add(self, kind: str, create, describe) -> None:
        rid = create()  # an error (a 501 included) ends the test as a failure
        self.items.append((kind, rid, lambda: strip(describe(rid))))

    def isg(self, i: int) -> None:
        def create():
            gid = self.ml.create_input_security_group(WhitelistRules=[{"Cidr": f"10.{i}.0.0/16"}],
                                                      Tags={"n": str(i)})["SecurityGroup"]["Id"]
            self.isgs.append(gid)
            return gid
        self.add("input security group", create,
                 lambda rid: self.ml.describe_input_security_group(InputSecurityGroupId=rid))

    def input(self, i: int) -> None:
        kind = ["RTMP_PUSH", "URL_PULL", "RTP_PUSH", "MP4_FILE", "UDP_PUSH"][i % 5]
        args = {"Name": f"restart-input-{i}", "Type": kind, "Tags": {"n": str(i)}}
        if kind == "RTMP_PUSH":
            args["Destinations"] = [{"StreamName": f"restart{i}/a"}, {"StreamName": f"restart{i}/b"}]
        if kind in ("RTMP_PUSH", "RTP_PUSH") and self.isgs:
            args["InputSecurityGroups"] = [self.isgs[i % len(self.isgs)]]
        if kind == "URL_PULL":
            args["Sources"] = [{"Url": f"https://example.com/{i}/a.m3u8"}, {"Url": f"https://example.com/{i}/b.m3u8"}]
        if kind == "MP4_FILE":
            args["Sources"] = [{"Url": f"s3ssl://bucket/{i}.mp4"}]

        def create():
            iid = self.ml.create_input(**args)["Input"]["Id"]
            self.inputs.append(iid)
            return iid
        self.add(f"input {kind}", create, lambda rid: self.ml.describe_input(InputId=rid))

    def channel(self, i: int) -> None:
        # Every other channel takes an input of its own (an input serves one channel).
        free = [x for x in self.inputs if x not in self.attached]
        input_id = free[0] if i % 2 == 0 and free else ""
        req = harness.load_fixture("minimal-channel.json", CHANNEL_NAME=f"restart-channel-{i}", INPUT_ID=input_id)
        if not input_id:
            req["InputAttachments"] = []

        def create():
            cid = self.ml.create_channel(**req)["Channel"]["Id"]
            if input_id:
                self.attached.add(input_id)
            return cid
        self.add("channel", create, lambda rid: self.ml.describe_channel(ChannelId=rid))

    def mp_channel(self, i: int) -> None:
        def create():
            cid = self.mp.create_channel(Id=f"restart-mp-{i}", Description=f"channel {i}", Tags={"n": str(i)})["Id"]
            self.mp_channels.append(cid)
            return cid
        self.add("mediapackage channel", create, lambda rid: self.mp.describe_channel(Id=rid))

    def endpoint(self, i: int) -> None:
        if not self.mp_channels:
            return
        package = [{"HlsPackage": {"SegmentDurationSeconds": 4, "PlaylistWindowSeconds": 60}},
                   {"DashPackage": {"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 60}},
                   {"CmafPackage": {"SegmentDurationSeconds": 2,
                                    "HlsManifests": [{"Id": f"cmaf-{i}", "ManifestName": "index"}]}},
                   {"MssPackage": {"SegmentDurationSeconds": 2}}][i % 4]
        self.add("mediapackage origin endpoint",
                 lambda: self.mp.create_origin_endpoint(ChannelId=self.mp_channels[i % len(self.mp_channels)],
                                                        Id=f"restart-ep-{i}", ManifestName=f"m{i}",
                                                        StartoverWindowSeconds=300, **package)["Id"],
                 lambda rid: self.mp.describe_origin_endpoint(Id=rid))

    def vod_group(self, i: int) -> None:
        self.add("vod packaging group",
                 lambda: self.vod.create_packaging_group(Id=f"restart-vod-{i}", Tags={"n": str(i)})["Id"],
                 lambda rid: self.vod.describe_packaging_group(Id=rid))


def test_fifty_resources_survive_kill_9(t):
    inv = Inventory(t)
    plan = [(inv.isg, 6), (inv.input, 15), (inv.channel, 8), (inv.mp_channel, 6), (inv.endpoint, 8), (inv.vod_group, 7)]
    for make, count in plan:
        for i in range(count):
            make(i)
    kinds = {}
    for kind, _, _ in inv.items:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"    created {len(inv.items)}: {kinds}")
    check_eq(len(inv.items), TOTAL, "resources created before the crash")

    before = {(k, rid): describe() for k, rid, describe in inv.items}
    lists_before = {
        "inputs": sorted(x["Id"] for x in inv.ml.list_inputs()["Inputs"]),
        "input security groups": sorted(x["Id"] for x in inv.ml.list_input_security_groups()["InputSecurityGroups"]),
    }

    t.server.restart()  # kill -9, then start on the same data dir
    for kind, rid, describe in inv.items:
        try:
            after = describe()
        except ClientError as e:
            check(False, f"{kind} {rid} is describable after kill -9", "the resource", e.response.get("Error"))
            continue
        doc = before[(kind, rid)]
        check_eq(after.get("Id"), rid, f"{kind} {rid}: same id after kill -9")
        changed = sorted(k for k in set(doc) | set(after) if doc.get(k) != after.get(k))
        check(not changed, f"{kind} {rid}: every field the same after kill -9",
              {k: doc.get(k) for k in changed}, {k: after.get(k) for k in changed})
    check_eq(sorted(x["Id"] for x in inv.ml.list_inputs()["Inputs"]), lists_before["inputs"],
             "list_inputs the same after kill -9")
    check_eq(sorted(x["Id"] for x in inv.ml.list_input_security_groups()["InputSecurityGroups"]),
             lists_before["input security groups"], "list_input_security_groups the same after kill -9")

    # Ids keep counting from where they were: a new resource never reuses an old id.
    new_id = inv.ml.create_input_security_group(WhitelistRules=[{"Cidr": "192.0.2.0/24"}])["SecurityGroup"]["Id"]
    check(new_id not in {rid for _, rid, _ in inv.items}, "an id handed out after restart is new", "a fresh id", new_id)


def test_graceful_restart_keeps_state(t):
    ml = t.client("medialive")
    gid = ml.create_input_security_group(WhitelistRules=[{"Cidr": "198.51.100.0/24"}])["SecurityGroup"]["Id"]
    code = t.server.stop()
    check_eq(code, 0, "mediaemu exits 0 on SIGTERM")
    t.server.start()
    check_eq(ml.describe_input_security_group(InputSecurityGroupId=gid)["WhitelistRules"],
             [{"Cidr": "198.51.100.0/24"}], "security group kept across a SIGTERM restart")


def poll_state(describe, want: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = describe()["State"]
        if state == want:
            return state
        time.sleep(0.2)
    return state


def test_interrupted_transitions_settle(t):
    """With --state-delay 3000 every transition takes 3 s; a crash in the middle of one must not
    leave the resource stuck in it."""
    slow = harness.Server("--state-delay", "3000").start()
    try:
        ml = harness.boto3_client(slow.endpoint, "medialive")
        rtmp = ml.create_input(Name="slow-rtmp", Type="RTMP_PUSH",
                               Destinations=[{"StreamName": "slow/a"}])["Input"]["Id"]
        pull = ml.create_input(Name="slow-pull", Type="URL_PULL",
                               Sources=[{"Url": "https://example.com/slow.m3u8"}])["Input"]["Id"]
        channel_ids = []
        for name, input_id in (("starting", rtmp), ("running", ""), ("stopping", "")):
            req = harness.load_fixture("minimal-channel.json", CHANNEL_NAME=f"slow-{name}", INPUT_ID=input_id)
            if not input_id:
                req["InputAttachments"] = []
            channel_ids.append(ml.create_channel(**req)["Channel"]["Id"])
        starting, running, stopping = channel_ids
        for cid in channel_ids:
            check_eq(poll_state(lambda: ml.describe_channel(ChannelId=cid), "IDLE"), "IDLE",
                     f"channel {cid} settles to IDLE with --state-delay 3000")
        check_eq(poll_state(lambda: ml.describe_input(InputId=pull), "DETACHED"), "DETACHED",
                 "URL_PULL input settles to DETACHED")

        ml.start_channel(ChannelId=running)
        ml.start_channel(ChannelId=stopping)
        check_eq(poll_state(lambda: ml.describe_channel(ChannelId=running), "RUNNING"), "RUNNING", "channel RUNNING")
        check_eq(poll_state(lambda: ml.describe_channel(ChannelId=stopping), "RUNNING"), "RUNNING", "channel RUNNING")
        ml.stop_channel(ChannelId=stopping)
        ml.start_channel(ChannelId=starting)
        ml.delete_input(InputId=pull)
        states = {
            "starting": ml.describe_channel(ChannelId=starting)["State"],
            "stopping": ml.describe_channel(ChannelId=stopping)["State"],
            "deleting input": ml.describe_input(InputId=pull)["State"],
        }
        print(f"    before kill -9: {states}")
        check_eq(states, {"starting": "STARTING", "stopping": "STOPPING", "deleting input": "DELETING"},
                 "states in the middle of their 3 s transitions")

        slow.restart()
        after = {
            "starting": ml.describe_channel(ChannelId=starting)["State"],
            "running": ml.describe_channel(ChannelId=running)["State"],
            "stopping": ml.describe_channel(ChannelId=stopping)["State"],
            "deleting input": ml.describe_input(InputId=pull)["State"],
        }
        print(f"    right after restart: {after}")
        check_eq(after, {"starting": "RUNNING", "running": "RUNNING", "stopping": "IDLE", "deleting input": "DELETED"},
                 "interrupted transitions come back settled at once (no 3 s wait)")
        rtmp_doc = ml.describe_input(InputId=rtmp)
        check_eq((rtmp_doc["State"], rtmp_doc["AttachedChannels"]), ("ATTACHED", [starting]),
                 "the running channel's input is still ATTACHED to it")
    finally:
        slow.cleanup()


harness.main(globals())
