#!/usr/bin/env python3
"""Amazon CloudFront with boto3 and both AWS CLIs: distributions created with the CLI's
--origin-domain-name shorthand and with a full --distribution-config, GetDistribution(Config),
UpdateDistribution with If-Match (missing, stale, current), the distribution-deployed waiter,
ListDistributions paging, CallerReference idempotency, the validation errors AWS answers, tags,
invalidations, disable + delete (DistributionNotDisabled before), a malformed XML body, state
across a kill -9; and the edge at http://<id>.cloudfront.localhost:<port>/: an S3 bucket origin,
a MediaPackage origin endpoint configured as seed 002 does, and a loopback HTTP origin (a small
echo server) that shows what the edge forwards: OriginPath, CustomHeaders, query strings per
behaviour, path-pattern choice, and the 403 for a method a behaviour does not allow.
"""

import copy
import http.client
import json
import re
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error, unique  # noqa: E402

try:
    import boto3  # noqa: F401
except ImportError:
    print("SKIP: boto3 is not installed (pip install boto3)")
    sys.exit(77)

ID = re.compile(r"^E[A-Z0-9]{13}$")
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ELEMENTAL_MEDIAPACKAGE = "08627262-05a9-4f76-9ded-b50ca2e3a84f"
CORS_S3_ORIGIN = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"


