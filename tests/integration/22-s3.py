#!/usr/bin/env python3
"""S3 against mediaemu with real clients: boto3 (multipart upload_file, ranges, paging, copy,
delete-objects, bucket configurations, virtual-hosted addressing, errors), the AWS CLI v1 and v2
(`aws s3 mb/cp/ls/rm/rb/website`), object versions (delete markers, ListObjectVersions, suspended
versioning, DeleteBucket refused while versions remain), the static website endpoint, malformed input, and a restart
that keeps every bucket, configuration and object.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

try:
    import boto3  # noqa: F401
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
except ImportError:
    print("SKIP: boto3 is not installed (python3 -m pip install boto3)")
    sys.exit(77)

unique = harness.unique


def s3(t):
    return t.client("s3")


def multipart_etag(data: bytes, part_size: int) -> str:
    digests = [hashlib.md5(data[i:i + part_size]).digest() for i in range(0, len(data), part_size)]
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(digests)}"'


def test_buckets(t):
    c = s3(t)
    name = unique("bucket")
    c.create_bucket(Bucket=name)
    c.create_bucket(Bucket=name)  # us-east-1: re-creating your own bucket answers 200
    c.head_bucket(Bucket=name)
    check(name in [b["Name"] for b in c.list_buckets()["Buckets"]], "ListBuckets lists the bucket")
    check_eq(c.get_bucket_location(Bucket=name).get("LocationConstraint"), None, "us-east-1 location is empty")
    eu = t.client("s3", region="eu-west-1")
    eu_name = unique("eu-bucket")
    eu.create_bucket(Bucket=eu_name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    check_eq(eu.get_bucket_location(Bucket=eu_name)["LocationConstraint"], "eu-west-1", "eu-west-1 location")
    expect_error(lambda: eu.create_bucket(Bucket=eu_name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}),
                 409, "BucketAlreadyOwnedByYou", "re-creating outside us-east-1 is 409")
    expect_error(lambda: c.create_bucket(Bucket="Bad_Name"), 400, "InvalidBucketName", "invalid bucket name")
    expect_error(lambda: c.get_bucket_location(Bucket=unique("missing")), 404, "NoSuchBucket", "NoSuchBucket")
    expect_error(lambda: c.head_bucket(Bucket=unique("missing")), 404, "404", "HeadBucket of a missing bucket")
    c.put_object(Bucket=name, Key="x", Body=b"1")
    expect_error(lambda: c.delete_bucket(Bucket=name), 409, "BucketNotEmpty", "deleting a non-empty bucket")
    c.delete_object(Bucket=name, Key="x")
    c.delete_bucket(Bucket=name)
    c.delete_bucket(Bucket=eu_name)
    check(name not in [b["Name"] for b in c.list_buckets()["Buckets"]], "deleted bucket no longer listed")


def test_put_get_ranges_and_conditions(t):
    c = s3(t)
    b = unique("objects")
    c.create_bucket(Bucket=b)
    body = bytes(range(256)) * 40
    put = c.put_object(Bucket=b, Key="dir/data.bin", Body=body, ContentType="application/x-test",
                       Metadata={"origin": "test"}, CacheControl="max-age=60")
    check_eq(put["ETag"], f'"{hashlib.md5(body).hexdigest()}"', "PutObject ETag is the MD5")
    got = c.get_object(Bucket=b, Key="dir/data.bin")
    check(got["Body"].read() == body, "GetObject returns the bytes")
    check_eq(got["ContentType"], "application/x-test", "content type kept")
    check_eq(got["Metadata"], {"origin": "test"}, "user metadata kept")
    check_eq(got["CacheControl"], "max-age=60", "Cache-Control kept")
    check_eq(got["ContentLength"], len(body), "ContentLength")
    head = c.head_object(Bucket=b, Key="dir/data.bin")
    check_eq(head["ContentLength"], len(body), "HeadObject ContentLength")
    check_eq(head["ETag"], put["ETag"], "HeadObject ETag")
    part = c.get_object(Bucket=b, Key="dir/data.bin", Range="bytes=100-199")
    check_eq(part["ResponseMetadata"]["HTTPStatusCode"], 206, "Range answers 206")
    check_eq(part["ContentRange"], f"bytes 100-199/{len(body)}", "Content-Range")
    check(part["Body"].read() == body[100:200], "range bytes")
    tail = c.get_object(Bucket=b, Key="dir/data.bin", Range="bytes=-10")
    check(tail["Body"].read() == body[-10:], "suffix range bytes")
    expect_error(lambda: c.get_object(Bucket=b, Key="dir/data.bin", Range=f"bytes={len(body)}-"), 416, "InvalidRange",
                 "range past the end")
    expect_error(lambda: c.get_object(Bucket=b, Key="dir/data.bin", IfNoneMatch=put["ETag"]), 304, "304",
                 "If-None-Match with the current ETag is 304")
    expect_error(lambda: c.get_object(Bucket=b, Key="dir/data.bin", IfMatch='"0000"'), 412, "PreconditionFailed",
                 "If-Match with another ETag is 412")
    expect_error(lambda: c.get_object(Bucket=b, Key="missing"), 404, "NoSuchKey", "NoSuchKey")
    expect_error(lambda: c.get_object(Bucket=unique("nobucket"), Key="k"), 404, "NoSuchBucket", "NoSuchBucket on get")
    expect_error(lambda: c.put_object(Bucket=b, Key="../escape", Body=b"x"), 400, "InvalidArgument",
                 "a key with '..' is refused")
    check(not (t.server.data_dir / "s3" / "escape").exists(), "nothing written outside the bucket")
    c.put_object(Bucket=b, Key="empty", Body=b"")
    check_eq(c.get_object(Bucket=b, Key="empty")["Body"].read(), b"", "empty object")


def test_multipart_upload_file(t):
    c = s3(t)
    b = unique("multipart")
    c.create_bucket(Bucket=b)
    data = os.urandom(20 * 1024 * 1024)
    with tempfile.NamedTemporaryFile() as f, tempfile.TemporaryDirectory() as out:
        f.write(data)
        f.flush()
        part = 8 * 1024 * 1024
        c.upload_file(f.name, b, "big/file.bin", Config=TransferConfig(multipart_threshold=part, multipart_chunksize=part))
        head = c.head_object(Bucket=b, Key="big/file.bin")
        check_eq(head["ETag"], multipart_etag(data, part), "multipart ETag = md5 of part md5s + -3")
        check_eq(head["ContentLength"], len(data), "multipart size")
        target = Path(out) / "back.bin"
        c.download_file(b, "big/file.bin", str(target))
        check(target.read_bytes() == data, "20 MB round trip is byte-identical")
    # The low-level calls: ListParts, ListMultipartUploads, Abort, and the errors.
    up = c.create_multipart_upload(Bucket=b, Key="manual", ContentType="text/plain")
    c.upload_part(Bucket=b, Key="manual", UploadId=up["UploadId"], PartNumber=1, Body=b"small")
    parts = c.list_parts(Bucket=b, Key="manual", UploadId=up["UploadId"])["Parts"]
    check_eq([p["PartNumber"] for p in parts], [1], "ListParts")
    uploads = c.list_multipart_uploads(Bucket=b).get("Uploads", [])
    check_eq([u["UploadId"] for u in uploads], [up["UploadId"]], "ListMultipartUploads")
    expect_error(lambda: c.complete_multipart_upload(
        Bucket=b, Key="manual", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]}),
        400, "InvalidPart", "completing with a wrong ETag")
    c.abort_multipart_upload(Bucket=b, Key="manual", UploadId=up["UploadId"])
    expect_error(lambda: c.list_parts(Bucket=b, Key="manual", UploadId=up["UploadId"]), 404, "NoSuchUpload",
                 "an aborted upload is gone")
    expect_error(lambda: c.head_object(Bucket=b, Key="manual"), 404, "404", "an aborted upload leaves no object")


def test_list_objects_paging(t):
    c = s3(t)
    b = unique("listing")
    c.create_bucket(Bucket=b)
    keys = [f"logs/{i // 100:02d}/entry-{i:04d}.txt" for i in range(1500)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: c.put_object(Bucket=b, Key=k, Body=k.encode()), keys))  # clients are thread-safe
    pages = list(c.get_paginator("list_objects_v2").paginate(Bucket=b))
    check_eq(len(pages), 2, "1,500 keys come in two pages")
    check_eq([p["KeyCount"] for p in pages], [1000, 500], "KeyCount per page")
    listed = [o["Key"] for p in pages for o in p["Contents"]]
    check_eq(listed, sorted(keys), "every key once, in order")
    small = c.list_objects_v2(Bucket=b, MaxKeys=7, StartAfter="logs/03/entry-0399.txt")
    check_eq([o["Key"] for o in small["Contents"]], sorted(keys)[400:407], "StartAfter + MaxKeys")
    check(small["IsTruncated"] and "NextContinuationToken" in small, "truncated page has a token")
    nxt = c.list_objects_v2(Bucket=b, MaxKeys=3, ContinuationToken=small["NextContinuationToken"])
    check_eq([o["Key"] for o in nxt["Contents"]], sorted(keys)[407:410], "continuation resumes")
    folders = c.list_objects_v2(Bucket=b, Prefix="logs/", Delimiter="/")
    check_eq([p["Prefix"] for p in folders["CommonPrefixes"]], [f"logs/{i:02d}/" for i in range(15)], "CommonPrefixes")
    check_eq(folders["KeyCount"], 15, "KeyCount counts prefixes")
    v1 = list(c.get_paginator("list_objects").paginate(Bucket=b, Prefix="logs/14/"))
    check_eq(sum(len(p.get("Contents", [])) for p in v1), 100, "ListObjects v1 with a prefix")
    odd = "odd key+with spaces&ü.txt"
    c.put_object(Bucket=b, Key=odd, Body=b"x")
    listed_odd = c.list_objects_v2(Bucket=b, Prefix="odd")  # botocore sends encoding-type=url
    check_eq([o["Key"] for o in listed_odd.get("Contents", [])], [odd], "url-encoded keys decode back")
    # DeleteObjects in batches of 1,000, quiet and not.
    for start, quiet in ((0, True), (1000, False)):
        batch = keys[start:start + 1000] + ([odd] if not quiet else [])
        r = c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": quiet})
        check_eq(len(r.get("Deleted", [])), 0 if quiet else len(batch), f"DeleteObjects Quiet={quiet}")
        check_eq(r.get("Errors", []), [], "no DeleteObjects errors")
    check_eq(c.list_objects_v2(Bucket=b)["KeyCount"], 0, "bucket empty after DeleteObjects")
    c.delete_bucket(Bucket=b)


def test_copy_object(t):
    c = s3(t)
    b = unique("copy")
    c.create_bucket(Bucket=b)
    c.put_object(Bucket=b, Key="src.txt", Body=b"hello", ContentType="text/plain", Metadata={"a": "1"})
    r = c.copy_object(Bucket=b, Key="dst.txt", CopySource={"Bucket": b, "Key": "src.txt"})
    check_eq(r["CopyObjectResult"]["ETag"], f'"{hashlib.md5(b"hello").hexdigest()}"', "copy keeps the ETag")
    got = c.get_object(Bucket=b, Key="dst.txt")
    check_eq((got["Body"].read(), got["ContentType"], got["Metadata"]), (b"hello", "text/plain", {"a": "1"}),
             "COPY directive keeps metadata")
    c.copy_object(Bucket=b, Key="dst.txt", CopySource=f"{b}/src.txt", MetadataDirective="REPLACE",
                  ContentType="text/html", Metadata={"b": "2"})
    got = c.head_object(Bucket=b, Key="dst.txt")
    check_eq((got["ContentType"], got["Metadata"]), ("text/html", {"b": "2"}), "REPLACE directive replaces")
    expect_error(lambda: c.copy_object(Bucket=b, Key="src.txt", CopySource=f"{b}/src.txt"), 400, "InvalidRequest",
                 "copy onto itself without changes")
    expect_error(lambda: c.copy_object(Bucket=b, Key="x", CopySource=f"{b}/missing"), 404, "NoSuchKey",
                 "copy of a missing source")


def test_bucket_configurations(t):
    c = s3(t)
    b = unique("configs")
    c.create_bucket(Bucket=b)
    check_eq(c.get_bucket_versioning(Bucket=b).get("Status"), None, "versioning never set: empty")
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    check_eq(c.get_bucket_versioning(Bucket=b)["Status"], "Enabled", "versioning Enabled")
    rules = [{"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": "archives/"},
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}]}]
    expect_error(lambda: c.get_bucket_lifecycle_configuration(Bucket=b), 404, "NoSuchLifecycleConfiguration",
                 "no lifecycle yet")
    c.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": rules})
    check_eq(c.get_bucket_lifecycle_configuration(Bucket=b)["Rules"], rules, "lifecycle round trip")
    c.delete_bucket_lifecycle(Bucket=b)
    expect_error(lambda: c.get_bucket_lifecycle_configuration(Bucket=b), 404, "NoSuchLifecycleConfiguration",
                 "lifecycle deleted")
    policy = '{"Version":"2012-10-17","Statement":[]}'
    expect_error(lambda: c.get_bucket_policy(Bucket=b), 404, "NoSuchBucketPolicy", "no policy yet")
    c.put_bucket_policy(Bucket=b, Policy=policy)
    check_eq(c.get_bucket_policy(Bucket=b)["Policy"], policy, "policy round trip")
    expect_error(lambda: c.put_bucket_policy(Bucket=b, Policy="not json"), 400, "MalformedPolicy", "bad policy")
    c.delete_bucket_policy(Bucket=b)
    expect_error(lambda: c.get_bucket_policy(Bucket=b), 404, "NoSuchBucketPolicy", "policy deleted")
    cors = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 300}]
    expect_error(lambda: c.get_bucket_cors(Bucket=b), 404, "NoSuchCORSConfiguration", "no CORS yet")
    c.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": cors})
    check_eq(c.get_bucket_cors(Bucket=b)["CORSRules"], cors, "CORS round trip")
    c.delete_bucket_cors(Bucket=b)
    tags = [{"Key": "env", "Value": "test"}]
    expect_error(lambda: c.get_bucket_tagging(Bucket=b), 404, "NoSuchTagSet", "no tags yet")
    c.put_bucket_tagging(Bucket=b, Tagging={"TagSet": tags})
    check_eq(c.get_bucket_tagging(Bucket=b)["TagSet"], tags, "tagging round trip")
    expect_error(lambda: c.get_bucket_website(Bucket=b), 404, "NoSuchWebsiteConfiguration", "no website yet")
    c.put_bucket_website(Bucket=b, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                         "ErrorDocument": {"Key": "error.html"}})
    check_eq(c.get_bucket_website(Bucket=b)["IndexDocument"], {"Suffix": "index.html"}, "website round trip")
    t.configured_bucket = b


def test_malformed_xml_and_unimplemented(t):
    c = s3(t)
    b = unique("malformed")
    r = t.request("PUT", f"/{b}", "<CreateBucketConfiguration><LocationConstraint>", service="s3")
    check_eq(r.status, 400, "malformed CreateBucket body is 400")
    check(b"<Code>MalformedXML</Code>" in r.body, "MalformedXML code", "MalformedXML", r.body[:200])
    expect_error(lambda: c.head_bucket(Bucket=b), 404, "404", "nothing created by a malformed request")
    c.create_bucket(Bucket=b)
    r = t.request("PUT", f"/{b}?tagging", "<Tagging><TagSet>", service="s3")
    check(r.status == 400 and b"MalformedXML" in r.body, "malformed tagging is 400 MalformedXML", 400, r)
    expect_error(lambda: c.get_bucket_tagging(Bucket=b), 404, "NoSuchTagSet", "no tags stored by it")
    expect_error(lambda: c.put_bucket_acl(Bucket=b, ACL="private"), 501, "NotImplemented",
                 "an unimplemented operation is 501")
    c.list_buckets()  # still serving


def test_virtual_hosted_addressing(t):
    # *.localhost does not resolve through glibc here; resolve it for this process only, so the
    # request still carries Host: <bucket>.s3.localhost:<port> as a real client sends it.
    real = socket.getaddrinfo

    def resolve(host, *args, **kw):
        return real("127.0.0.1" if isinstance(host, str) and host.endswith(".localhost") else host, *args, **kw)

    socket.getaddrinfo = resolve
    try:
        port = t.endpoint.rsplit(":", 1)[1]
        import boto3
        c = boto3.client("s3", region_name="us-east-1", endpoint_url=f"http://s3.localhost:{port}",
                         aws_access_key_id="x", aws_secret_access_key="y",
                         config=Config(s3={"addressing_style": "virtual"}, retries={"total_max_attempts": 1}))
        b = unique("vhost")
        c.create_bucket(Bucket=b)
        c.put_object(Bucket=b, Key="a/b.txt", Body=b"virtual")
        check_eq(c.get_object(Bucket=b, Key="a/b.txt")["Body"].read(), b"virtual", "virtual-hosted get")
        check_eq([o["Key"] for o in c.list_objects_v2(Bucket=b)["Contents"]], ["a/b.txt"], "virtual-hosted list")
        check_eq(s3(t).get_object(Bucket=b, Key="a/b.txt")["Body"].read(), b"virtual", "same object path-style")
        check(b in [x["Name"] for x in c.list_buckets()["Buckets"]], "ListBuckets at http://s3.localhost")
    finally:
        socket.getaddrinfo = real


def cli(t, label: str, v2: bool, *args: str, check_rc: bool = True) -> subprocess.CompletedProcess:
    r = t.cli(list(args), v2)
    if check_rc:
        check(r.returncode == 0, f"{label} aws {' '.join(args)}", "exit 0", f"{r.returncode}: {r.stderr[-500:]}")
    return r


def website_get(t, bucket: str, path: str, host_style: bool):
    port = t.endpoint.rsplit(":", 1)[1]
    if host_style:
        url, headers = f"http://127.0.0.1:{port}{path}", {"Host": f"{bucket}.s3-website.localhost:{port}"}
    else:
        url, headers = f"http://127.0.0.1:{port}/_website/{bucket}{path}", {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def test_cli_and_website(t):
    versions = harness.aws_clis()
    if not versions:
        print("    SKIP no AWS CLI (v1 `aws` or v2 /usr/bin/aws) installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "site"
        (tree / "sub").mkdir(parents=True)
        (tree / "index.html").write_text("<html>player</html>")
        (tree / "error.html").write_text("<html>oops</html>")
        (tree / "sub" / "big.bin").write_bytes(os.urandom(9 * 1024 * 1024))  # over 8 MB: multipart
        for v, v2 in versions:
            b = unique(f"cli-v{2 if v2 else 1}")
            cli(t, v, v2, "s3", "mb", f"s3://{b}")
            cli(t, v, v2, "s3", "cp", str(tree / "index.html"), f"s3://{b}/index.html", "--content-type", "text/html",
                "--cache-control", "max-age=300")
            cli(t, v, v2, "s3", "cp", str(tree), f"s3://{b}/", "--recursive")
            ls = cli(t, v, v2, "s3", "ls", f"s3://{b}", "--recursive").stdout
            for key in ("index.html", "error.html", "sub/big.bin"):
                check(key in ls, f"{v} s3 ls lists {key}", key, ls)
            cli(t, v, v2, "s3", "cp", f"s3://{b}/sub/big.bin", str(Path(tmp) / f"back-{int(v2)}.bin"))
            check((Path(tmp) / f"back-{int(v2)}.bin").read_bytes() == (tree / "sub" / "big.bin").read_bytes(),
                  f"{v} multipart cp round trip")
            cli(t, v, v2, "s3", "website", f"s3://{b}", "--index-document", "index.html", "--error-document", "error.html")
            for host_style in (True, False):
                status, ctype, body = website_get(t, b, "/", host_style)
                check_eq((status, ctype, body), (200, "text/html", b"<html>player</html>"),
                         f"{v} website index (host style {host_style})")
                status, _, body = website_get(t, b, "/nope.html", host_style)
                check_eq((status, body), (404, b"<html>oops</html>"), f"{v} website error document")
            rb = cli(t, v, v2, "s3", "rb", f"s3://{b}", check_rc=False)
            check(rb.returncode != 0 and "BucketNotEmpty" in rb.stderr, f"{v} rb of a full bucket fails", "BucketNotEmpty",
                  rb.stderr[-300:])
            cli(t, v, v2, "s3", "rm", f"s3://{b}", "--recursive")
            cli(t, v, v2, "s3", "rb", f"s3://{b}")
            check(b not in cli(t, v, v2, "s3", "ls").stdout, f"{v} bucket gone after rb")


def test_versioning(t):
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
    c = s3(t)
    b = unique("versions")
    c.create_bucket(Bucket=b)
    check("VersionId" not in c.put_object(Bucket=b, Key="k", Body=b"v0"), "unversioned put has no version id")
    check("VersionId" not in c.get_object(Bucket=b, Key="k"), "unversioned get has no version id")
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    check_eq(c.head_object(Bucket=b, Key="k")["VersionId"], "null", "an object from before versioning is null")
    v1 = c.put_object(Bucket=b, Key="k", Body=b"v1")["VersionId"]
    v2 = c.put_object(Bucket=b, Key="k", Body=b"v2")["VersionId"]
    check(len(v1) == 32 and v1 != v2, "puts get fresh version ids", "32 chars", v1)
    got = c.get_object(Bucket=b, Key="k")
    check_eq((got["Body"].read(), got["VersionId"]), (b"v2", v2), "GET answers the latest version")
    check_eq(c.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"v1", "GET by versionId")
    check_eq(c.get_object(Bucket=b, Key="k", VersionId="null")["Body"].read(), b"v0", "GET of the null version")
    check_eq(c.head_object(Bucket=b, Key="k", VersionId=v1)["ContentLength"], 2, "HEAD by versionId")
    check_eq((t.server.data_dir / "s3" / b / "k").read_bytes(), b"v2", "the file under s3/ is the latest")
    tagged = c.put_object_tagging(Bucket=b, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "t", "Value": "old"}]})
    check_eq(tagged.get("VersionId"), v1, "PutObjectTagging of a noncurrent version names it")
    check_eq(c.get_object_tagging(Bucket=b, Key="k", VersionId=v1)["TagSet"], [{"Key": "t", "Value": "old"}],
             "the version keeps its tags")
    check_eq(c.get_object_tagging(Bucket=b, Key="k")["TagSet"], [], "the current version's tags are its own")
    check_eq(c.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"v1", "tagging kept the bytes")
    c.delete_object_tagging(Bucket=b, Key="k", VersionId=v1)
    check_eq(c.get_object_tagging(Bucket=b, Key="k", VersionId=v1)["TagSet"], [], "DeleteObjectTagging by version")
    expect_error(lambda: c.get_object(Bucket=b, Key="k", VersionId="A" * 32), 404, "NoSuchVersion", "unknown version")
    expect_error(lambda: c.get_object(Bucket=b, Key="k", VersionId="bad"), 400, "InvalidArgument", "malformed version id")

    # Copy from a version (x-amz-copy-source-version-id), then restore v1 over its own key.
    copied = c.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
    check_eq(copied["CopySourceVersionId"], v1, "CopyObject names the source version")
    check_eq(c.get_object(Bucket=b, Key="copy", VersionId=copied["VersionId"])["Body"].read(), b"v1", "copy of v1")
    restored = c.copy_object(Bucket=b, Key="k", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
    check_eq(c.get_object(Bucket=b, Key="k")["Body"].read(), b"v1", "copying a version over its key restores it")

    # Delete markers.
    marker = c.delete_object(Bucket=b, Key="k")
    check_eq(marker.get("DeleteMarker"), True, "DELETE without versionId makes a delete marker")
    err = expect_error(lambda: c.get_object(Bucket=b, Key="k"), 404, "NoSuchKey", "GET behind a delete marker")
    headers = (err or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {})
    check_eq((headers.get("x-amz-delete-marker"), headers.get("x-amz-version-id")), ("true", marker["VersionId"]),
             "the 404 says a delete marker is the latest")
    err = expect_error(lambda: c.get_object(Bucket=b, Key="k", VersionId=marker["VersionId"]), 405, "MethodNotAllowed",
                       "GET of a delete marker by id")
    headers = (err or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {})
    check_eq((headers.get("x-amz-delete-marker"), "last-modified" in headers), ("true", True),
             "the 405 carries x-amz-delete-marker and Last-Modified")
    expect_error(lambda: c.head_object(Bucket=b, Key="k"), 404, "404", "HEAD behind a delete marker")
    check("Contents" not in c.list_objects_v2(Bucket=b, Prefix="k"), "a deleted key does not list")
    check(not (t.server.data_dir / "s3" / b / "k").exists(), "no file while a delete marker is latest")
    undone = c.delete_object(Bucket=b, Key="k", VersionId=marker["VersionId"])
    check_eq((undone.get("DeleteMarker"), undone.get("VersionId")), (True, marker["VersionId"]), "delete marker removed")
    check_eq(c.get_object(Bucket=b, Key="k")["Body"].read(), b"v1", "removing the marker restores the object")

    # Removing the current version brings back the previous one.
    c.delete_object(Bucket=b, Key="k", VersionId=restored["VersionId"])
    check_eq(c.get_object(Bucket=b, Key="k")["VersionId"], v2, "the newest remaining version is current")
    check_eq((t.server.data_dir / "s3" / b / "k").read_bytes(), b"v2", "and it is the file again")

    # ListObjectVersions: everything, then page by page through the paginator.
    c.put_object(Bucket=b, Key="dir/a", Body=b"a")
    c.delete_object(Bucket=b, Key="dir/a")
    listed = c.list_object_versions(Bucket=b)
    got = [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed["Versions"]]
    check_eq([g for g in got if g[0] != "dir/a"],
             [("copy", copied["VersionId"], True), ("k", v2, True), ("k", v1, False), ("k", "null", False)],
             "versions newest first, IsLatest on the current")
    check_eq([g[2] for g in got if g[0] == "dir/a"], [False], "the version behind a delete marker is not latest")
    check_eq([(m["Key"], m["IsLatest"]) for m in listed["DeleteMarkers"]], [("dir/a", True)], "the delete marker lists")
    spaced = c.put_object(Bucket=b, Key="sp ace/é+1", Body=b"s")["VersionId"]
    listed_spaced = c.list_object_versions(Bucket=b, Prefix="sp ace/")  # botocore asks for url encoding
    check_eq([(v["Key"], v["VersionId"]) for v in listed_spaced["Versions"]], [("sp ace/é+1", spaced)],
             "keys with spaces and UTF-8 list back decoded")
    c.delete_object(Bucket=b, Key="sp ace/é+1", VersionId=spaced)
    rolled = c.list_object_versions(Bucket=b, Delimiter="/")
    check_eq([p["Prefix"] for p in rolled["CommonPrefixes"]], ["dir/"], "CommonPrefixes with a delimiter")
    pages = list(c.get_paginator("list_object_versions").paginate(Bucket=b, PaginationConfig={"PageSize": 2}))
    check_eq(sum(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) for p in pages), 6, "paginated: all 6")
    check(len(pages) == 3 and pages[0]["IsTruncated"] and "NextVersionIdMarker" in pages[0], "pages of 2",
          "3 pages", [p.get("NextKeyMarker") for p in pages])

    # Suspended: writes are the null version, replacing the previous null one.
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    check_eq(c.put_object(Bucket=b, Key="k", Body=b"s1")["VersionId"], "null", "suspended put is null")
    c.put_object(Bucket=b, Key="k", Body=b"s2")
    ids = [v["VersionId"] for v in c.list_object_versions(Bucket=b, Prefix="k")["Versions"]]
    check_eq(ids, ["null", v2, v1], "one null version, the versioned ones kept")

    # DeleteBucket refuses while versions remain; DeleteObjects with VersionIds empties it.
    c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "copy"}]})  # suspended: a null delete marker
    check("Contents" not in c.list_objects_v2(Bucket=b, Prefix="copy"), "DeleteObjects hid the key")
    everything = c.list_object_versions(Bucket=b)
    expect_error(lambda: c.delete_bucket(Bucket=b), 409, "BucketNotEmpty", "versions keep a bucket from deletion")
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]}
               for v in everything.get("Versions", []) + everything.get("DeleteMarkers", [])]
    deleted = c.delete_objects(Bucket=b, Delete={"Objects": objects + [{"Key": "k", "VersionId": "bad"}]})
    check_eq(len(deleted["Deleted"]), len(objects), "DeleteObjects removed every version")
    check_eq([(e["Key"], e["Code"]) for e in deleted.get("Errors", [])], [("k", "InvalidArgument")],
             "a malformed version id is a per-key error")
    markers = [d for d in deleted["Deleted"] if d.get("DeleteMarker")]
    check(markers and all(d["DeleteMarkerVersionId"] == d["VersionId"] for d in markers),
          "removed markers say DeleteMarker / DeleteMarkerVersionId", "", markers)
    check_eq(c.list_object_versions(Bucket=b).get("Versions"), None, "no versions remain")
    c.delete_bucket(Bucket=b)
    check(not (t.server.data_dir / "s3-versions" / b).exists(), "the versions directory goes with the bucket")


def test_versioning_survives_restart_and_multipart(t):
    c = s3(t)
    b = unique("versions-mp")
    c.create_bucket(Bucket=b)
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    first = c.put_object(Bucket=b, Key="obj", Body=b"first")["VersionId"]
    up = c.create_multipart_upload(Bucket=b, Key="obj")
    part = c.upload_part(Bucket=b, Key="obj", UploadId=up["UploadId"], PartNumber=1, Body=b"second")
    done = c.complete_multipart_upload(Bucket=b, Key="obj", UploadId=up["UploadId"],
                                       MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    check(done.get("VersionId") not in (None, first), "CompleteMultipartUpload makes a new version")
    t.server.restart()
    c = s3(t)
    check_eq([v["VersionId"] for v in c.list_object_versions(Bucket=b)["Versions"]], [done["VersionId"], first],
             "versions survive a kill -9")
    check_eq(c.get_object(Bucket=b, Key="obj", VersionId=first)["Body"].read(), b"first", "old bytes survive")


def test_versioning_cli(t):
    for v, v2 in harness.aws_clis():
        b = unique(f"cli-versions-v{2 if v2 else 1}")
        cli(t, v, v2, "s3", "mb", f"s3://{b}")
        cli(t, v, v2, "s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")
        with tempfile.NamedTemporaryFile() as f:
            for body in (b"one", b"two"):
                Path(f.name).write_bytes(body)
                cli(t, v, v2, "s3", "cp", f.name, f"s3://{b}/x.txt")
        cli(t, v, v2, "s3", "rm", f"s3://{b}", "--recursive")
        out = json.loads(cli(t, v, v2, "s3api", "list-object-versions", "--bucket", b).stdout)
        check_eq((len(out.get("Versions", [])), len(out.get("DeleteMarkers", []))), (2, 1),
                 f"{v} list-object-versions after rm")
        rb = cli(t, v, v2, "s3", "rb", f"s3://{b}", check_rc=False)
        check(rb.returncode != 0 and "BucketNotEmpty" in rb.stderr, f"{v} rb with versions left fails", "BucketNotEmpty",
              rb.stderr[-300:])
        objects = [{"Key": x["Key"], "VersionId": x["VersionId"]} for x in out["Versions"] + out["DeleteMarkers"]]
        cli(t, v, v2, "s3api", "delete-objects", "--bucket", b, "--delete", json.dumps({"Objects": objects}))
        cli(t, v, v2, "s3", "rb", f"s3://{b}")


def test_medialive_files_list_and_download(t):
    # A channel's s3:// HLS output writes plain files under <data-dir>/s3/<bucket>/...
    c = s3(t)
    b = unique("archive")
    c.create_bucket(Bucket=b)
    out = t.server.data_dir / "s3" / b / "live"
    out.mkdir(parents=True)
    (out / "index.m3u8").write_text("#EXTM3U\n")
    (out / "seg_00001.ts").write_bytes(b"\x47" * 188)
    listed = {o["Key"]: o for o in c.list_objects_v2(Bucket=b, Prefix="live/")["Contents"]}
    check_eq(sorted(listed), ["live/index.m3u8", "live/seg_00001.ts"], "channel files list")
    check_eq(listed["live/seg_00001.ts"]["ETag"], f'"{hashlib.md5(b"G" * 188).hexdigest()}"', "ETag computed as MD5")
    got = c.get_object(Bucket=b, Key="live/index.m3u8")
    check_eq((got["Body"].read(), got["ContentType"]), (b"#EXTM3U\n", "application/vnd.apple.mpegurl"),
             "playlist downloads with an HLS content type")


def test_restart_keeps_everything(t):
    c = s3(t)
    b = getattr(t, "configured_bucket", None)
    if not b:
        check(False, "test_bucket_configurations ran first")
        return
    c.put_object(Bucket=b, Key="keep/me.txt", Body=b"durable", ContentType="text/x-durable", Metadata={"k": "v"})
    up = c.create_multipart_upload(Bucket=b, Key="pending")
    c.upload_part(Bucket=b, Key="pending", UploadId=up["UploadId"], PartNumber=1, Body=b"part")
    t.server.restart()
    c = s3(t)
    got = c.get_object(Bucket=b, Key="keep/me.txt")
    check_eq((got["Body"].read(), got["ContentType"], got["Metadata"]), (b"durable", "text/x-durable", {"k": "v"}),
             "object and metadata survive a kill -9")
    check_eq(c.get_bucket_versioning(Bucket=b)["Status"], "Enabled", "versioning survives")
    check_eq(c.get_bucket_tagging(Bucket=b)["TagSet"], [{"Key": "env", "Value": "test"}], "tags survive")
    check_eq(c.get_bucket_website(Bucket=b)["ErrorDocument"], {"Key": "error.html"}, "website survives")
    parts = c.list_parts(Bucket=b, Key="pending", UploadId=up["UploadId"])["Parts"]
    check_eq([p["Size"] for p in parts], [4], "an upload in progress survives")
    c.complete_multipart_upload(Bucket=b, Key="pending", UploadId=up["UploadId"],
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": parts[0]["ETag"]}]})
    check_eq(c.get_object(Bucket=b, Key="pending")["Body"].read(), b"part", "completed after the restart")


harness.main(globals())
