// AWS Security Token Service: who the caller is, and temporary credentials for a role or the
// caller. mediaemu checks no signatures, so every credential works; the sessions are kept so
// that GetCallerIdentity with a session's key answers as the assumed role, as AWS does.
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::sts {

inline const std::string kSession = "sts:session";  // id = the session's access key id

api::OperationTable operations(Domain& domain);

}  // namespace mediaemu::sts
