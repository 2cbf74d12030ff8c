// Objects as files: what is put reads back with its metadata, a file written by someone else (a
// MediaLive channel) is described from its bytes, temporary files never list, and a stale
// sidecar is not believed.
#include <catch2/catch.hpp>

#include <fstream>

#include "emulator/s3/object_store.hpp"
#include "tests/unit/emulator/s3_test_dir.hpp"

using namespace mediaemu::s3;
namespace fs = std::filesystem;

TEST_CASE("s3 object store: put, head, read, list and remove", "[s3]") {
  TempDir dir;
  ObjectStore store(dir.path);
  store.create_bucket("b");
  auto info = store.put("b", "live/index.m3u8", "#EXTM3U\n", {{"ContentType", "application/x-mpegURL"}, {"Metadata", {{"k", "v"}}}});
  CHECK(info.etag == md5_hex("#EXTM3U\n"));
  CHECK(info.size == 8);

  ObjectStore reopened(dir.path);  // a restart reads the same files
  auto head = reopened.head("b", "live/index.m3u8");
  REQUIRE(head);
  CHECK(head->etag == info.etag);
  CHECK(head->content_type() == "application/x-mpegURL");
  CHECK(head->headers["Metadata"]["k"] == "v");
  CHECK(reopened.read("b", "live/index.m3u8", 1, 3) == "EXT");
  CHECK(reopened.keys("b") == std::vector<std::string>{"live/index.m3u8"});
  CHECK(reopened.bucket_has_objects("b"));

  CHECK(reopened.remove("b", "live/index.m3u8"));
  CHECK_FALSE(reopened.remove("b", "live/index.m3u8"));
  CHECK_FALSE(reopened.bucket_has_objects("b"));
  CHECK_FALSE(fs::exists(dir.path / "s3" / "b" / "live"));  // empty "directories" go with their last key
}

TEST_CASE("s3 object store: files without a sidecar or with a stale one are described from their bytes", "[s3]") {
  TempDir dir;
  ObjectStore store(dir.path);
  store.create_bucket("b");
  fs::create_directories(dir.path / "s3" / "b" / "channel");
  std::ofstream(dir.path / "s3" / "b" / "channel" / "seg_1.ts") << "segment";
  std::ofstream(dir.path / "s3" / "b" / "channel" / (std::string(kTempPrefix) + "1")) << "half";
  CHECK(store.keys("b") == std::vector<std::string>{"channel/seg_1.ts"});
  auto head = store.head("b", "channel/seg_1.ts");
  REQUIRE(head);
  CHECK(head->etag == md5_hex("segment"));
  CHECK(head->content_type() == "video/MP2T");

  store.put("b", "x.bin", "first", {{"ContentType", "text/plain"}});
  std::ofstream(dir.path / "s3" / "b" / "x.bin", std::ios::trunc) << "rewritten by someone else";
  head = store.head("b", "x.bin");
  REQUIRE(head);
  CHECK(head->etag == md5_hex("rewritten by someone else"));
}

TEST_CASE("s3 object store: unsafe keys are refused, never written", "[s3]") {
  TempDir dir;
  ObjectStore store(dir.path);
  store.create_bucket("b");
  CHECK_THROWS(store.put("b", "../escape", "x", json::object()));
  CHECK_THROWS(store.put("b", "/abs", "x", json::object()));
  CHECK_FALSE(fs::exists(dir.path / "s3" / "escape"));
  CHECK_FALSE(store.head("b", "../escape"));
  CHECK_FALSE(store.remove("b", "../../state.db"));
}

TEST_CASE("s3 object store: set_headers replaces the stored headers and keeps the bytes", "[s3]") {
  TempDir dir;
  ObjectStore store(dir.path);
  store.create_bucket("b");
  auto info = store.put("b", "k", "bytes", {{"ContentType", "text/plain"}});
  store.set_headers("b", "k", info, {{"ContentType", "text/plain"}, {"TagSet", {{{"Key", "a"}, {"Value", "1"}}}}});
  auto head = store.head("b", "k");
  REQUIRE(head);
  CHECK(head->etag == info.etag);
  CHECK(head->headers["TagSet"][0]["Key"] == "a");
  CHECK(store.read("b", "k", 0, 5) == "bytes");

  // A file a channel wrote has no sidecar until its headers are set.
  std::ofstream(dir.path / "s3" / "b" / "seg.ts") << "segment";
  auto described = store.head("b", "seg.ts");
  REQUIRE(described);
  store.set_headers("b", "seg.ts", *described, {{"ContentType", "video/MP2T"}, {"TagSet", json::array()}});
  head = store.head("b", "seg.ts");
  REQUIRE(head);
  CHECK(head->etag == md5_hex("segment"));
  CHECK(head->headers.contains("TagSet"));
}
