# timeout: 240
"""DASH 'cenc' Common Encryption (ISO/IEC 23001-7) with keys from mediaemu's local SPEKE key
server and ClearKey playback (issue 11, item 1, the DASH part).

  MediaPackage channel "cenc" fed by MediaLive (640x360 + 416x234, GOP 2 s, AAC) from an ffmpeg
  lavfi RTMP push, with two DASH endpoints:
    cenc-dash    DashPackage.Encryption: SpekeKeyProvider Url = the local key server
                 (<api>/_mediaemu/speke/v1), SystemIds = W3C ClearKey (1077efec-…) and Widevine
    cenc-dashif  the same with SystemIds = DASH-IF ClearKey (e2719d58-…) and PlayReady (9a04f079-…)
    cenc-clear   the same DASH package without Encryption (to compare decoded frames)

Checked: the MPD's ContentProtection elements (mp4protection with cenc:default_KID, the ClearKey
system's with a cenc:pssh that names the same key id, and Widevine's with the pssh the local server
gives, a WidevinePsshData naming that key id, also in the init segment's moov), that default_KID
is a key the key server serves (GET
/_mediaemu/speke/key) and licenses (POST /_mediaemu/speke/clearkey); the segments are encrypted
(ffmpeg without the key reports decoding errors; with a wrong key too) and ffmpeg with
-decryption_key decodes init + segments cleanly, to the same frames as the clear endpoint's segment
of the same number; Shaka plays the endpoint in headless Chromium with ClearKey EME, the licence
coming from /_mediaemu/speke/clearkey.
SPEKE v2.0 (cenc-presets: EncryptionContractConfiguration PRESET-VIDEO-1 / PRESET-AUDIO-1,
KeyRotationIntervalSeconds 0, DASH-IF ClearKey): one SPEKE v2 request for a VIDEO and an AUDIO key;
the video and audio Adaptation Sets name different default_KIDs, each decrypts its own track
(ffmpeg), and dash.js plays the endpoint with no DRM configuration. The refusals AWS documents:
presets on an HLS or MSS endpoint, SHARED with UNENCRYPTED, UNENCRYPTED twice, a rotating key
(CMAF presets: suite 64).
Key rotation (cenc-rotate, W3C ClearKey, KeyRotationIntervalSeconds 6): the init segments and the
MPD name the first key, each later key comes in-band (a 'seig' sample group and its pssh in the
moof); Shaka plays 14 s through the rotations, asking the licence URL again for new keys.
DASH-IF ClearKey: the key server answers ContentProtectionData for e2719d58-…, so that endpoint's
MPD names the licence URL (<dashif:Laurl>) and carries no pssh for it (PlayReady, also asked for,
gets the key server's PlayReady Object as <mspr:pro> and cenc:pssh); dash.js and Shaka, given no DRM
configuration at all, play it with ClearKey licences from that URL. (dash.js 5.2.1 cannot play the
W3C ClearKey endpoint: it hands the W3C pssh to generateRequest as "keyids" init data, which
Chromium rejects, TypeError, error 113.)
"""

import base64
import json
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import harness
import media
from harness import check, check_eq

CLEARKEY = "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"
DASHIF_CLEARKEY = "e2719d58-a985-b3c9-781a-b030af78d30e"
WIDEVINE = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
PLAYREADY = "9a04f079-9840-4286-ab92-e65be0885f95"
NS = {"d": "urn:mpeg:dash:schema:mpd:2011", "cenc": "urn:mpeg:cenc:2013"}
S = {}


def test_setup(t):
    media.require_player_tools("ffmpeg", "ffprobe", "node")
    ml, mp = t.client("medialive"), t.client("mediapackage")
    S["endpoint"] = t.endpoint
    channel = mp.create_channel(Id="cenc")
    package = {"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 60, "MinBufferTimeSeconds": 4,
               "MinUpdatePeriodSeconds": 2, "SuggestedPresentationDelaySeconds": 6, "UtcTiming": "HTTP-ISO",
               "UtcTimingUri": t.endpoint + "/_mediaemu/time"}
    def encrypted(endpoint_id: str, system_ids: list, **settings) -> str:  # keys from the local key server
        return mp.create_origin_endpoint(ChannelId="cenc", Id=endpoint_id,
                                         DashPackage={**package, "Encryption": speke(endpoint_id, system_ids, **settings)})["Url"]
    S["dash"] = encrypted("cenc-dash", [CLEARKEY, WIDEVINE])
    S["dashif"] = encrypted("cenc-dashif", [DASHIF_CLEARKEY, PLAYREADY])
    S["presets"] = encrypted("cenc-presets", [DASHIF_CLEARKEY], video="PRESET-VIDEO-1", audio="PRESET-AUDIO-1")
    S["rotate"] = encrypted("cenc-rotate", [CLEARKEY], rotation=6)
    S["clear"] = mp.create_origin_endpoint(ChannelId="cenc", Id="cenc-clear", DashPackage=package)["Url"]
    push_url = media.start_channel_to_mediapackage(ml, "cenc", channel)
    S["push"] = media.Push(push_url, 120, log_dir=t.server.tmp, label="cenc").start()