class EchoOrigin:
    """A loopback HTTP origin answering every request with JSON of what it received. A path
    /status/<n> answers with that status; every answer carries X-Echo: yes."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status = int(self.path.split("/status/")[1][:3]) if "/status/" in self.path else 200
                out = json.dumps({"method": self.command, "path": self.path, "body": body,
                                  "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Echo", "yes")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


_echo = None


def echo() -> EchoOrigin:
    global _echo
    if _echo is None:
        _echo = EchoOrigin()
    return _echo


def edge(t, domain: str, method: str, path: str, body: bytes = None, headers: dict = None) -> harness.Response:
    """A request to the edge: to mediaemu's port, with the distribution's name in Host (as curl
    or a browser sends it for http://<domain>:<port>/, resolving *.localhost to loopback)."""
    host, port = t.endpoint.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": f"{domain}:{port}", **(headers or {})})
        r = conn.getresponse()
        return harness.Response(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def behavior(origin_id: str, **extra) -> dict:
    b = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": "allow-all",
         "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0}
    b.update(extra)
    return b


def config(origins: list, default: dict, behaviors: list = (), **extra) -> dict:
    c = {"CallerReference": unique("ref"), "Comment": "mediaemu suite 24", "Enabled": True,
         "Origins": {"Quantity": len(origins), "Items": origins},
         "DefaultCacheBehavior": default,
         "CacheBehaviors": {"Quantity": len(behaviors), **({"Items": list(behaviors)} if behaviors else {})}}
    c.update(extra)
    return c


def custom_origin(origin_id: str, domain: str, port: int = 80, **extra) -> dict:
    o = {"Id": origin_id, "DomainName": domain,
         "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
    o.update(extra)
    return o


def s3_origin(bucket: str) -> dict:
    return {"Id": "bucket", "DomainName": f"{bucket}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}


def methods(*items) -> dict:
    read = {"Quantity": 2, "Items": ["GET", "HEAD"]}
    return {"Quantity": len(items), "Items": list(items), "CachedMethods": read}


def cli_json(r, what: str):
    if not check(r.returncode == 0, what, "exit 0", f"{r.returncode}: {r.stderr.strip()[-400:]}"):
        return None
    return json.loads(r.stdout) if r.stdout.strip() else {}


# ---------------------------------------------------------------------------------------------
# The API


def test_cli_shorthand_lifecycle(t):
    """`aws cloudfront create-distribution --origin-domain-name <bucket>.s3.amazonaws.com`, wait,
    disable with get-distribution-config's ETag (seed 002's clean-up), then delete."""
    if not harness.aws_clis():
        print("    SKIP: no AWS CLI on this machine")
        return
    for label, v2 in harness.aws_clis():
        created = cli_json(t.cli(["cloudfront", "create-distribution", "--origin-domain-name",
                                  f"{unique('shorthand')}.s3.amazonaws.com", "--default-root-object", "index.html"], v2),
                           f"{label}: create-distribution --origin-domain-name")
        if not created:
            continue
        dist = created["Distribution"]
        dist_id = dist["Id"]
        check(ID.match(dist_id), f"{label}: an AWS-like distribution id", "E + 13 upper-case alphanumerics", dist_id)
        check_eq(dist["DomainName"], dist_id.lower() + ".cloudfront.localhost", f"{label}: DomainName")
        check_eq(dist["ARN"], f"arn:aws:cloudfront::123456789012:distribution/{dist_id}", f"{label}: ARN")
        check_eq(dist["Status"], "InProgress", f"{label}: InProgress at create")
        check(bool(created.get("ETag")), f"{label}: create answers an ETag", "an ETag", created)
        check_eq(dist["DistributionConfig"]["DefaultRootObject"], "index.html", f"{label}: --default-root-object kept")
        r = t.cli(["cloudfront", "wait", "distribution-deployed", "--id", dist_id], v2)
        check_eq(r.returncode, 0, f"{label}: wait distribution-deployed returns")
        status = t.cli(["cloudfront", "get-distribution", "--id", dist_id, "--query", "Distribution.Status",
                        "--output", "text"], v2)
        check_eq(status.stdout.strip(), "Deployed", f"{label}: Deployed after the wait")

        got = cli_json(t.cli(["cloudfront", "get-distribution-config", "--id", dist_id], v2), f"{label}: get-distribution-config")
        disabled = dict(got["DistributionConfig"], Enabled=False)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(disabled, f)
        r = t.cli(["cloudfront", "delete-distribution", "--id", dist_id, "--if-match", got["ETag"]], v2)
        check(r.returncode != 0 and "DistributionNotDisabled" in r.stderr, f"{label}: enabled distribution cannot be deleted",
              "DistributionNotDisabled", r.stderr.strip())
        updated = cli_json(t.cli(["cloudfront", "update-distribution", "--id", dist_id, "--distribution-config",
                                  f"file://{f.name}", "--if-match", got["ETag"]], v2), f"{label}: update-distribution")
        Path(f.name).unlink()
        if not updated:
            continue
        check(updated["ETag"] != got["ETag"], f"{label}: an update yields a new ETag", "a new ETag", updated["ETag"])
        check_eq(updated["Distribution"]["DistributionConfig"]["Enabled"], False, f"{label}: disabled")
        t.cli(["cloudfront", "wait", "distribution-deployed", "--id", dist_id], v2)
        r = t.cli(["cloudfront", "delete-distribution", "--id", dist_id, "--if-match", updated["ETag"]], v2)
        check_eq(r.returncode, 0, f"{label}: delete-distribution of a disabled, deployed distribution")
        r = t.cli(["cloudfront", "get-distribution", "--id", dist_id], v2)
        check(r.returncode != 0 and "NoSuchDistribution" in r.stderr, f"{label}: gone after delete", "NoSuchDistribution",
              r.stderr.strip())


def test_cli_full_config_and_invalidation(t):
    if not harness.aws_clis():
        print("    SKIP: no AWS CLI on this machine")
        return
    for label, v2 in harness.aws_clis():
        cfg = config([custom_origin("web", "127.0.0.1", echo().port)], behavior("web"))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(cfg, f)
        dist_id = t.cli(["cloudfront", "create-distribution", "--distribution-config", f"file://{f.name}",
                         "--query", "Distribution.Id", "--output", "text"], v2).stdout.strip()
        Path(f.name).unlink()
        check(ID.match(dist_id), f"{label}: create-distribution --distribution-config file://", "an id", dist_id)
        inv = cli_json(t.cli(["cloudfront", "create-invalidation", "--distribution-id", dist_id, "--paths", "/*",
                              "/index.html"], v2), f"{label}: create-invalidation --paths")
        if inv:
            inv_id = inv["Invalidation"]["Id"]
            check_eq(inv["Invalidation"]["InvalidationBatch"]["Paths"]["Items"], ["/*", "/index.html"], f"{label}: paths kept")
            r = t.cli(["cloudfront", "wait", "invalidation-completed", "--distribution-id", dist_id, "--id", inv_id], v2)
            check_eq(r.returncode, 0, f"{label}: wait invalidation-completed")
        listed = t.cli(["cloudfront", "list-distributions", "--query", "DistributionList.Items[].Id", "--output", "json"], v2)
        check(dist_id in (json.loads(listed.stdout or "[]") or []), f"{label}: list-distributions shows it", dist_id, listed.stdout)


def test_create_get_and_idempotency(t):
    cf = t.client("cloudfront")
    cfg = config([custom_origin("a", "127.0.0.1", echo().port), custom_origin("b", "localhost", echo().port)],
                 behavior("a"), [behavior("b", PathPattern="/b/*")])
    created = cf.create_distribution(DistributionConfig=cfg)
    dist = created["Distribution"]
    check_eq(created["ResponseMetadata"]["HTTPStatusCode"], 201, "CreateDistribution answers 201")
    check(created["Location"].endswith("/2020-05-31/distribution/" + dist["Id"]), "Location names the distribution",
          "…/2020-05-31/distribution/<id>", created["Location"])
    check_eq(dist["InProgressInvalidationBatches"], 0, "InProgressInvalidationBatches")
    got = cf.get_distribution(Id=dist["Id"])
    check_eq(got["ETag"], created["ETag"], "GetDistribution's ETag is the create's")
    stored = got["Distribution"]["DistributionConfig"]
    check_eq(stored["CacheBehaviors"]["Items"][0]["PathPattern"], "/b/*", "cache behaviours kept")
    check_eq(stored["Origins"]["Items"][1]["DomainName"], "localhost", "origins kept")
    check_eq(stored["PriceClass"], "PriceClass_All", "defaults filled in as CloudFront does")
    check_eq(stored["DefaultCacheBehavior"]["AllowedMethods"]["Items"], ["HEAD", "GET"], "default AllowedMethods")
    config_only = cf.get_distribution_config(Id=dist["Id"])
    check_eq(config_only["DistributionConfig"], stored, "GetDistributionConfig returns the same config")
    check_eq(config_only["ETag"], created["ETag"], "GetDistributionConfig's ETag")

    again = cf.create_distribution(DistributionConfig=cfg)
    check_eq(again["Distribution"]["Id"], dist["Id"], "the same CallerReference and config answer the same distribution")
    changed = dict(cfg, Comment="another comment")
    expect_error(lambda: cf.create_distribution(DistributionConfig=changed), 409, "DistributionAlreadyExists",
                 "the same CallerReference with another config")
    expect_error(lambda: cf.get_distribution(Id="EDOESNOTEXIST1"), 404, "NoSuchDistribution", "unknown id")


def test_update_needs_the_current_etag(t):
    cf = t.client("cloudfront")
    created = cf.create_distribution(DistributionConfig=config([custom_origin("a", "127.0.0.1", echo().port)], behavior("a")))
    dist_id, etag = created["Distribution"]["Id"], created["ETag"]
    cfg = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    cfg["Comment"] = "updated"
    expect_error(lambda: cf.update_distribution(Id=dist_id, DistributionConfig=cfg), 400, "InvalidIfMatchVersion",
                 "update without If-Match")
    expect_error(lambda: cf.update_distribution(Id=dist_id, DistributionConfig=cfg, IfMatch="EWRONGETAG1234"), 412,
                 "PreconditionFailed", "update with a wrong If-Match")
    updated = cf.update_distribution(Id=dist_id, DistributionConfig=cfg, IfMatch=etag)
    check(updated["ETag"] != etag, "a new ETag after the update", "not " + etag, updated["ETag"])
    check_eq(updated["Distribution"]["DistributionConfig"]["Comment"], "updated", "the update is applied")
    check_eq(updated["Distribution"]["Status"], "InProgress", "InProgress after an update")
    cf.get_waiter("distribution_deployed").wait(Id=dist_id, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    expect_error(lambda: cf.update_distribution(Id=dist_id, DistributionConfig=cfg, IfMatch=etag), 412,
                 "PreconditionFailed", "the ETag before the update is stale")
    moved = dict(cfg, CallerReference="another")
    expect_error(lambda: cf.update_distribution(Id=dist_id, DistributionConfig=moved, IfMatch=updated["ETag"]), 400,
                 "IllegalUpdate", "CallerReference cannot change")


def test_invalid_configs(t):
    cf = t.client("cloudfront")
    origin = custom_origin("a", "127.0.0.1", echo().port)
    cases = [
        (config([origin], behavior("nope")), 404, "NoSuchOrigin", "DefaultCacheBehavior names no origin"),
        (config([origin], behavior("a"), [behavior("ghost", PathPattern="x/*")]), 404, "NoSuchOrigin",
         "a cache behaviour names no origin"),
        (dict(config([origin], behavior("a")), Origins={"Quantity": 2, "Items": [origin]}), 400, "InconsistentQuantities",
         "Quantity does not match Items"),
        (config([origin], {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "nope"}), 404,
         "NoSuchCachePolicy", "an unknown cache policy"),
        (config([origin], behavior("a", AllowedMethods=methods("GET", "POST"))), 400, "InvalidArgument",
         "AllowedMethods that are not one of CloudFront's three sets"),
        (config([origin, dict(origin)], behavior("a")), 400, "InvalidArgument", "two origins with one Id"),
        (config([{"Id": "a", "DomainName": "x.example"}], behavior("a")), 400, "InvalidOrigin",
         "an origin that is neither S3 nor custom"),
        (config([dict(origin, OriginPath="no-slash")], behavior("a")), 400, "InvalidArgument", "OriginPath without /"),
    ]
    before = cf.list_distributions()["DistributionList"]["Quantity"]
    for cfg, status, code, what in cases:
        expect_error(lambda: cf.create_distribution(DistributionConfig=cfg), status, code, what)
    check_eq(cf.list_distributions()["DistributionList"]["Quantity"], before, "no distribution created by bad configs")


def test_list_paging(t):
    cf = t.client("cloudfront")
    ids = {cf.create_distribution(DistributionConfig=config([custom_origin("a", "127.0.0.1")], behavior("a")))
           ["Distribution"]["Id"] for _ in range(3)}
    page = cf.list_distributions(MaxItems="2")["DistributionList"]
    check_eq((page["Quantity"], page["IsTruncated"], page["MaxItems"]), (2, True, 2), "a first page of 2")
    check_eq(page["NextMarker"], page["Items"][-1]["Id"], "NextMarker is the last id of the page")
    summary = page["Items"][0]
    # DistributionSummary.ETag is newer than botocore 1.29 (Debian's boto3 does not parse it).
    has_etag = "ETag" in cf.meta.service_model.shape_for("DistributionSummary").members
    for member in ("ARN", "Status", "DomainName", "Origins", "DefaultCacheBehavior", "Enabled") + (("ETag",) if has_etag else ()):
        check(member in summary, f"DistributionSummary has {member}", member, sorted(summary))
    nxt = cf.list_distributions(MaxItems="2", Marker=page["NextMarker"])["DistributionList"]
    check(page["Items"][-1]["Id"] not in [s["Id"] for s in nxt.get("Items", [])], "the next page starts after the marker",
          "no repeat", nxt)
    listed = [s["Id"] for p in cf.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": 2})
              for s in p["DistributionList"].get("Items", [])]
    check(ids <= set(listed) and len(listed) == len(set(listed)), "the paginator lists every distribution once", ids, listed)


def test_tags(t):
    cf = t.client("cloudfront")
    cfg = config([custom_origin("a", "127.0.0.1")], behavior("a"))
    created = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": cfg, "Tags": {"Items": [{"Key": "team", "Value": "video"}]}})
    arn = created["Distribution"]["ARN"]
    check_eq(cf.list_tags_for_resource(Resource=arn)["Tags"]["Items"], [{"Key": "team", "Value": "video"}],
             "CreateDistributionWithTags tags")
    cf.tag_resource(Resource=arn, Tags={"Items": [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "media"}]})
    tags = {t_["Key"]: t_["Value"] for t_ in cf.list_tags_for_resource(Resource=arn)["Tags"]["Items"]}
    check_eq(tags, {"team": "media", "env": "dev"}, "TagResource adds and replaces")
    cf.untag_resource(Resource=arn, TagKeys={"Items": ["team"]})
    check_eq(cf.list_tags_for_resource(Resource=arn)["Tags"].get("Items"), [{"Key": "env", "Value": "dev"}], "UntagResource")
    expect_error(lambda: cf.list_tags_for_resource(Resource="arn:aws:cloudfront::123456789012:distribution/ENOSUCH0000000"),
                 404, "NoSuchResource", "tags of an unknown distribution")


def test_invalidations(t):
    cf = t.client("cloudfront")
    dist_id = cf.create_distribution(DistributionConfig=config([custom_origin("a", "127.0.0.1")], behavior("a")))[
        "Distribution"]["Id"]
    batch = {"CallerReference": unique("inv"), "Paths": {"Quantity": 2, "Items": ["/index.m3u8", "/segments/*"]}}
    created = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch)
    inv = created["Invalidation"]
    check_eq(created["ResponseMetadata"]["HTTPStatusCode"], 201, "CreateInvalidation answers 201")
    check(re.match(r"^I[A-Z0-9]{13}$", inv["Id"]), "an AWS-like invalidation id", "I + 13", inv["Id"])
    check(created["Location"].endswith(f"/distribution/{dist_id}/invalidation/{inv['Id']}"), "Location", "…", created["Location"])
    cf.get_waiter("invalidation_completed").wait(DistributionId=dist_id, Id=inv["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    got = cf.get_invalidation(DistributionId=dist_id, Id=inv["Id"])["Invalidation"]
    check_eq((got["Status"], got["InvalidationBatch"]), ("Completed", batch), "GetInvalidation: Completed, batch kept")
    again = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch)["Invalidation"]
    check_eq(again["Id"], inv["Id"], "the same CallerReference and paths answer the same invalidation")
    other = dict(batch, Paths={"Quantity": 1, "Items": ["/other"]})
    expect_error(lambda: cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=other), 409,
                 "InvalidationBatchAlreadyExists", "the same CallerReference with other paths")
    listed = cf.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    check_eq([(s["Id"], s["Status"]) for s in listed["Items"]], [(inv["Id"], "Completed")], "ListInvalidations")
    bad = {"CallerReference": unique("inv"), "Paths": {"Quantity": 1, "Items": ["no-slash"]}}
    expect_error(lambda: cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=bad), 400, "InvalidArgument",
                 "a path without a leading slash")
    expect_error(lambda: cf.get_invalidation(DistributionId=dist_id, Id="INOSUCH0000000"), 404, "NoSuchInvalidation",
                 "unknown invalidation")
    expect_error(lambda: cf.list_invalidations(DistributionId="ENOSUCH0000000"), 404, "NoSuchDistribution",
                 "invalidations of an unknown distribution")


def test_delete_rules(t):
    cf = t.client("cloudfront")
    created = cf.create_distribution(DistributionConfig=config([custom_origin("a", "127.0.0.1")], behavior("a")))
    dist_id, etag = created["Distribution"]["Id"], created["ETag"]
    expect_error(lambda: cf.delete_distribution(Id=dist_id), 400, "InvalidIfMatchVersion", "delete without If-Match")
    expect_error(lambda: cf.delete_distribution(Id=dist_id, IfMatch="EWRONGETAG1234"), 412, "PreconditionFailed",
                 "delete with a wrong If-Match")
    expect_error(lambda: cf.delete_distribution(Id=dist_id, IfMatch=etag), 409, "DistributionNotDisabled",
                 "delete of an enabled distribution")
    cfg = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    etag = cf.update_distribution(Id=dist_id, IfMatch=etag, DistributionConfig=dict(cfg, Enabled=False))["ETag"]
    cf.get_waiter("distribution_deployed").wait(Id=dist_id, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    r = cf.delete_distribution(Id=dist_id, IfMatch=etag)
    check_eq(r["ResponseMetadata"]["HTTPStatusCode"], 204, "DeleteDistribution answers 204")
    expect_error(lambda: cf.get_distribution(Id=dist_id), 404, "NoSuchDistribution", "deleted")


def test_malformed_xml_creates_nothing(t):
    cf = t.client("cloudfront")
    before = cf.list_distributions()["DistributionList"]["Quantity"]
    r = t.request("POST", "/2020-05-31/distribution", "<DistributionConfig><CallerReference>x</Call",
                  service="cloudfront", content_type="application/xml")
    check_eq(r.status, 400, "a malformed XML body is a 400")
    check(b"<Code>" in r.body and b"<Error>" in r.body, "in the protocol's XML error shape", "<Error><Code>", r.body[:300])
    check_eq(cf.list_distributions()["DistributionList"]["Quantity"], before, "nothing created by a malformed body")


# ---------------------------------------------------------------------------------------------
# The edge


def test_edge_serves_an_s3_bucket(t):
    s3, cf = t.client("s3"), t.client("cloudfront")
    bucket = unique("edge")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>home</h1>", ContentType="text/html")
    s3.put_object(Bucket=bucket, Key="live/master.m3u8", Body=b"#EXTM3U\n", ContentType="application/vnd.apple.mpegurl")
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behavior("bucket"),
                                                            DefaultRootObject="index.html"))["Distribution"]
    domain = dist["DomainName"]
    r = edge(t, domain, "GET", "/live/master.m3u8")
    check_eq((r.status, r.body), (200, b"#EXTM3U\n"), "an object through the edge")
    check_eq(r.header("Content-Type"), "application/vnd.apple.mpegurl", "the origin's Content-Type")
    check(r.header("ETag") is not None, "the origin's ETag", "an ETag", r.headers)
    check_eq(r.header("Via"), f"1.1 {domain} (CloudFront)", "Via names the distribution")
    check_eq(r.header("X-Cache"), "Miss from cloudfront", "X-Cache")
    check(bool(r.header("Date")), "a Date header", "a date", r.headers)
    check(bool(r.header("X-Amz-Cf-Id")), "X-Amz-Cf-Id", "an id", r.headers)
    r = edge(t, domain, "GET", "/")
    check_eq((r.status, r.body), (200, b"<h1>home</h1>"), "DefaultRootObject for /")
    r = edge(t, domain, "HEAD", "/live/master.m3u8")
    check_eq((r.status, r.header("Content-Length")), (200, "8"), "HEAD through the edge")
    r = edge(t, domain, "GET", "/missing.ts")
    check(r.status == 404 and b"NoSuchKey" in r.body, "a missing key: the origin's 404", "404 NoSuchKey", r)
    check_eq(r.header("X-Cache"), "Error from cloudfront", "X-Cache for an error")
    r = edge(t, domain, "PUT", "/live/master.m3u8", b"overwrite")
    check_eq(r.status, 403, "PUT is not among the default AllowedMethods: 403")
    check_eq(s3.get_object(Bucket=bucket, Key="live/master.m3u8")["Body"].read(), b"#EXTM3U\n", "the object is unchanged")


def test_edge_custom_error_responses(t):
    """A single-page app's setup: a missing key (S3 answers 404) serves /index.html with 200; a
    403 gets its own page and keeps its status."""
    s3, cf = t.client("s3"), t.client("cloudfront")
    bucket = unique("spa")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<app/>", ContentType="text/html")
    errors = {"Quantity": 1, "Items": [{"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200",
                                        "ErrorCachingMinTTL": 10}]}
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behavior("bucket"),
                                                            CustomErrorResponses=errors))["Distribution"]
    r = edge(t, dist["DomainName"], "GET", "/deep/link/route")
    check_eq((r.status, r.body, r.header("Content-Type")), (200, b"<app/>", "text/html"),
             "a 404 from the origin answers the error page with its ResponseCode")
    bad = [({"ErrorCode": 302}, "InvalidErrorCode"),
           ({"ErrorCode": 404, "ResponsePagePath": "index.html"}, "InvalidRelativePath"),
           ({"ErrorCode": 404, "ResponsePagePath": "/x", "ResponseCode": "299"}, "InvalidResponseCode")]
    for item, code in bad:
        cfg = config([s3_origin(bucket)], behavior("bucket"), CustomErrorResponses={"Quantity": 1, "Items": [item]})
        expect_error(lambda: cf.create_distribution(DistributionConfig=cfg), 400, code, f"CustomErrorResponse {item}")


