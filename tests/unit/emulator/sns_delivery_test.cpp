// The delivery worker's refusals need no subscriber: mediaemu is offline, so only loopback
// addresses are dialled, and it speaks no TLS to subscribers.
#include <catch2/catch.hpp>

#include "emulator/sns/delivery.hpp"

using namespace mediaemu::sns;

TEST_CASE("sns delivery: only loopback http endpoints are dialled") {
  std::string error;
  CHECK(post_once(HttpPost{"http://10.1.2.3:8080/x", {}, "body", "test"}, error) == 0);
  CHECK_THAT(error, Catch::Contains("loopback only"));
  CHECK(post_once(HttpPost{"https://127.0.0.1:1/x", {}, "body", "test"}, error) == 0);
  CHECK_THAT(error, Catch::Contains("no TLS"));
  CHECK(post_once(HttpPost{"ftp://127.0.0.1/x", {}, "body", "test"}, error) == 0);
  CHECK(error == "not an http URL");
}

TEST_CASE("sns delivery: a stopped worker refuses new posts and stop is idempotent") {
  SnsDelivery worker(2, std::chrono::milliseconds(10));
  worker.stop();
  CHECK_FALSE(worker.post(HttpPost{"http://127.0.0.1:1/", {}, "", "test"}));
  worker.stop();
}
