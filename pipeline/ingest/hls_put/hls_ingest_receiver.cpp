#include "pipeline/ingest/hls_put/hls_ingest_receiver.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "pipeline/ads/splice_decode.hpp"
#include "pipeline/transcode/codec_config.hpp"

namespace mediaemu::pipeline::hls_put {
namespace {

constexpr int64_t kTicks = 90000;                // the MPEG-TS clock
constexpr int64_t kWrap = int64_t{1} << 33;      // its PTS/DTS width
constexpr int kAudioTrack = 100;                 // video tracks are numbered from 1
constexpr size_t kMaxUploads = 64;               // segments kept until a playlist names them
constexpr int64_t kAssumedAudioBitrate = 128000; // an uploaded stream does not state its own

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_playlist(const std::string& bytes) {
  size_t skip = bytes.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  return bytes.compare(skip, 7, "#EXTM3U") == 0;
}

std::string stem(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

SharedPacket packet_of(const TsSample& s, int64_t pts, int64_t dts, int64_t duration) {
  PacketPtr p = make_packet();
  av_check(av_new_packet(p.get(), static_cast<int>(s.data.size())), "allocate an ingest packet");
  std::memcpy(p->data, s.data.data(), s.data.size());
  p->pts = pts;
  p->dts = dts;
  p->duration = duration;
  if (s.keyframe) p->flags |= AV_PKT_FLAG_KEY;
  return share(std::move(p));
}

}  // namespace

HlsIngestReceiver::HlsIngestReceiver(std::string label, std::shared_ptr<MediaSink> sink, WallClock now_ms)
    : label_(std::move(label)), sink_(std::move(sink)), now_ms_(now_ms ? std::move(now_ms) : system_now_ms) {}

void HlsIngestReceiver::put(const std::string& name, std::string bytes) {
  if (ended_) return;
  ++stats_.files;
  stats_.bytes += static_cast<int64_t>(bytes.size());
  spdlog::debug("hls ingest {}: {} ({} bytes)", label_, name, bytes.size());
  if (is_playlist(bytes)) {
    auto playlist = parse_ingest_playlist(bytes);
    if (!playlist) return;
    if (playlist->multivariant) take_master(*playlist);
    else take_media(name, *playlist);
    return;
  }
  if (!uploads_.count(name)) upload_order_.push_back(name);
  uploads_[name] = std::move(bytes);
  while (uploads_.size() > kMaxUploads) {  // never named by a playlist: an upload we cannot place
    uploads_.erase(upload_order_.front());
    upload_order_.erase(upload_order_.begin());
    ++stats_.skipped;
  }
  // Encoders may upload a segment after the playlist that names it (ffmpeg does, for some variants).
  for (auto& v : variants_) collect(*v);
  deliver_ready();
  finish_if_ended();
}

void HlsIngestReceiver::remove(const std::string& name) {
  if (uploads_.erase(name)) std::erase(upload_order_, name);
}

void HlsIngestReceiver::end() {
  if (ended_) return;
  ended_ = true;
  if (layout_sent_) sink_->on_end();
}

HlsIngestReceiver::VariantState& HlsIngestReceiver::variant(const std::string& playlist) {
  for (auto& v : variants_)
    if (v->playlist == playlist) return *v;
  variants_.push_back(std::make_unique<VariantState>());
  variants_.back()->playlist = playlist;
  return *variants_.back();
}

void HlsIngestReceiver::take_master(const IngestPlaylist& master) {
  master_ = master.variants;
  std::vector<std::unique_ptr<VariantState>> ordered;
  for (const auto& mv : master_) {
    VariantState& v = variant(file_name_of(mv.uri));
    v.bandwidth = mv.bandwidth;
  }
  if (layout_sent_) return;  // the layout's order stays
  // The multivariant playlist's order, then variants it does not name.
  for (const auto& mv : master_) {
    auto it = std::find_if(variants_.begin(), variants_.end(),
                           [&](const auto& v) { return v && v->playlist == file_name_of(mv.uri); });
    if (it != variants_.end()) ordered.push_back(std::move(*it));
  }
  for (auto& v : variants_)
    if (v) ordered.push_back(std::move(v));
  variants_ = std::move(ordered);
}

void HlsIngestReceiver::take_media(const std::string& name, const IngestPlaylist& playlist) {
  if (!playlist.segments.empty() && variant(name).next_sequence > playlist.segments.back().sequence + 1) {
    spdlog::info("hls ingest {}: {} starts its media sequence again at {}: a new encoder session", label_, name,
                 playlist.segments.front().sequence);
    restart();
  }
  VariantState& v = variant(name);
  for (const auto& segment : playlist.segments) {
    if (v.next_sequence >= 0 && segment.sequence < v.next_sequence) continue;  // listed already
    v.next_sequence = segment.sequence + 1;
    if (next_slot_ >= 0 && segment.sequence < next_slot_) continue;  // its slot went out without it
    v.listed[segment.sequence] = {file_name_of(segment.uri), segment.discontinuity, segment.date_ms, segment.duration,
                                  now_ms_()};
  }
  v.ended = playlist.ended;
  collect(v);
  spdlog::debug("hls ingest {}: {} lists up to {}; {} segment(s) wait, {} upload(s) awaited", label_, name,
                playlist.segments.empty() ? -1 : playlist.segments.back().sequence, v.ready.size(), v.listed.size());
  deliver_ready();
  finish_if_ended();
}

void HlsIngestReceiver::collect(VariantState& v) {
  for (auto it = v.listed.begin(); it != v.listed.end();) {
    auto upload = uploads_.find(it->second.file);
    if (upload == uploads_.end()) {
      ++it;
      continue;
    }
    std::string bytes = std::move(upload->second);
    uploads_.erase(upload);
    std::erase(upload_order_, it->second.file);
    try {
      v.ready[it->first] = {demux_ts_segment(bytes), it->second.discontinuity, it->second.date_ms};
      v.bytes += static_cast<int64_t>(bytes.size());
      v.seconds += it->second.duration;
    } catch (const std::exception& e) {
      ++stats_.rejected;
      spdlog::warn("hls ingest {}: segment {} of {} is not used: {}", label_, it->second.file, v.playlist, e.what());
    }
    it = v.listed.erase(it);
  }
}

void HlsIngestReceiver::poll() {
  if (ended_) return;
  int64_t now = now_ms_();
  bool gave_up = false;
  for (auto& v : variants_)
    std::erase_if(v->listed, [&](const auto& entry) {
      if (now - entry.second.listed_at_ms < kUploadWaitMs) return false;
      spdlog::warn("hls ingest {}: {} named {} but it was never uploaded", label_, v->playlist, entry.second.file);
      ++stats_.skipped;
      return gave_up = true;
    });
  if (gave_up) {
    deliver_ready();
    finish_if_ended();
  }
}

void HlsIngestReceiver::finish_if_ended() {
  if (variants_.empty() || ended_) return;
  for (size_t i = 0; i < variants_.size(); ++i) {
    const VariantState& v = *variants_[i];
    if (!in_layout(i)) continue;  // a playlist that never carried media does not hold the end back
    if (!v.ended || !v.ready.empty() || !v.listed.empty()) return;
  }
  spdlog::info("hls ingest {}: every variant ended (EXT-X-ENDLIST)", label_);
  end();
}

void HlsIngestReceiver::restart() {
  for (auto& v : variants_) {
    v->next_sequence = -1;
    v->ready.clear();
    v->listed.clear();
    v->last_dts = -1;  // a new encoder session: a new clock
    v->ended = false;
  }
  next_slot_ = -1;
  discontinuity_pending_ = layout_sent_;
}

bool HlsIngestReceiver::in_layout(size_t index) const {
  return !layout_sent_ || variants_[index]->track || static_cast<int>(index) == audio_source_;
}

bool HlsIngestReceiver::slot_ready(int64_t slot) const {
  bool all = true, ahead = false, enough_seen = !master_.empty() || layout_sent_;
  for (size_t i = 0; i < variants_.size(); ++i) {
    const VariantState& v = *variants_[i];
    if (!in_layout(i)) continue;
    if (!v.ready.empty() && v.ready.rbegin()->first >= slot + 2) ahead = true;
    if (v.ready.size() >= 2 || v.ended) enough_seen = true;
    if (!v.ready.count(slot) && (!v.ended || v.listed.count(slot))) all = false;
  }
  // Before the layout exists and with no multivariant playlist, one more segment lets every
  // variant's first playlist arrive, so none is left out of the layout.
  return (all && enough_seen) || ahead;
}

void HlsIngestReceiver::deliver_ready() {
  while (!ended_) {
    int64_t first = INT64_MAX;
    for (const auto& v : variants_)
      if (!v->ready.empty()) first = std::min(first, v->ready.begin()->first);
    if (first == INT64_MAX) return;
    if (next_slot_ < 0 || first > next_slot_) next_slot_ = first;  // a gap every variant has: go on
    if (!slot_ready(next_slot_)) return;
    bool any = false;
    for (const auto& v : variants_) any |= v->ready.count(next_slot_) > 0;
    if (any) {
      if (!layout_sent_) send_layout(next_slot_);
      send_slot(next_slot_);
    }
    ++next_slot_;
    for (auto& v : variants_)
      std::erase_if(v->listed, [&](const auto& entry) { return entry.first < next_slot_; });
  }
}

int64_t HlsIngestReceiver::unwrap(VariantState& v, int64_t ts) const {
  if (v.last_dts < 0) return ts;
  // The lap of the 33-bit clock that puts `ts` nearest to what came before.
  int64_t d = v.last_dts - ts + kWrap / 2;
  int64_t laps = d >= 0 ? d / kWrap : -((-d + kWrap - 1) / kWrap);
  return ts + laps * kWrap;
}

void HlsIngestReceiver::send_layout(int64_t slot) {
  layout_ = {};
  int next_id = 1;
  for (size_t i = 0; i < variants_.size(); ++i) {
    VariantState& v = *variants_[i];
    auto it = v.ready.find(slot);
    if (it == v.ready.end()) continue;  // a variant that had nothing yet stays out
    const TsSegment& seg = it->second.segment;
    if (seg.has_audio && audio_source_ < 0) {
      audio_source_ = static_cast<int>(i);
      TrackInfo a;
      a.id = kAudioTrack;
      a.kind = MediaKind::Audio;
      a.name = "audio";
      a.codec = AV_CODEC_ID_AAC;
      a.extradata = seg.asc;
      a.time_base = {1, seg.sample_rate};
      a.sample_rate = seg.sample_rate;
      a.channels = seg.channels;
      a.bitrate = kAssumedAudioBitrate;
      a.codecs = aac_codecs_string(seg.asc);
      layout_.tracks.push_back(a);
    }
    if (!seg.has_video) continue;
    TrackInfo t;
    t.id = v.track = next_id++;
    t.kind = MediaKind::Video;
    t.name = stem(v.playlist);
    t.codec = AV_CODEC_ID_H264;
    t.extradata = seg.avcc;
    t.time_base = {1, static_cast<int>(kTicks)};
    t.width = seg.width;
    t.height = seg.height;
    t.frame_rate = seg.frame_rate;
    int64_t measured = v.seconds > 0 ? static_cast<int64_t>(v.bytes * 8 / v.seconds) : 0;
    t.bitrate = std::max<int64_t>(1, (v.bandwidth > 0 ? v.bandwidth : measured) - kAssumedAudioBitrate);
    t.codecs = avc_codecs_string(seg.avcc);
    layout_.tracks.push_back(t);
  }
  for (const auto& t : layout_.tracks) {
    if (t.kind != MediaKind::Video) continue;
    Variant variant{t.name, t.id, {}};
    if (audio_source_ >= 0) variant.audio_tracks.push_back(kAudioTrack);
    layout_.variants.push_back(variant);
  }
  if (layout_.variants.empty() && audio_source_ >= 0) layout_.variants.push_back({"audio", 0, {kAudioTrack}});

  // Output time 0 is the slot's earliest timestamp; its wall-clock time is the segment's
  // PROGRAM-DATE-TIME when the encoder wrote one, else now.
  int64_t earliest = INT64_MAX;
  std::optional<int64_t> date;
  for (auto& v : variants_) {
    auto it = v->ready.find(slot);
    if (it == v->ready.end()) continue;
    for (const auto& s : it->second.segment.samples) earliest = std::min(earliest, s.dts);
    if (!date) date = it->second.date_ms;
  }
  offset_ = earliest == INT64_MAX ? 0 : -earliest;
  epoch_ms_at_zero_ = layout_.epoch_ms_at_zero = date ? *date : now_ms_();
  layout_sent_ = true;
  std::string names;
  for (const auto& t : layout_.tracks)
    names += (names.empty() ? "" : ", ") + t.name + (t.kind == MediaKind::Video ? " " + std::to_string(t.width) + "x" +
                                                          std::to_string(t.height) : " AAC");
  spdlog::info("hls ingest {}: packaging {} without transcoding", label_, names);
  sink_->on_layout(layout_);
}

void HlsIngestReceiver::send_cues(VariantState& v, const TsSegment& segment, int64_t earliest) {
  for (const auto& section : segment.scte35_sections) {
    std::string why;
    auto splice = ads::decode_splice_info(section, why);
    if (!splice) {
      spdlog::log(ads::is_splice_null(section) ? spdlog::level::debug : spdlog::level::info,
                  "hls ingest {}: SCTE-35 section ignored: {}", label_, why);
      continue;
    }
    const int64_t at = splice->pts_90k ? unwrap(v, static_cast<int64_t>(*splice->pts_90k)) : earliest;
    const ads::AdCue cue =
        ads::make_cue(std::move(splice->info), av_rescale(at + offset_, kUs, kTicks), "from the ingest");
    spdlog::info("hls ingest {}: SCTE-35 (event {}) at {} ms on the output timeline", label_, cue.event_id(),
                 cue.pts_us / 1000);
    sink_->on_cue(cue);
  }
}

void HlsIngestReceiver::send_slot(int64_t slot) {
  struct Out {
    int64_t order_us;
    MediaPacket packet;
  };
  std::vector<Out> out;
  bool discontinuity = discontinuity_pending_;
  int64_t earliest = INT64_MAX;
  // Unwrapped timestamps first (the offset may change below).
  std::vector<std::pair<VariantState*, TsSegment*>> parts;
  for (size_t i = 0; i < variants_.size(); ++i) {
    VariantState& v = *variants_[i];
    auto it = v.ready.find(slot);
    if (it == v.ready.end()) continue;
    if (!in_layout(i)) continue;
    discontinuity |= it->second.discontinuity;
    for (auto& s : it->second.segment.samples) {
      s.dts = unwrap(v, s.dts);
      s.pts = unwrap(v, s.pts);
      v.last_dts = std::max(v.last_dts, s.dts);
      earliest = std::min(earliest, s.dts);
    }
    parts.emplace_back(&v, &it->second.segment);
  }
  if (earliest != INT64_MAX && last_out_end_ > 0) {
    int64_t at = earliest + offset_;
    // The encoder's clock went back, or leapt ahead by more than a lost segment or two.
    if (at < last_out_end_ - kTicks || at > last_out_end_ + 10 * kTicks) discontinuity = true;
  }
  if (discontinuity && earliest != INT64_MAX && last_out_end_ > 0) {
    int64_t wall = (now_ms_() - epoch_ms_at_zero_) * kTicks / 1000;
    offset_ = std::max(last_out_end_ + 1, wall) - earliest;
    sink_->on_discontinuity();
  }
  discontinuity_pending_ = false;
  if (!parts.empty() && earliest != INT64_MAX) send_cues(*parts.front().first, *parts.front().second, earliest);

  for (auto [v, seg] : parts) {
    const bool audio_here = audio_source_ >= 0 && v == variants_[static_cast<size_t>(audio_source_)].get();
    int64_t frame = seg->frame_rate.num > 0 ? kTicks * seg->frame_rate.den / seg->frame_rate.num : 3000;
    std::vector<TsSample*> video;
    for (auto& s : seg->samples) {
      if (s.kind == MediaKind::Video && v->track) video.push_back(&s);
      if (s.kind == MediaKind::Audio && audio_here) {
        const AVRational tb{1, seg->sample_rate > 0 ? seg->sample_rate : 48000};
        int64_t dts = av_rescale_q(s.dts + offset_, {1, static_cast<int>(kTicks)}, tb);
        out.push_back({av_rescale(s.dts + offset_, kUs, kTicks), {kAudioTrack, packet_of(s, dts, dts, 1024)}});
        last_out_end_ = std::max(last_out_end_, s.dts + offset_ + 1024 * kTicks / tb.den);
      }
    }
    for (size_t k = 0; k < video.size(); ++k) {
      const TsSample& s = *video[k];
      int64_t duration = k + 1 < video.size() ? video[k + 1]->dts - s.dts : frame;
      if (duration <= 0) duration = frame;
      out.push_back({av_rescale(s.dts + offset_, kUs, kTicks),
                     {v->track, packet_of(s, s.pts + offset_, s.dts + offset_, duration)}});
      last_out_end_ = std::max(last_out_end_, s.dts + offset_ + duration);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Out& a, const Out& b) { return a.order_us < b.order_us; });
  for (const auto& o : out) sink_->on_packet(o.packet);
  for (auto& v : variants_) v->ready.erase(slot);
  ++stats_.segments;
  stats_.last_delivery_ms = now_ms_();
  spdlog::debug("hls ingest {}: slot {} out: {} packets of {} variant(s)", label_, slot, out.size(), parts.size());
}

}  // namespace mediaemu::pipeline::hls_put
