// Object versions on disk: the current version stays the key's file, older ones and delete
// markers live in s3-versions, removing the latest restores the next, suspended versioning keeps
// one null version, and ListObjectVersions pages through (key, version) pairs.
#include <catch2/catch.hpp>

#include "emulator/s3/versions.hpp"
#include "tests/unit/emulator/s3_test_dir.hpp"

using namespace mediaemu::s3;
namespace fs = std::filesystem;

namespace {
ObjectInfo put(ObjectStore& objects, VersionStore& versions, const std::string& key, const std::string& body,
               Versioning mode = Versioning::Enabled) {
  return versions.write("b", key, mode, [&](const VersionStamp& stamp) {
    return objects.put("b", key, body, {{"ContentType", "text/plain"}}, stamp);
  });
}

std::vector<std::string> ids(const std::vector<Version>& versions) {
  std::vector<std::string> out;
  for (const Version& v : versions) out.push_back(v.id());
  return out;
}
}  // namespace

TEST_CASE("s3 versions: ids look like S3's and malformed ones are told apart", "[s3]") {
  std::string id = new_version_id();
  CHECK(id.size() == 32);
  CHECK(well_formed_version_id(id));
  CHECK(well_formed_version_id("null"));
  CHECK_FALSE(well_formed_version_id("abc"));
  CHECK_FALSE(well_formed_version_id(std::string(32, '/')));
  CHECK(new_version_id() != id);
}

TEST_CASE("s3 versions: writes keep older versions, the file is always the latest", "[s3]") {
  TempDir dir;
  ObjectStore objects(dir.path);
  VersionStore versions(objects, dir.path);
  objects.create_bucket("b");

  objects.put("b", "k", "before", {});  // written before versioning: the null version
  auto v1 = put(objects, versions, "k", "one");
  auto v2 = put(objects, versions, "k", "two");
  CHECK(v1.version.id.size() == 32);
  CHECK(v1.version.id != v2.version.id);
  CHECK(objects.read("b", "k", 0, 10) == "two");
  auto all = versions.versions("b", "k");
  CHECK(ids(all) == std::vector<std::string>{v2.version.id, v1.version.id, "null"});
  CHECK(all[0].current);
  CHECK(read_file_range(all[2].file, 0, 10) == "before");
  CHECK(versions.has_noncurrent("b"));

  SECTION("a restart reads the same versions") {
    ObjectStore objects2(dir.path);
    VersionStore reopened(objects2, dir.path);
    CHECK(ids(reopened.versions("b", "k")) == ids(all));
    CHECK(reopened.find("b", "k", v1.version.id)->info.etag == md5_hex("one"));
  }
  SECTION("removing the current version restores the previous one as the file") {
    auto removed = versions.remove_version("b", "k", v2.version.id);
    REQUIRE(removed);
    CHECK_FALSE(removed->delete_marker);
    CHECK(objects.read("b", "k", 0, 10) == "one");
    auto head = objects.head("b", "k");
    REQUIRE(head);
    CHECK(head->version.id == v1.version.id);  // the sidecar followed it
    CHECK(ids(versions.versions("b", "k")) == std::vector<std::string>{v1.version.id, "null"});
  }
  SECTION("a noncurrent version's headers (tags) change, not its bytes") {
    versions.set_headers("b", *versions.find("b", "k", v1.version.id), {{"TagSet", {{{"Key", "t"}, {"Value", "v"}}}}});
    auto again = versions.find("b", "k", v1.version.id);
    REQUIRE(again);
    CHECK(again->info.headers["TagSet"][0]["Key"] == "t");
    CHECK(read_file_range(again->file, 0, 10) == "one");
    CHECK(objects.head("b", "k")->headers.value("TagSet", json::array()).empty());
  }
  SECTION("removing a noncurrent version leaves the file alone") {
    CHECK(versions.remove_version("b", "k", "null"));
    CHECK_FALSE(versions.remove_version("b", "k", "null"));
    CHECK(objects.read("b", "k", 0, 10) == "two");
    CHECK(versions.versions("b", "k").size() == 2);
  }
  SECTION("a delete marker hides the key; removing it brings the object back") {
    Version marker = versions.add_delete_marker("b", "k", Versioning::Enabled);
    CHECK(marker.delete_marker);
    CHECK_FALSE(objects.head("b", "k"));
    CHECK(versions.current_delete_marker("b", "k")->id() == marker.id());
    CHECK(versions.keys("b") == std::vector<std::string>{"k"});
    CHECK(ids(versions.versions("b", "k")).front() == marker.id());
    auto removed = versions.remove_version("b", "k", marker.id());
    REQUIRE(removed);
    CHECK(removed->delete_marker);
    CHECK(objects.read("b", "k", 0, 10) == "two");
    CHECK_FALSE(versions.current_delete_marker("b", "k"));
  }
}

