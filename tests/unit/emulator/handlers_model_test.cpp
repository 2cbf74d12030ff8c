// Every handler the control plane installs names an operation of the embedded model. An older model
// (Debian's botocore 1.29) legitimately lacks newer operations, which set_handlers() skips; with
// the models the project is developed against (botocore >= 1.40) a skipped handler can only be a
// misspelt operation name, which would otherwise leave that operation silently at 501.
#include <catch2/catch.hpp>

#include <regex>

#include "api/model_registry.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;

namespace {
bool botocore_at_least(const std::string& version, int major, int minor) {
  std::smatch m;
  if (!std::regex_match(version, m, std::regex(R"((\d+)\.(\d+)\.\d+)"))) return false;  // "2.0.0dev155": an AWS CLI fork
  int a = std::stoi(m[1]), b = std::stoi(m[2]);
  return a > major || (a == major && b >= minor);
}
}  // namespace

TEST_CASE("every installed handler names a model operation, or the model is older than the project's") {
  MediaLiveFixture ml;  // installs the MediaLive handlers
  ml.api.set_handlers("mediapackage", mediapackage::operations(ml.domain, ml.media));
  ml.api.set_handlers("mediapackage-vod", mediapackage::vod_operations(ml.domain));
  const auto skipped = ml.api.skipped_handlers();
  INFO("model source: " << api::kModelSource << "; skipped: " << skipped.dump());
  if (botocore_at_least(api::kModelVersion, 1, 40)) CHECK(skipped.empty());
  for (const auto& [service, names] : skipped.items())
    for (const auto& name : names) CHECK(ml.api.model(service)->operation(name.get<std::string>()) == nullptr);
}
