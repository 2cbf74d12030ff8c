// AWS Identity and Access Management: roles (with their trust policy), inline and managed
// policies, attachments, instance profiles and service-linked roles, as the seeds, CDK's
// bootstrap and Terraform's AWS provider use them. Nothing is enforced: mediaemu accepts every
// caller, and IAM is where templates and scripts find the resources they created.
//
// IAM is global: every record lives in the region kGlobal whatever region the caller signs for.
// Policy documents are kept as sent and returned URL-encoded, as IAM returns them (botocore's
// json_decode_policies handler decodes them back into dictionaries).
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::iam {

inline const std::string kGlobal = "global";
inline const std::string kRole = "iam:role";
inline const std::string kPolicy = "iam:policy";  // customer managed, id = ARN
inline const std::string kInstanceProfile = "iam:instance-profile";

api::OperationTable operations(Domain& domain);

// For STS's AssumeRole (call with a domain lock held): the role with this ARN, or null.
const Record* find_role_by_arn(const Domain& domain, const std::string& arn);

// ---- Shared by the handler files ------------------------------------------------------------

inline Key role_key(const std::string& name) { return {kRole, kGlobal, name}; }
inline Key policy_key(const std::string& arn) { return {kPolicy, kGlobal, arn}; }
inline Key profile_key(const std::string& name) { return {kInstanceProfile, kGlobal, name}; }

// "arn:aws:iam::123456789012:role/path/name"
std::string iam_arn(const CallContext& ctx, const std::string& type, const std::string& path, const std::string& name);
// A path as IAM requires it: "/" or "/a/b/". Throws ValidationError otherwise.
std::string checked_path(const json& input);
// The policy document checked to be JSON (MalformedPolicyDocument otherwise), as sent.
std::string checked_document(const json& input, const char* member);
// As IAM returns documents: RFC 3986 percent-encoded.
std::string encoded_document(const std::string& document);
// Raises IAM's NoSuchEntity (404) naming the entity.
[[noreturn]] void no_such_entity(const std::string& what);
// A page of records in IAM's Marker / MaxItems / IsTruncated form, under `member`.
json iam_page(const std::vector<const Record*>& records, const json& input, const char* member,
              const std::function<json(const Record&)>& render);

void add_role_operations(api::OperationTable& t, Domain& d);
void add_policy_operations(api::OperationTable& t, Domain& d);
void add_instance_profile_operations(api::OperationTable& t, Domain& d);

}  // namespace mediaemu::iam
