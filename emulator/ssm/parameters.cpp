// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html
#include <algorithm>

#include "emulator/service_kit.hpp"
#include "emulator/ssm/ssm.hpp"

namespace mediaemu::ssm {
namespace {

using api::ApiError;
using api::ErrorKind;

[[noreturn]] void not_found(const std::string& name) {
  throw ApiError(ErrorKind::NotFound, "ParameterNotFound", "Parameter " + name + " not found.");
}

// "name:3" -> ("name", 3); a plain name -> (name, 0 = the latest).
std::pair<std::string, int> selector(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon != std::string::npos && colon + 1 < text.size() &&
      std::all_of(text.begin() + static_cast<long>(colon) + 1, text.end(), ::isdigit)) {
    return {text.substr(0, colon), std::stoi(text.substr(colon + 1))};
  }
  return {text, 0};
}

// Parameters are named with or without a leading "/"; the ARN joins them with one.
std::string parameter_arn(const CallContext& c, const std::string& name) {
  return make_arn(c, "ssm", "parameter" + (name.rfind('/', 0) == 0 ? name : "/" + name));
}

// The version asked for, as GetParameter returns it.
std::optional<json> version_of(const Record& r, int version) {
  const json& history = r.internal.at("history");
  for (auto it = history.rbegin(); it != history.rend(); ++it)
    if (version == 0 || (*it)["Version"].get<int>() == version) return *it;
  return std::nullopt;
}

json rendered(const Record& r, const json& version, const std::string& asked) {
  json p = {{"Name", r.key.id}, {"Type", version["Type"]}, {"Value", version["Value"]},
            {"Version", version["Version"]}, {"LastModifiedDate", version["LastModifiedDate"]},
            {"ARN", r.doc["ARN"]}, {"DataType", version.value("DataType", "text")}};
  if (asked != r.key.id) p["Selector"] = asked.substr(r.key.id.size());
  return p;
}

json metadata(const Record& r) {
  json latest = r.internal.at("history").back();
  json m = {{"Name", r.key.id}, {"ARN", r.doc["ARN"]}, {"Type", latest["Type"]},
            {"LastModifiedDate", latest["LastModifiedDate"]}, {"Version", latest["Version"]},
            {"Tier", latest.value("Tier", "Standard")}, {"DataType", latest.value("DataType", "text")},
            {"LastModifiedUser", "arn:aws:iam::123456789012:root"}, {"Policies", json::array()}};
  copy_member(m, latest, "Description");
  copy_member(m, latest, "AllowedPattern");
  return m;
}

bool under_path(const std::string& name, std::string path, bool recursive) {
  if (path.empty() || path.back() != '/') path += '/';
  if (name.rfind(path, 0) != 0) return false;
  return recursive || name.find('/', path.size()) == std::string::npos;
}

}  // namespace

std::optional<std::string> parameter_value(const Domain& d, const std::string& region, const std::string& text) {
  auto [name, version] = selector(text);
  const Record* r = d.find({kParameter, region, name});
  if (!r) return std::nullopt;
  auto v = version_of(*r, version);
  return v ? std::optional<std::string>((*v)["Value"].get<std::string>()) : std::nullopt;
}

