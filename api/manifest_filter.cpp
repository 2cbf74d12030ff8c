#include "api/manifest_filter.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "api/manifest_xml.hpp"
#include "api/uri_template.hpp"

namespace mediaemu::api {
namespace {

constexpr size_t kMaxFilterLength = 1024;
constexpr double kMaxRangeValue = 2147483647;

// MP-UG manifest-filtering, "Manifest filter query parameters": which take numbers (and ranges).
const std::set<std::string, std::less<>> kNumeric = {"audio_bitrate",    "audio_channels", "audio_sample_rate",
                                                     "trickplay_height", "video_bitrate",  "video_framerate",
                                                     "video_height"};
const std::set<std::string, std::less<>> kText = {"audio_codec", "audio_language", "subtitle_language",
                                                  "trickplay_type", "video_codec", "video_dynamic_range"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char by) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = s.find(by);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// A non-negative number: digits, and for video_framerate up to three decimals.
std::optional<double> number(std::string_view s, bool decimals) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return std::nullopt;
  auto dot = s.find('.');
  if (dot != std::string_view::npos && (!decimals || s.size() - dot - 1 > 3 || dot + 1 == s.size()))
    return std::nullopt;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> parse_term(const std::string& name, std::string_view value, ManifestFilter::Term& term) {
  value = trim(value);
  if (value.empty()) return "The value list of " + name + " has an empty entry";
  if (kText.count(name)) {
    term.text = lower(value);
    return std::nullopt;
  }
  const bool decimals = name == "video_framerate";
  auto dash = value.find('-');
  auto low = number(value.substr(0, dash), decimals);
  auto high = dash == std::string_view::npos ? low : number(value.substr(dash + 1), decimals);
  if (!low || !high) return "'" + std::string(value) + "' is neither a number nor a range min-max for " + name;
  if (*low > kMaxRangeValue || *high > kMaxRangeValue) return "Values of " + name + " run from 0 to 2147483647";
  if (*low > *high) return "The range '" + std::string(value) + "' of " + name + " has its minimum above its maximum";
  term.range = true;
  term.low = *low;
  term.high = *high;
  return std::nullopt;
}

bool matches(const ManifestFilter::Term& term, const std::string& value) {
  if (!term.range) return lower(value) == term.text;
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (auto slash = value.find('/'); slash != std::string::npos) {  // a DASH frameRate "30000/1001"
    double d = std::strtod(value.c_str() + slash + 1, nullptr);
    v = d > 0 ? v / d : v;
  }
  v = std::round(v * 1000) / 1000;  // frame rates compare to three decimals ("23.976-30")
  return v >= term.low - 1e-9 && v <= term.high + 1e-9;
}

bool is_audio_or_video(const StreamProperties& p) {
  return p.count("video_height") || p.count("video_bitrate") || p.count("audio_codec") || p.count("audio_bitrate");
}

std::string uri_attribute(const std::string& line) {
  auto at = line.find("URI=\"");
  if (at == std::string::npos) return "";
  at += 5;
  return line.substr(at, line.find('"', at) - at);
}

std::string attribute(const std::string& line, const std::string& name) {
  auto at = line.find(name + "=");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  if (line[at] == '"') return line.substr(at + 1, line.find('"', at + 1) - at - 1);
  return line.substr(at, line.find(',', at) - at);
}

}  // namespace

std::optional<std::string> parse_manifest_filter(std::string_view query, ManifestFilter& filter) {
  std::optional<std::string> value;
  for (auto pair : split(query, '&')) {
    auto eq = pair.find('=');
    if (lower(pair.substr(0, eq)) != "aws.manifestfilter") continue;
    if (value) return std::string("The aws.manifestfilter parameter is given more than once");
    value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
  }
  if (!value) return std::nullopt;
  if (value->size() > kMaxFilterLength) return std::string("aws.manifestfilter is longer than 1024 characters");
  for (auto part : split(*value, ';')) {
    auto fields = split(part, ':');
    if (fields.size() != 2) return "Malformed aws.manifestfilter parameter '" + std::string(part) + "'";
    std::string name = lower(trim(fields[0]));
    if (!kNumeric.count(name) && !kText.count(name)) return "Unknown aws.manifestfilter parameter '" + name + "'";
    if (filter.terms.count(name)) return "The aws.manifestfilter parameter " + name + " is given more than once";
    auto& terms = filter.terms[name];
    for (auto v : split(fields[1], ',')) {
      ManifestFilter::Term term;
      if (auto error = parse_term(name, v, term)) return error;
      terms.push_back(std::move(term));
    }
  }
  return std::nullopt;
}

bool passes(const ManifestFilter& filter, const StreamProperties& stream) {
  for (const auto& [name, terms] : filter.terms) {
    auto it = stream.find(name);
    if (it == stream.end()) continue;  // the filter is about another kind of stream
    if (std::none_of(terms.begin(), terms.end(), [&](const auto& t) { return matches(t, it->second); })) return false;
  }
  return true;
}

std::string filter_codec_name(std::string_view codec) {
  std::string c = lower(codec.substr(0, codec.find('.')));
  if (c == "avc1" || c == "avc3") return "h264";
  if (c == "hvc1" || c == "hev1") return "h265";
  if (c == "ac-3") return "ac-3";
  if (c == "ec-3") return "ec-3";
  if (c == "mp4a") {
    // mp4a.40.<audio object type>: 2 AAC-LC, 5 HE-AAC (SBR), 29 HE-AACv2 (PS).
    std::string aot = std::string(codec.substr(codec.rfind('.') + 1));
    return aot == "5" || aot == "29" ? "aach" : "aacl";
  }
  return "";
}

namespace {

// A packager's streams file (pipeline/package/stream_description.hpp): each stream's properties
// by its name in the manifest, codecs as the filter names them.
std::map<std::string, StreamProperties> described_streams(const std::string& streams) {
  std::map<std::string, StreamProperties> described;
  std::istringstream s(streams);
  for (std::string line; std::getline(s, line);) {
    auto fields = split(line, ' ');
    if (fields.size() < 2) continue;
    StreamProperties& p = described[std::string(fields[0])];
    for (size_t i = 1; i < fields.size(); ++i) {
      auto eq = fields[i].find('=');
      if (eq == std::string_view::npos) continue;
      std::string key(fields[i].substr(0, eq)), value(fields[i].substr(eq + 1));
      p[key] = key == "video_codec" || key == "audio_codec" ? filter_codec_name(value) : value;
    }
  }
  return described;
}

}  // namespace

std::optional<std::string> filter_hls_master(const std::string& master, const std::string& streams,
                                             const ManifestFilter& filter) {
  const auto described = described_streams(streams);  // by URI
  auto keeps = [&](const std::string& uri) {
    auto it = described.find(uri);
    return it == described.end() || passes(filter, it->second);
  };
  std::vector<std::string> lines;
  std::istringstream in(master);
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  // Audio groups that lose every rendition take the variants that use them along.
  std::map<std::string, int> group_renditions;
  for (const auto& line : lines)
    if (line.rfind("#EXT-X-MEDIA:", 0) == 0 && line.find("TYPE=AUDIO") != std::string::npos)
      group_renditions[attribute(line, "GROUP-ID")] += keeps(uri_attribute(line)) ? 1 : 0;

  std::ostringstream out;
  int variants = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.rfind("#EXT-X-STREAM-INF:", 0) == 0 && i + 1 < lines.size()) {
      const std::string group = attribute(line, "AUDIO");
      const bool audio_left = group.empty() || group_renditions[group] > 0;
      if (audio_left && keeps(lines[i + 1])) {
        out << line << "\n" << lines[i + 1] << "\n";
        ++variants;
      }
      ++i;
      continue;
    }
    if ((line.rfind("#EXT-X-MEDIA:", 0) == 0 || line.rfind("#EXT-X-I-FRAME-STREAM-INF:", 0) == 0) &&
        !keeps(uri_attribute(line)))
      continue;
    out << line << "\n";
  }
  if (variants == 0) return std::nullopt;
  return out.str();
}

