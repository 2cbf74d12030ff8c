// AWS Secrets Manager: secrets with versions and staging labels (AWSCURRENT / AWSPREVIOUS),
// deletion with a recovery window (really deleted when it ends) and restore, and
// GetRandomPassword. Values are stored as given (no KMS). Seeds 002 and 004 keep DRM keys here,
// and CloudFormation's {{resolve:secretsmanager:...}} will read them through these functions.
#pragma once

#include <optional>
#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::secretsmanager {

inline const std::string kSecret = "secretsmanager:secret";  // id = name

api::OperationTable operations(Domain& domain);

// The AWSCURRENT SecretString of a secret named by ARN or name, or nullopt when there is none (or
// it is scheduled for deletion). Call with a domain lock held. MediaLive reads SRT passphrases so.
std::optional<std::string> current_secret_string(const Domain& domain, const std::string& region,
                                                 const std::string& secret_id);

}  // namespace mediaemu::secretsmanager
