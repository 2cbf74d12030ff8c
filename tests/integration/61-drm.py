# timeout: 300
"""HLS AES-128 with key rotation, keys from mediaemu's local SPEKE key server (issue 11, item 1).

  MediaPackage channel "drm" fed by MediaLive channel D (640x360 1.2 Mb/s + 416x234 600 kb/s,
  GOP 2 s) from an ffmpeg lavfi RTMP push, with two HLS endpoints:
    drm-hls      Encryption: AES_128, KeyRotationIntervalSeconds 10, SpekeKeyProvider Url = the
                 local key server (<api>/_mediaemu/speke/v1)
                 (and a 300 s start-over window)
    drm-3p       the same with a third-party SPEKE server on loopback (a small Python one here,
                 reading the CPIX request with ElementTree and answering its own keys and key URI),
                 and a ConstantInitializationVector
    drm-fps      SAMPLE_AES with SystemIds FairPlay: the key server's FairPlay signalling
                 (URIExtXKey skd://<kid>, KeyFormat, KeyFormatVersions) goes into EXT-X-KEY as is
    drm-refused  the same, with a SpekeKeyProvider Url on a loopback port nothing listens on
    drm-saes     Encryption SAMPLE_AES (Apple's sample encryption in the TS), local key server,
                 a ConstantInitializationVector (hls.js 1.7 treats a SAMPLE-AES EXT-X-KEY without
                 an IV attribute as no encryption at all, although RFC 8216 §5.2 makes the media
                 sequence number the IV then; MediaPackage, like mediaemu, writes no IV attribute
                 unless the endpoint sets one)

Checked: EXT-X-KEY tags (METHOD=AES-128, URI on the local key server, IV), segments that are not
clear TS but decrypt (openssl CLI, with the key fetched from the URI) to TS ffprobe reads, ffmpeg
decoding the encrypted HLS with no error, a new key URI after a rotation with a key server request
for each (the server log), hls.js in headless Chromium playing across rotations, a CPIX body that
is not XML refused with 400 while the server keeps serving, a time-shifted (start-over) playlist
that keeps its EXT-X-KEY lines, the third-party server's key used, a ClearKey licence with the
same key, 404 playlists plus a log line for the endpoint whose key server refuses connections, and
the same key from the same URI after a restart. SAMPLE_AES: EXT-X-KEY METHOD=SAMPLE-AES, segments
that stay transport streams (sync bytes) whose PMT says 0xdb / 'apad' (ffprobe's codec tags), whose
samples are not clear (ffmpeg cannot decode the video of a bare segment without errors), ffmpeg's
HLS demuxer decoding the audio through the key URI with no error, and hls.js playing it across a
key rotation.
"""

import base64
import hashlib
import json
import re
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import harness
import media
from harness import check, check_eq

HLS_AES = "81376844-f976-481e-a84e-cc25d39b0b33"
FAIRPLAY = "94ce86fb-07ff-4f43-adb8-93d2fa968ca2"
S = {}


CONSTANT_IV = "00112233445566778899aabbccddeeff"


def encryption(url: str, resource: str, system_ids: tuple = (HLS_AES,), **extra) -> dict:
    return {"KeyRotationIntervalSeconds": 10, **extra,
            "SpekeKeyProvider": {"Url": url, "ResourceId": resource, "SystemIds": list(system_ids),
                                 "RoleArn": "arn:aws:iam::123456789012:role/SpekeAccess"}}


def sequence_iv(sequence: int) -> str:
    """The IV of a segment whose EXT-X-KEY has none: its media sequence number (RFC 8216 §5.2)."""
    return f"{sequence:032x}"


