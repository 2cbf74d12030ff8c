#include "emulator/media/supervisor/ingest_origin.hpp"

#include <spdlog/spdlog.h>

#include "emulator/media/supervisor/endpoint_packaging.hpp"

namespace mediaemu::media {
namespace {

using Steady = std::chrono::steady_clock;
constexpr AVRational kMicroseconds{1, 1'000'000};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Same tracks (ids, kinds, codecs): the other input can stand in without a new layout.
bool same_tracks(const pipeline::OutputLayout& a, const pipeline::OutputLayout& b) {
  if (a.tracks.size() != b.tracks.size()) return false;
  for (size_t i = 0; i < a.tracks.size(); ++i)
    if (a.tracks[i].id != b.tracks[i].id || a.tracks[i].kind != b.tracks[i].kind ||
        a.tracks[i].codec != b.tracks[i].codec)
      return false;
  return true;
}

}  // namespace

// One ingest URL's receiver and what the origin knows of it. Its sink calls back into the origin
// on the worker thread (the receiver runs only there).
class IngestOrigin::Feed : public pipeline::MediaSink {
 public:
  Feed(IngestOrigin& origin, int index) : origin_(origin), index_(index) {}

  void on_layout(const pipeline::OutputLayout& layout) override {
    this->layout = layout;
    origin_.feed_layout(index_);
  }
  void on_packet(const pipeline::MediaPacket& packet) override {
    last_media = Steady::now();
    origin_.feed_packet(index_, packet);
  }
  void on_discontinuity() override {
    if (origin_.active_ == index_) origin_.fanout_->on_discontinuity();
  }
  void on_end() override {
    ended = true;
    origin_.feed_ended(index_);
  }

  std::unique_ptr<pipeline::hls_put::HlsIngestReceiver> receiver;
  std::optional<pipeline::OutputLayout> layout;
  Steady::time_point last_media{};
  bool ended = false;
  bool rebase = false;      // the next packet sets `shift_us` (just switched to)
  int64_t shift_us = 0;     // added to its timestamps on the outputs' timeline

 private:
  IngestOrigin& origin_;
  int index_;
};

IngestOrigin::IngestOrigin(std::string key, std::vector<EndpointPlan> endpoints) : key_(std::move(key)) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : endpoints) endpoint_ids_.insert(e.id);
    last_upload_ = Steady::now();
  }
  // Packaged from the first media on (feed_layout), so a stray upload that never becomes media
  // leaves what the endpoints served in place.
  worker_.post([this, endpoints = std::move(endpoints)] { endpoints_ = endpoints; });
  tick();
}

IngestOrigin::~IngestOrigin() { worker_.finish(); }

void IngestOrigin::tick() {
  worker_.post_at(Steady::now() + std::chrono::seconds(1), [this] {
    for (auto& feed : feeds_)
      if (feed && !feed->ended) feed->receiver->poll();
    check_failover();
    if (!finished_) tick();
  });
}

HlsIngestAnswer IngestOrigin::post(HlsIngestDelivery&& delivery) {
  if (finished_) return {503, "the ingest of this channel just ended; send again"};
  size_t size = delivery.body.size();
  if (queued_bytes_.fetch_add(size) + size > kMaxQueuedBytes) {
    queued_bytes_ -= size;
    return {503, "MediaPackage channel is " + std::to_string(kMaxQueuedBytes >> 20) +
                     " MB behind on its ingest; slow down"};
  }
  int status = delivery.remove ? 204 : 201;
  {
    std::lock_guard lock(mutex_);
    last_upload_ = Steady::now();
    // WebDAV (RFC 4918 §9.7.1): 201 for a new resource, 204 for one replaced (playlists).
    if (!delivery.remove && delivery.file.ends_with(".m3u8") && !playlists_seen_.insert(delivery.file).second) status = 204;
  }
  bool queued = worker_.post([this, d = std::move(delivery), size]() mutable {
    queued_bytes_ -= size;
    take(d);
  });
  if (!queued) {
    queued_bytes_ -= size;
    return {503, "the ingest of this channel is shutting down"};
  }
  return {status, ""};
}

void IngestOrigin::take(HlsIngestDelivery& d) {
  if (finished_ || d.ingest_index < 0 || d.ingest_index > 1) return;
  auto& feed = feeds_[static_cast<size_t>(d.ingest_index)];
  if (!feed || feed->ended) {
    feed = std::make_shared<Feed>(*this, d.ingest_index);
    feed->receiver = std::make_unique<pipeline::hls_put::HlsIngestReceiver>(
        key_ + " input " + std::to_string(d.ingest_index + 1), feed);
  }
  if (d.remove) feed->receiver->remove(d.file);
  else feed->receiver->put(d.file, std::move(d.body));
  check_failover();
}

