#!/usr/bin/env python3
"""The bad-input table in every protocol the engine speaks, as raw SigV4-signed HTTP (no client
validation in the way): rest-json (MediaLive), rest-xml (S3, CloudFront), query (IAM, SNS),
JSON 1.1 (Secrets Manager, SSM) and smithy-rpc-v2-cbor (CloudWatch, when the embedded model lists
it). For each protocol: a malformed body, a wrong type (an object or list where the model wants
something else), a missing required member, an unknown operation, a wrong method and a body over
the API's 10 MB limit. Every case must answer a 4xx in the protocol's own error shape (XML
<Error>/<ErrorResponse>, JSON __type or {"message"}, CBOR), create nothing, and leave the server
serving.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check  # noqa: E402

try:
    import boto3  # noqa: F401
except ImportError:
    print("SKIP: boto3 is not installed (python3 -m pip install boto3)")
    sys.exit(77)

FORM = "application/x-www-form-urlencoded"
JSON11 = "application/x-amz-json-1.1"
OVERSIZE = b"x" * (11 * 1024 * 1024)  # over the 10 MB limit every non-S3-upload request has


def shape_of(r) -> str:
    """Which protocol's error shape the body has (empty: none)."""
    body = r.body.lstrip()
    if body.startswith(b"<ErrorResponse") or body.startswith(b"<?xml") and b"<ErrorResponse" in body:
        return "query"
    if body.startswith(b"<Error>") or body.startswith(b"<?xml") and b"<Error>" in body:
        return "rest-xml"
    if (r.header("Content-Type") or "").startswith("application/cbor"):
        return "cbor"
    try:
        doc = json.loads(body or b"null")
    except ValueError:
        return ""
    if isinstance(doc, dict) and ("__type" in doc or "message" in doc or "Message" in doc):
        return "json"
    return ""


# (protocol, case, request kwargs, the shape expected). Requests are (method, path, body, service,
# content_type, headers).
def cases():
    iam = ("iam", FORM)
    sm = lambda op: {"X-Amz-Target": "secretsmanager." + op}
    ssm = lambda op: {"X-Amz-Target": "AmazonSSM." + op}
    return [
        ("rest-json", "malformed JSON", ("POST", "/prod/inputs", b"{not json", "medialive", "application/json", {}), "json"),
        ("rest-json", "an object where a list belongs",
         ("POST", "/prod/batch/delete", json.dumps({"channelIds": {"k": "v"}}), "medialive", "application/json", {}), "json"),
        ("rest-json", "a number where a string belongs",
         ("POST", "/prod/inputSecurityGroups", json.dumps({"whitelistRules": [{"cidr": 5}]}), "medialive",
          "application/json", {}), "json"),
        ("rest-json", "MediaPackage: a missing required member",
         ("POST", "/channels", json.dumps({"description": "no id"}), "mediapackage", "application/json", {}), "json"),
        ("rest-json", "an unknown path", ("GET", "/prod/no-such-thing", None, "medialive", "application/json", {}), "json"),
        ("rest-json", "a wrong method", ("PATCH", "/prod/channels", b"{}", "medialive", "application/json", {}), "json"),
        ("rest-json", "a body over 10 MB", ("POST", "/prod/inputs", OVERSIZE, "medialive", "application/json", {}), "any"),
        ("rest-xml", "malformed XML", ("PUT", "/bad-input-bucket?tagging", b"<Tagging><TagSet>", "s3", "application/xml", {}),
         "rest-xml"),
        ("rest-xml", "a wrong type in the query", ("GET", "/bad-input-bucket?list-type=2&max-keys=many", None, "s3",
                                                   "application/xml", {}), "rest-xml"),
        ("rest-xml", "a missing required body", ("PUT", "/bad-input-bucket?tagging", b"", "s3", "application/xml", {}),
         "rest-xml"),
        ("rest-xml", "CloudFront: malformed XML", ("POST", "/2020-05-31/distribution", b"<DistributionConfig><Origins>",
                                                   "cloudfront", "text/xml", {}), "rest-xml"),
        ("rest-xml", "CloudFront: an unknown path", ("GET", "/2020-05-31/no-such-thing", None, "cloudfront", "text/xml", {}),
         "rest-xml"),
        ("query", "an unknown action", ("POST", "/", "Action=NoSuchAction&Version=2010-05-08", *iam, {}), "query"),
        ("query", "a missing required member", ("POST", "/", "Action=CreateRole&Version=2010-05-08&RoleName=bad-input",
                                                *iam, {}), "query"),
        ("query", "a wrong type", ("POST", "/", "Action=CreateRole&Version=2010-05-08&RoleName=bad-input"
                                   "&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=long", *iam, {}), "query"),
        ("query", "a form that is not a form", ("POST", "/", b"\xff\xfe%%%=&&=", *iam, {}), "query"),
        ("query", "SNS: a missing required member", ("POST", "/", "Action=CreateTopic&Version=2010-03-31", "sns", FORM, {}),
         "query"),
        ("query", "a body over 10 MB", ("POST", "/", b"Action=ListRoles&Version=2010-05-08&x=" + OVERSIZE, *iam, {}), "any"),
        ("json", "malformed JSON", ("POST", "/", b"{not json", "secretsmanager", JSON11, sm("CreateSecret")), "json"),
        ("json", "a list where a string belongs", ("POST", "/", json.dumps({"Name": ["bad-input"]}), "secretsmanager", JSON11,
                                                   sm("CreateSecret")), "json"),
        ("json", "a missing required member", ("POST", "/", json.dumps({}), "secretsmanager", JSON11, sm("CreateSecret")),
         "json"),
        ("json", "an unknown target", ("POST", "/", "{}", "secretsmanager", JSON11, sm("NoSuchOperation")), "json"),
        ("json", "SSM: an object where a string belongs", ("POST", "/", json.dumps({"Name": "/bad-input", "Value": {"a": 1}}),
                                                          "ssm", JSON11, ssm("PutParameter")), "json"),
        ("json", "a wrong method", ("GET", "/", None, "secretsmanager", JSON11, sm("ListSecrets")), "any"),
        ("json", "a body over 10 MB", ("POST", "/", b'{"Name": "' + OVERSIZE + b'"}', "secretsmanager", JSON11,
                                       sm("CreateSecret")), "any"),
    ]


