# timeout: 240
"""SCTE-35 ad markers end to end (issue 11, item 4): MediaLive schedule actions insert cues into the
running channel, which every MediaPackage endpoint writes as its AdMarkers / PeriodTriggers say.

  MediaPackage channel "ads" fed by MediaLive channel "ads" (640x360 + 416x234, GOP 2 s) from an
  ffmpeg lavfi RTMP push, with endpoints (2 s segments, EXT-X-PROGRAM-DATE-TIME every second):
    ads-enh    HLS, AdMarkers SCTE35_ENHANCED
    ads-dr     HLS, AdMarkers DATERANGE
    ads-pass   HLS, AdMarkers PASSTHROUGH
    ads-none   HLS, AdMarkers NONE (the default)
    ads-both   HLS, SCTE35_ENHANCED, AdsOnDeliveryRestrictions BOTH
    ads-dash   DASH, PeriodTriggers [ADS]
    ads-cmaf   CMAF, one HLS manifest with AdMarkers SCTE35_ENHANCED

Checked: a 10 s splice_insert scheduled at a fixed time becomes EXT-OATCLS-SCTE35 + EXT-X-CUE-OUT on
the segment that starts at that time (its date within a frame of it), EXT-X-CUE-OUT-CONT on the
segments of the break, EXT-X-CUE-IN on the segment starting 10 s later; the segment before the
splice ends exactly there and the splice segment starts with an IDR frame; the base64 / hex
section decodes (independently, here) to a splice_insert with the event id, the break duration and
a valid CRC_32; DATERANGE tags with SCTE35-OUT and, at the return, END-DATE and DURATION; no
markers with NONE but the same cut; PASSTHROUGH and CMAF with the enhanced tags; the DASH MPD with
a new Period at the splice holding the EventStream and another at the return; a time_signal
placement opportunity without delivery restrictions marked only by the endpoint whose
AdsOnDeliveryRestrictions is BOTH (the default is RESTRICTED); malformed SCTE-35 settings refused
(422 for a UPID that is not hex, 400 for a value beyond the model's range) and nothing stored.
SCTE-35 in an input: MediaLive's own TS segments (with the section on PID 600), joined into one
MPEG-TS file, feed a second channel as a TS_FILE input; that channel's HLS output (AdMarkers
ELEMENTAL_SCTE35) opens a break with the same event id and duration: the input's cue is passed on.
That channel has AvailBlanking ENABLED with an AvailBlankingImage (a white PNG in S3): its splice
segment shows the image and is silent (ffmpeg's signalstats and volumedetect), the segment before
it is the input's picture and sound. The same segments uploaded to a MediaPackage channel's HLS
ingest, as an encoder uploads them: its SCTE35_ENHANCED endpoint opens and closes the break.
"""

import base64
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import harness
import media
from harness import check, check_eq

