#!/usr/bin/env python3
"""Bad input, sent as raw SigV4-signed HTTP so no client-side validation gets in the way.

The table is fixtures/cli/bad-input.json. For every case: the status and x-amzn-ErrorType are the
service's own (MediaLive 400 BadRequestException, MediaPackage and VOD 422
UnprocessableEntityException), the body is {"message": "..."} naming the offending member, the
server still answers health, and the service's list is the same before and after (nothing was
half-created). A 20 MB body gets 413 and a closed connection, and the server goes on answering.
"""

import json
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq  # noqa: E402

TABLE = json.loads((harness.FIXTURES / "bad-input.json").read_text())


def listing(t, service: str, path: str):
    r = t.request("GET", path, service=service)
    return r.status, r.json()


def check_error_shape(r, case_name: str, status: int, error_type: str, names: list) -> None:
    check_eq(r.status, status, f"{case_name}: HTTP status")
    check_eq(r.header("x-amzn-ErrorType"), error_type, f"{case_name}: x-amzn-ErrorType header")
    body = r.json()
    if not check(isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"],
                 f"{case_name}: body is JSON {{\"message\": \"...\"}}", '{"message": "..."}', r.body[:300]):
        return
    message = body["message"]
    check(any(n in message for n in names), f"{case_name}: message names the offending member",
          f"one of {names}", message)


def test_bad_input_table(t):
    for case in TABLE["cases"]:
        name, service = case["name"], case["service"]
        before = listing(t, service, case["list"])
        body = json.dumps(case["body"]) if "body" in case else case.get("raw", "")
        try:
            r = t.request(case["method"], case["path"], body, service=service)
        except OSError as e:
            check(False, f"{name}: the server answers", f"HTTP {case['status']}", f"{type(e).__name__}: {e}")
            continue
        print(f"    {name}: {r.status} {r.header('x-amzn-ErrorType')} {r.body[:160].decode(errors='replace')}")
        check_error_shape(r, name, case["status"], case["type"], case["names"])
        check(t.server.healthy(), f"{name}: server still answers health afterwards")
        after = listing(t, service, case["list"])
        check_eq(after, before, f"{name}: GET {case['list']} is unchanged (no partial resource)")


def send_oversized(endpoint: str, service: str, path: str, size: int, chunked: bool) -> tuple[bytes, bool, str]:
    """Streams a `size`-byte body (with Content-Length, or chunked so the server only finds out
    while reading) while a reader thread collects the answer. Returns (what the server sent,
    whether it closed the connection, how the send ended)."""
    url = endpoint + path
    headers = harness.signed_headers("POST", url, b"", service)  # payload hash of "" is fine: unverified
    host, port = endpoint.split("//", 1)[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=20)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() not in ("host", "content-type"))
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
    received, closed = bytearray(), threading.Event()

    def reader():
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received.extend(chunk)
        except OSError:
            pass
        closed.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    send_outcome = "sent all"
    try:
        sock.sendall(head.encode())
        chunk = (b'{"name": "' + b"x" * (1 << 20))[: 1 << 20]
        sent = 0
        while sent < size:
            piece = chunk[: min(len(chunk), size - sent)]
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError as e:
        send_outcome = f"send stopped after the server closed: {type(e).__name__}"
    thread.join(20)
    was_closed = closed.is_set()
    sock.close()
    return bytes(received), was_closed, send_outcome


def test_twenty_megabyte_body(t):
    for case, chunked in [(c, False) for c in TABLE["too_large"]] + [(TABLE["too_large"][0], True)]:
        service = case["service"]
        what = f"{service} POST {case['path']} with a 20 MB {'chunked ' if chunked else ''}body"
        before = listing(t, service, case["list"])
        started = time.monotonic()
        received, was_closed, outcome = send_oversized(t.endpoint, service, case["path"], 20 * 1024 * 1024, chunked)
        status_line = received.split(b"\r\n", 1)[0].decode(errors="replace")
        print(f"    {what}: '{status_line}', closed={was_closed}, {outcome}, {time.monotonic() - started:.2f} s")
        check(status_line.startswith("HTTP/1.1 413"), f"{what}: answered 413", "HTTP/1.1 413 ...",
              status_line or f"nothing ({outcome})")
        check(b"x-amzn-errortype" in received.lower(), f"{what}: 413 carries x-amzn-ErrorType", "header present",
              received[:400])
        check(was_closed, f"{what}: connection closed after the 413", "closed", "still open after 20 s")
        check(t.server.healthy(), f"{what}: server still answers health afterwards")
        check_eq(listing(t, service, case["list"]), before, f"{what}: GET {case['list']} unchanged")


def test_unsigned_request_routes_by_path(t):
    # Without an Authorization header the path picks the service; errors keep the same shape.
    r = t.request("POST", "/prod/inputs", json.dumps({"type": "NOPE"}), service=None, sign=False)
    check_error_shape(r, "unsigned medialive CreateInput with an invalid type", 400, "BadRequestException", ["type"])
    # Path-style S3 ("/{Bucket}/{Key+}") takes every other path, as it does on AWS and LocalStack:
    # an unknown one is a bucket that does not exist, in S3's XML error shape.
    r = t.request("GET", "/definitely/not/aws", service=None, sign=False)
    check(r.status == 404 and b"<Code>NoSuchBucket</Code>" in r.body, "unsigned unknown path: S3 NoSuchBucket",
          "404 <Code>NoSuchBucket</Code>", r)


def test_services_not_emulated_answer_in_their_own_protocol(t):
    """A service mediaemu does not emulate yet answers 501 in the shape its client parses (query
    XML for RDS, json for DynamoDB and Kinesis, rest-xml for Route 53, EC2's own
    XML), so the client shows the reason instead of a parse error."""
    from botocore.exceptions import ClientError
    calls = [("rds", "describe_db_instances", {}), ("dynamodb", "list_tables", {}), ("kinesis", "list_streams", {}),
             ("route53", "list_hosted_zones", {}),
             ("ec2", "describe_regions", {})]
    for service, operation, args in calls:
        client = t.client(service)
        protocol = client.meta.service_model.metadata.get("protocol")
        try:
            getattr(client, operation)(**args)
            check(False, f"{service} {operation} is refused", "ClientError", "success")
        except ClientError as e:
            err = e.response["Error"]
            check_eq(err.get("Code"), "NotImplementedException", f"{service} ({protocol}): error code parsed")
            check("does not emulate the AWS service" in err.get("Message", ""),
                  f"{service} ({protocol}): the message says why", "does not emulate ...", err.get("Message"))
            check_eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 501, f"{service}: HTTP status")


def test_keep_alive_survives_errors(t):
    # A client error must not cost the client its keep-alive connection.
    import http.client

    host, port = t.endpoint.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for i in range(3):
            body = b'{"type": "NOPE"}'
            conn.request("POST", "/prod/inputs", body=body,
                         headers=harness.signed_headers("POST", t.endpoint + "/prod/inputs", body, "medialive"))
            r = conn.getresponse()
            r.read()
            check_eq(r.status, 400, f"keep-alive request {i + 1} on one connection: 400")
        conn.request("GET", "/_mediaemu/health")
        r = conn.getresponse()
        r.read()
        check_eq(r.status, 200, "health on the same connection after three errors")
    finally:
        conn.close()


harness.main(globals())