def nothing_created(t) -> dict:
    """What the refused requests could have created, listed through boto3."""
    iam, sm, ml = t.client("iam"), t.client("secretsmanager"), t.client("medialive")
    return {"roles": [r["RoleName"] for r in iam.list_roles()["Roles"]],
            "secrets": [s["Name"] for s in sm.list_secrets()["SecretList"]],
            "inputs": [i["Id"] for i in ml.list_inputs()["Inputs"]],
            "security groups": [g["Id"] for g in ml.list_input_security_groups()["InputSecurityGroups"]],
            "topics": [tp["TopicArn"] for tp in t.client("sns").list_topics()["Topics"]],
            "parameters": [p["Name"] for p in t.client("ssm").describe_parameters()["Parameters"]],
            "mediapackage channels": [c["Id"] for c in t.client("mediapackage").list_channels()["Channels"]],
            "distributions": t.client("cloudfront").list_distributions()["DistributionList"].get("Items") or []}


def test_every_protocol_refuses_bad_input(t):
    t.client("s3").create_bucket(Bucket="bad-input-bucket")
    before = nothing_created(t)
    for protocol, name, (method, path, body, service, content_type, headers), shape in cases():
        label = f"{protocol}: {name}"
        try:
            r = t.request(method, path, body, service=service, content_type=content_type, headers=headers)
        except OSError as e:  # an oversized body may be refused by closing the connection
            print(f"    {label}: the connection closed ({type(e).__name__})")
            check("over 10 MB" in name, f"{label}: answered, or the connection closed for an oversized body",
                  "an HTTP answer", f"{type(e).__name__}: {e}")
            continue
        got_shape = shape_of(r)
        print(f"    {label}: {r.status} {got_shape or '?'} {r.body[:120]!r}")
        check(400 <= r.status < 500, f"{label}: a 4xx", "4xx", r.status)
        if shape != "any":
            check(got_shape == shape, f"{label}: the error in {shape}'s shape", shape, got_shape or r.body[:200])
        check(t.server.healthy(), f"{label}: the server still answers")
    check(before == nothing_created(t), "no refused request created anything", before, nothing_created(t))


def test_cbor_when_the_model_lists_it(t):
    cw = t.client("cloudwatch")
    listed = cw.meta.service_model.metadata.get("protocols") or [cw.meta.service_model.protocol]
    if "smithy-rpc-v2-cbor" not in listed:
        print(f"    skip: this botocore's CloudWatch model lists {listed}, not smithy-rpc-v2-cbor")
        return
    base = "/service/GraniteServiceVersion20100801/operation/"
    cbor = {"smithy-protocol": "rpc-v2-cbor"}
    # A map {"Namespace": 5} (0xa1, text(9) "Namespace", unsigned 5): a number where a string belongs.
    wrong_type = b"\xa1\x69Namespace\x05"
    for name, op, body in (("garbage", "ListMetrics", b"\xff\x00garbage"), ("a wrong type", "ListMetrics", wrong_type),
                           ("a missing required member", "PutMetricData", b"\xa0"),
                           ("an unknown operation", "NoSuchOperation", b"\xa0")):
        r = t.request("POST", base + op, body, service="monitoring", content_type="application/cbor", headers=cbor)
        print(f"    cbor: {name}: {r.status} {r.body[:80]!r}")
        check(400 <= r.status < 500 and shape_of(r) == "cbor", f"cbor: {name}: a 4xx in CBOR", "4xx cbor",
              (r.status, r.header("Content-Type")))
    check(cw.list_metrics(Namespace="bad-input")["Metrics"] == [], "cbor: nothing was stored")


harness.main(globals())