class ThirdPartySpeke:
    """Another SPEKE v1 key server on loopback, written from the SPEKE v1 examples
    (docs.aws.amazon.com/speke/latest/documentation/live-workflow-methods.html): it checks the
    request's CPIX shape, answers key = SHA-256(kid)[:16] and a key URI on itself."""

    CPIX = "{urn:dashif:org:cpix}"
    PSKC = "urn:ietf:params:xml:ns:keyprov:pskc"

    def __init__(self):
        self.requests, self.problems = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    answer = outer.answer(body, self.headers.get("Content-Type"))
                    self.reply(200, "application/xml", answer)
                except Exception as e:  # a request this server cannot use: the encryptor sees 400
                    outer.problems.append(str(e))
                    self.reply(400, "text/plain", str(e).encode())

            def do_GET(self):
                kid = self.path.rsplit("/", 1)[-1]
                self.reply(200, "application/octet-stream", outer.key(kid))

            def reply(self, status, content_type, body):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def key(kid: str) -> bytes:
        return hashlib.sha256(kid.encode()).digest()[:16]

    def answer(self, body: bytes, content_type: str) -> bytes:
        c = self.CPIX
        root = ET.fromstring(body)
        assert root.tag == c + "CPIX", f"root {root.tag}"
        assert content_type == "application/xml", f"Content-Type {content_type}"
        keys = root.findall(f"{c}ContentKeyList/{c}ContentKey")
        systems = root.findall(f"{c}DRMSystemList/{c}DRMSystem")
        periods = root.findall(f"{c}ContentKeyPeriodList/{c}ContentKeyPeriod")
        rules = root.findall(f"{c}ContentKeyUsageRuleList/{c}ContentKeyUsageRule/{c}KeyPeriodFilter")
        assert len(keys) == 1 and systems and len(periods) == 1 and len(rules) == 1, "one key, a period, a rule"
        kid = keys[0].get("kid")
        assert rules[0].get("periodId") == periods[0].get("id"), "KeyPeriodFilter names the period"
        self.requests.append({"id": root.get("id"), "kid": kid, "index": int(periods[0].get("index")),
                              "systems": [s.get("systemId") for s in systems]})
        data = ET.SubElement(keys[0], c + "Data")
        secret = ET.SubElement(data, "{%s}Secret" % self.PSKC)
        ET.SubElement(secret, "{%s}PlainValue" % self.PSKC).text = base64.b64encode(self.key(kid)).decode()
        for s in systems:
            if s.get("systemId") == HLS_AES:
                uri = s.find(c + "URIExtXKey")
                if uri is None:
                    uri = ET.SubElement(s, c + "URIExtXKey")
                uri.text = base64.b64encode(f"{self.url}/k/{kid}".encode()).decode()
        return ET.tostring(root)

    def close(self):
        self.server.shutdown()


def key_tags(pl: media.MediaPlaylist) -> list[dict]:
    return [media.attributes(v) for v in pl.tags.get("EXT-X-KEY", [])]


def server_log(t) -> str:
    return t.server.log_path.read_text(errors="replace")


def test_setup(t):
    media.require_player_tools("ffmpeg", "ffprobe", "openssl", "node")
    ml, mp = t.client("medialive"), t.client("mediapackage")
    channel = mp.create_channel(Id="drm")
    created = mp.create_origin_endpoint(
        ChannelId="drm", Id="drm-hls", StartoverWindowSeconds=300,
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30,
                    "Encryption": encryption(t.endpoint + "/_mediaemu/speke/v1", "drm-hls")})
    check_eq(created["HlsPackage"]["Encryption"]["KeyRotationIntervalSeconds"], 10, "the rotation interval is kept")
    S["hls"] = created["Url"]
    S["3p"] = ThirdPartySpeke()
    S["hls_3p"] = mp.create_origin_endpoint(
        ChannelId="drm", Id="drm-3p",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30,
                    "Encryption": encryption(S["3p"].url + "/speke", "drm-3p",
                                             ConstantInitializationVector=CONSTANT_IV)})["Url"]
    S["saes"] = mp.create_origin_endpoint(
        ChannelId="drm", Id="drm-saes",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30, "IncludeIframeOnlyStream": True,
                    "Encryption": encryption(t.endpoint + "/_mediaemu/speke/v1", "drm-saes",
                                             EncryptionMethod="SAMPLE_AES",
                                             ConstantInitializationVector=CONSTANT_IV)})["Url"]
    S["fps"] = mp.create_origin_endpoint(
        ChannelId="drm", Id="drm-fps",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30,
                    "Encryption": encryption(t.endpoint + "/_mediaemu/speke/v1", "drm-fps", system_ids=(FAIRPLAY,),
                                             EncryptionMethod="SAMPLE_AES",
                                             ConstantInitializationVector=CONSTANT_IV)})["Url"]
    S["refused_port"] = harness.free_port()
    S["refused"] = mp.create_origin_endpoint(
        ChannelId="drm", Id="drm-refused",
        HlsPackage={"SegmentDurationSeconds": 2, "PlaylistWindowSeconds": 30,
                    "Encryption": encryption(f"http://127.0.0.1:{S['refused_port']}/_mediaemu/speke/v1", "drm-refused")})["Url"]
    push_url = media.start_channel_to_mediapackage(ml, "drm", channel)
    S["push"] = media.Push(push_url, 150, log_dir=t.server.tmp, label="drm").start()


