# timeout: 240
"""DASH 'cenc' Common Encryption (ISO/IEC 23001-7) with keys from mediaemu's local SPEKE key
server and ClearKey playback (issue 11, item 1, the DASH part).

  MediaPackage channel "cenc" fed by MediaLive (640x360 + 416x234, GOP 2 s, AAC) from an ffmpeg
  lavfi RTMP push, with two DASH endpoints:
    cenc-dash    DashPackage.Encryption: SpekeKeyProvider Url = the local key server
                 (<api>/_mediaemu/speke/v1), SystemIds = W3C ClearKey (1077efec-…) and Widevine
    cenc-dashif  the same with SystemIds = DASH-IF ClearKey (e2719d58-…) alone
    cenc-clear   the same DASH package without Encryption (to compare decoded frames)

Checked: the MPD's ContentProtection elements (mp4protection with cenc:default_KID, and the
ClearKey system's with a cenc:pssh that names the same key id; none for Widevine, whose PSSH the
local server cannot give), that default_KID is a key the key server serves (GET
/_mediaemu/speke/key) and licenses (POST /_mediaemu/speke/clearkey); the segments are encrypted
(ffmpeg without the key reports decoding errors; with a wrong key too) and ffmpeg with
-decryption_key decodes init + segments cleanly, to the same frames as the clear endpoint's segment
of the same number; Shaka plays the endpoint in headless Chromium with ClearKey EME, the licence
coming from /_mediaemu/speke/clearkey.
DASH-IF ClearKey: the key server answers ContentProtectionData for e2719d58-…, so that endpoint's
MPD names the licence URL (<dashif:Laurl>) and carries no pssh; dash.js and Shaka, given no DRM
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
NS = {"d": "urn:mpeg:dash:schema:mpd:2011", "cenc": "urn:mpeg:cenc:2013"}
S = {}


def test_setup(t):
    media.require_player_tools("ffmpeg", "ffprobe", "node")
    ml, mp = t.client("medialive"), t.client("mediapackage")
    channel = mp.create_channel(Id="cenc")
    package = {"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 60, "MinBufferTimeSeconds": 4,
               "MinUpdatePeriodSeconds": 2, "SuggestedPresentationDelaySeconds": 6, "UtcTiming": "HTTP-ISO",
               "UtcTimingUri": t.endpoint + "/_mediaemu/time"}
    def encrypted(endpoint_id: str, system_ids: list) -> str:  # keys from the local key server
        return mp.create_origin_endpoint(
            ChannelId="cenc", Id=endpoint_id,
            DashPackage={**package, "Encryption": {
                "SpekeKeyProvider": {"Url": t.endpoint + "/_mediaemu/speke/v1", "ResourceId": endpoint_id,
                                     "SystemIds": system_ids,
                                     "RoleArn": "arn:aws:iam::123456789012:role/SpekeAccess"}}})["Url"]
    S["dash"] = encrypted("cenc-dash", [CLEARKEY, WIDEVINE])
    S["dashif"] = encrypted("cenc-dashif", [DASHIF_CLEARKEY])
    S["clear"] = mp.create_origin_endpoint(ChannelId="cenc", Id="cenc-clear", DashPackage=package)["Url"]
    push_url = media.start_channel_to_mediapackage(ml, "cenc", channel)
    S["push"] = media.Push(push_url, 120, log_dir=t.server.tmp, label="cenc").start()


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
        check_eq(schemes, ["urn:mpeg:dash:mp4protection:2011", f"urn:uuid:{CLEARKEY}"],
                 f"{kind}: ContentProtection for mp4protection and ClearKey (none for Widevine: no PSSH data)")
        mp4 = cps[0]
        check_eq(mp4.get("value"), "cenc", f"{kind}: mp4protection value cenc")
        kid = mp4.get("{urn:mpeg:cenc:2013}default_KID")
        check(kid is not None and len(kid) == 36, f"{kind}: cenc:default_KID is a UUID", "uuid", kid)
        pssh = base64.b64decode(cps[1].find("cenc:pssh", NS).text)
        check_eq((pssh[4:8], pssh[12:28].hex(), pssh[32:48].hex()), (b"pssh", CLEARKEY.replace("-", ""),
                                                                     (kid or "").replace("-", "")),
                 f"{kind}: the ClearKey pssh (W3C common format) names the default_KID")
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
    check_eq([c.get("schemeIdUri") for c in cps], ["urn:mpeg:dash:mp4protection:2011", f"urn:uuid:{DASHIF_CLEARKEY}"],
             "ContentProtection for mp4protection and DASH-IF ClearKey")
    if len(cps) < 2:
        return
    laurl = cps[1].find("{https://dashif.org/CPS}Laurl")
    check_eq(laurl.text if laurl is not None else None,
             f"{t.endpoint}/_mediaemu/speke/clearkey?resource=cenc-dashif",
             "its dashif:Laurl is the local key server's ClearKey licence URL for the endpoint's ResourceId")
    check(cps[1].find("cenc:pssh", NS) is None, "no cenc:pssh for DASH-IF ClearKey", None, "a pssh")


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


def test_players_play_with_clearkey(t):
    if "key" not in S:
        return
    licence = t.endpoint + "/_mediaemu/speke/clearkey?resource=cenc-dash"
    plays = [{"player": "shaka", "url": S["dash"], "clearKeyLicence": licence, "minSeconds": 6},
             # No DRM configuration: the licence URL comes from the MPD.
             {"player": "dash", "url": S["dashif"], "minSeconds": 6},
             {"player": "shaka", "url": S["dashif"], "minSeconds": 6}]
    results, _ = media.play_in_browser(plays, together=True)
    for play in plays:
        what = f"{play['player']}, {'W3C ClearKey with a configured licence URL' if play['url'] == S['dash'] else 'DASH-IF ClearKey, no DRM configuration'}"
        res = next((x for x in results if x.get("player") == play["player"] and x.get("url") == play["url"]), None)
        if not check(res is not None, f"{what}: a result"):
            continue
        print(f"    {what}: played {res.get('played', 0):.1f} s, errors {res.get('errors')}")
        check(res["ok"], f"{what}: plays the cenc endpoint with ClearKey licences from the local server", "ok",
              {k: res.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
    licences = t.server.log_path.read_text(errors="replace").count("speke: ClearKey licence for resource cenc-dashif ")
    check(licences >= 2, "both players asked the MPD's licence URL for the DASH-IF ClearKey endpoint's key", ">= 2",
          licences)
    S["push"].stop()


harness.main(globals())