std::optional<std::string> filter_mss(const std::string& manifest, const std::string& streams,
                                      const ManifestFilter& filter) {
  pugi::xml_document doc;
  if (!load_manifest_xml(doc, manifest)) return std::nullopt;
  const auto described = described_streams(streams);  // by "<StreamIndex Name>/<Bitrate>"
  auto root = doc.child("SmoothStreamingMedia");
  int left = 0;
  std::vector<pugi::xml_node> empty_indexes;
  for (auto index : root.children("StreamIndex")) {
    const std::string name = index.attribute("Name").as_string();
    std::vector<pugi::xml_node> dropped;
    for (auto q : index.children("QualityLevel")) {
      auto it = described.find(name + "/" + q.attribute("Bitrate").as_string());
      if (it != described.end() && !passes(filter, it->second)) dropped.push_back(q);
      else left += it == described.end() || is_audio_or_video(it->second) ? 1 : 0;
    }
    for (auto q : dropped) index.remove_child(q);
    // [MS-SSTR] §2.2.2.3: QualityLevels counts them, and each Index is its position.
    int kept = 0;
    for (auto q : index.children("QualityLevel")) q.attribute("Index").set_value(kept++);
    index.attribute("QualityLevels").set_value(kept);
    if (kept == 0) empty_indexes.push_back(index);
  }
  for (auto index : empty_indexes) root.remove_child(index);
  if (left == 0) return std::nullopt;
  return manifest_xml_text(doc);
}