def speke(resource_id: str, system_ids: list, video: str = "", audio: str = "", rotation: int = 0) -> dict:
    """An Encryption block with keys from the local key server; with presets, SPEKE v2.0. Keys
    rotate every `rotation` seconds (0: one key)."""
    provider = {"Url": "", "ResourceId": resource_id, "SystemIds": system_ids,
                "RoleArn": "arn:aws:iam::123456789012:role/SpekeAccess"}
    out = {"SpekeKeyProvider": provider}
    out["KeyRotationIntervalSeconds"] = rotation
    if video:
        provider["EncryptionContractConfiguration"] = {"PresetSpeke20Video": video, "PresetSpeke20Audio": audio}
    provider["Url"] = S["endpoint"] + ("/_mediaemu/speke/v2" if video else "/_mediaemu/speke/v1")
    return out


def wait_for_segments(url: str, what: str, count: int, timeout: float = 90):
    """The MPD once its first video Representation lists `count` segments (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = media.fetch(url)
        if r.status == 200:
            root = ET.fromstring(r.body)
            template = root.find(".//d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", NS)
            if template is not None and len(media.timeline(template)) >= count:
                return root
        time.sleep(1)
    check(False, f"{what}: the MPD lists {count} segments within {timeout} s")
    return None


def test_mpd_content_protection(t):
    root = wait_for_segments(S["dash"], "encrypted endpoint", 4)
    if root is None:
        return
    for kind in ("video", "audio"):
        aset = root.find(f".//d:AdaptationSet[@contentType='{kind}']", NS)
        cps = aset.findall("d:ContentProtection", NS)
        schemes = [c.get("schemeIdUri") for c in cps]
        check_eq(schemes, ["urn:mpeg:dash:mp4protection:2011", f"urn:uuid:{CLEARKEY}", f"urn:uuid:{WIDEVINE}"],
                 f"{kind}: ContentProtection for mp4protection, ClearKey and Widevine, in SystemIds order")
        mp4 = cps[0]
        check_eq(mp4.get("value"), "cenc", f"{kind}: mp4protection value cenc")
        kid = mp4.get("{urn:mpeg:cenc:2013}default_KID")
        check(kid is not None and len(kid) == 36, f"{kind}: cenc:default_KID is a UUID", "uuid", kid)
        pssh = base64.b64decode(cps[1].find("cenc:pssh", NS).text)
        check_eq((pssh[4:8], pssh[12:28].hex(), pssh[32:48].hex()), (b"pssh", CLEARKEY.replace("-", ""),
                                                                     (kid or "").replace("-", "")),
                 f"{kind}: the ClearKey pssh (W3C common format) names the default_KID")
        if len(cps) > 2:
            widevine = base64.b64decode(cps[2].find("cenc:pssh", NS).text)
            check_eq(widevine_key_ids(widevine, WIDEVINE), [(kid or "").replace("-", "")],
                     f"{kind}: the Widevine pssh (WidevinePsshData) names the default_KID")
            S["widevine_pssh"] = widevine
        S.setdefault("kid", kid)
        check_eq(kid, S["kid"], f"{kind}: one key for the endpoint")
    # The key server serves that key id's key, and licenses it as ClearKey.
    key = media.fetch(f"{t.endpoint}/_mediaemu/speke/key?resource=cenc-dash&kid={S['kid']}")
    check_eq((key.status, len(key.body)), (200, 16), "the key server serves the default_KID's key")
    S["key"] = key.body.hex()
    kid64 = base64.urlsafe_b64encode(bytes.fromhex(S["kid"].replace("-", ""))).decode().rstrip("=")
    r = harness.raw_request(t.endpoint, "POST", "/_mediaemu/speke/clearkey?resource=cenc-dash",
                            json.dumps({"kids": [kid64], "type": "temporary"}), sign=False)
    k = r.json()["keys"][0]["k"] if r.status == 200 else ""
    check_eq(base64.urlsafe_b64decode(k + "=" * (-len(k) % 4)).hex(), S["key"], "the ClearKey licence gives that key")


def widevine_key_ids(box: bytes, system_id: str) -> list:
    """The key ids (hex) of a version 0 pssh box of `system_id` whose Data is a WidevinePsshData
    protocol buffer (field 2, key_ids); [] for anything else."""
    if len(box) < 32 or box[4:8] != b"pssh" or box[8] != 0 or box[12:28].hex() != system_id.replace("-", ""):
        return []
    data, at, kids = box[32:], 0, []
    def varint():
        nonlocal at
        value, shift = 0, 0
        while True:
            b = data[at]
            at += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value
    while at < len(data):
        tag = varint()
        if tag & 7 != 2:
            varint()
            continue
        n = varint()
        if tag >> 3 == 2:
            kids.append(data[at:at + n].hex())
        at += n
    return kids


def pssh_boxes(mp4: bytes) -> list:
    """The pssh boxes in an init segment's moov, in order."""
    moov = mp4.find(b"moov")
    out, at = [], moov + 4
    end = moov - 4 + int.from_bytes(mp4[moov - 4:moov], "big") if moov >= 4 else 0
    while at + 8 <= end:
        size = int.from_bytes(mp4[at:at + 4], "big")
        if size < 8:
            break
        if mp4[at + 4:at + 8] == b"pssh":
            out.append(mp4[at:at + size])
        at += size
    return out


