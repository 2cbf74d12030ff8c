#include "pipeline/package/dash_packager.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "pipeline/ads/splice_xml.hpp"
#include "pipeline/package/cenc_signalling.hpp"
#include "pipeline/package/codec_config.hpp"
#include "pipeline/package/endpoint_status.hpp"
#include "pipeline/package/published_window.hpp"

namespace mediaemu::pipeline {

namespace {

// xs:duration with millisecond precision and no trailing zeros: PT0S, PT6S, PT6.006S.
std::string duration(double seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", std::max(0.0, seconds));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return "PT" + s + "S";
}

std::string frame_rate(AVRational r) {
  int num = 0, den = 0;
  av_reduce(&num, &den, r.num, r.den, 1 << 30);
  return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// DashPackage UtcTiming -> UTCTiming@schemeIdUri (ISO/IEC 23009-1 §5.8.5.7, Table 32).
std::string utc_timing_scheme(const std::string& s) {
  if (s == "HTTP-HEAD") return "urn:mpeg:dash:utc:http-head:2014";
  if (s == "HTTP-ISO") return "urn:mpeg:dash:utc:http-iso:2014";
  if (s == "HTTP-XSDATE") return "urn:mpeg:dash:utc:http-xsdate:2014";
  return {};
}

}  // namespace

DashPackager::DashPackager(const EndpointSpec& spec)
    : PackagerBase(spec, spec.dash.segment_duration_seconds, spec.dash.selection), dash_(spec.dash) {}

void DashPackager::start() {
  reps_.clear();
  periods_.clear();
  records_.clear();
  mpd_end_ = 0;
  std::vector<int> video, audio;
  for (const Variant* v : selected_variants()) {
    if (v->video_track && std::find(video.begin(), video.end(), v->video_track) == video.end())
      video.push_back(v->video_track);
    for (int a : v->audio_tracks)
      if (std::find(audio.begin(), audio.end(), a) == audio.end()) audio.push_back(a);
  }
  video.insert(video.end(), audio.begin(), audio.end());
  for (int id : video) {
    const TrackInfo* info = layout().track(id);
    if (!info) continue;
    Representation rep;
    rep.info = info;
    rep.id = static_cast<int>(reps_.size()) + 1;
    rep.muxer = std::make_unique<Fmp4TrackMuxer>(*info);
    rep.stem = dash_.manifest_name + (info->kind == MediaKind::Video ? "_video_" : "_audio_") +
               std::to_string(rep.id) + "_0";
    // An encrypted endpoint's init segments name the key (tenc default_KID): written with the
    // first segment's key marker (add_segment).
    if (!track_encrypted(*info)) store().write(rep.stem + "_init.mp4", rep.muxer->init_segment());
    reps_.push_back(std::move(rep));
  }
}

void DashPackager::add_segment(const Segment& segment) {
  const AVRational tb = segment.time_base;
  std::string events;
  const bool ad_period = ad_boundary(segment, events) && dash_.periods_on_ads;
  if (periods_.empty() || segment.discontinuity || ad_period) {
    double start = 0;
    if (periods_.empty()) zero_pts_ = segment.start;
    else start = std::max(mpd_end_, (segment.start - zero_pts_) * av_q2d(tb));
    periods_.push_back({static_cast<int>(periods_.size()) + 1, start, segment.start, segment.sequence, events});
  }
  const Period& period = periods_.back();
  mpd_end_ = period.start + (segment.start + segment.duration - period.start_pts) * av_q2d(tb);

  for (auto& rep : reps_) {
    auto it = segment.tracks.find(rep.info->id);
    if (it == segment.tracks.end()) continue;
    const crypto::SharedSegmentKey key = track_key(segment, *rep.info);
    if (key && !rep.muxer->protection()) {
      // The init segment names the first key (tenc default_KID); later keys (rotation) are named
      // by their fragments (fmp4_encryption.hpp: seig, and their pssh in the moof).
      rep.muxer->protect(fmp4_protection(*key, spec().encryption->system_ids));
      store().write(rep.stem + "_init.mp4", rep.muxer->init_segment());
    }
    auto fragment = rep.muxer->fragment(it->second, static_cast<uint32_t>(segment.sequence), key.get());
    if (!fragment) continue;
    const bool by_time = dash_.format == DashSpec::TemplateFormat::TimeWithTimeline;
    const std::string name =
        rep.stem + "_" + std::to_string(by_time ? fragment->start : segment.sequence) + ".mp4";
    write_segment_file(name, fragment->bytes, segment);
    rep.meter.add(fragment->bytes.size(), segment.duration_seconds());
    rep.segments[segment.sequence] = {segment.sequence, fragment->start, fragment->duration};
  }
  records_.push_back({segment.sequence, segment.position, segment.duration_seconds(), periods_.size() - 1, mpd_end_,
                      epoch_ms_at(segment.start_seconds())});
}

bool DashPackager::ad_boundary(const Segment& segment, std::string& events) {
  bool boundary = false;
  if (in_break_ && break_end_ && segment.position >= *break_end_ - 5e-4) {  // auto_return
    boundary = true;
    in_break_ = false;
  }
  for (const auto& cue : segment.cues) {
    if (!dash_.ad_triggers.signals_ad(cue)) continue;
    if (cue.edge() == ads::AdCue::Edge::Out) {
      boundary = true;
      in_break_ = true;
      auto d = cue.duration_seconds();
      break_end_ = d ? std::optional<double>(segment.position + *d) : std::nullopt;
      events = ads::dash_event_stream(cue, "    ");
    } else if (in_break_) {
      boundary = true;
      in_break_ = false;
    }
  }
  return boundary;
}

std::vector<std::vector<const DashPackager::Representation*>> DashPackager::adaptation_sets() const {
  // One Adaptation Set per kind and content key: with SPEKE v2.0 presets SD and HD video (or
  // stereo and multichannel audio) have keys of their own, and the Representations of an
  // Adaptation Set share one default_KID (DASH-IF IOP v4.3 §7.7.2), which its ContentProtection names.
  std::vector<std::vector<const Representation*>> sets;
  for (MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    std::vector<std::optional<crypto::Block>> kids;  // per set of this kind; nullopt: clear
    const size_t first = sets.size();
    for (const auto& r : reps_) {
      if (r.info->kind != kind) continue;
      std::optional<crypto::Block> kid;
      if (r.muxer->protection()) kid = r.muxer->protection()->default_kid;
      auto same = std::find(kids.begin(), kids.end(), kid);
      if (same == kids.end()) {
        kids.push_back(kid);
        sets.emplace_back();
        same = kids.end() - 1;
      }
      sets[first + static_cast<size_t>(same - kids.begin())].push_back(&r);
    }
  }
  return sets;
}

std::string DashPackager::segment_template(const Representation& rep, const Period& period, size_t first,
                                           size_t last) const {
  const int64_t timescale = rep.muxer->timescale();
  const int64_t pto = av_rescale_q(period.start_pts, cutter_time_base(), AVRational{1, static_cast<int>(timescale)});
  const bool by_time = dash_.format == DashSpec::TemplateFormat::TimeWithTimeline;
  std::ostringstream out;
  out << "<SegmentTemplate timescale=\"" << timescale << "\" presentationTimeOffset=\"" << pto << "\"";
  const std::string media = rep.stem + (by_time ? "_$Time$.mp4" : "_$Number$.mp4") + uri_query();
  const std::string init = rep.stem + "_init.mp4" + uri_query();
  if (dash_.format == DashSpec::TemplateFormat::NumberWithDuration) {
    // No timeline: segment k of the period starts (k - startNumber) * duration after
    // presentationTimeOffset; GOP-aligned cuts keep every segment exactly that long.
    out << " duration=\"" << std::llround(target_seconds() * timescale) << "\" startNumber=\"" << period.first_number
        << "\" initialization=\"" << xml_escape(init) << "\" media=\"" << xml_escape(media) << "\"/>";
    return out.str();
  }
  std::vector<MediaSegment> segments;
  for (size_t i = first; i < last; ++i) {
    const Record& r = records_[i];
    if (&periods_[r.period] != &period) continue;
    auto it = rep.segments.find(r.number);
    if (it != rep.segments.end()) segments.push_back(it->second);
  }
  if (!by_time && !segments.empty()) out << " startNumber=\"" << segments.front().number << "\"";
  out << " initialization=\"" << xml_escape(init) << "\" media=\"" << xml_escape(media) << "\">\n";
  out << "          <SegmentTimeline>\n";
  // Runs of equal durations collapse into one S with @r (ISO/IEC 23009-1 §5.3.9.6); a new S
  // restates @t, which is always the previous S's t + d * (r + 1) when the media is gapless.
  for (size_t i = 0; i < segments.size();) {
    size_t j = i + 1;
    while (j < segments.size() && segments[j].d == segments[i].d &&
           segments[j].t == segments[j - 1].t + segments[j - 1].d)
      ++j;
    out << "            <S t=\"" << segments[i].t << "\" d=\"" << segments[i].d << "\"";
    if (j - i > 1) out << " r=\"" << (j - i - 1) << "\"";
    out << "/>\n";
    i = j;
  }
  out << "          </SegmentTimeline>\n        </SegmentTemplate>";
  return out.str();
}

std::string DashPackager::render(size_t first, size_t last, bool ended) const {
  const double delay = spec().time_delay_seconds;
  const int64_t ast_ms = epoch_ms_at(zero_pts_ * av_q2d(cutter_time_base())) + std::llround(delay * 1000);
  const int64_t publish_ms = ast_ms + std::llround(records_[last - 1].mpd_end * 1000);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\""
      << (encrypted() ? std::string(" xmlns:cenc=\"") + kCencNamespace + "\"" : std::string())
      << (dash_.periods_on_ads ? std::string(" xmlns:scte35=\"") + ads::kScte35XmlNamespace + "\"" : std::string())
      << " profiles=\"urn:mpeg:dash:profile:isoff-live:2011\""
      << " type=\"" << (ended ? "static" : "dynamic") << "\" availabilityStartTime=\"" << iso8601_ms(ast_ms)
      << "\" publishTime=\"" << iso8601_ms(publish_ms) << "\"";
  if (ended) {
    out << " mediaPresentationDuration=\"" << duration(records_[last - 1].mpd_end) << "\"";
  } else {
    out << " minimumUpdatePeriod=\"" << duration(dash_.min_update_period_seconds) << "\"";
  }
  out << " minBufferTime=\"" << duration(dash_.min_buffer_time_seconds) << "\"";
  if (!ended)
    out << " suggestedPresentationDelay=\"" << duration(dash_.suggested_presentation_delay_seconds)
        << "\" timeShiftBufferDepth=\"" << duration(dash_.manifest_window_seconds) << "\"";
  out << ">\n";

  for (size_t p = records_[first].period; p <= records_[last - 1].period; ++p) {
    const Period& period = periods_[p];
    out << "  <Period id=\"" << period.id << "\" start=\"" << duration(period.start) << "\">\n" << period.events;
    int adaptation_id = 1;
    for (const std::vector<const Representation*>& reps : adaptation_sets()) {
      const MediaKind kind = reps.front()->info->kind;
      out << "    <AdaptationSet id=\"" << adaptation_id++ << "\" contentType=\""
          << (kind == MediaKind::Video ? "video\" mimeType=\"video/mp4\"" : "audio\" mimeType=\"audio/mp4\" lang=\"und\"")
          << " segmentAlignment=\"true\" startWithSAP=\"1\"";
      if (kind == MediaKind::Video) {
        int max_w = 0, max_h = 0;
        AVRational max_fps{0, 1};
        for (auto* r : reps) {
          max_w = std::max(max_w, r->info->width);
          max_h = std::max(max_h, r->info->height);
          if (r->info->frame_rate.den > 0 && av_cmp_q(r->info->frame_rate, max_fps) > 0) max_fps = r->info->frame_rate;
        }
        out << " maxWidth=\"" << max_w << "\" maxHeight=\"" << max_h << "\"";
        if (max_fps.num > 0) out << " maxFrameRate=\"" << frame_rate(max_fps) << "\"";
      }
      out << ">\n";
      if (const auto& protection = reps.front()->muxer->protection())
        out << dash_content_protection(*protection, "      ", spec().encryption->key_rotation_interval_seconds > 0);
      for (auto* r : reps) {
        const TrackInfo& t = *r->info;
        out << "      <Representation id=\"" << r->id << "\" bandwidth=\"" << r->meter.peak_or(std::max<int64_t>(t.bitrate, 1))
            << "\" codecs=\"" << xml_escape(codecs_string(t)) << "\"";
        if (kind == MediaKind::Video) {
          out << " width=\"" << t.width << "\" height=\"" << t.height << "\"";
          if (t.frame_rate.num > 0 && t.frame_rate.den > 0) out << " frameRate=\"" << frame_rate(t.frame_rate) << "\"";
          out << " sar=\"1:1\">\n";
        } else {
          out << " audioSamplingRate=\"" << t.sample_rate << "\">\n"
              << "        <AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\""
              << " value=\"" << (t.channels > 0 ? t.channels : 2) << "\"/>\n";
        }
        out << "        " << segment_template(*r, period, first, last) << "\n      </Representation>\n";
      }
      out << "    </AdaptationSet>\n";
    }
    out << "  </Period>\n";
  }
  const std::string scheme = utc_timing_scheme(dash_.utc_timing_scheme);
  if (!scheme.empty())
    out << "  <UTCTiming schemeIdUri=\"" << scheme << "\" value=\"" << xml_escape(dash_.utc_timing_uri) << "\"/>\n";
  out << "</MPD>\n";
  return out.str();
}

std::optional<PackagerBase::Published> DashPackager::publish(double edge, bool ended) {
  auto [first, last] = published_window(records_, edge, dash_.manifest_window_seconds, false);
  if (first == last) return std::nullopt;
  store().write(dash_.manifest_name + ".mpd", std::string_view(render(first, last, ended)));
  // The start-over archive: the same MPD over the whole start-over window, which the origin cuts
  // time-shifted manifests from (api/time_shift.hpp, cut_mpd_window).
  if (spec().origin_files && spec().startover_window_seconds > 0) {
    auto [from, to] = published_window(records_, edge, spec().startover_window_seconds, false);
    if (from != to)
      store().write(std::string(kArchiveDirectory) + "/" + dash_.manifest_name + ".mpd",
                    std::string_view(render(from, to, ended)));
  }
  return Published{records_[last - 1].number, records_[last - 1].epoch_ms};
}

void DashPackager::forget_before(double position) {
  while (!records_.empty() && records_.front().position + records_.front().duration < position) {
    for (auto& rep : reps_) rep.segments.erase(records_.front().number);
    records_.pop_front();
  }
}

}  // namespace mediaemu::pipeline