def test_edge_forwards_to_a_loopback_origin(t):
    cf = t.client("cloudfront")
    port = echo().port
    origin = custom_origin("echo", "127.0.0.1", port, OriginPath="/base",
                           CustomHeaders={"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Secret", "HeaderValue": "s3cr3t"}]})
    api = behavior("echo", PathPattern="api/*", AllowedMethods=methods("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"),
                   ForwardedValues={"QueryString": True, "Cookies": {"Forward": "whitelist", "WhitelistedNames": {"Quantity": 1, "Items": ["session"]}},
                                    "Headers": {"Quantity": 1, "Items": ["X-Client"]}})
    manifests = {"PathPattern": "*.m3u8", "TargetOriginId": "echo", "ViewerProtocolPolicy": "allow-all",
                 "CachePolicyId": ELEMENTAL_MEDIAPACKAGE}
    dist = cf.create_distribution(DistributionConfig=config([origin], behavior("echo"), [api, manifests]))["Distribution"]
    domain = dist["DomainName"]

    r = edge(t, domain, "GET", "/x/y?a=1", headers={"X-Client": "dropped", "Cookie": "session=1"})
    got = r.json() or {}
    check_eq((r.status, got.get("path")), (200, "/base/x/y"), "default behaviour: OriginPath prefixed, query string dropped")
    headers = got.get("headers", {})
    check_eq(headers.get("x-origin-secret"), "s3cr3t", "the origin's CustomHeaders are added")
    check_eq(headers.get("host"), f"127.0.0.1:{port}", "Host is the origin's")
    check("x-client" not in headers and "cookie" not in headers, "headers and cookies not forwarded by default",
          "neither", headers)
    check(domain in headers.get("via", ""), "the origin sees Via", domain, headers.get("via"))
    check(bool(headers.get("x-forwarded-for")), "the origin sees X-Forwarded-For", "an address", headers)
    check_eq(r.header("X-Echo"), "yes", "the origin's response headers come back")

    r = edge(t, domain, "GET", "/api/items?a=1&b=two%20words",
             headers={"X-Client": "kept", "Cookie": "session=abc; tracking=no"})
    got = r.json() or {}
    check_eq(got.get("path"), "/base/api/items?a=1&b=two%20words", "api/*: the query string is forwarded as sent")
    check_eq(got.get("headers", {}).get("x-client"), "kept", "api/*: a whitelisted header is forwarded")
    check_eq(got.get("headers", {}).get("cookie"), "session=abc", "api/*: only whitelisted cookies")
    r = edge(t, domain, "POST", "/api/items", b'{"n": 1}', headers={"Content-Type": "application/json"})
    got = r.json() or {}
    check_eq((r.status, got.get("method"), got.get("body")), (200, "POST", '{"n": 1}'), "api/*: POST with its body")

    r = edge(t, domain, "GET", "/live/index.m3u8?aws.manifestfilter=video_height:1-720&utm=x")
    check_eq((r.json() or {}).get("path"), "/base/live/index.m3u8?aws.manifestfilter=video_height:1-720",
             "*.m3u8 (Elemental-MediaPackage policy): only the policy's query strings")

    r = edge(t, domain, "POST", "/x/y", b"{}")
    check_eq(r.status, 403, "POST outside api/*: the default behaviour allows GET and HEAD only")
    check(b"not configured to allow the HTTP request method" in r.body, "403 says why", "the reason", r.body[:300])
    r = edge(t, domain, "GET", "/status/418")
    check_eq(r.status, 418, "the origin's status comes back")
    r = edge(t, domain, "GET", "/API/items?a=1")
    check_eq((r.json() or {}).get("path"), "/base/API/items", "path patterns are case-sensitive")