S = {}
HLS = {"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 90, "ProgramDateTimeIntervalSeconds": 1}
EVENT_ID = 1001
BREAK_SECONDS = 10


def crc32_mpeg2(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def decode_section(raw: bytes) -> dict:
    """The fields of a splice_info_section (SCTE 35 §9.6) this suite checks; a reading written here
    from the specification, separate from mediaemu's encoder."""
    out = {"table_id": raw[0], "length_ok": ((raw[1] & 0x0F) << 8 | raw[2]) + 3 == len(raw),
           "crc_ok": crc32_mpeg2(raw) == 0, "command": raw[13]}
    cmd = raw[14:]
    if out["command"] == 0x05:
        out["event_id"] = int.from_bytes(cmd[0:4], "big")
        flags = cmd[5]
        out["out_of_network"] = bool(flags & 0x80)
        has_duration = bool(flags & 0x20)
        out["pts"] = int.from_bytes(cmd[6:11], "big") & ((1 << 33) - 1)
        if has_duration:
            out["duration"] = int.from_bytes(cmd[11:16], "big") & ((1 << 33) - 1)
    return out


def pdt(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def segments_with_tags(url: str) -> list:
    """[(tags before the segment, segment)] of a media playlist."""
    r = media.fetch_ok(url, url)
    if not r:
        return []
    out, tags = [], []
    pl = media.MediaPlaylist(r.text, url)
    # Each segment's date: its EXT-X-PROGRAM-DATE-TIME, else the one before plus its duration, as a
    # player dates it (RFC 8216 §4.3.2.6); the tag comes at most every ProgramDateTimeIntervalSeconds.
    date = None
    for seg in pl.segments:
        date = pdt(seg["pdt"]) if seg.get("pdt") else (date + previous if date is not None else None)
        seg["date"], previous = date, seg["duration"] or 0
    segs = iter(pl.segments)
    for line in pl.lines:
        if line.startswith("#EXT-X-CUE") or line.startswith("#EXT-OATCLS") or line.startswith("#EXT-X-DATERANGE") \
                or line.startswith("#EXT-X-ASSET"):
            tags.append(line)
        elif not line.startswith("#"):
            out.append((tags, next(segs)))
            tags = []
    return out


def variant_url(master: str, what: str) -> str:
    pl = media.wait_for_variant(master, what, segments=2, timeout=60)
    return pl.url if pl else ""


def schedule(t, actions: list):
    return S["ml"].batch_update_schedule(ChannelId=S["cid"], Creates={"ScheduleActions": actions})


def at_time(when: datetime) -> dict:
    return {"FixedModeScheduleActionStartSettings": {"Time": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}}


def test_setup(t):
    media.require_player_tools("ffmpeg", "ffprobe")
    ml, mp = t.client("medialive"), t.client("mediapackage")
    S["ml"] = ml
    channel = mp.create_channel(Id="ads")
    urls = {}
    for eid, extra in [("ads-enh", {"AdMarkers": "SCTE35_ENHANCED"}), ("ads-dr", {"AdMarkers": "DATERANGE"}),
                       ("ads-pass", {"AdMarkers": "PASSTHROUGH"}), ("ads-none", {}),
                       ("ads-both", {"AdMarkers": "SCTE35_ENHANCED", "AdsOnDeliveryRestrictions": "BOTH"})]:
        urls[eid] = mp.create_origin_endpoint(ChannelId="ads", Id=eid, HlsPackage={**HLS, **extra})["Url"]
    urls["ads-dash"] = mp.create_origin_endpoint(
        ChannelId="ads", Id="ads-dash",
        DashPackage={"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 90, "PeriodTriggers": ["ADS"]})["Url"]
    cmaf = mp.create_origin_endpoint(
        ChannelId="ads", Id="ads-cmaf",
        CmafPackage={"SegmentDurationSeconds": 2, "HlsManifests": [{
            "Id": "cmaf-hls", "PlaylistWindowSeconds": 90, "ProgramDateTimeIntervalSeconds": 1,
            "AdMarkers": "SCTE35_ENHANCED"}]})
    urls["ads-cmaf"] = cmaf["CmafPackage"]["HlsManifests"][0]["Url"]
    S["urls"] = urls
    # And MediaLive's own HLS output to S3 with SCTE-35 passthrough into its TS segments.
    t.client("s3").create_bucket(Bucket="ads-out")
    push_url = media.start_channel_to_mediapackage(
        ml, "ads", channel, s3_hls=("s3://ads-out/live/index", {"SegmentLength": 2, "AdMarkers": ["ELEMENTAL_SCTE35"]},
                                    {"Scte35Behavior": "PASSTHROUGH", "Scte35Pid": "600"}))
    S["cid"] = ml.list_channels()["Channels"][0]["Id"]
    S["push"] = media.Push(push_url, 150, log_dir=t.server.tmp, label="ads").start()
    S["variants"] = {eid: variant_url(urls[eid], eid) for eid in urls if eid != "ads-dash"}


def test_malformed_scte35_settings_are_refused(t):
    bad_upid = {"ActionName": "bad-upid", "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
                "ScheduleActionSettings": {"Scte35TimeSignalSettings": {"Scte35Descriptors": [{
                    "Scte35DescriptorSettings": {"SegmentationDescriptorScte35DescriptorSettings": {
                        "SegmentationEventId": 1, "SegmentationCancelIndicator": "SEGMENTATION_EVENT_NOT_CANCELED",
                        "SegmentationUpid": "abc"}}}]}}}
    err = harness.expect_error(lambda: schedule(t, [bad_upid]), 422, "UnprocessableEntityException",
                               "an odd-length SegmentationUpid is refused")
    if err:
        msg = err.get("Error", {}).get("Message", "")
        check("SegmentationUpid" in msg, "the message names SegmentationUpid", "SegmentationUpid", msg)
    too_big = {"ActionName": "too-big", "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
               "ScheduleActionSettings": {"Scte35SpliceInsertSettings": {"SpliceEventId": 2 ** 32}}}
    # The model bounds SpliceEventId (0..4294967295): a parameter validation error, 400.
    harness.expect_error(lambda: schedule(t, [too_big]), 400, "BadRequestException",
                         "a SpliceEventId beyond 32 bits is refused")
    actions = S["ml"].describe_schedule(ChannelId=S["cid"])["ScheduleActions"]
    check_eq(actions, [], "nothing of the refused batches is stored")


def test_a_splice_insert_at_a_fixed_time(t):
    when = (datetime.now(timezone.utc) + timedelta(seconds=17)).replace(microsecond=0)
    S["splice_at"] = when.timestamp()
    schedule(t, [{"ActionName": "break-1", "ScheduleActionStartSettings": at_time(when),
                  "ScheduleActionSettings": {"Scte35SpliceInsertSettings": {
                      "SpliceEventId": EVENT_ID, "Duration": BREAK_SECONDS * 90000}}}])
    # Wait for the break to end and two segments more to be published.
    time.sleep(max(0.0, S["splice_at"] + BREAK_SECONDS + 8 - time.time()))
    log = t.server.log_path.read_text(errors="replace")
    check("SCTE-35 break-1 (splice_insert, event 1001)" in log, "the transcoder logs the cue it inserts",
          "SCTE-35 break-1 ...", log[-1500:])


def splice_segment(entries: list, what: str):
    """The index of the entry dated at the splice time (within a frame)."""
    for i, (_, seg) in enumerate(entries):
        # The splice is on the first frame at or after its time (a frame is 33 ms).
        if seg.get("date") is not None and -0.002 <= seg["date"] - S["splice_at"] < 0.05:
            return i
    check(False, f"{what}: a segment starts at the splice time {S['splice_at']}", "a segment",
          [s.get("date") for _, s in entries])
    return None


def test_medialive_ts_segments_carry_the_cue_on_scte35_pid(t):
    """M3u8Settings Scte35Behavior PASSTHROUGH, Scte35Pid 600: every segment's PMT lists an SCTE-35
    stream on PID 600 (ffprobe), and the splice_insert section is in the segment of the splice."""
    directory = Path(t.server.data_dir) / "s3" / "ads-out" / "live"
    segments = sorted(directory.glob("*.ts"), key=lambda p: p.stat().st_mtime)
    if not check(len(segments) >= 2, "the S3 HLS group wrote segments", ">= 2", len(segments)):
        return
    streams = media.ffprobe(segments[0], "-show_streams").get("streams", [])
    check(any(s.get("codec_name") == "scte_35" and s.get("id") == "0x258" for s in streams),
          "ffprobe lists an SCTE-35 stream on PID 600 (0x258)", "scte_35 0x258",
          [(s.get("codec_name"), s.get("id")) for s in streams])
    with_cue = []
    for seg in segments:
        data = seg.read_bytes()
        for at in range(0, len(data) - 187, 188):
            packet = data[at:at + 188]
            if ((packet[1] & 0x1f) << 8 | packet[2]) == 600 and packet[1] & 0x40 and packet[5] == 0xFC:
                with_cue.append((seg.name, packet[5:5 + 3 + ((packet[6] & 0x0f) << 8 | packet[7])]))
    if not check_eq(len(with_cue), 1, "one splice_info_section (table_id 0xFC) on PID 600 in the segments"):
        return
    section = with_cue[0][1]
    S["cue_segment"] = with_cue[0][0]
    check_eq(section[13], 0x05, "its splice_command_type is splice_insert")
    # The playlist (ELEMENTAL_SCTE35) opens the break at the same segment.
    playlists = [p.read_text(errors="replace") for p in directory.glob("*.m3u8")]
    lines = next((text for text in playlists if "#EXTINF" in text), "").splitlines()  # the media playlist
    out = next((i for i, line in enumerate(lines) if line.startswith("#EXT-X-CUE-OUT:")), None)
    cue_segment = next((line for line in lines[out:] if line.endswith(".ts")), None) if out is not None else None
    print(f"    section in {with_cue[0][0]}; the playlist's EXT-X-CUE-OUT opens {cue_segment}")
    check_eq(with_cue[0][0], cue_segment, "the section is in the segment that the playlist's EXT-X-CUE-OUT opens")


def picture_and_sound(path: Path) -> tuple:
    """(the brightest frame's mean luma, the loudest sample in dB) of a segment, by ffmpeg."""
    r = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-i", str(path), "-vf",
                        "signalstats,metadata=print:key=lavfi.signalstats.YAVG", "-af", "volumedetect", "-f", "null", "-"],
                       capture_output=True, text=True, timeout=60)
    lumas = [float(v) for v in re.findall(r"lavfi\.signalstats\.YAVG=([0-9.]+)", r.stderr)]
    loudest = re.search(r"max_volume: (-?[0-9.]+|-inf) dB", r.stderr)
    return (max(lumas) if lumas else None, float(loudest.group(1)) if loudest else None)


def test_an_input_s_scte35_is_passed_on(t):
    """The S3 HLS group's TS segments, joined, as a TS_FILE input of a second channel: the
    splice_insert on their PID 600 becomes that channel's own cue (ML-UG: MediaLive passes the
    input's SCTE-35 messages through to the outputs that pass SCTE-35 on)."""
    directory = Path(t.server.data_dir) / "s3" / "ads-out" / "live"
    segments = sorted(directory.glob("*.ts"), key=lambda p: p.stat().st_mtime)
    names = [seg.name for seg in segments]
    if S.get("cue_segment") not in names:
        return
    segments = segments[max(0, names.index(S["cue_segment"]) - 1):]  # from a segment before the splice
    joined = Path(t.server.tmp) / "with-scte35.ts"
    joined.write_bytes(b"".join(seg.read_bytes() for seg in segments))
    ml = S["ml"]
    slate = Path(t.server.tmp) / "white.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=white:size=320x180",
                    "-frames:v", "1", str(slate)], check=True, timeout=60)
    t.client("s3").put_object(Bucket="ads-out", Key="slates/white.png", Body=slate.read_bytes())
    source = ml.create_input(Name="scte35-file", Type="TS_FILE", Sources=[{"Url": "file://" + str(joined)}])["Input"]
    group = {"Name": "relay", "OutputGroupSettings": {"HlsGroupSettings": {
        "Destination": {"DestinationRefId": "s3"}, "SegmentLength": 2, "AdMarkers": ["ELEMENTAL_SCTE35"]}},
        "Outputs": media.outputs(["v144"], {"HlsOutputSettings": {"NameModifier": "_144p", "HlsSettings": {
            "StandardHlsSettings": {"M3u8Settings": {}}}}})}
    relay = ml.create_channel(
        Name="relay", ChannelClass="SINGLE_PIPELINE", InputAttachments=[{"InputId": source["Id"], "InputAttachmentName": "file"}],
        Destinations=[{"Id": "s3", "Settings": [{"Url": "s3://ads-out/relay/index"}]}],
        EncoderSettings={"TimecodeConfig": {"Source": "SYSTEMCLOCK"}, "AudioDescriptions": [media.AAC],
                         "VideoDescriptions": [media.video_description("v144", 256, 144, 250_000)],
                         "AvailBlanking": {"State": "ENABLED", "AvailBlankingImage": {"Uri": "s3://ads-out/slates/white.png"}},
                         "OutputGroups": [group]})["Channel"]["Id"]
    ml.start_channel(ChannelId=relay)
    playlist = Path(t.server.data_dir) / "s3" / "ads-out" / "relay" / "index_144p.m3u8"
    deadline = time.monotonic() + 2 * len(segments) + BREAK_SECONDS + 20  # the file plays in real time
    text = ""
    while time.monotonic() < deadline and "#EXT-X-CUE-IN" not in text:
        text = playlist.read_text(errors="replace") if playlist.exists() else ""
        time.sleep(1)
    ml.stop_channel(ChannelId=relay)
    out = next((line for line in text.splitlines() if line.startswith("#EXT-X-CUE-OUT:")), "")
    check_eq(float(out.split(":", 1)[1]) if out else None, float(BREAK_SECONDS),
             "the relay channel's HLS output opens the input's break, of the input's duration")
    oatcls = next((line for line in text.splitlines() if line.startswith("#EXT-OATCLS-SCTE35:")), None)
    if check(oatcls is not None, "... with its EXT-OATCLS-SCTE35", "the tag", text[-600:]):
        section = decode_section(base64.b64decode(oatcls.split(":", 1)[1]))
        check_eq((section.get("command"), section.get("event_id"), section.get("crc_ok")), (0x05, EVENT_ID, True),
                 "the section is the input's splice_insert (event id), re-encoded with a valid CRC_32")
    check("#EXT-X-CUE-IN" in text, "and closes it (EXT-X-CUE-IN)", "CUE-IN", text[-600:])
    # AvailBlanking: the break's pictures are the image and its sound silent; before it, the input's.
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("#EXT-X-CUE-OUT:")), None)
    before = next((line for line in reversed(lines[:at]) if line.endswith(".ts")), None) if at else None
    inside = next((line for line in lines[at:] if line.endswith(".ts")), None) if at else None
    if check(before and inside, "segments before and at the splice", "two", (before, inside)):
        relay_dir = playlist.parent
        luma_in, loud_in = picture_and_sound(relay_dir / inside)
        luma_before, loud_before = picture_and_sound(relay_dir / before)
        print(f"    mean luma / loudest sample: before the break {luma_before} / {loud_before} dB, "
              f"in it {luma_in} / {loud_in} dB")
        check(luma_in is not None and luma_in >= 225 and loud_in is not None and loud_in < -80,
              "AvailBlanking: the splice segment shows the AvailBlankingImage (white, luma 235) and is silent",
              ">= 225, < -80 dB", (luma_in, loud_in))
        check(luma_before is not None and luma_before > 40 and loud_before is not None and loud_before > -60,
              "... and the segment before the break is the input's picture and sound", "> 40, > -60 dB",
              (luma_before, loud_before))
    log = t.server.log_path.read_text(errors="replace")
    check("SCTE-35 on PID 600 is passed on" in log, "the file source found the input's SCTE-35 PID")


