// Every handler the control plane installs names an operation of the embedded model. An older model
// (Debian's botocore 1.29) legitimately lacks newer operations, which set_handlers() skips; with
// the models the project is developed against (botocore >= 1.40) a skipped handler can only be a
// misspelt operation name, which would otherwise leave that operation silently at 501.
#include <catch2/catch.hpp>

#include <regex>

#include "api/aws_api.hpp"
#include "api/model_registry.hpp"
#include "emulator/clock.hpp"
#include "emulator/domain.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/store.hpp"

using namespace mediaemu;

namespace {
bool botocore_at_least(const std::string& version, int major, int minor) {
  std::smatch m;
  if (!std::regex_match(version, m, std::regex(R"((\d+)\.(\d+)\.\d+)"))) return false;  // "2.0.0dev155": an AWS CLI fork
  int a = std::stoi(m[1]), b = std::stoi(m[2]);
  return a > major || (a == major && b >= minor);
}
}  // namespace

TEST_CASE("every installed handler names a model operation, or the model is older than the project's") {
  Config config;
  Store store{":memory:"};
  ManualClock clock;
  Domain domain{config, store, clock};
  MediaHooks no_media;
  api::AwsApi api;
  api.set_handlers("medialive", medialive::operations(domain, no_media));
  api.set_handlers("mediapackage", mediapackage::operations(domain, no_media));
  api.set_handlers("mediapackage-vod", mediapackage::vod_operations(domain));
  INFO("model source: " << api::kModelSource << "; skipped: " << api.skipped_handlers().dump());
  if (botocore_at_least(api::kModelVersion, 1, 40)) CHECK(api.skipped_handlers().empty());
  const auto skipped = api.skipped_handlers();
  for (const auto& [service, names] : skipped.items())
    for (const auto& name : names) CHECK(api.model(service)->operation(name.get<std::string>()) == nullptr);
}
