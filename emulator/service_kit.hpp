// Small pieces every service's handlers share: ARNs, pagination, tags, lookups that raise the
// AWS-shaped NotFound, and random ids.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "api/errors.hpp"
#include "emulator/domain.hpp"

namespace mediaemu {

using api::CallContext;
using json = nlohmann::json;

// "arn:aws:medialive:us-east-1:123456789012:channel:1234567"
std::string make_arn(const CallContext& ctx, const std::string& service, const std::string& resource);

// Lowercase hex of n random bytes (2n characters).
std::string random_hex(size_t bytes);

// The record or a 404 NotFoundException: "<what> <id> not found".
const Record& require(const Domain& domain, const Key& key, const std::string& what);

// A page of records (already filtered and ordered by id), with AWS's MaxResults / NextToken.
// The token is opaque to clients: the id to resume from. A token that does not decode is a
// BadRequest, as AWS answers a token it did not issue.
struct Page {
  std::vector<const Record*> items;
  std::string next_token;  // empty when this is the last page
};
// The query services name the members Marker / MaxItems (IAM) or NextToken with no maximum.
Page paginate(const std::vector<const Record*>& all, const json& input, int default_max = 1000,
              const char* token_member = "NextToken", const char* max_member = "MaxResults");
void put_next_token(json& output, const Page& page);

// An AWS unique id: `prefix` ("AROA" for a role, "ASIA" for a session key) and upper-case
// letters and digits up to `length` characters in all.
std::string aws_id(const std::string& prefix, size_t length = 21);

// Tags: resources keep them in doc["Tags"] (model form, a string map).
json tags_for_arn(Domain& domain, const std::string& arn);
void add_tags(Domain& domain, const std::string& arn, const json& tags);
void remove_tags(Domain& domain, const std::string& arn, const json& keys);

// Tags the query and JSON services keep as a list of {"Key", "Value"} (IAM, Secrets Manager, SSM):
// one entry per key, a new value replacing the old.
void merge_tag_list(json& tags, const json& add);
void remove_tag_list(json& tags, const json& keys);

// The string member or "" when absent.
std::string str(const json& object, const char* member);

// Copies `from[name]` into `to[name]` when present.
void copy_member(json& to, const json& from, const char* name);

}  // namespace mediaemu
