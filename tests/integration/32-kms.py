#!/usr/bin/env python3
"""KMS (AWS JSON 1.1, X-Amz-Target TrentService.*) with boto3 and both AWS CLIs: symmetric keys
with aliases, policies, tags and rotation; Encrypt/Decrypt round trips with and without an
encryption context (the blob names its key, so Decrypt needs no KeyId); a wrong context is
InvalidCiphertextException; a disabled key is DisabledException; ScheduleKeyDeletion and
CancelKeyDeletion; GenerateDataKey and ReEncrypt; bad input in the json protocol's error shape;
an operation without behaviour answers 501 naming itself; keys survive kill -9 and still decrypt.
"""

import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

ACCOUNT = "123456789012"


def test_keys_and_aliases(t):
    kms = t.client("kms")
    meta = kms.create_key(Description="media keys", Tags=[{"TagKey": "team", "TagValue": "live"}])["KeyMetadata"]
    key = meta["KeyId"]
    check_eq((meta["Arn"], meta["KeyState"], meta["Enabled"], meta["KeySpec"], meta["KeyUsage"], meta["Origin"],
              meta["MultiRegion"], meta["Description"]),
             (f"arn:aws:kms:{harness.REGION}:{ACCOUNT}:key/{key}", "Enabled", True, "SYMMETRIC_DEFAULT",
              "ENCRYPT_DECRYPT", "AWS_KMS", False, "media keys"), "CreateKey: a symmetric key's metadata")
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    check_eq(policy["Statement"][0]["Principal"], {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "the default key policy lets the account's root in")
    check_eq(kms.list_key_policies(KeyId=key)["PolicyNames"], ["default"], "ListKeyPolicies")
    alias = "alias/" + harness.unique("media")
    kms.create_alias(AliasName=alias, TargetKeyId=key)
    for by in (key, meta["Arn"], alias, f"arn:aws:kms:{harness.REGION}:{ACCOUNT}:{alias}"):
        check_eq(kms.describe_key(KeyId=by)["KeyMetadata"]["KeyId"], key, f"DescribeKey by {by.split(':')[-1][:12]}")
    listed = [a for a in kms.list_aliases(KeyId=key)["Aliases"]]
    check_eq([(a["AliasName"], a["TargetKeyId"]) for a in listed], [(alias, key)], "ListAliases by key")
    check(any(k["KeyId"] == key for k in kms.list_keys()["Keys"]), "ListKeys lists the key")
    expect_error(lambda: kms.create_alias(AliasName=alias, TargetKeyId=key), 400, "AlreadyExistsException",
                 "an alias name is taken once")
    expect_error(lambda: kms.create_alias(AliasName="alias/aws/mine", TargetKeyId=key), 400,
                 "InvalidAliasNameException", "alias/aws/ is reserved for AWS managed keys")
    expect_error(lambda: kms.create_alias(AliasName="nope", TargetKeyId=key), 400, "ValidationException",
                 "an alias must start with alias/")
    expect_error(lambda: kms.describe_key(KeyId="alias/missing-one"), 400, "NotFoundException", "a missing alias")
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName=alias, TargetKeyId=other)
    check_eq(kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"], other, "UpdateAlias points it elsewhere")
    kms.delete_alias(AliasName=alias)
    expect_error(lambda: kms.describe_key(KeyId=alias), 400, "NotFoundException", "a deleted alias is gone")
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "stage", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "vod"}])
    kms.untag_resource(KeyId=key, TagKeys=["stage"])
    check_eq(kms.list_resource_tags(KeyId=key)["Tags"], [{"TagKey": "team", "TagValue": "vod"}], "tags")
    kms.enable_key_rotation(KeyId=key)
    check_eq(kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"], True, "EnableKeyRotation")
    kms.disable_key_rotation(KeyId=key)
    check_eq(kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"], False, "DisableKeyRotation")
    new_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*",
                                                          "Resource": "*"}]}
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(new_policy))
    check_eq(json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]), new_policy, "PutKeyPolicy")


def test_encrypt_and_decrypt(t):
    kms = t.client("kms")
    key = kms.create_key()["KeyMetadata"]
    alias = "alias/" + harness.unique("crypt")
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    blob = kms.encrypt(KeyId=alias, Plaintext=b"segment key 0001")["CiphertextBlob"]
    check(b"segment key 0001" not in blob, "the ciphertext does not carry the plaintext")
    out = kms.decrypt(CiphertextBlob=blob)
    check_eq((out["Plaintext"], out["KeyId"]), (b"segment key 0001", key["Arn"]),
             "Decrypt without KeyId: the blob names its key")
    context = {"channel": "1234", "purpose": "drm"}
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"with context", EncryptionContext=context)["CiphertextBlob"]
    check_eq(kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"], b"with context",
             "a round trip with an encryption context")
    expect_error(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"channel": "9999", "purpose": "drm"}),
                 400, "InvalidCiphertextException", "a different context does not decrypt")
    expect_error(lambda: kms.decrypt(CiphertextBlob=blob), 400, "InvalidCiphertextException",
                 "no context does not decrypt a blob made with one")
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    expect_error(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext=context, KeyId=other), 400,
                 "IncorrectKeyException", "Decrypt with another key's id")
    expect_error(lambda: kms.decrypt(CiphertextBlob=b"garbage bytes that are no blob"), 400,
                 "InvalidCiphertextException", "bytes that are no blob")
    data = kms.generate_data_key(KeyId=alias, KeySpec="AES_256")
    check_eq(len(data["Plaintext"]), 32, "GenerateDataKey AES_256: 32 bytes")
    check_eq(kms.decrypt(CiphertextBlob=data["CiphertextBlob"])["Plaintext"], data["Plaintext"],
             "the data key's blob decrypts to its plaintext")
    bare = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], NumberOfBytes=16)
    check("Plaintext" not in bare and len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 16,
          "GenerateDataKeyWithoutPlaintext: only the blob")
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=context, DestinationKeyId=other)
    check_eq((moved["SourceKeyId"], kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"]),
             (key["Arn"], b"with context"), "ReEncrypt under another key, without context")
    kms.disable_key(KeyId=key["KeyId"])
    check_eq(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], "Disabled", "DisableKey")
    expect_error(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x"), 400, "DisabledException",
                 "a disabled key does not encrypt")
    expect_error(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext=context), 400, "DisabledException",
                 "a disabled key does not decrypt")
    kms.enable_key(KeyId=key["KeyId"])
    check_eq(kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"], b"with context",
             "enabled again, it decrypts")


