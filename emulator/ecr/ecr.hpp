// Amazon ECR repositories, as `cdk bootstrap`'s template and Terraform create them: the
// repository with its URI, tag mutability, scanning and encryption settings, lifecycle and
// repository policies, tags. There is no registry: nothing can be pushed, so every repository
// is empty (ListImages / DescribeImages answer so) and GetAuthorizationToken stays 501.
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::ecr {

inline const std::string kRepository = "ecr:repository";  // id = repository name

api::OperationTable operations(Domain& domain);

}  // namespace mediaemu::ecr
