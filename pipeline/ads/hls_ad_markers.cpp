#include "pipeline/ads/hls_ad_markers.hpp"

#include <cmath>
#include <cstdio>

#include "pipeline/bytes.hpp"
#include "pipeline/date_time.hpp"

namespace mediaemu::pipeline::ads {
namespace {

std::string decimals3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// "30" for a whole number of seconds, else "29.970" (CUE-OUT-CONT Duration=, as in AWS's samples).
std::string seconds_text(double v) {
  if (std::fabs(v - std::round(v)) < 1e-6) return std::to_string(static_cast<int64_t>(std::llround(v)));
  return decimals3(v);
}

}  // namespace

bool AdMarkerSpec::signals_ad(const AdCue& cue) const {
  if (cue.edge() == AdCue::Edge::Other || !triggers.count(cue.trigger())) return false;
  if (cue.info.command == SpliceInfo::Command::SpliceInsert) return true;
  switch (on_restrictions) {
    case Restrictions::None: return false;
    case Restrictions::Restricted: return cue.delivery_restricted();
    case Restrictions::Unrestricted: return !cue.delivery_restricted();
    case Restrictions::Both: return true;
  }
  return false;
}

std::vector<std::string> HlsAdMarkers::tags(const std::vector<AdCue>& cues, double position, int64_t epoch_ms) {
  std::vector<std::string> out;
  if (!enabled()) return out;
  // auto_return: the break's planned end has come (half a millisecond of rounding allowed).
  if (break_ && break_->duration && position >= break_->start + *break_->duration - 5e-4)
    close(nullptr, position, epoch_ms, out);
  bool opened_here = false;
  for (const auto& cue : cues) {
    if (!spec_.signals_ad(cue)) continue;
    if (cue.edge() == AdCue::Edge::Out) {
      if (break_) close(nullptr, position, epoch_ms, out);  // a new break ends the one before
      open(cue, position, epoch_ms, out);
      opened_here = true;
    } else if (break_) {
      close(&cue, position, epoch_ms, out);
    }
  }
  if (break_ && !opened_here) {
    const double elapsed = position - break_->start;
    const double duration = break_->duration.value_or(0);
    if (spec_.style == AdMarkerSpec::Style::Scte35Enhanced)
      out.push_back("#EXT-X-CUE-OUT-CONT:ElapsedTime=" + decimals3(elapsed) + ",Duration=" + seconds_text(duration) +
                    ",SCTE35=" + base64(break_->cue.binary));
    else if (spec_.style == AdMarkerSpec::Style::Elemental)
      out.push_back("#EXT-X-CUE-OUT-CONT: " + decimals3(elapsed) + "/" + seconds_text(duration));
  }
  return out;
}

void HlsAdMarkers::open(const AdCue& cue, double position, int64_t epoch_ms, std::vector<std::string>& out) {
  break_ = Break{cue, position, epoch_ms, cue.duration_seconds()};
  const std::string duration = decimals3(break_->duration.value_or(0));
  const std::string id = std::to_string(cue.event_id());
  switch (spec_.style) {
    case AdMarkerSpec::Style::Scte35Enhanced:
      out.push_back("#EXT-OATCLS-SCTE35:" + base64(cue.binary));
      if (!cue.upid().empty()) out.push_back("#EXT-X-ASSET:CAID=0x" + hex_upper(cue.upid()));
      out.push_back("#EXT-X-CUE-OUT:" + duration);
      break;
    case AdMarkerSpec::Style::Elemental:
      out.push_back("#EXT-X-CUE-OUT:" + duration);
      break;
    case AdMarkerSpec::Style::Adobe:
      out.push_back("#EXT-X-CUE:DURATION=\"" + duration + "\",ID=\"" + id + "\",TYPE=\"SpliceOut\",TIME=\"" +
                    decimals3(static_cast<double>(cue.pts_us) / 1e6) + "\"");
      break;
    case AdMarkerSpec::Style::Daterange: {
      std::string tag = "#EXT-X-DATERANGE:ID=\"" + id + "\",START-DATE=\"" + iso8601_ms(epoch_ms) + "\"";
      if (break_->duration) tag += ",PLANNED-DURATION=" + duration;
      out.push_back(tag + ",SCTE35-OUT=0x" + hex_upper(cue.binary));
      break;
    }
    case AdMarkerSpec::Style::None:
      break;
  }
}

void HlsAdMarkers::close(const AdCue* in, double position, int64_t epoch_ms, std::vector<std::string>& out) {
  const Break b = *break_;
  break_.reset();
  switch (spec_.style) {
    case AdMarkerSpec::Style::Scte35Enhanced:
      if (in) out.push_back("#EXT-OATCLS-SCTE35:" + base64(in->binary));
      out.push_back("#EXT-X-CUE-IN");
      break;
    case AdMarkerSpec::Style::Elemental:
      out.push_back("#EXT-X-CUE-IN");
      break;
    case AdMarkerSpec::Style::Daterange: {
      std::string tag = "#EXT-X-DATERANGE:ID=\"" + std::to_string(b.cue.event_id()) + "\",START-DATE=\"" +
                        iso8601_ms(b.start_epoch_ms) + "\",END-DATE=\"" + iso8601_ms(epoch_ms) +
                        "\",DURATION=" + decimals3(position - b.start);
      if (in) tag += ",SCTE35-IN=0x" + hex_upper(in->binary);
      out.push_back(tag);
      break;
    }
    case AdMarkerSpec::Style::Adobe:  // ADOBE marks the start only (MediaLive UG sample-manifests-hls)
    case AdMarkerSpec::Style::None:
      break;
  }
}

}  // namespace mediaemu::pipeline::ads