def test_playlists_carry_ext_x_key(t):
    pl = media.wait_for_variant(S["hls"], "encrypted endpoint", segments=2, timeout=60)
    if not check(pl is not None, "the encrypted endpoint publishes a media playlist"):
        return
    S["first"] = pl
    tags = key_tags(pl)
    if not check(len(tags) >= 1, "the media playlist has EXT-X-KEY", ">= 1", pl.text[:600]):
        return
    for a in tags:
        check_eq(a.get("METHOD"), "AES-128", "EXT-X-KEY METHOD")
        check(a.get("URI", "").startswith(t.endpoint + "/_mediaemu/speke/key?resource=drm-hls&kid="),
              "EXT-X-KEY URI is on the local key server", t.endpoint + "/_mediaemu/speke/key?...", a.get("URI"))
        # No ConstantInitializationVector: no IV attribute, as MediaPackage writes it; the IV is the
        # segment's media sequence number (SPEKE v1 constraints, RFC 8216 §5.2).
        check("IV" not in a, "EXT-X-KEY has no IV attribute without ConstantInitializationVector", None, a.get("IV"))
    check(pl.text.index("#EXT-X-KEY") < pl.text.index("#EXTINF"), "an EXT-X-KEY precedes the first segment")


def test_segments_are_encrypted_and_decrypt(t):
    pl = S.get("first")
    if not pl:
        return
    # The key in force for the newest segment: the last EXT-X-KEY before it; its sequence number is the IV.
    key = key_tags(pl)[-1]["URI"]
    iv = sequence_iv(pl.last_sequence)
    seg = media.fetch(pl.segments[-1]["url"])
    check_eq(seg.status, 200, "the newest segment is served")
    check_eq(len(seg.body) % 16, 0, "the segment is whole AES blocks")
    check(seg.body[:1] != b"\x47" or seg.body[188:189] != b"\x47", "the segment is not clear MPEG-TS (no sync bytes)")
    clear_probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", "-f", "mpegts", "-"],
                                 input=seg.body, capture_output=True, timeout=30)
    check(b'"codec_type": "video"' not in clear_probe.stdout, "ffprobe finds no video in the encrypted bytes")
    k = media.fetch(key)
    check_eq((k.status, len(k.body), k.header("Content-Type")), (200, 16, "application/octet-stream"),
             "the key URI serves 16 bytes")
    enc, out = t.server.tmp / "seg.enc", t.server.tmp / "seg.ts"
    enc.write_bytes(seg.body)
    r = subprocess.run(["openssl", "enc", "-d", "-aes-128-cbc", "-K", k.body.hex(), "-iv", iv, "-in", str(enc),
                        "-out", str(out)], capture_output=True, text=True, timeout=30)
    check_eq(r.returncode, 0, "openssl decrypts the segment with the key and IV (PKCS#7 padding checks out)")
    streams = media.ffprobe(out, "-show_streams").get("streams", [])
    check_eq(sorted(s.get("codec_name") for s in streams), ["aac", "h264"], "the decrypted segment is H.264 + AAC TS")


def test_ffmpeg_decodes_the_encrypted_hls(t):
    master = media.master_playlist(S["hls"], "master")
    if not master:
        return
    url = master["variants"][0]["url"]
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-allowed_extensions", "ALL", "-i", url, "-t", "6",
                        "-f", "null", "-"], capture_output=True, text=True, timeout=90)
    check_eq(r.returncode, 0, "ffmpeg reads the AES-128 HLS through the key URI")
    check_eq(r.stderr.strip(), "", "ffmpeg reports no decoding error")


