// AWS Secrets Manager: secrets with versions and staging labels (AWSCURRENT / AWSPREVIOUS),
// deletion with a recovery window (really deleted when it ends) and restore, and
// GetRandomPassword. Values are stored as given (no KMS). Seeds 002 and 004 keep DRM keys here,
// and CloudFormation's {{resolve:secretsmanager:...}} will read them through these functions.
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::secretsmanager {

inline const std::string kSecret = "secretsmanager:secret";  // id = name

api::OperationTable operations(Domain& domain);

}  // namespace mediaemu::secretsmanager