def test_scheduled_deletion(t):
    kms = t.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    expect_error(lambda: kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=3), 400, "ValidationException",
                 "PendingWindowInDays below 7")
    out = kms.schedule_key_deletion(KeyId=key)
    check_eq((out["KeyState"], out["PendingWindowInDays"]), ("PendingDeletion", 30), "the default window is 30 days")
    meta = kms.describe_key(KeyId=key)["KeyMetadata"]
    check(meta["KeyState"] == "PendingDeletion" and "DeletionDate" in meta and not meta["Enabled"],
          "DescribeKey: PendingDeletion with a DeletionDate")
    expect_error(lambda: kms.encrypt(KeyId=key, Plaintext=b"x"), 400, "KMSInvalidStateException",
                 "a key pending deletion does not encrypt")
    kms.cancel_key_deletion(KeyId=key)
    check_eq(kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"], "Disabled",
             "CancelKeyDeletion leaves the key Disabled")


def test_clis(t):
    found = harness.aws_clis()
    if not found:
        print("    SKIP no AWS CLI on this machine")
        return
    for label, v2 in found:
        r = t.cli(["kms", "create-key", "--description", "cli", "--query", "KeyMetadata.KeyId", "--output", "text"], v2)
        key = r.stdout.strip()
        check(r.returncode == 0 and len(key) == 36, f"{label}: kms create-key", "a key id", r.stdout + r.stderr)
        alias = "alias/" + harness.unique("cli")
        r = t.cli(["kms", "create-alias", "--alias-name", alias, "--target-key-id", key], v2)
        check_eq(r.returncode, 0, f"{label}: kms create-alias ({r.stderr.strip()[:200]})")
        plain = base64.b64encode(b"cli secret").decode()
        # v2 takes blobs as base64 text; v1 as the raw text. fileb:// is the same for both.
        r = t.cli(["kms", "encrypt", "--key-id", alias, "--plaintext", plain if v2 else "cli secret",
                   "--encryption-context", "app=cli", "--query", "CiphertextBlob", "--output", "text"], v2)
        check_eq(r.returncode, 0, f"{label}: kms encrypt ({r.stderr.strip()[:200]})")
        blob_file = Path(t.server.data_dir) / f"blob-{'v2' if v2 else 'v1'}.bin"
        blob_file.write_bytes(base64.b64decode(r.stdout.strip()))
        r = t.cli(["kms", "decrypt", "--ciphertext-blob", f"fileb://{blob_file}", "--encryption-context", "app=cli",
                   "--query", "Plaintext", "--output", "text"], v2)
        check_eq((r.returncode, base64.b64decode(r.stdout.strip() or "") if r.returncode == 0 else r.stderr),
                 (0, b"cli secret"), f"{label}: kms decrypt round trip")
        r = t.cli(["kms", "decrypt", "--ciphertext-blob", f"fileb://{blob_file}"], v2)
        check(r.returncode != 0 and "InvalidCiphertextException" in r.stderr,
              f"{label}: decrypt without the context is InvalidCiphertextException", "InvalidCiphertext", r.stderr)
        r = t.cli(["kms", "schedule-key-deletion", "--key-id", key, "--pending-window-in-days", "7",
                   "--query", "KeyState", "--output", "text"], v2)
        check_eq(r.stdout.strip(), "PendingDeletion", f"{label}: kms schedule-key-deletion")


def test_bad_input(t):
    target = {"X-Amz-Target": "TrentService.CreateKey"}
    r = t.request("POST", "/", b"{not json", service="kms", content_type="application/x-amz-json-1.1", headers=target)
    check(r.status == 400 and r.json().get("__type") == "SerializationException",
          "malformed JSON -> 400 SerializationException", "400", r)
    r = t.request("POST", "/", "{}", service="kms", content_type="application/x-amz-json-1.1",
                  headers={"X-Amz-Target": "TrentService.DescribeKey"})
    check(r.status == 400 and "KeyId" in r.json().get("message", r.json().get("Message", "")),
          "a missing KeyId -> 400 naming it", "400 KeyId", r)
    r = t.request("POST", "/", json.dumps({"KeyId": "alias/x", "Message": "aGk=", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
                  service="kms", content_type="application/x-amz-json-1.1", headers={"X-Amz-Target": "TrentService.Sign"})
    check(r.status == 501 and "Sign" in r.body.decode(), "an operation without behaviour: 501 naming itself", 501, r)


def test_keys_survive_kill9(t):
    kms = t.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"durable")["CiphertextBlob"]
    t.server.restart(hard=True)
    check_eq(t.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"], b"durable",
             "a key and its secret survive kill -9: the old blob still decrypts")


harness.main(globals())