def test_edge_refusals(t):
    cf = t.client("cloudfront")
    r = edge(t, "enosuchdist0000.cloudfront.localhost", "GET", "/")
    check_eq(r.status, 403, "an unknown distribution: 403")
    offline = cf.create_distribution(DistributionConfig=config([custom_origin("far", "192.0.2.10")], behavior("far")))
    r = edge(t, offline["Distribution"]["DomainName"], "GET", "/x")
    check(r.status == 502 and b"loopback" in r.body, "an origin off this machine: 502 saying why", "502 … loopback", r)
    closed = cf.create_distribution(DistributionConfig=config([custom_origin("gone", "127.0.0.1", harness.free_port())],
                                                              behavior("gone")))
    r = edge(t, closed["Distribution"]["DomainName"], "GET", "/x")
    check_eq(r.status, 502, "a loopback origin with nothing listening: 502")
    cfg = cf.get_distribution_config(Id=offline["Distribution"]["Id"])
    cf.update_distribution(Id=offline["Distribution"]["Id"], IfMatch=cfg["ETag"],
                           DistributionConfig=dict(cfg["DistributionConfig"], Enabled=False))
    r = edge(t, offline["Distribution"]["DomainName"], "GET", "/x")
    check_eq(r.status, 403, "a disabled distribution: 403")


