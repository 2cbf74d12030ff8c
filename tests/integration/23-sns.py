#!/usr/bin/env python3
"""Amazon SNS with boto3 and both AWS CLIs: seed 003's `aws sns create-topic --name
live-event-alerts` and its email subscription; topics (idempotent create, FIFO, attributes as AWS
returns them, tags, NextToken pages); an HTTP subscriber on 127.0.0.1 that really receives the
SubscriptionConfirmation, confirms through its SubscribeURL and then receives notifications
(enveloped, and raw for a RawMessageDelivery subscription); HTTPS subscribers over TLS, trusted
through --sns-ca-file, and the ones whose certificate does not verify getting nothing, with a log
line saying why; every message's Signature checked with the openssl CLI against the certificate
SigningCertURL serves, for SignatureVersion 1 and 2; the UnsubscribeConfirmation, whose
SubscribeURL restores the subscription; errors as botocore ClientErrors; state across a kill -9.
"""

import atexit
import base64
import json
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

try:
    import boto3  # noqa: F401
except ImportError:
    print("SKIP: boto3 is not installed (pip install boto3)")
    sys.exit(77)


RECEIVER = None


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr}")
    return r


class Certificates:
    """Made with the openssl CLI in a temp dir before the server starts: a test CA (handed to
    mediaemu with --sns-ca-file), server certificates it signs for 127.0.0.1 and localhost
    ("trusted") and for another name ("wrong-name"), and a self-signed one ("untrusted")."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sns-tls-"))
        atexit.register(shutil.rmtree, self.dir, True)
        self.ca = self.dir / "ca.pem"
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=mediaemu test CA", cwd=self.dir)
        self.signed("trusted", "IP:127.0.0.1,DNS:localhost")
        self.signed("wrong-name", "DNS:other.example")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "untrusted.key", "-out", "untrusted.pem",
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", cwd=self.dir)

    def signed(self, name: str, alt_names: str) -> None:
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=self.dir)
        (self.dir / f"{name}.ext").write_text(f"subjectAltName={alt_names}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=self.dir)

    def context(self, name: str) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.dir / f"{name}.pem", self.dir / f"{name}.key")
        return ctx


CERTS = Certificates()

# The members each message type signs, in order, as AWS documents them
# (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html); written here
# from the documentation, not taken from mediaemu.
SIGNED_MEMBERS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


def openssl_verifies(t, msg: dict) -> bool:
    """Checks msg's Signature as a subscriber would, with the openssl CLI: the certificate from
    SigningCertURL (which must be mediaemu's), its public key, `openssl dgst -sha1|-sha256 -verify`."""
    url = msg["SigningCertURL"]
    check(url.startswith(t.endpoint + "/_mediaemu/sns/SimpleNotificationService-") and url.endswith(".pem"),
          "SigningCertURL names mediaemu's certificate", t.endpoint + "/_mediaemu/sns/SimpleNotificationService-<id>.pem",
          url)
    work = Path(tempfile.mkdtemp(prefix="sns-verify-", dir=CERTS.dir))
    with urllib.request.urlopen(url, timeout=10) as r:
        (work / "cert.pem").write_bytes(r.read())
    (work / "pub.pem").write_text(openssl("x509", "-in", "cert.pem", "-pubkey", "-noout", cwd=work).stdout)
    text = "".join(f"{name}\n{msg[name]}\n" for name in SIGNED_MEMBERS[msg["Type"]] if name in msg)
    (work / "signed.txt").write_bytes(text.encode())
    (work / "signature.bin").write_bytes(base64.b64decode(msg["Signature"]))
    digest = {"1": "-sha1", "2": "-sha256"}[msg["SignatureVersion"]]
    r = subprocess.run(["openssl", "dgst", digest, "-verify", "pub.pem", "-signature", "signature.bin", "signed.txt"],
                       cwd=work, capture_output=True, text=True, timeout=30)
    return r.returncode == 0 and "Verified OK" in r.stdout


def no_post(rx: harness.HttpReceiver, seconds: float):
    """The POST that arrived within `seconds`, or None (rx.next would count None as a failure)."""
    try:
        return rx.posts.get(timeout=seconds)
    except Exception:
        return None


def log_line(t, needle: str, timeout: float = 10) -> str:
    """The first line of the server's log containing `needle`, waiting up to `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in t.server.log_path.read_text(errors="replace").splitlines():
            if needle in line:
                return line
        time.sleep(0.1)
    return ""


def receiver() -> harness.HttpReceiver:
    global RECEIVER
    if RECEIVER is None:
        RECEIVER = harness.HttpReceiver()
    return RECEIVER


def test_seed_003_with_the_clis(t):
    if not harness.aws_clis():
        print("    SKIP no AWS CLI on this machine")
    for label, v2 in harness.aws_clis():
        r = t.cli(["sns", "create-topic", "--name", "live-event-alerts"], v2)
        check(r.returncode == 0, f"{label}: sns create-topic", "exit 0", r.stderr)
        if r.returncode:
            continue
        arn = json.loads(r.stdout)["TopicArn"]
        check_eq(arn, "arn:aws:sns:us-east-1:123456789012:live-event-alerts", f"{label}: the seed's topic ARN")
        r = t.cli(["sns", "subscribe", "--topic-arn", arn, "--protocol", "email",
                    "--notification-endpoint", "your-email@example.com"], v2)
        check(r.returncode == 0, f"{label}: sns subscribe email", "exit 0", r.stderr)
        if r.returncode == 0:
            check_eq(json.loads(r.stdout)["SubscriptionArn"], "pending confirmation",
                     f"{label}: an email subscription waits for its confirmation")
        r = t.cli(["sns", "get-topic-attributes", "--topic-arn", arn, "--query", "Attributes.SubscriptionsPending",
                    "--output", "text"], v2)
        check_eq(r.stdout.strip(), "1", f"{label}: the same email again is the same pending subscription")
        r = t.cli(["sns", "list-topics", "--query", "Topics[].TopicArn", "--output", "text"], v2)
        check(arn in r.stdout, f"{label}: list-topics shows it", arn, r.stdout)


def test_topics_attributes_and_tags(t):
    sns = t.client("sns")
    name = harness.unique("alerts")
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "Alerts"}, Tags=[{"Key": "env", "Value": "ci"}])["TopicArn"]
    check_eq(sns.create_topic(Name=name, Attributes={"DisplayName": "Alerts"})["TopicArn"], arn,
             "CreateTopic again with the same attributes: the same topic")
    expect_error(lambda: sns.create_topic(Name=name, Attributes={"DisplayName": "Other"}), 400, "InvalidParameter",
                 "CreateTopic again with other attributes")
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    check_eq((a["TopicArn"], a["Owner"], a["DisplayName"], a["SubscriptionsConfirmed"], a["SubscriptionsPending"],
              a["SubscriptionsDeleted"]), (arn, "123456789012", "Alerts", "0", "0", "0"), "GetTopicAttributes")
    policy = json.loads(a["Policy"])
    check_eq((policy["Id"], policy["Statement"][0]["Resource"],
              policy["Statement"][0]["Condition"]["StringEquals"]["AWS:SourceOwner"]),
             ("__default_policy_ID", arn, "123456789012"), "the default topic policy, as AWS writes it")
    retry = json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
    check_eq((retry["numRetries"], retry["minDelayTarget"]), (3, 20), "EffectiveDeliveryPolicy: AWS's HTTP default")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Renamed")
    check_eq(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Renamed", "SetTopicAttributes")
    expect_error(lambda: sns.set_topic_attributes(TopicArn=arn, AttributeName="Bogus", AttributeValue="x"), 400,
                 "InvalidParameter", "SetTopicAttributes with an unknown attribute")
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "media"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["env"])
    check_eq(sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "team", "Value": "media"}], "tags")
    expect_error(lambda: sns.list_tags_for_resource(ResourceArn=arn + "-missing"), 404, "ResourceNotFound",
                 "tags of a missing topic")
    # FIFO topics: the suffix and the attribute go together; Publish needs a group.
    fifo = sns.create_topic(Name=harness.unique("orders") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    check_eq(sns.get_topic_attributes(TopicArn=fifo)["Attributes"]["FifoTopic"], "true", "a FIFO topic")
    expect_error(lambda: sns.create_topic(Name=harness.unique("plain"), Attributes={"FifoTopic": "true"}), 400,
                 "InvalidParameter", "FifoTopic without the .fifo suffix")
    expect_error(lambda: sns.publish(TopicArn=fifo, Message="m"), 400, "InvalidParameter",
                 "Publish to a FIFO topic without MessageGroupId")
    check("MessageId" in sns.publish(TopicArn=fifo, Message="m", MessageGroupId="g", MessageDeduplicationId="d"),
          "Publish to a FIFO topic with a group and a deduplication id")
    # Pages of 100 with NextToken.
    for i in range(101):
        sns.create_topic(Name=f"page-{i:03d}")
    arns = [x["TopicArn"] for p in sns.get_paginator("list_topics").paginate() for x in p["Topics"]]
    first = sns.list_topics()
    check("NextToken" in first and len(first["Topics"]) == 100, "ListTopics pages by 100 with a NextToken",
          100, len(first["Topics"]))
    check(len(arns) == len(set(arns)) and arn in arns and fifo in arns, "the paginator sees every topic once")
    sns.delete_topic(TopicArn=fifo)
    sns.delete_topic(TopicArn=fifo)  # AWS: deleting a missing topic is not an error
    expect_error(lambda: sns.get_topic_attributes(TopicArn=fifo), 404, "NotFound", "a deleted topic")


def test_http_subscriber_confirms_and_receives(t):
    sns, rx = t.client("sns"), receiver()
    arn = sns.create_topic(Name=harness.unique("events"))["TopicArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url + "/hook")
    check_eq(sub["SubscriptionArn"], "pending confirmation", "Subscribe http: pending")
    got = rx.next("the endpoint receives the SubscriptionConfirmation")
    if not got:
        return
    path, headers, body = got
    msg = json.loads(body)
    check_eq((path, headers.get("x-amz-sns-message-type"), headers.get("x-amz-sns-topic-arn")),
             ("/hook", "SubscriptionConfirmation", arn), "confirmation POST: path and headers")
    check_eq(headers.get("x-amz-sns-message-id"), msg["MessageId"], "x-amz-sns-message-id is the MessageId")
    for field in ("Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
                  "SignatureVersion", "Signature", "SigningCertURL"):
        check(field in msg, f"SubscriptionConfirmation has {field}", field, sorted(msg))
    check(msg["SubscribeURL"].startswith(t.endpoint + "/?Action=ConfirmSubscription"),
          "SubscribeURL points at mediaemu", t.endpoint, msg["SubscribeURL"])
    pending = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    check_eq([s["SubscriptionArn"] for s in pending], ["PendingConfirmation"], "listed as PendingConfirmation")
    # The subscriber confirms as a real one does: a GET of SubscribeURL.
    with urllib.request.urlopen(msg["SubscribeURL"], timeout=10) as r:
        answer = r.read().decode()
    check("<ConfirmSubscriptionResult>" in answer and arn in answer, "GET SubscribeURL confirms", "result", answer)
    sub_arn = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]["SubscriptionArn"]
    check(sub_arn.startswith(arn + ":"), "then listed with its ARN", arn, sub_arn)
    a = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    check_eq((a["PendingConfirmation"], a["Protocol"], a["Endpoint"], a["RawMessageDelivery"]),
             ("false", "http", rx.url + "/hook", "false"), "GetSubscriptionAttributes")
    check_eq(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsConfirmed"], "1", "confirmed count")

    mid = sns.publish(TopicArn=arn, Subject="Alarm", Message="input loss on pipeline 0",
                      MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}})["MessageId"]
    got = rx.next("the endpoint receives the Notification")
    if not got:
        return
    _, headers, body = got
    n = json.loads(body)
    check_eq((headers.get("x-amz-sns-message-type"), headers.get("x-amz-sns-message-id"),
              headers.get("x-amz-sns-subscription-arn")), ("Notification", mid, sub_arn), "Notification headers")
    check_eq((n["Type"], n["MessageId"], n["TopicArn"], n["Subject"], n["Message"]),
             ("Notification", mid, arn, "Alarm", "input loss on pipeline 0"), "Notification body")
    check_eq(n.get("MessageAttributes"), {"severity": {"Type": "String", "Value": "high"}}, "MessageAttributes")
    for field in ("Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"):
        check(field in n, f"Notification has {field}", field, sorted(n))

    # A raw subscription, confirmed with ConfirmSubscription and the token.
    raw = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url + "/raw", ReturnSubscriptionArn=True,
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    check(raw.startswith(arn + ":"), "ReturnSubscriptionArn gives the ARN of a pending subscription", arn, raw)
    got = rx.next("the raw endpoint receives its confirmation")
    if not got:
        return
    token = json.loads(got[2])["Token"]
    check_eq(sns.confirm_subscription(TopicArn=arn, Token=token)["SubscriptionArn"], raw, "ConfirmSubscription")
    expect_error(lambda: sns.confirm_subscription(TopicArn=arn, Token="nope"), 400, "InvalidParameter",
                 "ConfirmSubscription with a wrong token")
    sns.publish(TopicArn=arn, Message=json.dumps({"default": "plain", "http": "for http"}), MessageStructure="json")
    bodies = {}
    for _ in range(2):
        got = rx.next("both subscribers receive the message")
        if got:
            bodies[got[0]] = (got[1], got[2])
    if "/raw" in bodies:
        check_eq(bodies["/raw"][1], "for http", "raw delivery: the body is the message itself (MessageStructure json)")
        check_eq(bodies["/raw"][0].get("x-amz-sns-rawdelivery"), "true", "raw delivery header")
    if "/hook" in bodies:
        check_eq(json.loads(bodies["/hook"][1])["Message"], "for http", "enveloped: the http entry of the json")
    batch = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "one"}, {"Id": "2", "Message": "two"}])
    check_eq(sorted(x["Id"] for x in batch["Successful"]), ["1", "2"], "PublishBatch")
    got = [rx.next("PublishBatch delivers") for _ in range(4)]
    check_eq(sorted(g[2] for g in got if g and g[0] == "/raw"), ["one", "two"], "PublishBatch reaches the raw subscriber")
    # Unsubscribe: the endpoint is told (enveloped, though raw), then gets nothing more; counted as deleted.
    sns.unsubscribe(SubscriptionArn=raw)
    check_eq(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsDeleted"], "1", "SubscriptionsDeleted")
    got = rx.next("the unsubscribed endpoint receives its UnsubscribeConfirmation")
    if got:
        check_eq((got[0], got[1].get("x-amz-sns-message-type"), got[1].get("x-amz-sns-subscription-arn"),
                  json.loads(got[2])["Type"]), ("/raw", "UnsubscribeConfirmation", raw, "UnsubscribeConfirmation"),
                 "UnsubscribeConfirmation: path, headers and Type")
    sns.publish(TopicArn=arn, Message="after")
    got = rx.next("the remaining subscriber still receives")
    check(got and got[0] == "/hook", "only the remaining subscriber receives", "/hook", got and got[0])
    check(rx.posts.empty(), "nothing for the unsubscribed endpoint")


def test_cloudwatch_alarm_actions_reach_an_http_subscriber(t):
    """Seed 003's alerting path: a CloudWatch alarm whose action is an SNS topic; its state change
    (here by SetAlarmState, which runs actions as on AWS) reaches the topic's HTTP subscriber as
    the alarm notification JSON."""
    sns, cw, rx = t.client("sns"), t.client("cloudwatch"), receiver()
    while not rx.posts.empty():
        rx.posts.get()
    arn = sns.create_topic(Name=harness.unique("live-event-alerts"))["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url + "/alarms")
    got = rx.next("the alarm subscriber receives its confirmation")
    if not got:
        return
    sns.confirm_subscription(TopicArn=arn, Token=json.loads(got[2])["Token"])
    cw.put_metric_alarm(AlarmName="ChannelErrors", Namespace="AWS/MediaLive", MetricName="ActiveAlerts",
                        Dimensions=[{"Name": "ChannelId", "Value": "1234567"}, {"Name": "Pipeline", "Value": "0"}],
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[arn])
    cw.set_alarm_state(AlarmName="ChannelErrors", StateValue="ALARM", StateReason="input lost")
    got = rx.next("the ALARM notification reaches the subscriber")
    if not got:
        return
    note = json.loads(got[2])
    check_eq((note["Type"], note["TopicArn"]), ("Notification", arn), "an SNS Notification from the topic")
    alarm = json.loads(note["Message"])
    check_eq((alarm["AlarmName"], alarm["NewStateValue"], alarm["OldStateValue"], alarm["NewStateReason"]),
             ("ChannelErrors", "ALARM", "INSUFFICIENT_DATA", "input lost"), "the message is the alarm's notification")
    check_eq(alarm["Trigger"]["MetricName"], "ActiveAlerts", "the notification names the metric")
    check(note.get("Subject", "").startswith('ALARM: "ChannelErrors"'), "the subject names state and alarm",
          'ALARM: "ChannelErrors" ...', note.get("Subject"))


def test_https_subscriber_receives_signed_messages(t):
    """An HTTPS subscriber whose certificate --sns-ca-file's CA signed: the SubscriptionConfirmation,
    Notifications with SignatureVersion 1 and then 2, and the UnsubscribeConfirmation all arrive
    over TLS, each signature verified with the openssl CLI; the UnsubscribeConfirmation's
    SubscribeURL restores the subscription."""
    sns, rx = t.client("sns"), harness.HttpReceiver(tls=CERTS.context("trusted"))
    try:
        arn = sns.create_topic(Name=harness.unique("secure"))["TopicArn"]
        endpoint = rx.url + "/tls"
        check(endpoint.startswith("https://127.0.0.1:"), "the subscriber is https", "https://127.0.0.1:...", endpoint)
        check_eq(sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=endpoint)["SubscriptionArn"],
                 "pending confirmation", "Subscribe https: pending")
        got = rx.next("the https endpoint receives the SubscriptionConfirmation over TLS")
        if not got:
            return
        confirmation = json.loads(got[2])
        check_eq((got[0], confirmation["Type"], confirmation["SignatureVersion"]),
                 ("/tls", "SubscriptionConfirmation", "1"), "SubscriptionConfirmation over TLS, SignatureVersion 1")
        check(openssl_verifies(t, confirmation), "openssl verifies the SubscriptionConfirmation (SHA1withRSA)")
        tampered = dict(confirmation, Token=confirmation["Token"][::-1])
        check(not openssl_verifies(t, tampered), "and not once its Token is changed")
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as r:
            r.read()
        sub_arn = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]["SubscriptionArn"]

        sns.publish(TopicArn=arn, Subject="Signed", Message="over TLS\nline two")
        got = rx.next("the https endpoint receives the Notification")
        if got:
            n = json.loads(got[2])
            check_eq((n["Type"], n["Subject"], n["Message"], n["SignatureVersion"]),
                     ("Notification", "Signed", "over TLS\nline two", "1"), "Notification over TLS")
            check(openssl_verifies(t, n), "openssl verifies the Notification with a Subject (SHA1withRSA)")
            check(not openssl_verifies(t, dict(n, Subject="Other")), "and not once its Subject is changed")

        sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
        sns.publish(TopicArn=arn, Message="no subject, SHA256")
        got = rx.next("the Notification of a SignatureVersion 2 topic")
        if got:
            n = json.loads(got[2])
            check_eq(("Subject" in n, n["SignatureVersion"]), (False, "2"), "SignatureVersion 2, no Subject member")
            check(openssl_verifies(t, n), "openssl verifies the Notification (SHA256withRSA)")

        sns.unsubscribe(SubscriptionArn=sub_arn)
        got = rx.next("the https endpoint receives the UnsubscribeConfirmation")
        if not got:
            return
        u = json.loads(got[2])
        check_eq((got[1].get("x-amz-sns-message-type"), got[1].get("x-amz-sns-subscription-arn"), u["Type"],
                  u["SignatureVersion"]), ("UnsubscribeConfirmation", sub_arn, "UnsubscribeConfirmation", "2"),
                 "UnsubscribeConfirmation headers and body")
        check(u["Message"].startswith(f"You have chosen to deactivate subscription {sub_arn}."),
              "the UnsubscribeConfirmation's Message, in AWS's words", sub_arn, u["Message"])
        check(openssl_verifies(t, u), "openssl verifies the UnsubscribeConfirmation (SHA256withRSA)")
        check_eq(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [], "unsubscribed")
        with urllib.request.urlopen(u["SubscribeURL"], timeout=10) as r:
            r.read()
        check_eq([s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]],
                 [sub_arn], "the UnsubscribeConfirmation's SubscribeURL restores the subscription")
        with urllib.request.urlopen(u["SubscribeURL"], timeout=10) as r:
            again = r.read().decode()
        check(sub_arn in again and len(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]) == 1,
              "the same SubscribeURL again restores nothing twice", sub_arn, again)
        sns.publish(TopicArn=arn, Message="restored")
        got = rx.next("the restored subscription receives")
        check(got and json.loads(got[2])["Message"] == "restored", "delivery to the restored subscription")
        check(no_post(rx, 0.3) is None, "once")
    finally:
        rx.close()


def test_https_by_host_name(t):
    """https://localhost: the name is sent as SNI and checked against the certificate's DNS name."""
    try:
        socket.getaddrinfo("localhost", 443)
    except socket.gaierror as e:  # e.g. a debootstrapped tree without /etc/hosts
        print(f"    skip: this machine cannot resolve localhost ({e}), so no client here could either")
        return
    server_names = []
    tls = CERTS.context("trusted")
    tls.sni_callback = lambda _socket, name, _context: server_names.append(name)
    sns, rx = t.client("sns"), harness.HttpReceiver(tls=tls)
    try:
        arn = sns.create_topic(Name=harness.unique("named"))["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=rx.url.replace("127.0.0.1", "localhost") + "/named")
        got = rx.next("https://localhost receives the SubscriptionConfirmation")
        check(got and got[0] == "/named", "delivered to https://localhost", "/named", got and got[0])
        check_eq(server_names, ["localhost"], "the TLS handshake named the host (SNI)")
    finally:
        rx.close()


def test_a_stuck_https_subscriber_costs_one_timeout(t):
    """A subscriber that accepts the connection and never answers the TLS handshake: the attempt
    ends after the 5 s step timeout, logged, and the worker goes on."""
    sns = t.client("sns")
    stuck = socket.socket()
    stuck.bind(("127.0.0.1", 0))
    stuck.listen(1)  # the kernel completes the TCP handshake; nobody ever reads
    try:
        arn = sns.create_topic(Name=harness.unique("stuck"))["TopicArn"]
        url = f"https://127.0.0.1:{stuck.getsockname()[1]}/stuck"
        started = time.monotonic()
        sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=url)
        line = log_line(t, url, timeout=15)
        waited = time.monotonic() - started
        check("timed out" in line and "retry 1 of 3" in line, "the stuck attempt times out and is retried later",
              "timed out", line)
        check(4 <= waited <= 8, "after about 5 s", "5 s", f"{waited:.1f} s")
    finally:
        stuck.close()


def test_https_subscribers_whose_certificate_does_not_verify_get_nothing(t):
    """A self-signed certificate and one for another name: the attempt fails before anything is
    sent, and the log says why (AWS retries it 20 s later; the suite does not wait for that)."""
    sns = t.client("sns")
    arn = sns.create_topic(Name=harness.unique("untrusted"))["TopicArn"]
    for name, reason in (("untrusted", "certificate verify failed: self-signed certificate"),
                         ("wrong-name", "certificate verify failed: IP address mismatch")):
        rx = harness.HttpReceiver(tls=CERTS.context(name))
        try:
            sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=rx.url + "/" + name)
            line = log_line(t, rx.url + "/" + name)
            check(reason in line and "retry 1 of 3" in line, f"{name}: the log says why, and that it retries",
                  reason, line)
            check(no_post(rx, 0.5) is None, f"{name}: the endpoint receives nothing")
        finally:
            rx.close()


