#include "emulator/service_kit.hpp"

#include <openssl/rand.h>

#include <algorithm>

namespace mediaemu {

std::string make_arn(const CallContext& ctx, const std::string& service, const std::string& resource) {
  return "arn:aws:" + service + ":" + ctx.region + ":" + ctx.account + ":" + resource;
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

const Record& require(const Domain& domain, const Key& key, const std::string& what) {
  const Record* r = domain.find(key);
  if (!r) throw api::not_found(what + " " + key.id + " not found");
  return *r;
}

namespace {
std::string hex_encode(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}
std::optional<std::string> hex_decode(const std::string& s) {
  if (s.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    auto v = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = v(s[i]), lo = v(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}
constexpr const char* kTokenPrefix = "me1";
}  // namespace

Page paginate(const std::vector<const Record*>& all, const json& input, int default_max, const char* token_member,
              const char* max_member) {
  int max = default_max;
  if (input.contains(max_member)) max = std::max<int>(1, input[max_member].get<int>());
  size_t start = 0;
  if (input.contains(token_member)) {
    std::string token = input[token_member].get<std::string>();
    auto decoded = token.rfind(kTokenPrefix, 0) == 0 ? hex_decode(token.substr(3)) : std::nullopt;
    if (!decoded) {
      throw api::bad_request(std::string("The ") + token_member + " '" + token + "' is not valid; pass the " +
                             token_member + " of the previous page");
    }
    while (start < all.size() && all[start]->key.id < *decoded) ++start;
  }
  Page page;
  size_t end = std::min(all.size(), start + static_cast<size_t>(max));
  page.items.assign(all.begin() + static_cast<long>(start), all.begin() + static_cast<long>(end));
  if (end < all.size()) page.next_token = kTokenPrefix + hex_encode(all[end]->key.id);
  return page;
}

std::string aws_id(const std::string& prefix, size_t length) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // base32, as AWS's ids look
  std::vector<unsigned char> b(length > prefix.size() ? length - prefix.size() : 0);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  std::string out = prefix;
  for (unsigned char c : b) out.push_back(alphabet[c & 31]);
  return out;
}

void merge_tag_list(json& tags, const json& add) {
  if (!tags.is_array()) tags = json::array();
  for (const auto& tag : add) {
    auto same = std::find_if(tags.begin(), tags.end(), [&](const json& t) { return t["Key"] == tag["Key"]; });
    if (same != tags.end()) (*same)["Value"] = tag["Value"];
    else tags.push_back(tag);
  }
}

void remove_tag_list(json& tags, const json& keys) {
  if (!tags.is_array()) return;
  tags.erase(std::remove_if(tags.begin(), tags.end(),
                            [&](const json& t) { return std::find(keys.begin(), keys.end(), t["Key"]) != keys.end(); }),
             tags.end());
}

void put_next_token(json& output, const Page& page) {
  if (!page.next_token.empty()) output["NextToken"] = page.next_token;
}

json tags_for_arn(Domain& domain, const std::string& arn) {
  auto lock = domain.read();
  const Record* r = domain.find_by_arn(arn);
  if (!r) throw api::not_found("No resource with ARN " + arn);
  return r->doc.value("Tags", json::object());
}

void add_tags(Domain& domain, const std::string& arn, const json& tags) {
  auto tx = domain.write();
  const Record* r = domain.find_by_arn(arn);
  if (!r) throw api::not_found("No resource with ARN " + arn);
  Record& rec = tx->modify(r->key);
  if (!rec.doc.contains("Tags")) rec.doc["Tags"] = json::object();
  for (auto it = tags.begin(); it != tags.end(); ++it) rec.doc["Tags"][it.key()] = *it;
  tx->commit();
}

void remove_tags(Domain& domain, const std::string& arn, const json& keys) {
  auto tx = domain.write();
  const Record* r = domain.find_by_arn(arn);
  if (!r) throw api::not_found("No resource with ARN " + arn);
  Record& rec = tx->modify(r->key);
  if (rec.doc.contains("Tags")) {
    for (const auto& k : keys) rec.doc["Tags"].erase(k.get<std::string>());
  }
  tx->commit();
}

std::string str(const json& object, const char* member) {
  auto it = object.find(member);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void copy_member(json& to, const json& from, const char* name) {
  if (auto it = from.find(name); it != from.end()) to[name] = *it;
}

}  // namespace mediaemu
