// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
#include <optional>

#include "emulator/ecr/ecr.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::ecr {
namespace {

using api::ApiError;
using api::ErrorKind;

[[noreturn]] void no_repository(const CallContext& c, const std::string& name) {
  throw ApiError(ErrorKind::NotFound, "RepositoryNotFoundException",
                 "The repository with name '" + name + "' does not exist in the registry with id '" + c.account + "'");
}

Key key_of(const CallContext& c, const std::string& name) { return {kRepository, c.region, name}; }

const Record& repository_in(const Domain& d, const CallContext& c, const json& in) {
  const std::string& name = in.at("repositoryName").get_ref<const std::string&>();
  const Record* r = d.find(key_of(c, name));
  if (!r) no_repository(c, name);
  return *r;
}

Record& repository_for_write(Tx& tx, const CallContext& c, const json& in) {
  return tx.modify(repository_in(tx.domain(), c, in).key);
}

json render(const Record& r) {
  json repo = r.doc;
  repo.erase("Arn");
  repo.erase("tags");
  return repo;
}

// The answer of the Put*/Get* settings operations: registry, repository and the named members.
json settings(const CallContext& c, const Record& r, std::initializer_list<const char*> members) {
  json out = {{"registryId", c.account}, {"repositoryName", r.key.id}};
  for (const char* m : members) copy_member(out, r.doc.contains(m) ? r.doc : r.internal, m);
  return out;
}

}  // namespace

