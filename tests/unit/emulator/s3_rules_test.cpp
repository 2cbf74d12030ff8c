// S3's pure rules: listing with prefix / delimiter / continuation, Range headers, multipart
// ETags, bucket names, and keys that must never resolve outside their bucket directory.
#include <catch2/catch.hpp>

#include "emulator/s3/s3_rules.hpp"

using namespace mediaemu::s3;

namespace {
const std::vector<std::string> kKeys = {"a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg",
                                        "photos/index.html", "videos/clip.mp4", "z"};
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST_CASE("s3 listing: prefix and delimiter roll keys up into common prefixes", "[s3]") {
  auto keys = sorted(kKeys);
  ListRequest r;
  r.delimiter = "/";
  auto page = list_keys(keys, r);
  CHECK(page.keys == std::vector<std::string>{"a.txt", "z"});
  CHECK(page.common_prefixes == std::vector<std::string>{"photos/", "videos/"});
  CHECK_FALSE(page.truncated);

  r.prefix = "photos/";
  page = list_keys(keys, r);
  CHECK(page.keys == std::vector<std::string>{"photos/index.html"});
  CHECK(page.common_prefixes == std::vector<std::string>{"photos/2024/", "photos/2025/"});

  r.delimiter.clear();
  page = list_keys(keys, r);
  CHECK(page.keys.size() == 4);
  CHECK(page.common_prefixes.empty());
}

TEST_CASE("s3 listing: max-keys pages resume after the last key or common prefix", "[s3]") {
  auto keys = sorted(kKeys);
  ListRequest r;
  r.delimiter = "/";
  r.max_keys = 2;
  auto first = list_keys(keys, r);
  CHECK(first.keys == std::vector<std::string>{"a.txt"});
  CHECK(first.common_prefixes == std::vector<std::string>{"photos/"});
  REQUIRE(first.truncated);
  CHECK(first.next_after == "photos/");
  r.after = first.next_after;  // every key under photos/ is skipped
  auto second = list_keys(keys, r);
  CHECK(second.common_prefixes == std::vector<std::string>{"videos/"});
  CHECK(second.keys == std::vector<std::string>{"z"});
  CHECK_FALSE(second.truncated);
  CHECK(second.next_after.empty());

  // Without a delimiter, 1,500 keys come back in pages of 1,000 and 500, each key once.
  std::vector<std::string> many;
  for (int i = 0; i < 1500; ++i) many.push_back(std::to_string(10000 + i).insert(0, 1, 'k'));
  ListRequest all;
  auto p1 = list_keys(many, all);
  CHECK(p1.keys.size() == 1000);
  CHECK(p1.truncated);
  all.after = p1.next_after;
  auto p2 = list_keys(many, all);
  CHECK(p2.keys.size() == 500);
  CHECK_FALSE(p2.truncated);
  CHECK(p2.keys.front() == "k11000");
}

TEST_CASE("s3 listing: start-after is exclusive and a full last page is not truncated", "[s3]") {
  auto keys = sorted(kKeys);
  ListRequest r;
  r.after = "photos/index.html";
  auto page = list_keys(keys, r);
  CHECK(page.keys == std::vector<std::string>{"videos/clip.mp4", "z"});
  r.after.clear();
  r.max_keys = static_cast<int>(keys.size());
  CHECK_FALSE(list_keys(keys, r).truncated);
}

TEST_CASE("s3 Range header parsing", "[s3]") {
  ByteRange b;
  CHECK(parse_range("bytes=0-99", 1000, b) == RangeResult::Partial);
  CHECK((b.first == 0 && b.last == 99 && b.length() == 100));
  CHECK(parse_range("bytes=900-", 1000, b) == RangeResult::Partial);
  CHECK((b.first == 900 && b.last == 999));
  CHECK(parse_range("bytes=-10", 1000, b) == RangeResult::Partial);
  CHECK((b.first == 990 && b.last == 999));
  CHECK(parse_range("bytes=-5000", 1000, b) == RangeResult::Partial);
  CHECK((b.first == 0 && b.last == 999));
  CHECK(parse_range("bytes=500-5000", 1000, b) == RangeResult::Partial);
  CHECK(b.last == 999);
  CHECK(parse_range("bytes=1000-", 1000, b) == RangeResult::Unsatisfiable);
  CHECK(parse_range("bytes=2000-3000", 1000, b) == RangeResult::Unsatisfiable);
  CHECK(parse_range("bytes=0-0", 0, b) == RangeResult::Unsatisfiable);
  // Not understood: the whole object, as S3 does.
  CHECK(parse_range("bytes=5-1", 1000, b) == RangeResult::Whole);
  CHECK(parse_range("bytes=0-1,5-6", 1000, b) == RangeResult::Whole);
  CHECK(parse_range("items=0-1", 1000, b) == RangeResult::Whole);
  CHECK(parse_range("bytes=abc", 1000, b) == RangeResult::Whole);
}

TEST_CASE("s3 multipart ETag is the MD5 of the parts' binary MD5s, then -N", "[s3]") {
  // Two parts whose MD5s are those of "a" and "b"; the expected value was computed with
  // python3: hashlib.md5(md5(b"a").digest() + md5(b"b").digest()).hexdigest() + "-2".
  CHECK(multipart_etag({"0cc175b9c0f1b6a831c399e269772661", "\"92eb5ffee6ae2fec3ad71c777531578f\""}) ==
        "96e024ba2074fe77e8e965ba43a704be-2");
  CHECK(multipart_etag({"0cc175b9c0f1b6a831c399e269772661"}).substr(32) == "-1");
}

TEST_CASE("s3 keys never resolve outside the bucket directory", "[s3]") {
  const std::filesystem::path root = "/data/s3/bucket";
  for (const std::string& bad : std::vector<std::string>{"", "..", "../x", "a/../../etc/passwd", "/etc/passwd", "a//b", "a/./b", "a/", "./a",
                                std::string("a\0b", 3), std::string(256, 'x'), std::string(1025, 'a'),
                                ".mediaemu-tmp-123", "dir/.mediaemu-tmp-x"}) {
    INFO("key: " << bad);
    CHECK_FALSE(key_problem(bad).empty());
    CHECK_THROWS(key_path(root, bad));
  }
  for (const std::string& good : std::vector<std::string>{"a", "a/b/c.ts", "..a", "a..", "a b/%2e%2e", "...", std::string(255, 'y'),
                                 std::string(200, 'd') + "/" + std::string(200, 'e')}) {
    INFO("key: " << good);
    REQUIRE(key_problem(good).empty());
    auto path = key_path(root, good).lexically_normal();
    CHECK(path.string().rfind(root.string() + "/", 0) == 0);
  }
}

TEST_CASE("s3 bucket names follow the naming rules", "[s3]") {
  for (const char* ok : {"abc", "my-bucket.example", "a1b", "streaming-platform-1234"}) CHECK(valid_bucket_name(ok));
  for (const char* bad : {"ab", "ABC", "-abc", "abc-", "a..b", "192.168.1.1", "a_b", "my bucket"}) {
    INFO(bad);
    CHECK_FALSE(valid_bucket_name(bad));
  }
  CHECK_FALSE(valid_bucket_name(std::string(64, 'a')));
}
