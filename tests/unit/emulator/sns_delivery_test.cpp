// The delivery worker's refusals and retry rule need no subscriber: mediaemu is offline, so only
// loopback addresses are dialled; https endpoints get TLS (the integration suite 23-sns.py
// delivers to real http and https subscribers).
#include <catch2/catch.hpp>

#include "emulator/loopback_http.hpp"
#include "emulator/sns/delivery.hpp"

using namespace mediaemu;
using namespace mediaemu::sns;

TEST_CASE("sns delivery: only loopback http and https endpoints are dialled") {
  std::string error;
  CHECK(post_once(HttpPost{"http://10.1.2.3:8080/x", {}, "body", "test"}, "", error) == 0);
  CHECK_THAT(error, Catch::Contains("loopback only"));
  CHECK(post_once(HttpPost{"https://10.1.2.3/x", {}, "body", "test"}, "", error) == 0);
  CHECK_THAT(error, Catch::Contains("loopback only"));
  CHECK(post_once(HttpPost{"ftp://127.0.0.1/x", {}, "body", "test"}, "", error) == 0);
  CHECK(error == "not an http or https URL");
}

TEST_CASE("sns delivery: AWS retries no answer, 5xx and 429, not other answers") {
  CHECK(retryable(0));
  CHECK(retryable(500));
  CHECK(retryable(503));
  CHECK(retryable(429));
  CHECK_FALSE(retryable(400));
  CHECK_FALSE(retryable(404));
  CHECK_FALSE(retryable(200));
}

TEST_CASE("loopback client: http and https URLs, default ports, IPv6 hosts") {
  LoopbackRequest r;
  REQUIRE(split_url("https://localhost/hook?x=1", r));
  CHECK((r.tls && r.host == "localhost" && r.port == "443" && r.target == "/hook?x=1"));
  REQUIRE(split_url("http://[::1]:8080", r));
  CHECK((!r.tls && r.host == "::1" && r.port == "8080" && r.target == "/"));
  CHECK_FALSE(split_http_url("https://127.0.0.1/", r));
  CHECK_FALSE(split_url("ftp://127.0.0.1/", r));
}

TEST_CASE("loopback client: a CA file is checked before use") {
  CHECK_THAT(ca_file_problem("/nonexistent/ca.pem"), Catch::Contains("cannot read /nonexistent/ca.pem"));
  CHECK_THAT(ca_file_problem(std::string(MEDIAEMU_SOURCE_DIR) + "/README.md"), Catch::Contains("cannot use"));
}

TEST_CASE("sns delivery: a stopped worker refuses new posts and stop is idempotent") {
  SnsDelivery worker(SnsSigner({}, "http://127.0.0.1:4566"), "", 2, std::chrono::milliseconds(10));
  worker.stop();
  CHECK_FALSE(worker.post(HttpPost{"http://127.0.0.1:1/", {}, "", "test"}));
  worker.stop();
}