def test_sns_ca_file_is_checked_at_start(t):
    for path, why in (("/nonexistent/ca.pem", "cannot read /nonexistent/ca.pem"),
                      (str(harness.REPO / "README.md"), "as CA certificates")):
        r = subprocess.run([str(harness.mediaemu_binary()), "--port", str(harness.free_port()), "--data-dir",
                            str(CERTS.dir / "unused"), "--sns-ca-file", path], capture_output=True, text=True, timeout=30)
        check(r.returncode == 2 and "--sns-ca-file" in r.stderr and why in r.stderr,
              f"--sns-ca-file {path}: mediaemu refuses to start, saying why", why, (r.returncode, r.stderr[:300]))


def test_errors(t):
    sns = t.client("sns")
    missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic"
    expect_error(lambda: sns.publish(TopicArn=missing, Message="x"), 404, "NotFound", "Publish to a missing topic")
    expect_error(lambda: sns.subscribe(TopicArn=missing, Protocol="email", Endpoint="a@b.c"), 404, "NotFound",
                 "Subscribe to a missing topic")
    arn = sns.create_topic(Name=harness.unique("errs"))["TopicArn"]
    expect_error(lambda: sns.subscribe(TopicArn=arn, Protocol="carrier-pigeon", Endpoint="x"), 400,
                 "InvalidParameter", "Subscribe with a bad protocol")
    expect_error(lambda: sns.subscribe(TopicArn=arn, Protocol="http", Endpoint="ftp://x"), 400,
                 "InvalidParameter", "an http subscription with a non-http endpoint")
    expect_error(lambda: sns.publish(TopicArn=arn, Message="{}", MessageStructure="json"), 400, "InvalidParameter",
                 "MessageStructure json without a default")
    expect_error(lambda: sns.get_subscription_attributes(SubscriptionArn=arn + ":nope"), 404, "NotFound",
                 "a missing subscription")
    check_eq(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [], "nothing half-written")
    r = t.cli(["sns", "publish", "--topic-arn", missing, "--message", "x"], v2=True)
    check(r.returncode != 0 and "NotFound" in r.stderr, "AWS CLI v2 shows NotFound", "NotFound", r.stderr)