def test_edge_with_seed_002_mediapackage_origins(t):
    """Seed 002's distribution: MediaPackage origin endpoints as https-only origins named by the
    host:port of the URL mediaemu hands out, CachingDisabled + CORS-S3Origin policies."""
    mp, cf = t.client("mediapackage"), t.client("cloudfront")
    channel = unique("cf-mp")
    mp.create_channel(Id=channel)
    url = mp.create_origin_endpoint(ChannelId=channel, Id=channel + "-hls", HlsPackage={"SegmentDurationSeconds": 2})["Url"]
    host, path = url.split("/")[2], "/" + "/".join(url.split("/")[3:-1])
    origin = {"Id": "MediaPackage-HLS-Primary", "DomainName": host, "OriginPath": path,
              "CustomOriginConfig": {"HTTPPort": 443, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                                     "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}},
              "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-MediaPackage-CDNIdentifier", "HeaderValue": "x"}]}}
    default = {"TargetOriginId": origin["Id"], "ViewerProtocolPolicy": "redirect-to-https", "CachePolicyId": CACHING_DISABLED,
               "OriginRequestPolicyId": CORS_S3_ORIGIN, "Compress": True,
               "AllowedMethods": methods("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"),
               "TrustedSigners": {"Enabled": False, "Quantity": 0}, "MinTTL": 0, "DefaultTTL": 5, "MaxTTL": 31536000}
    segments = dict(copy.deepcopy(default), PathPattern="*.ts", AllowedMethods=methods("GET", "HEAD"))
    dist = cf.create_distribution(DistributionConfig=config([origin], default, [segments], PriceClass="PriceClass_All",
                                                            HttpVersion="http2", IsIPV6Enabled=True))["Distribution"]
    r = edge(t, dist["DomainName"], "GET", "/" + url.split("/")[-1])
    # No channel feeds the endpoint, so MediaPackage's origin answers 404: the edge passes it on.
    check_eq(r.status, 404, "the MediaPackage origin's own 404 (nothing is live), not a 502")
    check_eq(r.header("X-Cache"), "Error from cloudfront", "X-Cache for the origin's error")
    r = edge(t, dist["DomainName"], "POST", "/seg_1.ts", b"x")
    check_eq(r.status, 403, "*.ts allows GET and HEAD only")


