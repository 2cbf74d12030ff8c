// One request an encoder made to a MediaPackage channel's HLS ingest URL (/in/v2/...), once the
// control plane has authenticated it: what the media side's ingest origin of that channel takes
// (emulator/media/supervisor/ingest_origins.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "emulator/media/plan/endpoint_plan.hpp"

namespace mediaemu::media {

struct HlsIngestDelivery {
  std::string region, mediapackage_channel_id;
  int ingest_index = 0;  // which of the channel's two ingest endpoints (input redundancy): 0 or 1
  bool remove = false;   // a DELETE; else a PUT of `body`
  std::string file;      // the last path element: "channel.m3u8", "channel_1.ts", ...
  std::string body;
  // Plans the channel's origin endpoints: called (on the delivering thread, taking the domain's
  // read lock) only when the channel's ingest origin starts, which packages them.
  std::function<std::vector<EndpointPlan>()> plan_endpoints;
};

// What the HTTP side answers: 201/204 when taken, else an error status and why.
struct HlsIngestAnswer {
  int status = 201;
  std::string why;
};

}  // namespace mediaemu::media
