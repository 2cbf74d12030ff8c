#include "pipeline/package/hls_packager.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "pipeline/crypto/aes_cbc.hpp"
#include "pipeline/package/codec_config.hpp"
#include "pipeline/package/stream_description.hpp"

namespace mediaemu::pipeline {

namespace {
constexpr const char* kHlsAudioGroup = "audio_aac";

std::string join_codecs(const std::vector<const TrackInfo*>& tracks) {
  std::vector<std::string> seen;
  for (const TrackInfo* t : tracks) {
    const std::string c = codecs_string(*t);
    if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
  }
  std::string out;
  for (const auto& c : seen) out += (out.empty() ? "" : ",") + c;
  return out;
}
}  // namespace

HlsTsPackager::HlsTsPackager(const EndpointSpec& spec)
    : PackagerBase(spec, spec.hls.segment_duration_seconds, spec.hls.selection), playlist_spec_(spec.hls.playlist) {}

std::string HlsTsPackager::segment_name(const Rendition& r, int64_t sequence) const {
  if (playlist_spec_.name_modifiers.empty()) return r.stem + "_" + std::to_string(sequence);
  // MediaLive: "<base><NameModifier>_<counter>.ts", the counter five digits from 00001
  // (ML-UG hls-destinations-s3-design, hls-syntax-emp: "MediaLive inserts the underscore before
  // the counter").
  char counter[24];
  std::snprintf(counter, sizeof counter, "_%05lld", static_cast<long long>(sequence));
  return r.stem + counter;
}

std::unique_ptr<HlsTsPackager::Rendition> HlsTsPackager::make_rendition(int number, const TrackInfo* video,
                                                                         std::vector<const TrackInfo*> audio,
                                                                         const std::string& variant_name) {
  auto r = std::make_unique<Rendition>();
  r->number = number;
  auto modifier = playlist_spec_.name_modifiers.find(variant_name);
  r->stem = playlist_spec_.manifest_name + (modifier != playlist_spec_.name_modifiers.end()
                                                ? modifier->second
                                                : "_" + std::to_string(number));
  r->video = video;
  r->audio = std::move(audio);
  std::vector<const TrackInfo*> tracks;
  if (video) tracks.push_back(video);
  tracks.insert(tracks.end(), r->audio.begin(), r->audio.end());
  for (const TrackInfo* t : tracks) r->target_bitrate += t->bitrate;
  const bool sample_aes = spec().encryption && spec().encryption->method == crypto::EncryptionSpec::Method::SampleAes;
  r->muxer = std::make_unique<TsMuxer>(tracks, sample_aes, spec().hls.scte35_pid);
  HlsMediaPlaylistConfig config;
  config.version = 3;  // RFC 8216 §7: nothing in these playlists needs more
  config.type = playlist_spec_.playlist_type;
  config.window_seconds = playlist_spec_.playlist_window_seconds;
  config.program_date_time_interval_seconds = playlist_spec_.program_date_time_interval_seconds;
  config.nominal_segment_seconds = target_seconds();
  config.repeat_key_tag = spec().encryption && spec().encryption->repeat_ext_x_key;
  config.ad_markers = playlist_spec_.ad_markers;
  r->playlist = std::make_unique<HlsMediaPlaylist>(config);
  return r;
}

void HlsTsPackager::start() {
  variants_.clear();
  audio_.clear();
  iframes_.reset();
  iframe_source_ = nullptr;
  const OutputLayout& l = layout();
  const auto& selected = selected_variants();
  // Audio goes to EXT-X-MEDIA renditions only when there is video to pair it with.
  const bool group = playlist_spec_.use_audio_rendition_group &&
                     std::any_of(selected.begin(), selected.end(), [](const Variant* v) { return v->video_track != 0; });
  int number = 1;
  std::vector<int> group_audio;
  for (const Variant* v : selected) {
    const TrackInfo* video = v->video_track ? l.track(v->video_track) : nullptr;
    std::vector<const TrackInfo*> audio;
    for (int id : v->audio_tracks) {
      const TrackInfo* a = l.track(id);
      if (!a) continue;
      if (!group) audio.push_back(a);
      else if (std::find(group_audio.begin(), group_audio.end(), id) == group_audio.end()) group_audio.push_back(id);
    }
    if (!video && (group || audio.empty())) continue;
    variants_.push_back(make_rendition(number++, video, std::move(audio), v->name));
  }
  for (int id : group_audio) audio_.push_back(make_rendition(number++, nullptr, {l.track(id)}));

  // IncludeIframeOnlyStream: MediaPackage builds the I-frame playlist from the first rendition.
  // Clear and SAMPLE-AES endpoints: SAMPLE-AES keeps the transport stream clear and restarts its
  // cipher chain at every NAL unit, so an I-frame byte range decrypts on its own with its
  // segment's IV (add_iframes). Not AES-128: a byte range of one CBC message over the whole
  // segment cannot be decrypted on its own.
  const bool whole_segment_cipher =
      encrypted() && spec().encryption->method == crypto::EncryptionSpec::Method::Aes128;
  if (playlist_spec_.include_iframe_only_stream && !whole_segment_cipher) {
    for (const auto& r : variants_)
      if (r->video) {
        iframe_source_ = r.get();
        break;
      }
    if (iframe_source_) {
      HlsMediaPlaylistConfig config;
      config.version = 4;  // EXT-X-BYTERANGE and EXT-X-I-FRAMES-ONLY (RFC 8216 §7)
      config.iframes_only = true;
      config.type = playlist_spec_.playlist_type;
      config.window_seconds = playlist_spec_.playlist_window_seconds;
      config.nominal_segment_seconds = 1;
      iframes_ = std::make_unique<HlsMediaPlaylist>(config);
    }
  }
}

void HlsTsPackager::add_segment(const Segment& segment) {
  const double duration = segment.duration_seconds();
  for (auto* list : {&variants_, &audio_}) {
    for (auto& r : *list) {
      TsMuxer::Output out = r->muxer->mux(segment);
      if (out.bytes.empty()) continue;
      const std::string name = segment_name(*r, segment.sequence) + ".ts";
      // AES-128: the whole segment is one AES-128-CBC message with PKCS#7 padding (RFC 8216 §5.2).
      // SAMPLE-AES: the muxer encrypted the samples.
      if (const auto& key = segment.key; key && key->method == crypto::EncryptionSpec::Method::Aes128)
        write_segment_file(name, crypto::aes128_cbc_encrypt(key->key.key, key->iv_for(segment.sequence), out.bytes),
                           segment);
      else
        write_segment_file(name, out.bytes, segment);
      r->meter.add(out.bytes.size(), duration);
      HlsEntry entry;
      entry.sequence = segment.sequence;
      entry.position = segment.position;
      entry.duration = duration;
      entry.uri = name + uri_query();
      entry.discontinuity = segment.discontinuity;
      entry.epoch_ms = epoch_ms_at(segment.start_seconds());
      entry.key = segment.key;
      entry.cues = segment.cues;
      r->playlist->add(entry);
      if (r.get() == iframe_source_) add_iframes(segment, entry.uri, out);
    }
  }
}

void HlsTsPackager::add_iframes(const Segment& segment, const std::string& uri, const TsMuxer::Output& out) {
  // One entry per IDR; it lasts until the next IDR or the end of the segment (RFC 8216 §4.3.3.6).
  const double segment_end = segment.start_seconds() + segment.duration_seconds();
  // SAMPLE-AES: the IV is the segment's (its sequence number when no constant IV, RFC 8216 §5.2),
  // which an I-frame playlist's own sequence numbers are not, so its EXT-X-KEY names it.
  crypto::SharedSegmentKey key = segment.key;
  if (key && !key->constant_iv) {
    auto named = std::make_shared<crypto::SegmentKey>(*key);
    named->constant_iv = key->iv_for(segment.sequence);
    key = std::move(named);
  }
  for (size_t i = 0; i < out.keyframes.size(); ++i) {
    const auto& k = out.keyframes[i];
    const double next = i + 1 < out.keyframes.size() ? out.keyframes[i + 1].pts_seconds : segment_end;
    HlsEntry entry;
    entry.sequence = iframe_sequence_++;
    entry.position = segment.position + (k.pts_seconds - segment.start_seconds());
    entry.duration = std::max(0.0, next - k.pts_seconds);
    entry.epoch_ms = epoch_ms_at(k.pts_seconds);  // dated like the media segments (PDT, start-over)
    entry.uri = uri;
    entry.discontinuity = segment.discontinuity && i == 0;
    entry.byte_offset = k.offset;
    entry.byte_length = k.length;
    entry.key = key;
    iframe_meter_.add(static_cast<size_t>(k.length), entry.duration);
    iframes_->add(entry);
  }
}

std::string HlsTsPackager::streams_description() const {
  std::string out;
  for (const auto& r : variants_)
    out += describe_stream(media_playlist_name(*r), "variant", r->video,
                           r->audio.empty() ? nullptr : r->audio.front());
  for (const auto& r : audio_) out += describe_stream(media_playlist_name(*r), "audio", nullptr, r->audio.front());
  if (iframes_)
    out += describe_stream(iframe_playlist_name(),
                           "iframe", iframe_source_->video, nullptr);
  return out;
}

std::string HlsTsPackager::master_playlist() const {
  std::vector<HlsAudioRendition> audio;
  int64_t audio_peak = 0, audio_average = 0;
  std::vector<const TrackInfo*> audio_tracks;
  for (const auto& r : audio_) {
    const TrackInfo* t = r->audio.front();
    audio_tracks.push_back(t);
    audio.push_back({kHlsAudioGroup, t->name.empty() ? "audio_" + std::to_string(r->number) : t->name, "",
                     media_playlist_name(*r), t->channels > 0 ? t->channels : 2, audio.empty()});
    // BANDWIDTH of a variant includes its largest rendition (RFC 8216 §4.3.4.2).
    audio_peak = std::max(audio_peak, r->meter.peak_or(r->target_bitrate * 11 / 10));
    audio_average = std::max(audio_average, r->meter.average_or(r->target_bitrate));
  }
  std::vector<HlsVariantStream> streams;
  for (const auto& r : variants_) {
    HlsVariantStream s;
    s.bandwidth = r->meter.peak_or(r->target_bitrate * 11 / 10) + audio_peak;
    s.average_bandwidth = r->meter.average_or(r->target_bitrate) + audio_average;
    std::vector<const TrackInfo*> tracks;
    if (r->video) {
      tracks.push_back(r->video);
      s.width = r->video->width;
      s.height = r->video->height;
      if (r->video->frame_rate.num > 0 && r->video->frame_rate.den > 0) s.frame_rate = av_q2d(r->video->frame_rate);
    }
    tracks.insert(tracks.end(), r->audio.begin(), r->audio.end());
    tracks.insert(tracks.end(), audio_tracks.begin(), audio_tracks.end());
    s.codecs = join_codecs(tracks);
    if (!audio_.empty()) s.audio_group = kHlsAudioGroup;
    s.uri = media_playlist_name(*r);
    streams.push_back(s);
  }
  std::vector<HlsIframeStream> iframes;
  if (iframes_) {
    const TrackInfo* v = iframe_source_->video;
    iframes.push_back({iframe_meter_.peak_or(v->bitrate / 10), v->width, v->height, codecs_string(*v),
                       iframe_playlist_name()});
  }
  return render_master_playlist(3, audio, streams, iframes);
}

std::optional<PackagerBase::Published> HlsTsPackager::publish(double edge, bool ended) {
  std::optional<Published> newest;
  for (auto* list : {&variants_, &audio_}) {
    for (auto& r : *list) {
      if (!write_media_playlist(media_playlist_name(*r), *r->playlist, edge, ended)) continue;
      if (!newest)
        if (auto last = r->playlist->last_published(edge)) newest = Published{last->sequence, last->epoch_ms};
    }
  }
  if (iframes_)
    write_media_playlist(iframe_playlist_name(),
                         *iframes_, edge, ended);
  // The multivariant playlist appears with the first published segment (before that the
  // origin answers 404, as MediaPackage does for an endpoint without content).
  if (newest) {
    const std::string master = playlist_spec_.manifest_name + ".m3u8";
    if (spec().origin_files) store().write_if_changed(streams_file_for(master), streams_description());
    store().write_if_changed(master, master_playlist());
  }
  return newest;
}

double HlsTsPackager::window_seconds() const {
  return variants_.empty() ? playlist_spec_.playlist_window_seconds : variants_.front()->playlist->retention_seconds();
}

void HlsTsPackager::forget_before(double position) {
  for (auto* list : {&variants_, &audio_})
    for (auto& r : *list) r->playlist->forget_before(position);
  if (iframes_) iframes_->forget_before(position);
}

}  // namespace mediaemu::pipeline
