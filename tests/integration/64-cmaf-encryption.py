# timeout: 300
"""CMAF encryption (MediaPackage v1 CmafPackage.Encryption) with keys from mediaemu's local SPEKE
key server: SAMPLE_AES as ISO/IEC 23001-7 'cbcs', AES_CTR as 'cenc', and key rotation.

  MediaPackage channel "cmafenc" fed by MediaLive (640x360, GOP 2 s, AAC) from an ffmpeg lavfi
  RTMP push, with four CMAF endpoints (2 s segments, one HlsManifests entry each):
    cmaf-cbcs     Encryption SAMPLE_AES, no key rotation, SystemIds = W3C ClearKey (1077efec-…)
    cmaf-cenc     Encryption AES_CTR, the same otherwise
    cmaf-rotate   Encryption SAMPLE_AES, KeyRotationIntervalSeconds 6, ConstantInitializationVector
    cmaf-presets  Encryption SAMPLE_AES with SPEKE v2.0 presets PRESET-VIDEO-1 / PRESET-AUDIO-1
    cmaf-clear    no Encryption (to compare the decrypted samples with)
    cmaf-garbage  Encryption SAMPLE_AES whose key server (a stub here) answers 200 with XML that is
                  no CPIX: no key ever, so its playlists answer 404 and the failure is logged

Checked: the media playlists' EXT-X-KEY (METHOD=SAMPLE-AES for cbcs, SAMPLE-AES-CTR for cenc,
URI = the key URI the key server gave in URIExtXKey, no KEYFORMAT as the local server gives none:
RFC 8216's default "identity", the raw key at the URI); the init segments (encv/enca, sinf > frma,
schm 'cbcs'/'cenc', tenc version 1 with pattern 1:9 video / 0:0 audio, Per_Sample_IV_Size 0 and a
16-byte constant IV for cbcs, version 0 with 8-byte IVs for cenc, default_KID = the KEY URI's kid,
a W3C ClearKey pssh naming it); the key server serves that key and licenses it; every sample of
a segment, decrypted here in Python (with `cryptography`, else the openssl CLI) from the boxes
(senc subsamples, trun sizes, the tenc/seig IV and pattern), equals the clear endpoint's sample of
the same segment number, byte for byte, video and audio; ffmpeg's -decryption_key decodes the cenc
and the cbcs segment to the clear endpoint's frames, and neither without the key or with a wrong
one (Debian 12's ffmpeg 5.1 decrypts both schemes; an ffmpeg that refuses 'cbcs' is reported and
the Python decryption is the check there); with rotation, two keys in
one playlist, the later key's segments name it in an sgpd 'seig' entry (KID, pattern, the configured
constant IV) and decrypt with it; Shaka plays the cbcs and the cenc endpoints' HLS in headless
Chromium with ClearKey (the key from the EXT-X-KEY URI, the licence server configured as well).
MSS (mss-playready: MssPackage.Encryption, SystemIds PlayReady; mss-clear to compare): the
manifest's Protection element carries PlayReady's header from the key server (a PlayReady Object
whose v4.3.0.0 header names the key id), that key id's key decrypts every sample of a video and an
audio fragment (PIFF 1.1 SampleEncryptionBox: 8-byte IVs, subsample maps, AES-CTR) to the clear
endpoint's. No player: headless Chromium has no PlayReady CDM.
SPEKE v2.0: one CPIX 2.3 request asks for a VIDEO and an AUDIO key with HLSSignalingData; the video
and audio media playlists carry the EXT-X-KEY tags the key server answered for their own key, each
init segment names that key, and Shaka plays the endpoint.
"""

import base64
import http.server
import json
import threading
import re
import struct
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import harness
import media
from harness import check, check_eq

CLEARKEY = "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"
ROTATE_IV = "0123456789abcdef0123456789abcdef"
LADDER = [("v360", 640, 360, 1_000_000)]
PLAYREADY = "9a04f079-9840-4286-ab92-e65be0885f95"
PIFF_SAMPLE_ENCRYPTION = bytes.fromhex("a2394f525a9b4f14a2446c427c648df4")
S = {}

try:  # AES from `cryptography` when installed, else from the openssl CLI
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:  # pragma: no cover - depends on the machine
    Cipher = None


def aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if Cipher:
        d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        return d.update(data) + d.finalize()
    return subprocess.run(["openssl", "enc", "-d", "-aes-128-cbc", "-nopad", "-K", key.hex(), "-iv", iv.hex()],
                          input=data, capture_output=True, check=True).stdout


def aes_ctr(key: bytes, counter: bytes, data: bytes) -> bytes:
    if Cipher:
        e = Cipher(algorithms.AES(key), modes.CTR(counter)).encryptor()
        return e.update(data) + e.finalize()
    return subprocess.run(["openssl", "enc", "-aes-128-ctr", "-K", key.hex(), "-iv", counter.hex()],
                          input=data, capture_output=True, check=True).stdout


# ---------------------------------------------------------------------------------------------
# ISO BMFF reading


def boxes(b: bytes, start: int = 0, end: int = None) -> list:
    """[(type, start, size)] of the boxes directly inside [start, end)."""
    end = len(b) if end is None else end
    out = []
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", b[start:start + 8])
        if size < 8 or start + size > end:
            break
        out.append((kind.decode("latin1"), start, size))
        start += size
    return out


def child(b: bytes, parent, kind: str, skip: int = 0):
    """The first `kind` box inside `parent` ((type, start, size), or None for the file)."""
    begin, end = (parent[1] + 8 + skip, parent[1] + parent[2]) if parent else (0, len(b))
    return next((x for x in boxes(b, begin, end) if x[0] == kind), None)


def path(b: bytes, *kinds: str):
    box = None
    for k in kinds:
        box = child(b, box, k)
        if box is None:
            return None
    return box


def read_init(init: bytes) -> dict:
    """What an encrypted init segment declares (or {'entry': type} for a clear one)."""
    stsd = path(init, "moov", "trak", "mdia", "minf", "stbl", "stsd")
    entry = boxes(init, stsd[1] + 16, stsd[1] + stsd[2])[0]
    out = {"entry": entry[0], "pssh": []}
    for p in boxes(init, path(init, "moov")[1] + 8, path(init, "moov")[1] + path(init, "moov")[2]):
        if p[0] == "pssh":
            body = init[p[1] + 8:p[1] + p[2]]
            kids = [body[24 + 16 * i:40 + 16 * i].hex() for i in range(struct.unpack(">I", body[20:24])[0])]
            out["pssh"].append({"system": body[4:20].hex(), "kids": kids})
    if entry[0] not in ("encv", "enca"):
        return out
    sinf = child(init, entry, "sinf", 78 if entry[0] == "encv" else 28)
    frma, schm, tenc = child(init, sinf, "frma"), child(init, sinf, "schm"), child(init, child(init, sinf, "schi"), "tenc")
    t = init[tenc[1] + 8:tenc[1] + tenc[2]]
    out.update(frma=init[frma[1] + 8:frma[1] + 12].decode(), scheme=init[schm[1] + 12:schm[1] + 16].decode(),
               scheme_version=struct.unpack(">I", init[schm[1] + 16:schm[1] + 20])[0], tenc_version=t[0],
               crypt=t[5] >> 4, skip=t[5] & 15, protected=t[6], iv_size=t[7], kid=t[8:24].hex())
    if t[6] == 1 and t[7] == 0:
        out["constant_iv"] = t[25:25 + t[24]].hex()
    return out