def test_other_protocols_are_kept(t):
    sns = t.client("sns")
    arn = sns.create_topic(Name=harness.unique("fanout"))["TopicArn"]
    for protocol, endpoint in (("sqs", "arn:aws:sqs:us-east-1:123456789012:q"),
                               ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f"),
                               ("sms", "+15555550100"), ("email-json", "ops@example.com"),
                               ("firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/s")):
        sub = sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint,
                            Attributes={"FilterPolicy": json.dumps({"severity": ["high"]})})["SubscriptionArn"]
        want_pending = protocol == "email-json"
        check_eq(sub == "pending confirmation", want_pending, f"{protocol}: pending only where AWS confirms by mail")
    subs = sns.list_subscriptions()["Subscriptions"]
    check_eq(sorted(s["Protocol"] for s in subs if s["TopicArn"] == arn),
             ["email-json", "firehose", "lambda", "sms", "sqs"], "ListSubscriptions")
    sqs = next(s for s in subs if s["TopicArn"] == arn and s["Protocol"] == "sqs")["SubscriptionArn"]
    check_eq(json.loads(sns.get_subscription_attributes(SubscriptionArn=sqs)["Attributes"]["FilterPolicy"]),
             {"severity": ["high"]}, "FilterPolicy stored")
    sns.set_subscription_attributes(SubscriptionArn=sqs, AttributeName="RawMessageDelivery", AttributeValue="true")
    check_eq(sns.get_subscription_attributes(SubscriptionArn=sqs)["Attributes"]["RawMessageDelivery"], "true",
             "SetSubscriptionAttributes")
    check("MessageId" in sns.publish(TopicArn=arn, Message="logged, not delivered"), "Publish to non-http subscribers")


def test_state_survives_kill9(t):
    sns, rx = t.client("sns"), receiver()
    arn = sns.create_topic(Name=harness.unique("durable"), Attributes={"DisplayName": "Kept"})["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url + "/durable")
    got = rx.next("confirmation before the restart")
    cert_url = None
    if got:
        cert_url = json.loads(got[2])["SigningCertURL"]
        sns.confirm_subscription(TopicArn=arn, Token=json.loads(got[2])["Token"])
    t.server.restart(hard=True)
    sns = t.client("sns")
    check_eq(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Kept", "a topic survives kill -9")
    subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    check(len(subs) == 1 and subs[0]["SubscriptionArn"].startswith(arn + ":"),
          "a confirmed subscription survives kill -9", "confirmed", subs)
    sns.publish(TopicArn=arn, Message="after restart")
    got = rx.next("delivery after the restart")
    check(got and json.loads(got[2])["Message"] == "after restart", "delivery after kill -9")
    if got:
        n = json.loads(got[2])
        check_eq(n["SigningCertURL"], cert_url, "the signing key and certificate survive a restart")
        check(openssl_verifies(t, n), "openssl verifies a Notification signed after the restart")


harness.main(globals(), server_args=("--sns-ca-file", str(CERTS.ca)))