def test_enhanced_markers_cue_out_cont_and_in(t):
    entries = segments_with_tags(S["variants"]["ads-enh"])
    i = splice_segment(entries, "ads-enh")
    if i is None:
        return
    tags, seg = entries[i]
    check(len(tags) == 2 and tags[0].startswith("#EXT-OATCLS-SCTE35:") and tags[1] == "#EXT-X-CUE-OUT:10.000",
          "the splice segment has EXT-OATCLS-SCTE35 and EXT-X-CUE-OUT:10.000", "2 tags", tags)
    prev = entries[i - 1][1]
    check(abs(prev["date"] + prev["duration"] - seg["date"]) < 0.01,
          "the segment before the splice ends at the splice point", seg["date"], prev["date"] + prev["duration"])
    if tags and tags[0].startswith("#EXT-OATCLS-SCTE35:"):
        raw = base64.b64decode(tags[0].split(":", 1)[1])
        section = decode_section(raw)
        S["section"] = raw
        check(section["table_id"] == 0xFC and section["length_ok"] and section["crc_ok"],
              "the base64 is a splice_info_section with a good length and CRC_32", "0xFC, ok, ok", section)
        check_eq((section["command"], section.get("event_id"), section.get("out_of_network"), section.get("duration")),
                 (0x05, EVENT_ID, True, BREAK_SECONDS * 90000), "splice_insert, event id, out of network, duration")
    # The break: CUE-OUT-CONT with the elapsed time, then CUE-IN where it returns. (The splice is
    # on the first frame at or after its time: up to a frame later.)
    spliced = seg["date"]
    back = None
    for j in range(i + 1, len(entries)):
        tags_j, seg_j = entries[j]
        elapsed = seg_j["date"] - spliced
        if elapsed < BREAK_SECONDS - 0.05:
            ok = len(tags_j) == 1 and tags_j[0].startswith(f"#EXT-X-CUE-OUT-CONT:ElapsedTime={elapsed:.3f},Duration=10,SCTE35=")
            check(ok, f"segment at +{elapsed:.3f} s has EXT-X-CUE-OUT-CONT", f"ElapsedTime={elapsed:.3f}", tags_j)
        else:
            back = j
            break
    if check(back is not None, "a segment follows the break", "a segment", len(entries) - i):
        tags_b, seg_b = entries[back]
        check(abs(seg_b["date"] - spliced - BREAK_SECONDS) < 0.04,
              "a segment starts where the break returns (10 s after the splice)", BREAK_SECONDS,
              seg_b["date"] - spliced)
        check_eq(tags_b, ["#EXT-X-CUE-IN"], "that segment has EXT-X-CUE-IN")
        check(all(not tg for tg, _ in entries[back + 1:]), "no markers after the break", [], entries[back + 1:][:2])
    S["splice_segment_url"] = seg["url"]


