#include "pipeline/package/mss_packager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "pipeline/bytes.hpp"
#include "pipeline/crypto/system_ids.hpp"
#include "pipeline/package/codec_config.hpp"
#include "pipeline/package/fmp4_encryption.hpp"
#include "pipeline/package/endpoint_status.hpp"
#include "pipeline/package/published_window.hpp"
#include "pipeline/package/stream_description.hpp"
#include "pipeline/transcode/codec_config.hpp"

namespace mediaemu::pipeline {

namespace {
constexpr int64_t kManifestTimescale = 10'000'000;  // [MS-SSTR] §2.2.2.1 TimeScale default

// §2.2.2.5 CodecPrivateData of an H.264 QualityLevel: the SPS and PPS, each after a start code,
// in hex.
std::string h264_codec_private_data(const TrackInfo& t) {
  std::vector<uint8_t> out;
  if (auto avcc = parse_avcc(avcc_record(t.extradata))) {
    for (const auto* sets : {&avcc->sps, &avcc->pps})
      for (const auto& nal : *sets) {
        out.insert(out.end(), {0, 0, 0, 1});
        out.insert(out.end(), nal.begin(), nal.end());
      }
  }
  return hex_upper(out);
}
}  // namespace

MssPackager::MssPackager(const EndpointSpec& spec)
    : PackagerBase(spec, spec.mss.segment_duration_seconds, spec.mss.selection), mss_(spec.mss) {}

void MssPackager::start() {
  indexes_.clear();
  StreamIndex video{"video", true, {}, std::nullopt, {}};
  std::vector<int> audio;
  for (const Variant* v : selected_variants()) {
    const TrackInfo* t = v->video_track ? layout().track(v->video_track) : nullptr;
    if (t && std::none_of(video.qualities.begin(), video.qualities.end(), [&](const Quality& q) { return q.info == t; }))
      video.qualities.push_back({t, 0, nullptr, std::nullopt});
    for (int a : v->audio_tracks)
      if (std::find(audio.begin(), audio.end(), a) == audio.end()) audio.push_back(a);
  }
  if (!video.qualities.empty()) indexes_.push_back(std::move(video));
  int audio_count = 0;
  for (int a : audio)
    if (const TrackInfo* t = layout().track(a)) {
      const std::string name = ++audio_count == 1 ? "audio" : "audio_" + std::to_string(audio_count);
      StreamIndex index{name, false, {}, std::nullopt, {}};
      index.qualities.push_back({t, 0, nullptr, std::nullopt});
      indexes_.push_back(std::move(index));
    }
  for (auto& index : indexes_)
    for (auto& q : index.qualities) {
      q.muxer = std::make_unique<Fmp4TrackMuxer>(*q.info);
      q.muxer->smooth_streaming();
      // The bitrate names the QualityLevel's fragments: two equal ones would share files.
      q.bitrate = std::max<int64_t>(q.info->bitrate, 1);
      for (const auto& other : index.qualities)
        if (&other != &q && other.muxer && other.bitrate == q.bitrate) ++q.bitrate;
    }
}

std::string MssPackager::fragment_name(const StreamIndex& index, const Quality& q, int64_t t) const {
  return mss_.manifest_name + ".ism/QualityLevels(" + std::to_string(q.bitrate) + ")/Fragments(" + index.name + "=" +
         std::to_string(t) + ")";
}

void MssPackager::write_pending(StreamIndex& index, std::optional<std::pair<int64_t, int64_t>> next) {
  if (!index.pending) return;
  const Chunk& chunk = *index.pending;
  for (auto& q : index.qualities) {
    if (!q.pending) continue;
    if (next) add_smooth_lookahead(q.pending->bytes, next->first, next->second);
    write_segment_file(fragment_name(index, q, chunk.t), q.pending->bytes, chunk.position + chunk.duration);
    q.pending.reset();
  }
  index.chunks.push_back(chunk);
  index.pending.reset();
}

void MssPackager::add_segment(const Segment& segment) {
  for (auto& index : indexes_) {
    std::vector<std::optional<Fmp4Fragment>> fresh;
    std::optional<Chunk> chunk;
    for (auto& q : index.qualities) {
      auto it = segment.tracks.find(q.info->id);
      const crypto::SharedSegmentKey key = it == segment.tracks.end() ? nullptr : track_key(segment, *q.info);
      if (key && !q.muxer->protection()) {
        q.muxer->protect(fmp4_protection(*key, spec().encryption->system_ids));
        if (!header_looked_up_) {  // once per endpoint: every key of it is the first one
          header_looked_up_ = true;
          auto header = key->key.protection_header.find(std::string(crypto::kPlayReadySystemId));
          if (header != key->key.protection_header.end()) protection_element_ = protection_element(header->second);
          else
            spdlog::warn("package {}: the key provider gave no PlayReady ProtectionHeader (speke:ProtectionHeader): "
                         "the manifest cannot name the key, players cannot play",
                         spec().label);
        }
      }
      fresh.push_back(it == segment.tracks.end()
                          ? std::nullopt
                          : q.muxer->fragment(it->second, static_cast<uint32_t>(segment.sequence), key.get()));
      // Every QualityLevel of the StreamIndex goes by the first one's times (aligned IDRs).
      if (fresh.back() && !chunk)
        chunk = Chunk{fresh.back()->start, fresh.back()->duration, segment.position, segment.duration_seconds(),
                      segment.sequence, epoch_ms_at(segment.start_seconds())};
    }
    if (!chunk) continue;
    write_pending(index, std::make_pair(chunk->t, chunk->d));
    for (size_t i = 0; i < fresh.size(); ++i) index.qualities[i].pending = std::move(fresh[i]);
    index.pending = chunk;
  }
}

std::optional<PackagerBase::Published> MssPackager::publish(double edge, bool ended) {
  if (ended)
    for (auto& index : indexes_) write_pending(index, std::nullopt);
  if (indexes_.empty()) return std::nullopt;
  const auto& reference = indexes_.front().chunks;
  auto [first, last] = published_window(reference, edge, mss_.manifest_window_seconds, false);
  if (first == last) return std::nullopt;
  const std::string manifest = mss_.manifest_name + ".ism/Manifest";
  store().write(manifest, std::string_view(render(edge, mss_.manifest_window_seconds, ended, false)));
  if (spec().origin_files) {
    store().write_if_changed(streams_file_for(manifest), streams_description());
    if (spec().startover_window_seconds > 0)
      store().write(std::string(kArchiveDirectory) + "/" + manifest,
                    std::string_view(render(edge, spec().startover_window_seconds, ended, true)));
  }
  return Published{reference[last - 1].sequence, reference[last - 1].epoch_ms};
}

std::string MssPackager::streams_description() const {
  std::string out;
  for (const auto& index : indexes_)
    for (const auto& q : index.qualities)
      out += describe_stream(index.name + "/" + std::to_string(q.bitrate), index.video ? "variant" : "audio",
                             index.video ? q.info : nullptr, index.video ? nullptr : q.info);
  return out;
}

std::string MssPackager::render(double edge, double window, bool ended, bool dated) const {
  // §2.2.2.1 SmoothStreamingMedia; times in TimeScale (100 ns) units unless a StreamIndex says
  // otherwise. A live presentation has IsLive, a DVRWindowLength (the manifest window) and
  // LookAheadFragmentCount (the TfrfBox entries per fragment); a finished one a Duration.
  std::ostringstream body;
  double listed = 0;
  for (const auto& index : indexes_) {
    auto [first, last] = published_window(index.chunks, edge, window, false);
    if (first == last) continue;
    const uint32_t timescale = index.qualities.front().muxer->timescale();
    double seconds = 0;
    for (size_t i = first; i < last; ++i) seconds += index.chunks[i].duration;
    if (index.video) listed = seconds;
    body << "  <StreamIndex Type=\"" << (index.video ? "video" : "audio") << "\" Name=\"" << index.name
         << "\" Chunks=\"" << (last - first) << "\" QualityLevels=\"" << index.qualities.size() << "\" TimeScale=\""
         << timescale << "\" Url=\"QualityLevels({bitrate})/Fragments(" << index.name << "={start time})\"";
    if (index.video) {
      int width = 0, height = 0;
      for (const auto& q : index.qualities) width = std::max(width, q.info->width), height = std::max(height, q.info->height);
      body << " MaxWidth=\"" << width << "\" MaxHeight=\"" << height << "\" DisplayWidth=\"" << width
           << "\" DisplayHeight=\"" << height << "\"";
    }
    body << ">\n";
    for (size_t i = 0; i < index.qualities.size(); ++i) {
      const Quality& q = index.qualities[i];
      const TrackInfo& t = *q.info;
      body << "    <QualityLevel Index=\"" << i << "\" Bitrate=\"" << q.bitrate << "\"";
      if (index.video) {
        // §2.2.2.5: FourCC H264 with Annex B parameter sets as CodecPrivateData.
        body << " FourCC=\"H264\" MaxWidth=\"" << t.width << "\" MaxHeight=\"" << t.height << "\" CodecPrivateData=\""
             << h264_codec_private_data(t) << "\"";
      } else {
        // §2.2.2.5: AACL, the AudioSpecificConfig as CodecPrivateData; AudioTag 255 (AAC).
        const int channels = t.channels > 0 ? t.channels : 2;
        body << " FourCC=\"AACL\" SamplingRate=\"" << t.sample_rate << "\" Channels=\"" << channels
             << "\" BitsPerSample=\"16\" PacketSize=\"" << channels * 2 << "\" AudioTag=\"255\" CodecPrivateData=\""
             << hex_upper(t.extradata) << "\"";
      }
      body << "/>\n";
    }
    for (size_t i = first; i < last; ++i) {
      body << "    <c t=\"" << index.chunks[i].t << "\" d=\"" << index.chunks[i].d << "\"";
      if (dated) body << " e=\"" << index.chunks[i].epoch_ms << "\"";
      body << "/>\n";
    }
    body << "  </StreamIndex>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" TimeScale=\""
      << kManifestTimescale << "\"";
  if (ended)
    out << " Duration=\"" << std::llround(listed * kManifestTimescale) << "\"";
  else
    out << " Duration=\"0\" IsLive=\"TRUE\" LookAheadFragmentCount=\"1\" DVRWindowLength=\""
        << std::llround(window * kManifestTimescale) << "\"";
  out << ">\n" << protection_element_ << body.str() << "</SmoothStreamingMedia>\n";
  return out.str();
}

std::string MssPackager::protection_element(const std::vector<uint8_t>& playready_header) {
  // §2.2.2.2: a ProtectionHeader per DRM system, SystemID its UUID and its content the system's
  // header in base64: PlayReady's, as the key provider's speke:ProtectionHeader gave it.
  std::string id(crypto::kPlayReadySystemId);
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "  <Protection>\n    <ProtectionHeader SystemID=\"" + id + "\">" + base64(playready_header) +
         "</ProtectionHeader>\n  </Protection>\n";
}

void MssPackager::forget_before(double position) {
  for (auto& index : indexes_)
    while (!index.chunks.empty() && index.chunks.front().position + index.chunks.front().duration < position)
      index.chunks.pop_front();
}

}  // namespace mediaemu::pipeline