def test_sample_aes(t):
    pl = media.wait_for_variant(S["saes"], "SAMPLE_AES endpoint", segments=2, timeout=60)
    if not check(pl is not None, "the SAMPLE_AES endpoint publishes a media playlist"):
        return
    tags = key_tags(pl)
    check(len(tags) >= 1 and all(a.get("METHOD") == "SAMPLE-AES" and a.get("IV") == "0x" + CONSTANT_IV for a in tags),
          "EXT-X-KEY METHOD=SAMPLE-AES with the constant IV", "SAMPLE-AES", tags)
    check(all(a.get("URI", "").startswith(t.endpoint + "/_mediaemu/speke/key?resource=drm-saes&kid=") for a in tags),
          "EXT-X-KEY URI is on the local key server", None, tags)
    seg = media.fetch(pl.segments[-1]["url"])
    check_eq(seg.status, 200, "the newest SAMPLE-AES segment is served")
    check(len(seg.body) % 188 == 0 and all(seg.body[i] == 0x47 for i in range(0, len(seg.body), 188)),
          "the segment is still a transport stream (sync byte every 188 bytes)")
    path = t.server.tmp / "saes.ts"
    path.write_bytes(seg.body)
    streams = {s["codec_type"]: s for s in media.ffprobe(path, "-show_streams").get("streams", [])}
    check_eq((streams.get("video", {}).get("codec_tag"), streams.get("audio", {}).get("codec_tag_string")),
             ("0x00db", "apad"), "the PMT signals SAMPLE-AES H.264 (stream_type 0xdb) and AAC ('apad' setup)")
    bare = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "null", "-"],
                          capture_output=True, text=True, timeout=60)
    check(bare.stderr.strip() != "", "the bare segment's video does not decode cleanly (its slices are encrypted)")
    url = media.master_playlist(S["saes"], "master")["variants"][0]["url"]
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-allowed_extensions", "ALL", "-i", url, "-map", "0:a",
                        "-t", "6", "-f", "null", "-"], capture_output=True, text=True, timeout=90)
    check_eq((r.returncode, r.stderr.strip()), (0, ""), "ffmpeg's HLS demuxer decrypts the audio through the key URI")
    # IncludeIframeOnlyStream: byte ranges of the TS segments, each a transport stream of its own
    # (PAT, the SAMPLE-AES PMT, the IDR), under the EXT-X-KEY of its segment. (The unit test
    # decrypts the ranges to the clear endpoint's I-frames.)
    iframes = media.master_playlist(S["saes"], "master").get("iframes", [])
    if not check(len(iframes) == 1, "the master lists the I-frame playlist", 1, iframes):
        return
    ipl = media.media_playlist(iframes[0]["url"], "the I-frame playlist")
    itags = key_tags(ipl) if ipl else []
    check(len(itags) >= 1 and all(a.get("METHOD") == "SAMPLE-AES" and a.get("IV") == "0x" + CONSTANT_IV for a in itags),
          "the I-frame playlist has the EXT-X-KEY of its segments", "SAMPLE-AES", itags)
    last = ipl.segments[-1] if ipl and ipl.segments else None
    length, _, offset = ((last or {}).get("byterange") or "0@0").partition("@")
    rng = media.fetch(last["url"], headers={"Range": f"bytes={offset}-{int(offset) + int(length) - 1}"}) if last else None
    if check(rng is not None and rng.status == 206, "the newest I-frame's byte range is served", 206,
             rng.status if rng else None):
        path.write_bytes(rng.body)
        streams = {s["codec_type"]: s for s in media.ffprobe(path, "-show_streams").get("streams", [])}
        check_eq(streams.get("video", {}).get("codec_tag"), "0x00db",
                 "the I-frame range reads on its own as SAMPLE-AES H.264 (PAT, PMT, IDR)")


def test_fairplay_signalling(t):
    pl = media.wait_for_variant(S["fps"], "FairPlay endpoint", segments=2, timeout=60)
    if not check(pl is not None, "the FairPlay (SAMPLE_AES) endpoint publishes a media playlist"):
        return
    tags = key_tags(pl)
    check(len(tags) >= 1, "the FairPlay endpoint's playlist has EXT-X-KEY", ">= 1", pl.text[:600])
    for a in tags:
        check_eq((a.get("METHOD"), a.get("KEYFORMAT"), a.get("KEYFORMATVERSIONS")),
                 ("SAMPLE-AES", "com.apple.streamingkeydelivery", "1"),
                 "EXT-X-KEY METHOD, KEYFORMAT and KEYFORMATVERSIONS from the key server's FairPlay signalling")
        check(re.fullmatch(r"skd://[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", a.get("URI", "")) is not None,
              "EXT-X-KEY URI is the key server's skd:// URI (its URIExtXKey)", "skd://<kid>", a.get("URI"))