def test_init_segment_carries_the_pssh_boxes(t):
    root = wait_for_segments(S["dash"], "encrypted endpoint", 1)
    if root is None or "widevine_pssh" not in S:
        return
    init_url, _ = segment_urls(S["dash"], root, 1)
    boxes = pssh_boxes(media.fetch(init_url).body)
    check_eq([b[12:28].hex() for b in boxes], [CLEARKEY.replace("-", ""), WIDEVINE.replace("-", "")],
             "the init segment's moov has the ClearKey and the Widevine pssh, in SystemIds order")
    check(S["widevine_pssh"] in boxes, "its Widevine pssh is the MPD's", "the MPD's box", [b.hex() for b in boxes])


def segment_urls(mpd_url: str, root, number: int) -> tuple[str, str]:
    template = root.find(".//d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", NS)
    rep = root.find(".//d:AdaptationSet[@contentType='video']/d:Representation", NS).get("id")
    base = mpd_url.rsplit("/", 1)[0] + "/"
    init = template.get("initialization").replace("$RepresentationID$", rep)
    seg = template.get("media").replace("$RepresentationID$", rep).replace("$Number$", str(number))
    return base + init, base + seg


def decode(path: Path, *key: str) -> tuple[int, str, list[str]]:
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *key, "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr, [l.rsplit(",", 1)[-1].strip() for l in r.stdout.splitlines() if not l.startswith("#")]


