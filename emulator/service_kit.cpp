#include "emulator/service_kit.hpp"

#include <openssl/rand.h>

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

Page paginate(const std::vector<const Record*>& all, const json& input, int default_max) {
  int max = default_max;
  if (input.contains("MaxResults")) max = std::max<int>(1, input["MaxResults"].get<int>());
  size_t start = 0;
  if (input.contains("NextToken")) {
    std::string token = input["NextToken"].get<std::string>();
    auto decoded = token.rfind(kTokenPrefix, 0) == 0 ? hex_decode(token.substr(3)) : std::nullopt;
    if (!decoded) throw api::bad_request("The NextToken '" + token + "' is not valid; pass the NextToken of the previous page");
    while (start < all.size() && all[start]->key.id < *decoded) ++start;
  }
  Page page;
  size_t end = std::min(all.size(), start + static_cast<size_t>(max));
  page.items.assign(all.begin() + static_cast<long>(start), all.begin() + static_cast<long>(end));
  if (end < all.size()) page.next_token = kTokenPrefix + hex_encode(all[end]->key.id);
  return page;
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
