// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
#include "emulator/sts/sts.hpp"

#include "emulator/iam/iam.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::sts {
namespace {

// STS is global like IAM: a session made through any regional endpoint is known to all.
const std::string& kGlobal = iam::kGlobal;

// 40 characters, as AWS's secret keys are.
std::string secret_key() { return aws_id("", 40); }

// A session's credentials, kept so that its key maps back to who it is.
json issue(Tx& tx, const json& identity, int duration_seconds) {
  std::string key = aws_id("ASIA", 20);
  double expiration = static_cast<double>(tx.now_ms()) / 1000.0 + duration_seconds;
  json credentials = {{"AccessKeyId", key},
                      {"SecretAccessKey", secret_key()},
                      {"SessionToken", "FwoGZXIvYXdzE" + random_hex(64)},
                      {"Expiration", expiration}};
  tx.create({kSession, kGlobal, key}, {{"Identity", identity}, {"Expiration", expiration}});
  return credentials;
}

int duration(const json& in, int default_seconds, int max_seconds) {
  int seconds = in.value("DurationSeconds", default_seconds);
  if (seconds > max_seconds) {
    throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  return seconds;
}

}  // namespace

api::OperationTable operations(Domain& d) {
  api::OperationTable t;
  t["GetCallerIdentity"] = [&d](const CallContext& c, const json&) {
    auto lock = d.read();
    if (const Record* session = d.find({kSession, kGlobal, c.access_key})) return session->doc["Identity"];
    // Any other key is the account's root user, the identity long-term keys of an account have.
    return json{{"UserId", c.account}, {"Account", c.account}, {"Arn", "arn:aws:iam::" + c.account + ":root"}};
  };
  t["AssumeRole"] = [&d](const CallContext& c, const json& in) {
    const std::string& role_arn = in.at("RoleArn").get_ref<const std::string&>();
    const std::string& session = in.at("RoleSessionName").get_ref<const std::string&>();
    auto tx = d.write();
    const Record* role = iam::find_role_by_arn(tx->domain(), role_arn);
    if (!role) {
      // AWS answers a role that does not exist as a refusal, naming the caller and the role.
      throw api::ApiError(api::ErrorKind::Forbidden, "AccessDenied",
                          "User: arn:aws:iam::" + c.account + ":root is not authorized to perform: sts:AssumeRole on resource: " +
                              role_arn,
                          403);
    }
    int seconds = duration(in, 3600, role->doc.value("MaxSessionDuration", 3600));
    std::string role_id = role->doc["RoleId"].get<std::string>() + ":" + session;
    std::string assumed_arn =
        "arn:aws:sts::" + c.account + ":assumed-role/" + role->doc["RoleName"].get<std::string>() + "/" + session;
    json identity = {{"UserId", role_id}, {"Account", c.account}, {"Arn", assumed_arn}};
    json out = {{"Credentials", issue(*tx, identity, seconds)},
                {"AssumedRoleUser", {{"AssumedRoleId", role_id}, {"Arn", assumed_arn}}},
                {"PackedPolicySize", 0}};
    if (in.contains("SourceIdentity")) out["SourceIdentity"] = in["SourceIdentity"];
    tx->commit();
    return out;
  };
  t["GetSessionToken"] = [&d](const CallContext& c, const json& in) {
    int seconds = duration(in, 43200, 129600);
    auto tx = d.write();
    json identity = {{"UserId", c.account}, {"Account", c.account}, {"Arn", "arn:aws:iam::" + c.account + ":root"}};
    if (const Record* caller = tx->find({kSession, kGlobal, c.access_key})) identity = caller->doc["Identity"];
    json out = {{"Credentials", issue(*tx, identity, seconds)}};
    tx->commit();
    return out;
  };
  return t;
}

}  // namespace mediaemu::sts
