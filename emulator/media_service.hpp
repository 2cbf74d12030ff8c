// The media side as the control plane holds it: the hooks, plus start and stop. It is
// implemented by media::MediaRuntime in the mediaemu-media module (emulator/media/ and pipeline/),
// which MediaLoader opens with dlopen in the background. Why a module: FFmpeg's libraries bring
// about 140 shared objects whose loading costs ~100 ms at every process start (measured with
// perf on these machines), so a binary that linked them could not answer its first ListChannels
// in under 100 ms. The control plane starts without them; media is ready a moment later.
#pragma once

#include <boost/asio/io_context.hpp>

#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"
#include "pipeline/flow/flow_taps.hpp"

namespace mediaemu {

class MediaService : public MediaHooks {
 public:
  // Opens the ingest ports and resumes channels left RUNNING by an earlier process.
  virtual void start() = 0;
  // Flushes and ends every running channel's outputs, closes the ingest ports.
  virtual void stop() = 0;
};

// The module's one exported entry point (extern "C", so dlsym finds it by this name). The flow
// taps are the running MediaConnect flows' outputs: the flows' relays live in the binary (they
// need no libav), and MEDIACONNECT inputs subscribe to them from the module.
using CreateMediaService = MediaService*(const Config&, Domain&, boost::asio::io_context&, flow::FlowTaps&);
inline constexpr const char* kCreateMediaServiceSymbol = "mediaemu_create_media_service";
inline constexpr const char* kMediaModuleFile = "mediaemu-media.so";  // next to the binary

}  // namespace mediaemu