void IngestOrigin::feed_layout(int index) {
  Feed& feed = *feeds_[static_cast<size_t>(index)];
  if (active_ >= 0) {
    if (!same_tracks(*feeds_[static_cast<size_t>(active_)]->layout, *feed.layout))
      spdlog::warn("hls ingest {}: input {} carries other renditions than input {}; it cannot take over", key_,
                   index + 1, active_ + 1);
    return;
  }
  active_ = index;
  active_public_ = index;
  out_epoch_ms_ = feed.layout->epoch_ms_at_zero;
  out_layout_ = *feed.layout;
  spdlog::info("hls ingest {}: input {} is active", key_, index + 1);
  for (const auto& e : endpoints_) package(e);
  fanout_->on_layout(*feed.layout);
}

void IngestOrigin::feed_packet(int index, const pipeline::MediaPacket& packet) {
  if (index != active_) return;  // the standby input: received, not packaged
  Feed& feed = *feeds_[static_cast<size_t>(index)];
  const pipeline::TrackInfo* track = out_layout_.track(packet.track_id);
  if (!track) return;
  int64_t t_us = av_rescale_q(packet.packet->dts, track->time_base, kMicroseconds);
  if (feed.rebase) {
    // Where the outputs are, or the wall clock if that is later: never back in time.
    int64_t wall_us = (wall_ms() - out_epoch_ms_) * 1000;
    feed.shift_us = std::max(out_end_us_, wall_us) - t_us;
    feed.rebase = false;
  }
  pipeline::MediaPacket out = packet;
  if (feed.shift_us != 0) {
    pipeline::PacketPtr copy(av_packet_clone(packet.packet.get()));
    if (!copy) throw std::bad_alloc();
    int64_t shift = av_rescale_q(feed.shift_us, kMicroseconds, track->time_base);
    copy->pts += shift;
    copy->dts += shift;
    out.packet = pipeline::share(std::move(copy));
  }
  out_end_us_ = std::max(out_end_us_, t_us + feed.shift_us + av_rescale_q(packet.packet->duration, track->time_base,
                                                                           kMicroseconds));
  fanout_->on_packet(out);
}

void IngestOrigin::feed_ended(int index) {
  if (index != active_) return;
  int other = 1 - index;
  if (delivering(other)) return switch_to(other, "ended its stream (EXT-X-ENDLIST)");
  spdlog::info("hls ingest {}: input {} ended its stream (EXT-X-ENDLIST): the outputs end", key_, index + 1);
  fanout_->on_end();
  finished_ = true;
}

bool IngestOrigin::delivering(int index) const {
  const auto& feed = feeds_[static_cast<size_t>(index)];
  return feed && feed->layout && !feed->ended && Steady::now() - feed->last_media < kFailoverAfter &&
         (active_ < 0 || same_tracks(out_layout_, *feed->layout));
}

void IngestOrigin::check_failover() {
  if (active_ < 0 || finished_) return;
  const auto& feed = feeds_[static_cast<size_t>(active_)];
  if (Steady::now() - feed->last_media < kFailoverAfter) return;
  if (delivering(1 - active_)) switch_to(1 - active_, "stopped delivering");
}

void IngestOrigin::switch_to(int index, const char* why) {
  spdlog::warn("hls ingest {}: input {} {}; input {} takes over", key_, active_ + 1, why, index + 1);
  active_ = index;
  active_public_ = index;
  feeds_[static_cast<size_t>(index)]->rebase = true;
  fanout_->on_discontinuity();
}

void IngestOrigin::set_endpoint(const EndpointPlan& endpoint) {
  {
    std::lock_guard lock(mutex_);
    endpoint_ids_.insert(endpoint.id);
  }
  worker_.post([this, endpoint] {
    std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint.id; });
    endpoints_.push_back(endpoint);
    if (active_ >= 0) package(endpoint);  // else packaged with the first media
  });
}

bool IngestOrigin::remove_endpoint(const std::string& endpoint_id, const std::filesystem::path& directory) {
  {
    std::lock_guard lock(mutex_);
    if (!endpoint_ids_.erase(endpoint_id)) return false;
  }
  worker_.post([this, endpoint_id, directory] {
    std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint_id; });
    fanout_->remove(endpoint_id);  // once it returns the packager is never called again
    std::error_code ec;
    std::filesystem::remove_all(directory, ec);
    if (ec) spdlog::warn("hls ingest {}: could not delete {}: {}", key_, directory.string(), ec.message());
  });
  return true;
}

void IngestOrigin::package(const EndpointPlan& endpoint) {
  if (auto problem = package_endpoint(*fanout_, endpoint, "HLS ingest"); !problem.empty())
    spdlog::warn("hls ingest {}: {}", key_, problem);
}

bool IngestOrigin::idle_for(Steady::duration quiet) const {
  std::lock_guard lock(mutex_);
  return finished_ || Steady::now() - last_upload_ > quiet;
}

}  // namespace mediaemu::media