def test_dashif_clearkey_mpd_names_the_licence_url(t):
    root = wait_for_segments(S["dashif"], "DASH-IF ClearKey endpoint", 2)
    if root is None:
        return
    aset = root.find(".//d:AdaptationSet[@contentType='video']", NS)
    cps = aset.findall("d:ContentProtection", NS)
    check_eq([c.get("schemeIdUri") for c in cps], ["urn:mpeg:dash:mp4protection:2011", f"urn:uuid:{DASHIF_CLEARKEY}",
                                                   f"urn:uuid:{PLAYREADY}"],
             "ContentProtection for mp4protection, DASH-IF ClearKey and PlayReady")
    if len(cps) < 3:
        return
    laurl = cps[1].find("{https://dashif.org/CPS}Laurl")
    check_eq(laurl.text if laurl is not None else None,
             f"{t.endpoint}/_mediaemu/speke/clearkey?resource=cenc-dashif",
             "its dashif:Laurl is the local key server's ClearKey licence URL for the endpoint's ResourceId")
    check(cps[1].find("cenc:pssh", NS) is None, "no cenc:pssh for DASH-IF ClearKey", None, "a pssh")
    # PlayReady: the key server's PlayReady Object, as <mspr:pro> and inside the pssh box.
    pro = cps[2].find("{urn:microsoft:playready}pro")
    pssh = cps[2].find("cenc:pssh", NS)
    if check(pro is not None and pssh is not None, "PlayReady's element has mspr:pro and cenc:pssh", "both",
             ET.tostring(cps[2])[:300]):
        box = base64.b64decode(pssh.text)
        check_eq((box[12:28].hex(), box[32:]), (PLAYREADY.replace("-", ""), base64.b64decode(pro.text)),
                 "the PlayReady pssh box carries the mspr:pro PlayReady Object")
        record = base64.b64decode(pro.text)[10:].decode("utf-16-le", errors="replace")
        kid = aset.find("d:ContentProtection", NS).get("{urn:mpeg:cenc:2013}default_KID", "")
        guid = bytes.fromhex(kid.replace("-", ""))
        le = guid[3::-1] + guid[5:3:-1] + guid[7:5:-1] + guid[8:]
        check(f'VALUE="{base64.b64encode(le).decode()}"' in record and 'version="4.3.0.0"' in record,
              "its PlayReady Header (v4.3.0.0) names the default_KID (a little-endian GUID)", kid, record[:300])


def test_segments_are_encrypted(t):
    if "key" not in S:
        return
    enc_root = wait_for_segments(S["dash"], "encrypted endpoint", 4)
    clear_root = wait_for_segments(S["clear"], "clear endpoint", 4)
    template = enc_root.find(".//d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", NS)
    number = int(template.get("startNumber", "1")) + 1
    enc = media.download(list(segment_urls(S["dash"], enc_root, number)), t.server.tmp / "cenc.mp4")
    clear = media.download(list(segment_urls(S["clear"], clear_root, number)), t.server.tmp / "clear.mp4")
    rc, err, _ = decode(enc)
    check(rc != 0 or err.strip() != "", "without the key ffmpeg cannot decode the segment", "errors", err[-300:])
    rc, err, _ = decode(enc, "-decryption_key", "ff" * 16)
    check(rc != 0 or err.strip() != "", "with a wrong key neither", "errors", err[-300:])
    rc, err, frames = decode(enc, "-decryption_key", S["key"])
    check_eq((rc, err.strip()), (0, ""), "with -decryption_key ffmpeg decodes init + segment cleanly")
    _, _, clear_frames = decode(clear)
    check(len(frames) > 0 and frames == clear_frames,
          "the decrypted frames are the clear endpoint's (same segment number)", len(clear_frames), len(frames))


def test_speke_v2_presets_give_video_and_audio_keys_of_their_own(t):
    root = wait_for_segments(S["presets"], "SPEKE v2.0 endpoint", 3)
    if root is None:
        return
    kids = {}
    for kind in ("video", "audio"):
        mp4 = root.find(f".//d:AdaptationSet[@contentType='{kind}']/d:ContentProtection", NS)
        kids[kind] = mp4.get("{urn:mpeg:cenc:2013}default_KID") if mp4 is not None else None
    check(None not in kids.values() and kids["video"] != kids["audio"],
          "PRESET-VIDEO-1 / PRESET-AUDIO-1: the video and audio Adaptation Sets name keys of their own", "two kids", kids)
    log = t.server.log_path.read_text(errors="replace")
    check("speke: CPIX answer (SPEKE v2) for resource cenc-presets kid " in log,
          "one SPEKE v2.0 request (X-Speke-Version 2.0, CPIX 2.3) asked the key server for the contract's keys")
    if None in kids.values():
        return
    template = root.find(".//d:AdaptationSet[@contentType='video']/d:Representation/d:SegmentTemplate", NS)
    number = int(template.get("startNumber", "1")) + 1
    video = media.download(list(segment_urls(S["presets"], root, number)), t.server.tmp / "presets.mp4")
    keys = {kind: media.fetch(f"{t.endpoint}/_mediaemu/speke/key?resource=cenc-presets&kid={kid}").body.hex()
            for kind, kid in kids.items()}
    rc, err, frames = decode(video, "-decryption_key", keys["video"])
    check((rc, err.strip()) == (0, "") and frames, "the VIDEO key decrypts the video", "clean", err[-300:])
    rc, err, _ = decode(video, "-decryption_key", keys["audio"])
    check(rc != 0 or err.strip() != "", "the AUDIO key does not", "errors", err[-300:])