def read_fragment(seg: bytes, iv_size: int) -> dict:
    """The samples of a one-traf fragment with their senc entries and any seig entry."""
    moof, mdat = child(seg, None, "moof"), child(seg, None, "mdat")
    traf = child(seg, moof, "traf")
    trun = child(seg, traf, "trun")
    flags = struct.unpack(">I", seg[trun[1] + 8:trun[1] + 12])[0] & 0xffffff
    count, offset = struct.unpack(">Ii", seg[trun[1] + 12:trun[1] + 20])
    per = 4 * sum(1 for f in (0x100, 0x200, 0x400, 0x800) if flags & f)
    at, sizes = trun[1] + 20, []
    for i in range(count):
        sizes.append(struct.unpack(">I", seg[at + (4 if flags & 0x100 else 0):at + (8 if flags & 0x100 else 4)])[0])
        at += per
    out = {"samples": [], "seig": None, "moof_pssh": [x for x in boxes(seg, moof[1] + 8, moof[1] + moof[2]) if x[0] == "pssh"]}
    senc, header = child(seg, traf, "senc"), 8
    if senc is None:  # Smooth Streaming: PIFF 1.1's SampleEncryptionBox, a uuid box with senc's fields
        senc = next((x for x in boxes(seg, traf[1] + 8, traf[1] + traf[2])
                     if x[0] == "uuid" and seg[x[1] + 8:x[1] + 24] == PIFF_SAMPLE_ENCRYPTION), None)
        header = 24
    entries = [{"iv": b"", "subsamples": []} for _ in range(count)]
    if senc:
        sflags, scount = struct.unpack(">II", seg[senc[1] + header:senc[1] + header + 8])
        check_eq(scount, count, "senc: one entry per sample")
        at = senc[1] + header + 8
        for e in entries:
            e["iv"], at = seg[at:at + iv_size], at + iv_size
            if sflags & 2:
                n = struct.unpack(">H", seg[at:at + 2])[0]
                e["subsamples"] = [struct.unpack(">HI", seg[at + 2 + 6 * k:at + 8 + 6 * k]) for k in range(n)]
                at += 2 + 6 * n
    sgpd = child(seg, traf, "sgpd")
    if sgpd and seg[sgpd[1] + 12:sgpd[1] + 16] == b"seig":
        e = seg[sgpd[1] + 24:sgpd[1] + sgpd[2]]
        out["seig"] = {"crypt": e[1] >> 4, "skip": e[1] & 15, "iv_size": e[3], "kid": e[4:20].hex(),
                       "constant_iv": e[21:21 + e[20]].hex() if e[3] == 0 else None}
    at = moof[1] + offset
    check_eq(at, mdat[1] + 8, "trun data_offset points at mdat's payload")
    for size, e in zip(sizes, entries):
        out["samples"].append({"data": seg[at:at + size], **e})
        at += size
    return out


def decrypt_sample(sample: dict, key: bytes, scheme: str, constant_iv: bytes, crypt: int, skip: int) -> bytes:
    """One sample decrypted as ISO/IEC 23001-7 says, written independently of mediaemu's C++."""
    data = bytearray(sample["data"])
    ranges, at = [], 0
    for clear, protected in sample["subsamples"] or [(0, len(data))]:
        ranges.append((at + clear, protected))
        at += clear + protected
    if scheme == "cenc":  # one key stream over the sample's protected bytes (§9.5.2.1)
        joined = b"".join(bytes(data[s:s + n]) for s, n in ranges)
        plain = aes_ctr(key, sample["iv"] + bytes(8), joined)
        for s, n in ranges:
            data[s:s + n], plain = plain[:n], plain[n:]
        return bytes(data)
    for s, n in ranges:  # cbcs: a new chain per range, whole blocks, pattern crypt:skip (§10.4.2, §9.6)
        whole = n // 16 * 16
        step = (crypt + skip) * 16 if crypt else whole or 16
        blocks = [(s + o, min(crypt * 16 if crypt else whole, whole - o)) for o in range(0, whole, step)]
        if not blocks:
            continue
        plain = aes_cbc_decrypt(key, constant_iv, b"".join(bytes(data[o:o + m]) for o, m in blocks))
        for o, m in blocks:
            data[o:o + m], plain = plain[:m], plain[m:]
    return bytes(data)


# ---------------------------------------------------------------------------------------------


def endpoint(mp, eid: str, encryption: dict = None) -> str:
    package = {"SegmentDurationSeconds": 2, "HlsManifests": [{"Id": eid, "ManifestName": "index",
                                                              "PlaylistWindowSeconds": 60}]}
    if encryption:
        package["Encryption"] = encryption
    created = mp.create_origin_endpoint(ChannelId="cmafenc", Id=eid, CmafPackage=package)
    return created["CmafPackage"]["HlsManifests"][0]["Url"]


def speke(t, resource: str) -> dict:
    return {"Url": t.endpoint + "/_mediaemu/speke/v1", "ResourceId": resource, "SystemIds": [CLEARKEY],
            "RoleArn": "arn:aws:iam::123456789012:role/SpekeAccess"}


