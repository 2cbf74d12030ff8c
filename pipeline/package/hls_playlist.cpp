#include "pipeline/package/hls_playlist.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sstream>

#include "pipeline/package/published_window.hpp"

namespace mediaemu::pipeline {

namespace {

bool keeps_everything(HlsPlaylistSpec::PlaylistType type) { return type != HlsPlaylistSpec::PlaylistType::None; }

std::string three_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Quoted-string attribute values cannot contain '"' or line breaks (RFC 8216 §4.2).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    if (c != '"' && c != '\n' && c != '\r') out += c;
  return out + "\"";
}

}  // namespace

std::string ext_x_key_tag(const crypto::SegmentKey& key) {
  if (!key.key.hls_key_tags.empty()) {  // SPEKE v2.0: the key provider's own tags
    std::string tags;
    for (const auto& t : key.key.hls_key_tags) tags += (tags.empty() ? "" : "\n") + t;
    return tags;
  }
  std::string tag = std::string("#EXT-X-KEY:METHOD=") + crypto::hls_key_method(key.method) + ",URI=" + quoted(key.key.uri);
  if (key.constant_iv) tag += ",IV=0x" + crypto::hex(*key.constant_iv);  // else: the sequence number (§5.2)
  if (!key.key.key_format.empty()) tag += ",KEYFORMAT=" + quoted(key.key.key_format);
  if (!key.key.key_format_versions.empty()) tag += ",KEYFORMATVERSIONS=" + quoted(key.key.key_format_versions);
  return tag;
}

void HlsMediaPlaylist::add(HlsEntry entry) {
  // EXT-X-PROGRAM-DATE-TIME every ProgramDateTimeIntervalSeconds, and after a discontinuity
  // (RFC 8216 §4.3.2.6: the date is what re-anchors the timeline there). The first entry of a
  // rendered window always gets one too (see render).
  const int interval = config_.program_date_time_interval_seconds;
  if (interval > 0 && (entry.discontinuity || entry.position - last_tagged_position_ >= interval - 1e-3)) {
    entry.program_date_time = true;
    last_tagged_position_ = entry.position;
  }
  // TARGETDURATION must not change during the presentation (§6.2.1) and must be at least each
  // EXTINF rounded to the nearest integer (§4.3.3.1): the ceiling of the longest seen so far,
  // never below the nominal segment, keeps both.
  max_target_ = std::max({max_target_, static_cast<int>(std::ceil(entry.duration - 1e-3)),
                          static_cast<int>(std::ceil(config_.nominal_segment_seconds - 1e-3))});
  entry.ad_tags = ad_markers_.tags(entry.cues, entry.position, entry.epoch_ms);
  entry.cues.clear();  // the tags are what the playlist keeps
  entries_.push_back(std::move(entry));
}

std::pair<size_t, size_t> HlsMediaPlaylist::visible(double edge) const {
  return published_window(entries_, edge, config_.window_seconds, keeps_everything(config_.type));
}

std::optional<HlsEntry> HlsMediaPlaylist::last_published(double edge) const {
  auto [first, last] = visible(edge);
  if (last == first) return std::nullopt;
  return entries_[last - 1];
}

std::string HlsMediaPlaylist::render(double edge, bool ended) const {
  auto [first, last] = visible(edge);
  return render_range(first, last, ended, false);
}

std::string HlsMediaPlaylist::render_archive(double edge, double window_seconds, bool ended) const {
  auto [first, last] = published_window(entries_, edge, window_seconds, false);
  return render_range(first, last, ended, true);
}