api::OperationTable operations(Domain& d) {
  api::OperationTable t;
  t["PutParameter"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("Name").get_ref<const std::string&>();
    auto tx = d.write();
    const Record* existing = tx->find({kParameter, c.region, name});
    if (existing && !in.value("Overwrite", false)) {
      throw ApiError(ErrorKind::Conflict, "ParameterAlreadyExists",
                     "The parameter already exists. To overwrite this value, set the overwrite option in the "
                     "request to true.");
    }
    if (!existing && !in.contains("Type")) {
      throw ApiError(ErrorKind::Validation, "ValidationException", "A parameter type is required when you create a parameter.");
    }
    if (existing && in.contains("Tags")) {
      throw ApiError(ErrorKind::Validation, "ValidationException",
                     "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, "
                     "please remove overwrite flag. To update tags for an existing parameter, please use "
                     "AddTagsToResource or RemoveTagsFromResource.");
    }
    Record& r = existing ? tx->modify(existing->key)
                         : tx->create({kParameter, c.region, name},
                                      {{"ARN", parameter_arn(c, name)}, {"Tags", in.value("Tags", json::array())}},
                                      {{"history", json::array()}});
    json& history = r.internal["history"];
    json previous = history.empty() ? json::object() : history.back();
    int version = history.empty() ? 1 : previous["Version"].get<int>() + 1;
    json entry = {{"Version", version}, {"Value", in.at("Value")}, {"Type", in.value("Type", previous.value("Type", "String"))},
                  {"LastModifiedDate", static_cast<double>(tx->now_ms()) / 1000.0},
                  {"Tier", in.value("Tier", previous.value("Tier", "Standard"))},
                  {"DataType", in.value("DataType", previous.value("DataType", "text"))}};
    for (const char* m : {"Description", "AllowedPattern"}) {
      if (in.contains(m)) entry[m] = in[m];
      else if (previous.contains(m)) entry[m] = previous[m];
    }
    history.push_back(entry);
    if (history.size() > 100) history.erase(history.begin());  // Parameter Store keeps 100 versions
    json out = {{"Version", version}, {"Tier", entry["Tier"]}};
    tx->commit();
    return out;
  };
  t["GetParameter"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::string asked = in.at("Name").get<std::string>();
    auto [name, version] = selector(asked);
    const Record* r = d.find({kParameter, c.region, name});
    if (!r) not_found(asked);
    auto v = version_of(*r, version);
    if (!v) throw ApiError(ErrorKind::NotFound, "ParameterVersionNotFound", "Systems Manager could not find version " +
                                                                             std::to_string(version) + " of " + name + ".");
    return json{{"Parameter", rendered(*r, *v, asked)}};
  };
  t["GetParameters"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    json out = {{"Parameters", json::array()}, {"InvalidParameters", json::array()}};
    for (const auto& n : in.at("Names")) {
      std::string asked = n.get<std::string>();
      auto [name, version] = selector(asked);
      const Record* r = d.find({kParameter, c.region, name});
      auto v = r ? version_of(*r, version) : std::nullopt;
      if (v) out["Parameters"].push_back(rendered(*r, *v, asked));
      else out["InvalidParameters"].push_back(asked);
    }
    return out;
  };
  t["GetParametersByPath"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const std::string& path = in.at("Path").get_ref<const std::string&>();
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kParameter, c.region))
      if (under_path(r->key.id, path, in.value("Recursive", false))) matching.push_back(r);
    Page page = paginate(matching, in, 10);
    json out = {{"Parameters", json::array()}};
    for (const Record* r : page.items) out["Parameters"].push_back(rendered(*r, r->internal.at("history").back(), r->key.id));
    put_next_token(out, page);
    return out;
  };
  t["DescribeParameters"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kParameter, c.region)) {
      bool keep = true;
      for (const auto& f : in.value("ParameterFilters", json::array())) {
        std::string key = f.value("Key", ""), option = f.value("Option", "Equals");
        bool any = false;
        for (const auto& v : f.value("Values", json::array())) {
          std::string value = v.get<std::string>();
          if (key == "Name") any |= option == "BeginsWith" ? r->key.id.rfind(value, 0) == 0
                                    : option == "Contains" ? r->key.id.find(value) != std::string::npos
                                                           : r->key.id == value;
          else if (key == "Path") any |= under_path(r->key.id, value, option == "Recursive");
          else if (key == "Type") any |= r->internal.at("history").back()["Type"] == value;
          else any = true;  // other filters (KeyId, Tier, tag:...) are not narrowed here
        }
        keep &= any;
      }
      if (keep) matching.push_back(r);
    }
    Page page = paginate(matching, in, 50);
    json out = {{"Parameters", json::array()}};
    for (const Record* r : page.items) out["Parameters"].push_back(metadata(*r));
    put_next_token(out, page);
    return out;
  };
  t["GetParameterHistory"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const std::string& name = in.at("Name").get_ref<const std::string&>();
    const Record* r = d.find({kParameter, c.region, name});
    if (!r) not_found(name);
    json out = {{"Parameters", json::array()}};
    for (const auto& v : r->internal.at("history")) {
      json h = v;
      h["Name"] = name;
      h["LastModifiedUser"] = "arn:aws:iam::123456789012:root";
      h["Labels"] = json::array();
      h["Policies"] = json::array();
      out["Parameters"].push_back(h);
    }
    return out;
  };
  t["DeleteParameter"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("Name").get_ref<const std::string&>();
    auto tx = d.write();
    if (!tx->find({kParameter, c.region, name})) not_found(name);
    tx->remove({kParameter, c.region, name});
    tx->commit();
    return json::object();
  };
  t["DeleteParameters"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    json out = {{"DeletedParameters", json::array()}, {"InvalidParameters", json::array()}};
    for (const auto& n : in.at("Names")) {
      Key key{kParameter, c.region, n.get<std::string>()};
      if (tx->find(key)) {
        tx->remove(key);
        out["DeletedParameters"].push_back(n);
      } else {
        out["InvalidParameters"].push_back(n);
      }
    }
    tx->commit();
    return out;
  };
  // Tags: SSM names the parameter by ResourceType + ResourceId (its name).
  auto tags_of = [](const Domain& domain, const CallContext& c, const json& in) -> const Record& {
    if (in.at("ResourceType") != "Parameter") {
      throw ApiError(ErrorKind::Validation, "InvalidResourceType", "mediaemu keeps tags of parameters only");
    }
    const Record* r = domain.find({kParameter, c.region, in.at("ResourceId").get<std::string>()});
    if (!r) throw ApiError(ErrorKind::Validation, "InvalidResourceId", "The resource ID is not valid.");
    return *r;
  };
  t["AddTagsToResource"] = [&d, tags_of](const CallContext& c, const json& in) {
    auto tx = d.write();
    merge_tag_list(tx->modify(tags_of(tx->domain(), c, in).key).doc["Tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["RemoveTagsFromResource"] = [&d, tags_of](const CallContext& c, const json& in) {
    auto tx = d.write();
    remove_tag_list(tx->modify(tags_of(tx->domain(), c, in).key).doc["Tags"], in.at("TagKeys"));
    tx->commit();
    return json::object();
  };
  t["ListTagsForResource"] = [&d, tags_of](const CallContext& c, const json& in) {
    auto lock = d.read();
    return json{{"TagList", tags_of(d, c, in).doc.value("Tags", json::array())}};
  };
  return t;
}

}  // namespace mediaemu::ssm
