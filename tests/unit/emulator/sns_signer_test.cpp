// SNS's signatures as AWS documents them: the string to sign per message type, SHA1withRSA and
// SHA256withRSA signatures that verify with the served certificate's key and fail when anything
// signed changes, and a key that survives a restart.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "emulator/sns/messages.hpp"
#include "emulator/sns/signer.hpp"

using namespace mediaemu::sns;

namespace {

Envelope notification(const std::string& subject) {
  Envelope e;
  e.type = "Notification";
  e.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  e.topic_arn = "arn:aws:sns:us-west-2:123456789012:MyTopic";
  e.subject = subject;
  e.message = "Hello\nworld";
  e.timestamp = "2012-05-02T00:54:06.655Z";
  return e;
}

}  // namespace

TEST_CASE("sns signatures: a Notification signs Message, MessageId, Subject when present, Timestamp, TopicArn, Type") {
  CHECK(string_to_sign(notification("My First Message")) ==
        "Message\nHello\nworld\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n"
        "Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n");
  CHECK(string_to_sign(notification("")) ==
        "Message\nHello\nworld\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        "Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n");
}

TEST_CASE("sns signatures: both confirmations sign SubscribeURL and Token, never Subject") {
  for (const char* type : {"SubscriptionConfirmation", "UnsubscribeConfirmation"}) {
    Envelope e = notification("ignored");
    e.type = type;
    e.token = "tok";
    e.subscribe_url = "http://127.0.0.1:4566/?Action=ConfirmSubscription";
    CHECK(string_to_sign(e) ==
          "Message\nHello\nworld\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
          "SubscribeURL\nhttp://127.0.0.1:4566/?Action=ConfirmSubscription\nTimestamp\n2012-05-02T00:54:06.655Z\n"
          "Token\ntok\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\n" + std::string(type) + "\n");
  }
}

TEST_CASE("sns signatures: version 1 (SHA1withRSA) and 2 (SHA256withRSA) verify with the certificate, and only so") {
  SnsSigner signer({}, "http://127.0.0.1:4566");
  const std::string text = string_to_sign(notification("S"));
  for (int version : {1, 2}) {
    std::string signature = signer.sign(text, version);
    CHECK(verify_signature(signer.certificate_pem(), text, signature, version));
    CHECK_FALSE(verify_signature(signer.certificate_pem(), text + "x", signature, version));
    CHECK_FALSE(verify_signature(signer.certificate_pem(), text, signature, 3 - version));  // the other digest
  }
  SnsSigner other({}, "http://127.0.0.1:4566");
  CHECK_FALSE(verify_signature(other.certificate_pem(), text, signer.sign(text, 1), 1));
  CHECK_THROWS(signer.sign(text, 3));
}

TEST_CASE("sns signatures: the key and certificate are kept in the data directory and served by a stable name") {
  auto dir = std::filesystem::temp_directory_path() / ("sns-signer-" + std::to_string(std::random_device{}()));
  std::string path, pem, signature;
  {
    SnsSigner first(dir, "http://127.0.0.1:4566");
    path = first.certificate_path();
    pem = first.certificate_pem();
    signature = first.sign("text", 2);
  }
  CHECK(std::filesystem::exists(dir / "signing-key.pem"));
  CHECK((std::filesystem::status(dir / "signing-key.pem").permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  CHECK_THAT(path, Catch::Matches("/_mediaemu/sns/SimpleNotificationService-[0-9a-f]{32}\\.pem"));
  SnsSigner again(dir, "http://127.0.0.1:9999");
  CHECK(again.certificate_path() == path);
  CHECK(again.certificate_pem() == pem);
  CHECK(again.certificate_url() == "http://127.0.0.1:9999" + path);
  CHECK(verify_signature(again.certificate_pem(), "text", signature, 2));
  std::filesystem::remove(dir / "signing-cert.pem");
  CHECK_THROWS_WITH(SnsSigner(dir, ""), Catch::Contains("only one of SNS's signing files"));
  std::filesystem::remove_all(dir);
}
