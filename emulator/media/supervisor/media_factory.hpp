// What a channel supervisor builds and tears down, behind an interface so the supervisor's
// threading is unit-tested with a fake (tests/unit/media/) and the real media (LiveTranscoder,
// packagers, RTMP sources; emulator/media/media_factory.cpp) lives only in the media module.
// Every method here is called on the channel's supervisor thread, and may block there.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "emulator/media/plan/run_plan.hpp"
#include "pipeline/transcode/transcode_health.hpp"
#include "pipeline/ingest/ingest_source.hpp"

namespace mediaemu::media {

// A channel's running media between its sources and its destinations.
class ChannelPipeline {
 public:
  virtual ~ChannelPipeline() = default;
  // Where the sources' units go (the transcoder); null when the plan produces no output.
  virtual std::shared_ptr<pipeline::IngestSink> input() = 0;
  // Packages (again) or stops packaging an origin endpoint of a MediaPackage channel it feeds.
  virtual void set_endpoint(const EndpointPlan& endpoint) = 0;
  virtual void remove_endpoint(const std::string& mediapackage_channel_id, const std::string& endpoint_id) = 0;
  // An SCTE-35 cue for the transcoder to insert (pipeline::LiveTranscoder::insert_cue). Never blocks.
  virtual void insert_cue(pipeline::ads::CueRequest cue) = 0;
  // Flushes the encoders and ends every output (EXT-X-ENDLIST, a static MPD). Blocks.
  virtual void stop() = 0;
  // Problems met while building (a destination directory that cannot be created, ...).
  virtual std::vector<std::string> alerts() const = 0;
  // The transcoder's health counters (thread-safe); null when nothing transcodes.
  virtual std::shared_ptr<const pipeline::TranscodeHealth> health() const { return nullptr; }
};

class MediaFactory {
 public:
  virtual ~MediaFactory() = default;
  // `mediapackage_channels`: the MediaPackage channels this channel may deliver to (the ones it
  // claimed; another running channel may feed the rest).
  virtual std::unique_ptr<ChannelPipeline> build_pipeline(const ChannelRunPlan& plan,
                                                          const std::set<std::string>& mediapackage_channels) = 0;
  // nullptr when mediaemu does not receive this input's transport yet (`why` says so).
  virtual std::shared_ptr<pipeline::IngestSource> make_source(const ChannelRunPlan& plan, const InputPlan& input,
                                                              std::string& why) = 0;
  // Deletes what an origin endpoint served (called where no pipeline packages it).
  virtual void remove_directory(const std::filesystem::path& directory) = 0;
  // A channel feeding these MediaPackage channels ("<region>/<id>") is about to stop all its
  // pipelines: each ends its outputs with the first pipeline to end rather than failing over to
  // the other (FeedArbiter::closing). Called on the stopping thread; never blocks on media.
  virtual void channel_stopping(const std::set<std::string>& mediapackage_keys) { (void)mediapackage_keys; }
};

}  // namespace mediaemu::media
