// Temporary until the MediaPackage handlers land: every operation answers 501.
#include "emulator/mediapackage/mediapackage.hpp"
namespace mediaemu::mediapackage {
api::OperationTable operations(Domain&, MediaHooks&) { return {}; }
api::OperationTable vod_operations(Domain&) { return {}; }
}