TEST_CASE("s3 versions: suspended versioning keeps one null version", "[s3]") {
  TempDir dir;
  ObjectStore objects(dir.path);
  VersionStore versions(objects, dir.path);
  objects.create_bucket("b");
  auto v1 = put(objects, versions, "k", "one");
  put(objects, versions, "k", "null-1", Versioning::Suspended);
  auto last = put(objects, versions, "k", "null-2", Versioning::Suspended);
  CHECK(last.version.id.empty());
  CHECK(ids(versions.versions("b", "k")) == std::vector<std::string>{"null", v1.version.id});
  // A suspended delete replaces the null version with a null delete marker.
  Version marker = versions.add_delete_marker("b", "k", Versioning::Suspended);
  CHECK(marker.id() == "null");
  auto all = versions.versions("b", "k");
  CHECK(ids(all) == std::vector<std::string>{"null", v1.version.id});
  CHECK(all[0].delete_marker);
  // Removing that marker restores the versioned object.
  versions.remove_version("b", "k", "null");
  CHECK(objects.read("b", "k", 0, 10) == "one");
  versions.remove_version("b", "k", v1.version.id);
  CHECK(versions.versions("b", "k").empty());
  CHECK_FALSE(versions.has_noncurrent("b"));
}

TEST_CASE("s3 versions: unversioned buckets just write", "[s3]") {
  TempDir dir;
  ObjectStore objects(dir.path);
  VersionStore versions(objects, dir.path);
  objects.create_bucket("b");
  put(objects, versions, "k", "one", Versioning::Unversioned);
  auto info = put(objects, versions, "k", "two", Versioning::Unversioned);
  CHECK(info.version.id.empty());
  CHECK(ids(versions.versions("b", "k")) == std::vector<std::string>{"null"});
  CHECK_FALSE(versions.has_noncurrent("b"));
}

TEST_CASE("s3 versions: list_versions pages through keys, versions and prefixes", "[s3]") {
  std::vector<KeyVersions> sorted = {{"a", {"a2", "a1"}}, {"d/x", {"x1"}}, {"d/y", {"y1"}}, {"e", {"e3", "e2", "e1"}}};
  ListRequest request;
  request.delimiter = "/";
  request.max_keys = 3;
  VersionPage first = list_versions(sorted, request, "");
  REQUIRE(first.versions.size() == 2);
  CHECK(first.common_prefixes == std::vector<std::string>{"d/"});
  CHECK(first.truncated);
  CHECK(first.next_key_marker == "d/");
  CHECK(first.next_version_id_marker.empty());

  request.after = first.next_key_marker;
  VersionPage second = list_versions(sorted, request, "");
  REQUIRE(second.versions.size() == 3);
  CHECK(second.versions[0].version_id == "e3");
  CHECK_FALSE(second.truncated);

  request.delimiter.clear();
  request.after.clear();
  request.max_keys = 4;
  VersionPage third = list_versions(sorted, request, "");
  CHECK(third.truncated);
  CHECK(third.next_key_marker == "d/y");
  CHECK(third.next_version_id_marker == "y1");
  request.after = "e";
  VersionPage mid = list_versions(sorted, request, "e3");  // resumes inside a key's versions
  REQUIRE(mid.versions.size() == 2);
  CHECK(mid.versions[0].version_id == "e2");

  request.after.clear();
  request.prefix = "d/";
  VersionPage prefixed = list_versions(sorted, request, "");
  CHECK(prefixed.versions.size() == 2);
}