def test_speke_v2_refusals(t):
    mp = t.client("mediapackage")
    hls = {"SegmentDurationSeconds": 2, "Encryption": speke("refused", [DASHIF_CLEARKEY], "PRESET-VIDEO-1", "PRESET-AUDIO-1")}
    harness.expect_error(lambda: mp.create_origin_endpoint(ChannelId="cenc", Id="refused", HlsPackage=hls), 422,
                         "UnprocessableEntityException", "presets on an HLS endpoint (DASH or CMAF only)")
    for video, audio, rotation, what in [("SHARED", "UNENCRYPTED", 0, "SHARED with UNENCRYPTED"),
                                         ("UNENCRYPTED", "UNENCRYPTED", 0, "UNENCRYPTED for both"),
                                         ("PRESET-VIDEO-2", "PRESET-AUDIO-1", 60, "a rotating key (must be 0)")]:
        dash = {"SegmentDurationSeconds": 2, "Encryption": speke("refused", [DASHIF_CLEARKEY], video, audio, rotation)}
        harness.expect_error(lambda: mp.create_origin_endpoint(ChannelId="cenc", Id="refused", DashPackage=dash), 422,
                             "UnprocessableEntityException", f"DASH with {what}")
    mss = {"SegmentDurationSeconds": 2, "Encryption": {"SpekeKeyProvider": speke("refused", [DASHIF_CLEARKEY], "PRESET-VIDEO-1",
                                                                              "PRESET-AUDIO-1")["SpekeKeyProvider"]}}
    harness.expect_error(lambda: mp.create_origin_endpoint(ChannelId="cenc", Id="refused", MssPackage=mss), 422,
                         "UnprocessableEntityException", "presets on an MSS endpoint")
    check_eq([e["Id"] for e in mp.list_origin_endpoints(ChannelId="cenc")["OriginEndpoints"] if e["Id"] == "refused"], [],
             "nothing of the refused endpoints was created")


def test_players_play_with_clearkey(t):
    if "key" not in S:
        return
    licence = t.endpoint + "/_mediaemu/speke/clearkey?resource=cenc-dash"
    plays = [{"player": "shaka", "url": S["dash"], "clearKeyLicence": licence, "minSeconds": 6},
             # No DRM configuration: the licence URL comes from the MPD.
             {"player": "dash", "url": S["dashif"], "minSeconds": 6},
             {"player": "shaka", "url": S["dashif"], "minSeconds": 6},
             {"player": "dash", "url": S["presets"], "minSeconds": 6},
             # Keys rotating every 6 s: each new key's pssh comes in-band (moof), and Shaka asks
             # the licence URL for it.
             {"player": "shaka", "url": S["rotate"], "minSeconds": 14,
              "clearKeyLicence": t.endpoint + "/_mediaemu/speke/clearkey?resource=cenc-rotate"}]
    results, _ = media.play_in_browser(plays, together=True)
    for play in plays:
        what = f"{play['player']}, " + {S["dash"]: "W3C ClearKey with a configured licence URL",
                                          S["dashif"]: "DASH-IF ClearKey, no DRM configuration",
                                          S["presets"]: "SPEKE v2.0 video and audio keys, no DRM configuration",
                                          S["rotate"]: "W3C ClearKey, keys rotating every 6 s"}[play["url"]]
        res = next((x for x in results if x.get("player") == play["player"] and x.get("url") == play["url"]), None)
        if not check(res is not None, f"{what}: a result"):
            continue
        print(f"    {what}: played {res.get('played', 0):.1f} s, errors {res.get('errors')}")
        check(res["ok"], f"{what}: plays the cenc endpoint with ClearKey licences from the local server", "ok",
              {k: res.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
    licences = t.server.log_path.read_text(errors="replace").count("speke: ClearKey licence for resource cenc-dashif ")
    check(licences >= 2, "both players asked the MPD's licence URL for the DASH-IF ClearKey endpoint's key", ">= 2",
          licences)
    rotated = t.server.log_path.read_text(errors="replace").count("speke: ClearKey licence for resource cenc-rotate ")
    check(rotated >= 2, "Shaka asked for a licence again after a rotation (a new key id in-band)", ">= 2", rotated)
    S["push"].stop()


harness.main(globals())