std::string HlsMediaPlaylist::render_range(size_t first, size_t last, bool ended, bool date_every_segment) const {
  if (first == last) return {};
  int target = max_target_;
  for (size_t i = first; i < last; ++i) target = std::max(target, static_cast<int>(std::ceil(entries_[i].duration - 1e-3)));
  int64_t discontinuity_sequence = forgotten_discontinuities_;
  for (size_t i = 0; i < first; ++i) discontinuity_sequence += entries_[i].discontinuity ? 1 : 0;

  std::ostringstream out;
  out << "#EXTM3U\n#EXT-X-VERSION:" << config_.version << "\n";
  if (config_.independent_segments) out << "#EXT-X-INDEPENDENT-SEGMENTS\n";
  out << "#EXT-X-TARGETDURATION:" << target << "\n";
  out << "#EXT-X-MEDIA-SEQUENCE:" << entries_[first].sequence << "\n";
  // Needed only once a discontinuity has left the window (§4.3.3.3).
  if (discontinuity_sequence > 0) out << "#EXT-X-DISCONTINUITY-SEQUENCE:" << discontinuity_sequence << "\n";
  if (config_.type == HlsPlaylistSpec::PlaylistType::Event) out << "#EXT-X-PLAYLIST-TYPE:EVENT\n";
  if (config_.type == HlsPlaylistSpec::PlaylistType::Vod) out << "#EXT-X-PLAYLIST-TYPE:VOD\n";
  if (config_.iframes_only) out << "#EXT-X-I-FRAMES-ONLY\n";
  if (!config_.map_uri.empty()) out << "#EXT-X-MAP:URI=" << quoted(config_.map_uri) << "\n";
  for (size_t i = first; i < last; ++i) {
    const HlsEntry& e = entries_[i];
    if (e.discontinuity) out << "#EXT-X-DISCONTINUITY\n";
    // An EXT-X-KEY applies to every segment after it until the next one (§4.3.2.4): the first
    // segment of the window needs one, then one per key change (a new marker), or one per
    // segment with RepeatExtXKey.
    if (e.key && (i == first || config_.repeat_key_tag || e.key != entries_[i - 1].key))
      out << ext_x_key_tag(*e.key) << "\n";
    if (date_every_segment || (config_.program_date_time_interval_seconds > 0 && (e.program_date_time || i == first)))
      out << "#EXT-X-PROGRAM-DATE-TIME:" << iso8601_ms(e.epoch_ms) << "\n";
    for (const auto& tag : e.ad_tags) out << tag << "\n";
    out << "#EXTINF:" << three_decimals(e.duration) << ",\n";
    if (e.byte_offset >= 0) out << "#EXT-X-BYTERANGE:" << e.byte_length << "@" << e.byte_offset << "\n";
    out << e.uri << "\n";
  }
  if (ended) out << "#EXT-X-ENDLIST\n";
  return out.str();
}

void HlsMediaPlaylist::forget_before(double position) {
  if (keeps_everything(config_.type)) return;
  while (!entries_.empty() && entries_.front().end() < position) {
    forgotten_discontinuities_ += entries_.front().discontinuity ? 1 : 0;
    entries_.pop_front();
  }
}

double HlsMediaPlaylist::retention_seconds() const {
  return keeps_everything(config_.type) ? std::numeric_limits<double>::infinity() : config_.window_seconds;
}

std::string render_master_playlist(int version, const std::vector<HlsAudioRendition>& audio,
                                   const std::vector<HlsVariantStream>& variants,
                                   const std::vector<HlsIframeStream>& iframes) {
  std::ostringstream out;
  out << "#EXTM3U\n#EXT-X-VERSION:" << version << "\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& a : audio) {
    out << "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=" << quoted(a.group_id);
    if (!a.language.empty()) out << ",LANGUAGE=" << quoted(a.language);
    out << ",NAME=" << quoted(a.name) << ",AUTOSELECT=YES,DEFAULT=" << (a.is_default ? "YES" : "NO")
        << ",CHANNELS=" << quoted(std::to_string(a.channels)) << ",URI=" << quoted(a.uri) << "\n";
  }
  for (const auto& v : variants) {
    out << "#EXT-X-STREAM-INF:BANDWIDTH=" << v.bandwidth << ",AVERAGE-BANDWIDTH=" << v.average_bandwidth;
    if (v.width > 0) out << ",RESOLUTION=" << v.width << "x" << v.height;
    if (v.frame_rate > 0) out << ",FRAME-RATE=" << three_decimals(v.frame_rate);
    out << ",CODECS=" << quoted(v.codecs);
    if (!v.audio_group.empty()) out << ",AUDIO=" << quoted(v.audio_group);
    out << "\n" << v.uri << "\n";
  }
  for (const auto& i : iframes) {
    out << "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=" << i.bandwidth << ",RESOLUTION=" << i.width << "x" << i.height
        << ",CODECS=" << quoted(i.codecs) << ",URI=" << quoted(i.uri) << "\n";
  }
  return out.str();
}

void BitrateMeter::add(size_t bytes, double seconds) {
  if (seconds <= 0) return;
  const double bits = static_cast<double>(bytes) * 8;
  peak_ = std::max(peak_, static_cast<int64_t>(std::ceil(bits / seconds)));
  bits_ += bits;
  seconds_ += seconds;
}

int64_t BitrateMeter::average_or(int64_t fallback) const {
  return seconds_ > 0 ? static_cast<int64_t>(std::ceil(bits_ / seconds_)) : fallback;
}

}  // namespace mediaemu::pipeline
