#include "pipeline/package/cmaf_packager.hpp"

#include <algorithm>
#include <limits>

#include "pipeline/package/codec_config.hpp"
#include "pipeline/package/stream_description.hpp"

namespace mediaemu::pipeline {

namespace {
constexpr const char* kCmafAudioGroup = "audio_aac";
}

CmafPackager::CmafPackager(const EndpointSpec& spec)
    : PackagerBase(spec, spec.cmaf.segment_duration_seconds, spec.cmaf.selection) {}

std::string CmafPackager::playlist_name(const Manifest& m, int number, bool iframe) const {
  return m.spec.id + "/" + m.spec.playlist.manifest_name + "_" + std::to_string(number) + (iframe ? "_iframe" : "") +
         ".m3u8";
}

void CmafPackager::start() {
  tracks_.clear();
  variants_.clear();
  manifests_.clear();
  const OutputLayout& l = layout();
  auto number_of = [&](int track_id) -> int {
    for (const auto& t : tracks_)
      if (t.info->id == track_id) return t.number;
    const TrackInfo* info = l.track(track_id);
    if (!info) return 0;
    Track t;
    t.info = info;
    t.number = static_cast<int>(tracks_.size()) + 1;
    t.muxer = std::make_unique<Fmp4TrackMuxer>(*info);
    t.file_stem = spec().cmaf.segment_prefix + (info->kind == MediaKind::Video ? "_video_" : "_audio_") +
                  std::to_string(t.number);
    tracks_.push_back(std::move(t));
    return tracks_.back().number;
  };
  for (const Variant* v : selected_variants())
    if (v->video_track) variants_.push_back({number_of(v->video_track), {}});
  size_t i = 0;
  for (const Variant* v : selected_variants()) {
    std::vector<int> audio;
    for (int id : v->audio_tracks)
      if (int n = number_of(id)) audio.push_back(n);
    if (v->video_track) variants_[i++].second = audio;
  }
  // An encrypted endpoint's init segments name the first key (tenc default_KID) and carry its
  // scheme: written with the first segment's key marker (add_segment).
  for (const auto& t : tracks_)
    if (!track_encrypted(*t.info)) store().write(t.file_stem + "_init.mp4", t.muxer->init_segment());

  for (const auto& m : spec().cmaf.manifests) {
    Manifest manifest;
    manifest.spec = m;
    HlsMediaPlaylistConfig config;
    config.version = 6;
    config.independent_segments = true;
    config.type = m.playlist.playlist_type;
    config.window_seconds = m.playlist.playlist_window_seconds;
    config.program_date_time_interval_seconds = m.playlist.program_date_time_interval_seconds;
    config.nominal_segment_seconds = target_seconds();
    config.ad_markers = m.playlist.ad_markers;
    for (const auto& t : tracks_) {
      config.map_uri = "../" + t.file_stem + "_init.mp4";
      manifest.playlists[t.number] = std::make_unique<HlsMediaPlaylist>(config);
    }
    if (m.playlist.include_iframe_only_stream && !variants_.empty()) {
      config.map_uri = "../" + tracks_[variants_.front().first - 1].file_stem + "_init.mp4";
      config.iframes_only = true;
      config.program_date_time_interval_seconds = 0;
      manifest.iframes = std::make_unique<HlsMediaPlaylist>(config);
    }
    manifests_.push_back(std::move(manifest));
  }
}

void CmafPackager::add_segment(const Segment& segment) {
  const double duration = segment.duration_seconds();
  for (auto& t : tracks_) {
    auto it = segment.tracks.find(t.info->id);
    if (it == segment.tracks.end()) continue;
    const crypto::SharedSegmentKey key = track_key(segment, *t.info);
    if (key && !t.muxer->protection()) {
      // CmafPackage.Encryption: 'cbcs' (SAMPLE_AES) or 'cenc' (AES_CTR). Later keys (rotation) do
      // not change the init segment: their fragments name them (fmp4_encryption.hpp, seig).
      t.muxer->protect(fmp4_protection(*key, spec().encryption->system_ids));
      store().write(t.file_stem + "_init.mp4", t.muxer->init_segment());
    }
    auto fragment = t.muxer->fragment(it->second, static_cast<uint32_t>(segment.sequence), key.get());
    if (!fragment) continue;
    const std::string name = t.file_stem + "_" + std::to_string(segment.sequence) + ".mp4";
    write_segment_file(name, fragment->bytes, segment);
    t.meter.add(fragment->bytes.size(), duration);
    HlsEntry entry;
    entry.sequence = segment.sequence;
    entry.position = segment.position;
    entry.duration = duration;
    entry.uri = "../" + name + uri_query();
    entry.discontinuity = segment.discontinuity;
    entry.epoch_ms = epoch_ms_at(segment.start_seconds());
    entry.key = key;  // EXT-X-KEY METHOD=SAMPLE-AES / SAMPLE-AES-CTR where the track's key changes
    entry.cues = segment.cues;
    for (auto& m : manifests_) m.playlists.at(t.number)->add(entry);
    const bool iframe_track = !variants_.empty() && t.number == variants_.front().first;
    if (iframe_track) {
      // The segment's IDR is its first sample: the range from styp through that sample is a
      // decodable I-frame (the trun lists more samples than the range holds, as with
      // MediaPackage's CMAF trick-play playlists).
      entry.byte_offset = 0;
      entry.byte_length = fragment->first_sample_end;
      iframe_meter_.add(static_cast<size_t>(fragment->first_sample_bytes), duration);
      for (auto& m : manifests_)
        if (m.iframes) m.iframes->add(entry);
    }
  }
}

std::string CmafPackager::streams_description(const Manifest& m) const {
  // CMAF always separates audio (MP-UG rendition-groups): video variants, audio renditions.
  std::string out;
  for (const auto& t : tracks_) {
    const bool video = t.info->kind == MediaKind::Video;
    out += describe_stream(playlist_name(m, t.number).substr(m.spec.id.size() + 1),
                           video || variants_.empty() ? "variant" : "audio", video ? t.info : nullptr,
                           video ? nullptr : t.info);
  }
  if (m.iframes) {
    const Track& v = tracks_[variants_.front().first - 1];
    out += describe_stream(playlist_name(m, v.number, true).substr(m.spec.id.size() + 1), "iframe", v.info, nullptr);
  }
  return out;
}

std::string CmafPackager::master_playlist(const Manifest& m) const {
  const bool has_video = !variants_.empty();
  std::vector<HlsAudioRendition> audio;
  std::vector<HlsVariantStream> streams;
  int64_t audio_peak = 0, audio_average = 0;
  std::string audio_codecs;
  for (const auto& t : tracks_) {
    if (t.info->kind != MediaKind::Audio) continue;
    const int channels = t.info->channels > 0 ? t.info->channels : 2;
    if (has_video) {
      audio.push_back({kCmafAudioGroup, t.info->name.empty() ? t.file_stem : t.info->name, "",
                       playlist_name(m, t.number).substr(m.spec.id.size() + 1), channels, audio.empty()});
      audio_peak = std::max(audio_peak, t.meter.peak_or(t.info->bitrate * 11 / 10));
      audio_average = std::max(audio_average, t.meter.average_or(t.info->bitrate));
      const std::string c = codecs_string(*t.info);
      if (audio_codecs.find(c) == std::string::npos) audio_codecs += "," + c;
    } else {  // audio-only: the renditions are the variants
      streams.push_back({t.meter.peak_or(t.info->bitrate * 11 / 10), t.meter.average_or(t.info->bitrate), 0, 0, 0,
                         codecs_string(*t.info), "", playlist_name(m, t.number).substr(m.spec.id.size() + 1)});
    }
  }
  for (const auto& [video_number, audio_numbers] : variants_) {
    const Track& v = tracks_[video_number - 1];
    HlsVariantStream s;
    s.bandwidth = v.meter.peak_or(v.info->bitrate * 11 / 10) + audio_peak;
    s.average_bandwidth = v.meter.average_or(v.info->bitrate) + audio_average;
    s.width = v.info->width;
    s.height = v.info->height;
    if (v.info->frame_rate.num > 0 && v.info->frame_rate.den > 0) s.frame_rate = av_q2d(v.info->frame_rate);
    s.codecs = codecs_string(*v.info) + audio_codecs;
    if (!audio.empty()) s.audio_group = kCmafAudioGroup;
    s.uri = playlist_name(m, video_number).substr(m.spec.id.size() + 1);
    streams.push_back(s);
  }
  std::vector<HlsIframeStream> iframes;
  if (m.iframes) {
    const Track& v = tracks_[variants_.front().first - 1];
    iframes.push_back({iframe_meter_.peak_or(v.info->bitrate / 10), v.info->width, v.info->height,
                       codecs_string(*v.info), playlist_name(m, v.number, true).substr(m.spec.id.size() + 1)});
  }
  return render_master_playlist(6, audio, streams, iframes);
}

std::optional<PackagerBase::Published> CmafPackager::publish(double edge, bool ended) {
  std::optional<Published> newest;
  for (const auto& m : manifests_) {
    bool any = false;
    for (const auto& [number, playlist] : m.playlists) {
      if (!write_media_playlist(playlist_name(m, number), *playlist, edge, ended)) continue;
      any = true;
      if (!newest)
        if (auto last = playlist->last_published(edge)) newest = Published{last->sequence, last->epoch_ms};
    }
    if (m.iframes) write_media_playlist(playlist_name(m, variants_.front().first, true), *m.iframes, edge, ended);
    if (any) {
      const std::string master = m.spec.id + "/" + m.spec.playlist.manifest_name + ".m3u8";
      if (spec().origin_files) store().write_if_changed(streams_file_for(master), streams_description(m));
      store().write_if_changed(master, master_playlist(m));
    }
  }
  return newest;
}

double CmafPackager::window_seconds() const {
  double window = 0;
  for (const auto& m : manifests_)
    for (const auto& [number, playlist] : m.playlists) window = std::max(window, playlist->retention_seconds());
  return manifests_.empty() ? std::numeric_limits<double>::infinity() : window;
}

void CmafPackager::forget_before(double position) {
  for (auto& m : manifests_) {
    for (auto& [number, playlist] : m.playlists) playlist->forget_before(position);
    if (m.iframes) m.iframes->forget_before(position);
  }
}

}  // namespace mediaemu::pipeline