def garbage_key_server() -> http.server.HTTPServer:
    """A "key server" on loopback answering every POST with 200 and XML that is not CPIX."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<?xml version='1.0'?><html><body>garbage</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_setup(t):
    media.require_player_tools("ffmpeg", "node")
    if Cipher is None and subprocess.run(["which", "openssl"], capture_output=True).returncode != 0:
        print("SKIP: needs python3-cryptography or the openssl CLI to decrypt segments")
        raise SystemExit(77)
    ml, mp = t.client("medialive"), t.client("mediapackage")
    channel = mp.create_channel(Id="cmafenc")
    S["cbcs"] = endpoint(mp, "cmaf-cbcs", {"EncryptionMethod": "SAMPLE_AES", "KeyRotationIntervalSeconds": 0,
                                           "SpekeKeyProvider": speke(t, "cmaf-cbcs")})
    S["cenc"] = endpoint(mp, "cmaf-cenc", {"EncryptionMethod": "AES_CTR", "KeyRotationIntervalSeconds": 0,
                                           "SpekeKeyProvider": speke(t, "cmaf-cenc")})
    S["rotate"] = endpoint(mp, "cmaf-rotate", {"EncryptionMethod": "SAMPLE_AES", "KeyRotationIntervalSeconds": 6,
                                               "ConstantInitializationVector": ROTATE_IV,
                                               "SpekeKeyProvider": speke(t, "cmaf-rotate")})
    S["presets"] = endpoint(mp, "cmaf-presets", {"EncryptionMethod": "SAMPLE_AES", "KeyRotationIntervalSeconds": 0,
                                                 "SpekeKeyProvider": {
                                                     **speke(t, "cmaf-presets"), "Url": t.endpoint + "/_mediaemu/speke/v2",
                                                     "EncryptionContractConfiguration": {
                                                         "PresetSpeke20Video": "PRESET-VIDEO-1",
                                                         "PresetSpeke20Audio": "PRESET-AUDIO-1"}}})
    S["clear"] = endpoint(mp, "cmaf-clear")
    S["garbage_server"] = garbage_key_server()
    S["garbage"] = endpoint(mp, "cmaf-garbage", {"EncryptionMethod": "SAMPLE_AES", "SpekeKeyProvider": {
        **speke(t, "cmaf-garbage"), "Url": f"http://127.0.0.1:{S['garbage_server'].server_port}/speke"}})
    mss = {"SegmentDurationSeconds": 2, "ManifestWindowSeconds": 60}
    S["mss"] = mp.create_origin_endpoint(ChannelId="cmafenc", Id="mss-playready", MssPackage={
        **mss, "Encryption": {"SpekeKeyProvider": {**speke(t, "mss-playready"), "SystemIds": [PLAYREADY]}}})["Url"]
    S["mss_clear"] = mp.create_origin_endpoint(ChannelId="cmafenc", Id="mss-clear", MssPackage=mss)["Url"]
    push_url = media.start_channel_to_mediapackage(ml, "cmafenc", channel, ladder=LADDER)
    S["push"] = media.Push(push_url, 150, log_dir=t.server.tmp, label="cmafenc").start()


def playlists(master_url: str, what: str, segments: int = 4, timeout: float = 90) -> list:
    """[video, audio] media playlists once each lists `segments` segments (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        master = media.master_playlist(master_url, what) if media.fetch(master_url).status == 200 else None
        if master and master["variants"] and master["media"]:
            out = [media.media_playlist(master["variants"][0]["url"], what),
                   media.media_playlist(master["media"][0]["url"], what)]
            if all(p and len(p.segments) >= segments for p in out):
                return out
        time.sleep(1)
    check(False, f"{what}: video and audio playlists with {segments} segments within {timeout} s")
    return []


def key_of(t, uri: str) -> tuple[str, bytes]:
    """(kid hex, key) from a key URI of the local server (…/_mediaemu/speke/key?resource=&kid=)."""
    kid = parse_qs(urlparse(uri).query)["kid"][0]
    r = media.fetch(uri)
    check_eq((r.status, len(r.body)), (200, 16), f"the key URI serves 16 key bytes ({uri})")
    return kid.replace("-", ""), r.body


def segment_pair(pl, clear_pl, sequence: int) -> tuple[bytes, bytes]:
    enc, clear = pl.uri_of(sequence), clear_pl.uri_of(sequence)
    a, b = media.fetch(media.urljoin(pl.url, enc)), media.fetch(media.urljoin(clear_pl.url, clear))
    check_eq((a.status, b.status), (200, 200), f"segment {sequence} of both endpoints")
    return a.body, b.body


def check_endpoint(t, name: str, scheme: str, method: str):
    pls, clear = playlists(S[name], name), playlists(S["clear"], "clear")
    if not pls or not clear:
        return
    for kind, pl, clear_pl in zip(("video", "audio"), pls, clear):
        what = f"{name} {kind}"
        keys = pl.tags.get("EXT-X-KEY", [])
        if not check(len(keys) == 1, f"{what}: one EXT-X-KEY (no rotation)", 1, pl.text[:600]):
            continue
        a = media.attributes(keys[0])
        check_eq((a.get("METHOD"), "KEYFORMAT" in a, "IV" in a), (method, False, False),
                 f"{what}: EXT-X-KEY METHOD={method}, no KEYFORMAT (identity) and no IV (it is in tenc/senc)")
        check(pl.text.index("#EXT-X-KEY") < pl.text.index("#EXTINF"), f"{what}: EXT-X-KEY before the first segment")
        check("EXT-X-KEY" not in clear_pl.text, f"clear {kind}: no EXT-X-KEY")
        kid, key = key_of(t, a["URI"])
        S.setdefault(name + "_key", key)
        map_uri = media.attributes(pl.tag("EXT-X-MAP"))["URI"]
        init = read_init(media.fetch(media.urljoin(pl.url, map_uri)).body)
        video = kind == "video"
        check_eq((init["entry"], init.get("frma"), init.get("scheme"), init.get("scheme_version"), init.get("kid")),
                 ("encv" if video else "enca", "avc1" if video else "mp4a", scheme, 0x10000, kid),
                 f"{what}: init sample entry, frma, schm {scheme} 1.0, tenc default_KID = the EXT-X-KEY kid")
        if scheme == "cbcs":
            check_eq((init["tenc_version"], init["crypt"], init["skip"], init["iv_size"], len(init.get("constant_iv", ""))),
                     (1, 1 if video else 0, 9 if video else 0, 0, 32),
                     f"{what}: tenc v1, pattern {'1:9' if video else '0:0'}, Per_Sample_IV_Size 0, 16-byte constant IV")
        else:
            check_eq((init["tenc_version"], init["iv_size"]), (0, 8), f"{what}: tenc v0 with 8-byte per-sample IVs")
        check_eq(init["pssh"], [{"system": CLEARKEY.replace("-", ""), "kids": [kid]}],
                 f"{what}: a W3C ClearKey pssh naming the key")
        clear_init = read_init(media.fetch(media.urljoin(clear_pl.url, media.attributes(clear_pl.tag("EXT-X-MAP"))["URI"])).body)
        check_eq(clear_init["entry"], "avc1" if video else "mp4a", f"clear {kind}: a clear sample entry")

        sequence = max(pl.media_sequence, clear_pl.media_sequence) + 1
        seg, clear_seg = segment_pair(pl, clear_pl, sequence)
        frag, clear_frag = read_fragment(seg, init["iv_size"]), read_fragment(clear_seg, 0)
        check_eq(len(frag["samples"]), len(clear_frag["samples"]), f"{what}: segment {sequence} has the clear one's samples")
        constant_iv = bytes.fromhex(init.get("constant_iv", ""))
        same = sum(1 for s, c in zip(frag["samples"], clear_frag["samples"])
                   if decrypt_sample(s, key, scheme, constant_iv, init["crypt"], init["skip"]) == c["data"])
        encrypted = sum(1 for s, c in zip(frag["samples"], clear_frag["samples"]) if s["data"] != c["data"])
        check_eq(same, len(clear_frag["samples"]), f"{what}: every sample decrypts to the clear endpoint's bytes")
        check(encrypted >= len(clear_frag["samples"]) * 0.9, f"{what}: the samples are encrypted", encrypted,
              len(clear_frag["samples"]))
        if video:
            S[name + "_segments"] = (map_uri, pl, clear_pl, sequence)

    # The ClearKey licence of the local server gives the same key.
    kid = read_init(media.fetch(media.urljoin(pls[0].url, media.attributes(pls[0].tag("EXT-X-MAP"))["URI"])).body)["kid"]
    kid64 = base64.urlsafe_b64encode(bytes.fromhex(kid)).decode().rstrip("=")
    r = harness.raw_request(t.endpoint, "POST", f"/_mediaemu/speke/clearkey?resource=cmaf-{scheme}",
                            json.dumps({"kids": [kid64], "type": "temporary"}), sign=False)
    k = r.json()["keys"][0]["k"] if r.status == 200 else ""
    check_eq(base64.urlsafe_b64decode(k + "=" * (-len(k) % 4)), S.get(name + "_key"), f"{name}: the ClearKey licence gives that key")


def test_cbcs(t):
    check_endpoint(t, "cbcs", "cbcs", "SAMPLE-AES")


def test_cenc(t):
    check_endpoint(t, "cenc", "cenc", "SAMPLE-AES-CTR")


def framemd5(path: Path, *args: str) -> tuple[int, str, list]:
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *args, "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr, [l.rsplit(",", 1)[-1].strip() for l in r.stdout.splitlines() if not l.startswith("#")]


def test_ffmpeg_decrypts(t):
    for name in ("cenc", "cbcs"):
        if name + "_segments" not in S:
            continue
        map_uri, pl, clear_pl, sequence = S[name + "_segments"]
        enc = media.download([media.urljoin(pl.url, map_uri), media.urljoin(pl.url, pl.uri_of(sequence))],
                             t.server.tmp / f"{name}.mp4")
        clear = media.download([media.urljoin(clear_pl.url, media.attributes(clear_pl.tag("EXT-X-MAP"))["URI"]),
                                media.urljoin(clear_pl.url, clear_pl.uri_of(sequence))], t.server.tmp / f"{name}-clear.mp4")
        _, _, clear_frames = framemd5(clear)
        rc, err, frames = framemd5(enc, "-decryption_key", S[name + "_key"].hex())
        if name == "cbcs" and (rc != 0 or err.strip()) and "cenc" in err:
            version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
            print(f"    note: this ffmpeg ({version}) does not decrypt 'cbcs' ({err.strip().splitlines()[0]}); "
                  "the samples were decrypted in Python above instead")
            continue
        check_eq((rc, err.strip()), (0, ""), f"{name}: ffmpeg -decryption_key decodes init + segment cleanly")
        check(len(frames) > 0 and frames == clear_frames, f"{name}: ffmpeg's decrypted frames are the clear endpoint's",
              len(clear_frames), len(frames))
        rc, err, _ = framemd5(enc)
        check(rc != 0 or err.strip() != "", f"{name}: without the key ffmpeg cannot decode it", "errors", err[-200:])
        rc, err, _ = framemd5(enc, "-decryption_key", "ff" * 16)
        check(rc != 0 or err.strip() != "", f"{name}: with a wrong key neither", "errors", err[-200:])


def test_key_rotation(t):
    """KeyRotationIntervalSeconds 6 with 2 s segments: a second key within the playlist; its
    segments name it in seig (with the configured constant IV) and decrypt with it."""
    deadline, pl, clear = time.monotonic() + 60, None, None
    while time.monotonic() < deadline:
        pls = playlists(S["rotate"], "rotate", 2)
        pl = pls[0] if pls else None
        if pl and len({media.attributes(k)["URI"] for k in pl.tags.get("EXT-X-KEY", [])}) >= 2:
            break
        time.sleep(2)
    keys = pl.tags.get("EXT-X-KEY", []) if pl else []
    if not check(len({media.attributes(k)["URI"] for k in keys}) >= 2, "rotate: two keys in the video playlist", 2,
                 pl and pl.text[:900]):
        return
    clear = playlists(S["clear"], "clear")[0]
    init = read_init(media.fetch(media.urljoin(pl.url, media.attributes(pl.tag("EXT-X-MAP"))["URI"])).body)
    check_eq(init.get("constant_iv"), ROTATE_IV, "rotate: tenc's constant IV is ConstantInitializationVector")
    # The segment after the last EXT-X-KEY line: under the newest key.
    lines, current, by_sequence = pl.lines, None, {}
    sequence = pl.media_sequence
    for line in lines:
        if line.startswith("#EXT-X-KEY:"):
            current = media.attributes(line.split(":", 1)[1])["URI"]
        elif not line.startswith("#"):
            by_sequence[sequence] = current
            sequence += 1
    first_kid = init["kid"]
    later = [s for s, uri in by_sequence.items() if key_of(t, uri)[0] != first_kid and clear.uri_of(s)]
    if not check(later, "rotate: a segment under a later key that the clear endpoint also lists", by_sequence):
        return
    kid, key = key_of(t, by_sequence[later[0]])
    seg, clear_seg = segment_pair(pl, clear, later[0])
    frag, clear_frag = read_fragment(seg, 0), read_fragment(clear_seg, 0)
    check_eq(frag["seig"], {"crypt": 1, "skip": 9, "iv_size": 0, "kid": kid, "constant_iv": ROTATE_IV},
             "rotate: the later key's segment names it in sgpd 'seig' (pattern 1:9, constant IV)")
    check_eq(len(frag["moof_pssh"]), 1, "rotate: and carries its ClearKey pssh in moof")
    same = sum(1 for s, c in zip(frag["samples"], clear_frag["samples"])
               if decrypt_sample(s, key, "cbcs", bytes.fromhex(ROTATE_IV), 1, 9) == c["data"])
    check_eq((same, len(frag["samples"])), (len(clear_frag["samples"]),) * 2,
             "rotate: the later segment decrypts with the later key to the clear samples")


def test_garbage_key_server_gives_404(t):
    """The key provider answers garbage: no key ever, so nothing is published (MP-UG
    drm-content-key-rotation: no key -> playback 404), the failure is logged, the server lives."""
    check_eq(media.fetch(S["garbage"]).status, 404, "cmaf-garbage: master playlist 404 (no key ever)")
    check_eq(media.fetch(S["garbage"].rsplit("/", 1)[0] + "/index_1.m3u8").status, 404, "cmaf-garbage: media playlist 404")
    log = t.server.log_path.read_text(errors="replace")
    check("endpoint cmaf-garbage: key provider SPEKE" in log and "unusable CPIX answer" in log,
          "the unusable key server answer is logged", "key provider ... failed ... unusable CPIX answer")
    check_eq(media.fetch(t.endpoint + "/_mediaemu/health").status, 200, "mediaemu still answers")
    S["garbage_server"].shutdown()


def test_speke_v2_presets(t):
    pls = playlists(S["presets"], "presets", 2)
    if not pls:
        return
    kids = []
    for kind, pl in zip(("video", "audio"), pls):
        keys = pl.tags.get("EXT-X-KEY", [])
        if not check(len(keys) == 1, f"presets {kind}: one EXT-X-KEY, from the key server's HLSSignalingData", 1,
                     pl.text[:600]):
            return
        a = media.attributes(keys[0])
        check_eq(a.get("METHOD"), "SAMPLE-AES", f"presets {kind}: METHOD=SAMPLE-AES ('cbcs')")
        kid, _ = key_of(t, a["URI"])
        init = read_init(media.fetch(media.urljoin(pl.url, media.attributes(pl.tag("EXT-X-MAP"))["URI"])).body)
        check_eq(init.get("kid"), kid, f"presets {kind}: the init segment's default_KID is the playlist's key")
        kids.append(kid)
    check(len(set(kids)) == 2, "PRESET-VIDEO-1 / PRESET-AUDIO-1: video and audio under keys of their own", "two", kids)
    S["presets_key"] = True
    log = t.server.log_path.read_text(errors="replace")
    check("speke: CPIX answer (SPEKE v2) for resource cmaf-presets kid " in log, "one SPEKE v2.0 request for the contract")


def playready_kid(protection_header: str) -> str:
    """The key id (hex, big-endian) a PlayReady Object's header names: its <KID VALUE> is the GUID
    in little-endian byte order (PlayReady Header Specification §3.6)."""
    pro = base64.b64decode(protection_header)
    length, records = struct.unpack("<IH", pro[:6])
    check_eq((length, records), (len(pro), 1), "the PlayReady Object's length and its one record")
    kind, size = struct.unpack("<HH", pro[6:10])
    header = pro[10:10 + size].decode("utf-16-le")
    check(kind == 1 and 'version="4.3.0.0"' in header, "a PlayReady Header v4.3.0.0 record", "type 1", header[:200])
    m = re.search(r'<KID (?:ALGID="AESCTR" )?VALUE="([^"]+)"', header)
    if not check(m is not None, "the header names the key id", "<KID VALUE=…>", header):
        return ""
    guid = base64.b64decode(m.group(1))
    return (guid[3::-1] + guid[5:3:-1] + guid[7:5:-1] + guid[8:]).hex()


def test_mss_playready(t):
    """MssPackage.Encryption: the manifest's Protection names PlayReady with its header, and the
    fragments (PIFF sample encryption) decrypt to the clear MSS endpoint's samples."""
    deadline, manifests = time.monotonic() + 60, None
    while time.monotonic() < deadline and manifests is None:
        pair = [media.fetch(S["mss"]), media.fetch(S["mss_clear"])]
        if all(r.status == 200 and r.body.count(b"<c ") >= 6 for r in pair):
            manifests = [r.body.decode() for r in pair]
        else:
            time.sleep(1)
    if not check(manifests is not None, "both MSS endpoints publish 3 fragments a stream within 60 s"):
        return
    header = re.search(r'<Protection>\s*<ProtectionHeader SystemID="([^"]+)">([^<]+)</ProtectionHeader>', manifests[0])
    if not check(header is not None, "the MSS manifest has a Protection element", "<Protection>", manifests[0][:500]):
        return
    check_eq(header.group(1).lower(), PLAYREADY, "its ProtectionHeader is PlayReady's")
    check("<Protection>" not in manifests[1], "the clear endpoint's manifest has none")
    kid = playready_kid(header.group(2))
    r = media.fetch(f"{t.endpoint}/_mediaemu/speke/key?resource=mss-playready&kid="
                    f"{kid[:8]}-{kid[8:12]}-{kid[12:16]}-{kid[16:20]}-{kid[20:]}")
    if not check_eq((r.status, len(r.body)), (200, 16), "the key server serves the header's key id"):
        return
    for stream in ("video", "audio"):
        found = [re.search(rf'<StreamIndex Type="{stream}"[\s\S]*?Bitrate="(\d+)"[\s\S]*?<c t="\d+"[^>]*/>\s*<c t="(\d+)"', m)
                 for m in manifests]
        if not check(all(found) and found[0].groups() == found[1].groups(), f"{stream}: both endpoints list the same fragment",
                     found[1] and found[1].groups(), found[0] and found[0].groups()):
            continue
        bitrate, start = found[0].groups()
        name = f"QualityLevels({bitrate})/Fragments({stream}={start})"
        enc, clear = (media.fetch(u.rsplit("/", 1)[0] + "/" + name) for u in (S["mss"], S["mss_clear"]))
        check_eq((enc.status, clear.status), (200, 200), f"{stream}: {name} of both endpoints")
        frag, clear_frag = read_fragment(enc.body, 8), read_fragment(clear.body, 0)
        same = sum(1 for s, c in zip(frag["samples"], clear_frag["samples"])
                   if decrypt_sample(s, r.body, "cenc", b"", 0, 0) == c["data"])
        changed = sum(1 for s, c in zip(frag["samples"], clear_frag["samples"]) if s["data"] != c["data"])
        print(f"    MSS {stream} {name}: {same} of {len(frag['samples'])} samples decrypt to the clear ones, "
              f"{changed} differ before", flush=True)
        check_eq((len(frag["samples"]), same), (len(clear_frag["samples"]),) * 2,
                 f"{stream}: every sample decrypts (PIFF IVs and subsamples, AES-CTR) to the clear fragment's")
        check(changed > 0, f"{stream}: the samples are encrypted", "changed samples", changed)


def test_shaka_plays(t):
    plays = [{"player": "shaka", "url": S[n], "minSeconds": 6,
              "clearKeyLicence": f"{t.endpoint}/_mediaemu/speke/clearkey?resource=cmaf-{n}"}
             for n in ("cbcs", "cenc", "presets") if n + "_key" in S]
    if not plays:
        return
    results, tail = media.play_in_browser(plays, together=True)
    for play in plays:
        res = next((x for x in results if x.get("url") == play["url"]), None)
        if not check(res is not None, f"shaka {play['url']}: a result", tail):
            continue
        print(f"    shaka {play['url']}: played {res.get('played', 0):.1f} s, errors {res.get('errors')}")
        check(res["ok"], f"Shaka plays the CMAF HLS ({play['url'].rsplit('/', 3)[-3]}) with ClearKey in Chromium", "ok",
              {k: res.get(k) for k in ("played", "errors", "consoleErrors", "readyState")})
    S["push"].stop()


harness.main(globals())