std::optional<std::string> filter_mpd(const std::string& mpd, const ManifestFilter& filter) {
  pugi::xml_document doc;
  if (!load_manifest_xml(doc, mpd)) return std::nullopt;
  int left = 0;
  for (auto period : doc.child("MPD").children("Period")) {
    std::vector<pugi::xml_node> empty_sets;
    for (auto set : period.children("AdaptationSet")) {
      std::string type = set.attribute("contentType").as_string();
      if (type.empty()) type = std::string(set.attribute("mimeType").as_string()).substr(0, 5);
      std::vector<pugi::xml_node> dropped;
      int kept = 0;
      for (auto rep : set.children("Representation")) {
        StreamProperties p;
        const std::string codec = filter_codec_name(rep.attribute("codecs").as_string(set.attribute("codecs").as_string()));
        if (type == "video") {
          p["video_bitrate"] = rep.attribute("bandwidth").as_string();
          p["video_height"] = rep.attribute("height").as_string();
          if (auto rate = rep.attribute("frameRate")) p["video_framerate"] = rate.as_string();
          if (!codec.empty()) p["video_codec"] = codec;
          p["video_dynamic_range"] = "sdr";  // mediaemu encodes SDR only
        } else if (type == "audio") {
          p["audio_bitrate"] = rep.attribute("bandwidth").as_string();
          if (auto rate = rep.attribute("audioSamplingRate")) p["audio_sample_rate"] = rate.as_string();
          auto channels = rep.child("AudioChannelConfiguration") ? rep.child("AudioChannelConfiguration")
                                                                 : set.child("AudioChannelConfiguration");
          if (channels) p["audio_channels"] = channels.attribute("value").as_string();
          if (!codec.empty()) p["audio_codec"] = codec;
          if (auto lang = set.attribute("lang")) p["audio_language"] = lang.as_string();
        } else if (type == "text") {
          if (auto lang = set.attribute("lang")) p["subtitle_language"] = lang.as_string();
        }
        if (passes(filter, p)) {
          ++kept;
          left += is_audio_or_video(p) ? 1 : 0;
        } else {
          dropped.push_back(rep);
        }
      }
      for (auto rep : dropped) set.remove_child(rep);
      if (kept == 0) empty_sets.push_back(set);
    }
    for (auto set : empty_sets) period.remove_child(set);
  }
  if (left == 0) return std::nullopt;
  return manifest_xml_text(doc);
}

}  // namespace mediaemu::api