def test_the_splice_segment_starts_with_an_idr(t):
    if not check("splice_segment_url" in S, "the splice segment was found", "a URL", None):
        return
    to = t.server.tmp / "splice.ts"
    to.write_bytes(media.fetch(S["splice_segment_url"]).body)
    frames = media.ffprobe(to, "-select_streams", "v:0", "-show_frames", "-read_intervals", "%+#1",
                           "-show_entries", "frame=key_frame,pict_type")
    first = (frames.get("frames") or [{}])[0]
    check_eq((first.get("key_frame"), first.get("pict_type")), (1, "I"), "the splice segment's first frame is an IDR")


def test_daterange_markers(t):
    entries = segments_with_tags(S["variants"]["ads-dr"])
    i = splice_segment(entries, "ads-dr")
    if i is None:
        return
    tags = entries[i][0]
    check(len(tags) == 1 and tags[0].startswith(f'#EXT-X-DATERANGE:ID="{EVENT_ID}",START-DATE="'),
          "the splice segment has an EXT-X-DATERANGE", "one tag", tags)
    attrs = media.attributes(tags[0].split(":", 1)[1]) if tags else {}
    check(abs(pdt(attrs.get("START-DATE", "1970-01-01T00:00:00Z")) - S["splice_at"]) < 0.05,
          "START-DATE is the splice time", S["splice_at"], attrs.get("START-DATE"))
    check_eq(attrs.get("PLANNED-DURATION"), "10.000", "PLANNED-DURATION is the break's")
    out_hex = attrs.get("SCTE35-OUT", "0x")[2:]
    check(bytes.fromhex(out_hex) == S.get("section"), "SCTE35-OUT is the same section as the enhanced tag's, in hex",
          S.get("section", b"").hex(), out_hex)
    ends = [tg for tg, _ in entries[i + 1:] if tg]
    check(len(ends) == 1 and len(ends[0]) == 1 and "END-DATE=" in ends[0][0] and "DURATION=10.000" in ends[0][0],
          "one more EXT-X-DATERANGE ends the break with END-DATE and DURATION=10.000", "one", ends)