def test_keys_rotate(t):
    uris = []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        pl = media.variant_playlist(S["hls"], "rotation")
        for a in key_tags(pl) if pl else []:
            if a["URI"] not in uris:
                uris.append(a["URI"])
        if len(uris) >= 3:
            break
        time.sleep(2)
    print(f"    key URIs seen: {len(uris)}", flush=True)
    check(len(uris) >= 2, "a second key URI appears after a rotation (10 s)", ">= 2", uris)
    # The key server answered one CPIX request per key period, for this resource.
    log = server_log(t)
    answers = re.findall(r"speke: CPIX answer \(SPEKE v1\) for resource drm-hls kid (\S+) key period (\d+)", log)
    kids = {kid for kid, _ in answers}
    periods = [p for _, p in answers]
    print(f"    key server requests for drm-hls: {len(answers)} (periods {sorted(set(periods))})", flush=True)
    check(len(set(periods)) == len(periods), "one key server request per key period", "no repeats", periods)
    for u in uris:
        kid = u.split("kid=")[1]
        check(kid in kids, f"the key server was asked for key {kid}", "in the server log", sorted(kids))
    # Each key URI serves a different key.
    keys = {media.fetch(u).body for u in uris}
    check_eq(len(keys), len(uris), "each key URI serves its own key")