def test_state_survives_kill9(t):
    cf = t.client("cloudfront")
    created = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config([custom_origin("a", "127.0.0.1", echo().port)], behavior("a")),
        "Tags": {"Items": [{"Key": "kept", "Value": "yes"}]}})
    dist = created["Distribution"]
    inv = cf.create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
        "CallerReference": unique("inv"), "Paths": {"Quantity": 1, "Items": ["/*"]}})["Invalidation"]
    t.server.restart(hard=True)
    cf = t.client("cloudfront")
    got = cf.get_distribution(Id=dist["Id"])
    check_eq((got["ETag"], got["Distribution"]["Status"]), (created["ETag"], "Deployed"),
             "a distribution survives kill -9 with its ETag, deployed")
    check_eq(cf.list_tags_for_resource(Resource=dist["ARN"])["Tags"]["Items"], [{"Key": "kept", "Value": "yes"}],
             "tags survive kill -9")
    check_eq(cf.get_invalidation(DistributionId=dist["Id"], Id=inv["Id"])["Invalidation"]["Status"], "Completed",
             "an invalidation survives kill -9, completed")
    r = edge(t, dist["DomainName"], "GET", "/after-restart")
    check_eq((r.json() or {}).get("path"), "/after-restart", "the edge serves it after the restart")


harness.main(globals())