def test_none_and_passthrough(t):
    none = segments_with_tags(S["variants"]["ads-none"])
    check(all(not tags for tags, _ in none), "NONE writes no ad markers", [], [tg for tg, _ in none if tg][:2])
    splice_segment(none, "ads-none (the same cut without markers)")
    passthrough = segments_with_tags(S["variants"]["ads-pass"])
    i = splice_segment(passthrough, "ads-pass")
    if i is not None:
        check("#EXT-X-CUE-OUT:10.000" in passthrough[i][0], "PASSTHROUGH carries the markers MediaLive's output has",
              "#EXT-X-CUE-OUT:10.000", passthrough[i][0])
    cmaf = segments_with_tags(S["variants"]["ads-cmaf"])
    i = splice_segment(cmaf, "ads-cmaf")
    if i is not None:
        check("#EXT-X-CUE-OUT:10.000" in cmaf[i][0], "the CMAF endpoint's HLS manifest has the enhanced markers",
              "#EXT-X-CUE-OUT:10.000", cmaf[i][0])


def test_dash_periods_on_ads(t):
    root = media.mpd(S["urls"]["ads-dash"], "ads-dash")
    if root is None:
        return
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011", "scte35": "http://www.scte.org/schemas/35/2016"}
    ast = pdt(root.get("availabilityStartTime"))
    periods = root.findall("d:Period", ns)
    starts = [ast + media.iso_duration(p.get("start")) for p in periods]
    with_events = [p for p in periods if p.find("d:EventStream", ns) is not None]
    check_eq(len(with_events), 1, "one Period carries an EventStream")
    if with_events:
        p = with_events[0]
        stream = p.find("d:EventStream", ns)
        check_eq(stream.get("schemeIdUri"), "urn:scte:scte35:2013:xml", "the EventStream's scheme")
        insert = stream.find("d:Event/scte35:SpliceInfoSection/scte35:SpliceInsert", ns)
        check(insert is not None and insert.get("spliceEventId") == str(EVENT_ID),
              "the Event holds the splice_insert in SCTE 35 XML", EVENT_ID, None if insert is None else insert.attrib)
        start = ast + media.iso_duration(p.get("start"))
        check(abs(start - S["splice_at"]) < 0.05, "that Period starts at the splice time", S["splice_at"], start)
    check(any(abs(s - S["splice_at"] - BREAK_SECONDS) < 0.05 for s in starts),
          "another Period starts where the break returns", S["splice_at"] + BREAK_SECONDS, starts)