def test_hlsjs_plays_across_rotations(t):
    plays = [{"player": "hls", "url": S["hls"], "minSeconds": 22},  # > two 10 s key periods
             {"player": "hls", "url": S["saes"], "minSeconds": 12}]  # > one
    results, printed = media.play_in_browser(plays, process_timeout=200)
    saes = next((x for x in results if x.get("url") == S["saes"]), None)
    if check(saes is not None, "hls.js (SAMPLE-AES): the browser reported a result", "a JSON line", printed):
        print(f"    hls.js SAMPLE-AES: played {saes['played']:.1f} s, {saes['decodedFrames']} frames decoded", flush=True)
        check(saes["ok"] and saes["decodedFrames"] > 0, "hls.js plays the SAMPLE-AES endpoint across a key rotation",
              "ok", {k: saes.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
    res = next((x for x in results if x.get("url") == S["hls"]), None)
    if not check(res is not None, "hls.js: the browser reported a result", "a JSON line", printed):
        return
    print(f"    hls.js: played {res['played']:.1f} s (currentTime {res['currentTime']:.1f}), "
          f"{res['decodedFrames']} frames decoded, {res['width']}x{res['height']}", flush=True)
    check(res["ok"], "hls.js plays the encrypted endpoint for 22 s (two key rotations) with no fatal error", "ok",
          {k: res.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
    check(res["decodedFrames"] > 0, "hls.js decoded frames (the keys decrypt the segments)")


def test_malformed_cpix_is_refused(t):
    r = harness.raw_request(t.endpoint, "POST", "/_mediaemu/speke/v1", "this is not XML", sign=False,
                            content_type="application/xml")
    check_eq(r.status, 400, "a CPIX body that is not XML gets 400")
    check("not XML" in r.body.decode(errors="replace"), "the 400 says why", "not XML", r.body[:200])
    check("speke: CPIX request refused (400)" in server_log(t), "the refusal is logged")
    check_eq(media.fetch(t.endpoint + "/_mediaemu/health").status, 200, "the server keeps serving")
    pl = media.variant_playlist(S["hls"], "after the bad request")
    check(pl is not None and key_tags(pl), "the encrypted endpoint keeps serving")


def test_time_shifted_playlist_keeps_ext_x_key(t):
    master = media.master_playlist(S["hls"], "master")
    if not master:
        return
    now = time.time()
    url = f"{master['variants'][0]['url']}?start={int(now - 32)}&end={int(now - 4)}"
    r = media.fetch(url)
    if not check_eq(r.status, 200, f"a start-over window in the past: GET {url}"):
        return
    pl = media.MediaPlaylist(r.text, url)
    check(pl.ended, "both times in the past: a VOD playlist (EXT-X-ENDLIST)")
    check(pl.segments and pl.text.index("#EXT-X-KEY") < pl.text.index("#EXTINF"),
          "the time-shifted playlist starts with the EXT-X-KEY in force", "EXT-X-KEY first", r.text[:400])
    uris = {a["URI"] for a in key_tags(pl)}
    check(len(uris) >= 2, "28 s of a 10 s rotation: the time-shifted playlist names at least two keys", ">= 2", uris)


def test_third_party_key_server(t):
    pl = media.wait_for_variant(S["hls_3p"], "third-party key server endpoint", segments=1, timeout=20)
    tp = S["3p"]
    check_eq(tp.problems, [], "the CPIX requests mediaemu sends are what a SPEKE v1 server expects")
    if not check(pl is not None and key_tags(pl), "the endpoint keyed by the third-party server is published"):
        return
    req = tp.requests[0] if tp.requests else {}
    check_eq((req.get("id"), HLS_AES in req.get("systems", [])), ("drm-3p", True),
             "CPIX@id is the ResourceId and the HLS AES-128 DRMSystem is asked for")
    tags = key_tags(pl)
    check(all(a["URI"].startswith(tp.url + "/k/") for a in tags), "EXT-X-KEY carries the server's URIExtXKey",
          tp.url + "/k/...", [a["URI"] for a in tags])
    check(all(a.get("IV") == "0x" + CONSTANT_IV for a in tags), "EXT-X-KEY carries the ConstantInitializationVector",
          "0x" + CONSTANT_IV, [a.get("IV") for a in tags])
    # The newest segment decrypts with that server's key for its kid and the constant IV.
    kid, iv = tags[-1]["URI"].rsplit("/", 1)[1], CONSTANT_IV
    seg = media.fetch(pl.segments[-1]["url"])
    enc, out = t.server.tmp / "seg3p.enc", t.server.tmp / "seg3p.ts"
    enc.write_bytes(seg.body)
    r = subprocess.run(["openssl", "enc", "-d", "-aes-128-cbc", "-K", tp.key(kid).hex(), "-iv", iv,
                        "-in", str(enc), "-out", str(out)], capture_output=True, text=True, timeout=30)
    check_eq(r.returncode, 0, "the segment decrypts with the third-party server's key")
    check_eq(len(media.ffprobe(out, "-show_streams").get("streams", [])), 2, "... into TS with video and audio")


def test_clearkey_licence_matches_the_key_uri(t):
    pl = media.variant_playlist(S["hls"], "ClearKey")
    uri = key_tags(pl)[-1]["URI"] if pl and key_tags(pl) else None
    if not check(uri is not None, "a key URI to compare with"):
        return
    kid = bytes.fromhex(uri.split("kid=")[1].replace("-", ""))
    kid64 = base64.urlsafe_b64encode(kid).decode().rstrip("=")
    r = harness.raw_request(t.endpoint, "POST", "/_mediaemu/speke/clearkey?resource=drm-hls",
                            json.dumps({"kids": [kid64], "type": "temporary"}), sign=False)
    if not check_eq(r.status, 200, "POST /_mediaemu/speke/clearkey answers"):
        return
    licence = r.json()
    k = licence["keys"][0]
    check_eq((k["kty"], k["kid"], licence["type"]), ("oct", kid64, "temporary"), "a W3C ClearKey licence")
    check_eq(base64.urlsafe_b64decode(k["k"] + "=" * (-len(k["k"]) % 4)), media.fetch(uri).body,
             "the licence's key is the key URI's")
    S["key_before_restart"] = (uri, media.fetch(uri).body)


def test_unreachable_key_server_gives_404(t):
    master = media.fetch(S["refused"])
    check_eq(master.status, 404, "an endpoint whose key server refuses connections: master playlist 404")
    media_url = S["refused"].rsplit("/", 1)[0] + "/index_1.m3u8"
    check_eq(media.fetch(media_url).status, 404, "... and media playlist 404")
    line = f"key provider SPEKE http://127.0.0.1:{S['refused_port']}/_mediaemu/speke/v1 failed"
    check(line in server_log(t), "the key server failure is logged", line)
    S["push"].stop()
    S["3p"].close()


def test_same_keys_after_restart(t):
    if "key_before_restart" not in S:
        return
    uri, key = S["key_before_restart"]
    t.server.restart(hard=False)
    check_eq(media.fetch(uri).body, key, "after a restart the key URI serves the same key (secret in the data dir)")


harness.main(globals())