api::OperationTable operations(Domain& d) {
  api::OperationTable t;
  t["CreateRepository"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("repositoryName").get_ref<const std::string&>();
    auto tx = d.write();
    if (tx->find(key_of(c, name))) {
      throw ApiError(ErrorKind::Conflict, "RepositoryAlreadyExistsException",
                     "The repository with name '" + name + "' already exists in the registry with id '" + c.account + "'");
    }
    std::string arn = make_arn(c, "ecr", "repository/" + name);
    json repo = {{"repositoryArn", arn}, {"Arn", arn}, {"registryId", c.account}, {"repositoryName", name},
                 {"repositoryUri", c.account + ".dkr.ecr." + c.region + ".amazonaws.com/" + name},
                 {"createdAt", static_cast<double>(tx->now_ms()) / 1000.0},
                 {"imageTagMutability", in.value("imageTagMutability", "MUTABLE")},
                 {"imageScanningConfiguration", in.value("imageScanningConfiguration", json{{"scanOnPush", false}})},
                 {"encryptionConfiguration", in.value("encryptionConfiguration", json{{"encryptionType", "AES256"}})},
                 {"tags", in.value("tags", json::array())}};
    Record& r = tx->create(key_of(c, name), repo);
    json out = {{"repository", render(r)}};
    tx->commit();
    return out;
  };
  t["DescribeRepositories"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::vector<const Record*> repos;
    if (in.contains("repositoryNames")) {
      for (const auto& n : in["repositoryNames"]) {
        const Record* r = d.find(key_of(c, n.get<std::string>()));
        if (!r) no_repository(c, n.get<std::string>());
        repos.push_back(r);
      }
    } else {
      repos = d.list(kRepository, c.region);
    }
    Page page = paginate(repos, in, 100, "nextToken", "maxResults");
    json out = {{"repositories", json::array()}};
    for (const Record* r : page.items) out["repositories"].push_back(render(*r));
    if (!page.next_token.empty()) out["nextToken"] = page.next_token;
    return out;
  };
  t["DeleteRepository"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Key key = repository_in(tx->domain(), c, in).key;
    json out = {{"repository", render(*tx->find(key))}};
    tx->remove(key);  // never holds images here, so `force` changes nothing
    tx->commit();
    return out;
  };
  // Settings kept on the repository, each with AWS's "not found" code when absent.
  struct Setting {
    const char* put;
    const char* get;
    const char* del;
    const char* member;
    const char* missing;
  };
  for (Setting s : {Setting{"PutLifecyclePolicy", "GetLifecyclePolicy", "DeleteLifecyclePolicy", "lifecyclePolicyText",
                            "LifecyclePolicyNotFoundException"},
                    Setting{"SetRepositoryPolicy", "GetRepositoryPolicy", "DeleteRepositoryPolicy", "policyText",
                            "RepositoryPolicyNotFoundException"}}) {
    t[s.put] = [&d, s](const CallContext& c, const json& in) {
      const std::string& text = in.at(s.member).get_ref<const std::string&>();
      if (!json::accept(text)) {
        throw ApiError(ErrorKind::Validation, "InvalidParameterException", std::string("Invalid parameter: ") + s.member +
                                                                               " is not valid JSON");
      }
      auto tx = d.write();
      Record& r = repository_for_write(*tx, c, in);
      r.internal[s.member] = text;
      json out = settings(c, r, {s.member});
      tx->commit();
      return out;
    };
    auto present = [s](const CallContext& c, const Record& r) {
      if (!r.internal.contains(s.member)) {
        throw ApiError(ErrorKind::NotFound, s.missing,
                       std::string("The ") + s.member + " does not exist for the repository with name '" + r.key.id +
                           "' in the registry with id '" + c.account + "'");
      }
    };
    t[s.get] = [&d, s, present](const CallContext& c, const json& in) {
      auto lock = d.read();
      const Record& r = repository_in(d, c, in);
      present(c, r);
      return settings(c, r, {s.member});
    };
    t[s.del] = [&d, s, present](const CallContext& c, const json& in) {
      auto tx = d.write();
      Record& r = repository_for_write(*tx, c, in);
      present(c, r);
      json out = settings(c, r, {s.member});
      r.internal.erase(s.member);
      tx->commit();
      return out;
    };
  }
  t["PutImageTagMutability"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& r = repository_for_write(*tx, c, in);
    r.doc["imageTagMutability"] = in.at("imageTagMutability");
    json out = settings(c, r, {"imageTagMutability"});
    tx->commit();
    return out;
  };
  t["PutImageScanningConfiguration"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& r = repository_for_write(*tx, c, in);
    r.doc["imageScanningConfiguration"] = in.at("imageScanningConfiguration");
    json out = settings(c, r, {"imageScanningConfiguration"});
    tx->commit();
    return out;
  };
  // Nothing can be pushed to mediaemu, so a repository has no images.
  t["ListImages"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    repository_in(d, c, in);
    return json{{"imageIds", json::array()}};
  };
  t["DescribeImages"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const Record& r = repository_in(d, c, in);
    if (!in.value("imageIds", json::array()).empty()) {
      throw ApiError(ErrorKind::NotFound, "ImageNotFoundException",
                     "The image requested does not exist in the repository with name '" + r.key.id + "'");
    }
    return json{{"imageDetails", json::array()}};
  };
  auto by_arn = [](const Domain& domain, const CallContext& c, const json& in) -> const Record& {
    const std::string& arn = in.at("resourceArn").get_ref<const std::string&>();
    const Record* r = domain.find_by_arn(arn);
    if (!r || r->key.kind != kRepository) no_repository(c, arn.substr(arn.find('/') + 1));
    return *r;
  };
  t["TagResource"] = [&d, by_arn](const CallContext& c, const json& in) {
    auto tx = d.write();
    merge_tag_list(tx->modify(by_arn(tx->domain(), c, in).key).doc["tags"], in.at("tags"));
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d, by_arn](const CallContext& c, const json& in) {
    auto tx = d.write();
    remove_tag_list(tx->modify(by_arn(tx->domain(), c, in).key).doc["tags"], in.at("tagKeys"));
    tx->commit();
    return json::object();
  };
  t["ListTagsForResource"] = [&d, by_arn](const CallContext& c, const json& in) {
    auto lock = d.read();
    return json{{"tags", by_arn(d, c, in).doc.value("tags", json::array())}};
  };
  return t;
}

}  // namespace mediaemu::ecr