def test_delivery_restrictions_filter(t):
    # An unrestricted provider placement opportunity, now: RESTRICTED (the default) ignores it.
    schedule(t, [{"ActionName": "po-1", "ScheduleActionStartSettings": {"ImmediateModeScheduleActionStartSettings": {}},
                  "ScheduleActionSettings": {"Scte35TimeSignalSettings": {"Scte35Descriptors": [{
                      "Scte35DescriptorSettings": {"SegmentationDescriptorScte35DescriptorSettings": {
                          "SegmentationEventId": 77, "SegmentationCancelIndicator": "SEGMENTATION_EVENT_NOT_CANCELED",
                          "SegmentationTypeId": 0x34, "SegmentationDuration": 4 * 90000,
                          "SegmentationUpidType": 9, "SegmentationUpid": "4142"}}}]}}}])
    deadline = time.time() + 25
    both = []
    while time.time() < deadline:
        both = [tg for tg, _ in segments_with_tags(S["variants"]["ads-both"]) if any("CUE-OUT:4.000" in x for x in tg)]
        if both:
            break
        time.sleep(1)
    check(len(both) == 1, "AdsOnDeliveryRestrictions BOTH marks the unrestricted placement opportunity", 1, len(both))
    if both:
        check("#EXT-X-ASSET:CAID=0x4142" in both[0], "with EXT-X-ASSET naming its UPID", "CAID=0x4142", both[0])
    enh = [tg for tg, _ in segments_with_tags(S["variants"]["ads-enh"]) if any("CUE-OUT:" in x for x in tg)]
    check_eq(len(enh), 1, "RESTRICTED (the default) leaves it unmarked: only the splice insert's CUE-OUT")


def test_an_hls_ingest_s_scte35_is_marked(t):
    """One rendition of the S3 HLS group (the splice_insert on PID 600), PUT to a MediaPackage
    channel's HLS ingest with digest authentication and a playlist naming them: MediaPackage reads
    its input's first SCTE-35 data track (MP-UG scte-works), so the SCTE35_ENHANCED endpoint opens
    the break at the same event, of the same duration, and closes it."""
    if "cue_segment" not in S:
        return
    directory = Path(t.server.data_dir) / "s3" / "ads-out" / "live"
    rendition = S["cue_segment"].rsplit("_", 1)[0]
    segments = sorted(directory.glob(rendition + "_*.ts"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    names = [seg.name for seg in segments]
    segments = segments[max(0, names.index(S["cue_segment"]) - 2):]  # two before the splice, to the end
    mp = t.client("mediapackage")
    ingest = mp.create_channel(Id="ads-ingest")["HlsIngest"]["IngestEndpoints"][0]
    endpoint = mp.create_origin_endpoint(ChannelId="ads-ingest", Id="ads-ingest-enh",
                                         HlsPackage={**HLS, "AdMarkers": "SCTE35_ENHANCED"})["Url"]
    base = ingest["Url"].rsplit("/", 1)[0] + "/"
    playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    for seg in segments:
        check_eq(media.digest_put(base + seg.name, seg.read_bytes(), ingest["Username"], ingest["Password"]), 201,
                 f"the HLS ingest takes {seg.name}")
        playlist += f"#EXTINF:2.000,\n{seg.name}\n"
    status = media.digest_put(base + "upload.m3u8", (playlist + "#EXT-X-ENDLIST\n").encode(), ingest["Username"],
                              ingest["Password"])
    check(status in (201, 204), "the HLS ingest takes the playlist", "201 or 204", status)
    text, deadline = "", time.monotonic() + 20
    while time.monotonic() < deadline and "#EXT-X-CUE-IN" not in text:
        if media.fetch(endpoint).status == 200:  # once the first segment is packaged
            pl = media.variant_playlist(endpoint, "the ingest channel's SCTE35_ENHANCED endpoint")
            text = pl.text if pl else ""
        time.sleep(1)
    out = next((line for line in text.splitlines() if line.startswith("#EXT-X-CUE-OUT:")), "")
    check_eq(float(out.split(":", 1)[1]) if out else None, float(BREAK_SECONDS),
             "the ingest channel's endpoint opens the break of the uploaded segments, of its duration")
    oatcls = next((line for line in text.splitlines() if line.startswith("#EXT-OATCLS-SCTE35:")), None)
    if check(oatcls is not None, "... with its EXT-OATCLS-SCTE35", "the tag", text[-600:]):
        section = decode_section(base64.b64decode(oatcls.split(":", 1)[1]))
        check_eq((section.get("command"), section.get("event_id")), (0x05, EVENT_ID),
                 "the section is the uploaded splice_insert (its event id)")
    check("#EXT-X-CUE-IN" in text, "and closes it (EXT-X-CUE-IN)", "CUE-IN", text[-600:])


def test_teardown(t):
    S["push"].stop()
    S["ml"].stop_channel(ChannelId=S["cid"])


if __name__ == "__main__":
    harness.main(globals())
