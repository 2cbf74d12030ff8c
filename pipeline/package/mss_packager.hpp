// Microsoft Smooth Streaming ([MS-SSTR]; MediaPackage MssPackage). Files:
//   <name>.ism/Manifest
//   <name>.ism/QualityLevels(<bitrate>)/Fragments(<stream>=<start time>)
// One StreamIndex "video" (the video of the selected variants, a QualityLevel each) and one per
// audio track ("audio", "audio_2", ...). Every StreamIndex counts in 100 ns (Fmp4TrackMuxer's
// smooth_streaming()).
//
// Fragments are moof + mdat with a TfxdBox (§2.2.4.4). A live client learns of the next fragment
// only from the TfrfBox (§2.2.4.5) of the one it fetched (dash.js's MSS player never reloads a
// live manifest), so a fragment is written once the next one exists, with a TfrfBox naming it:
// the manifest runs one fragment behind the encoder, as live Smooth origins do. When the channel
// ends, the last fragments are written without one and the manifest turns into a finished
// presentation (IsLive FALSE, Duration).
//
// Encryption (MssPackage.Encryption, PlayReady): 'cenc' with the endpoint's one key, each
// fragment's IVs and subsample maps in PIFF's SampleEncryptionBox (fmp4_encryption.hpp), and the
// manifest's Protection element (§2.2.2.2) carries the key provider's PlayReady header (its
// speke:ProtectionHeader, as SPEKE v1 specifies for MSS PlayReady), from which clients learn the
// key id and build the init segment's tenc.
//
// For the origin: with a start-over window, an archive of the manifest over that window whose
// chunks carry their program date time (`e`, epoch ms), from which time-shifted manifests are
// cut (api/time_shift.hpp, cut_mss_window); and what each QualityLevel is, for manifest filters
// (stream_description.hpp; a line per "<StreamIndex name>/<Bitrate>").
#pragma once

#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/package/fmp4.hpp"
#include "pipeline/package/packager_base.hpp"

namespace mediaemu::pipeline {

class MssPackager final : public PackagerBase {
 public:
  explicit MssPackager(const EndpointSpec& spec);

 private:
  struct Quality {
    const TrackInfo* info = nullptr;
    int64_t bitrate = 0;  // unique within its StreamIndex: it names the fragments
    std::unique_ptr<Fmp4TrackMuxer> muxer;
    std::optional<Fmp4Fragment> pending;  // built, waiting for the next one to name it
  };
  struct Chunk {  // a fragment time of a StreamIndex, listed once its files are written
    int64_t t = 0, d = 0;  // the StreamIndex's timescale
    double position = 0, duration = 0;
    int64_t sequence = 0, epoch_ms = 0;
  };
  struct StreamIndex {
    std::string name;  // "video", "audio", "audio_2", ...
    bool video = false;
    std::vector<Quality> qualities;
    std::optional<Chunk> pending;  // of the qualities' pending fragments
    std::deque<Chunk> chunks;
  };

  void start() override;
  void add_segment(const Segment& segment) override;
  std::optional<Published> publish(double edge, bool ended) override;
  double window_seconds() const override { return mss_.manifest_window_seconds; }
  void forget_before(double position) override;

  // Writes the pending fragments of `index`, naming the next one (t, d) when there is one.
  void write_pending(StreamIndex& index, std::optional<std::pair<int64_t, int64_t>> next);
  std::string fragment_name(const StreamIndex& index, const Quality& q, int64_t t) const;
  // The manifest of the chunks published at `edge` within `window` seconds; `dated` adds each
  // chunk's program date time (the start-over archive).
  std::string render(double edge, double window, bool ended, bool dated) const;
  std::string streams_description() const;
  // §2.2.2.2 ProtectionElement naming PlayReady's header.
  static std::string protection_element(const std::vector<uint8_t>& playready_header);

  MssSpec mss_;
  std::string protection_element_;  // from the first key's PlayReady header; "" when clear
  bool header_looked_up_ = false;
  std::list<StreamIndex> indexes_;  // not a vector: a StreamIndex cannot be copied, and its move may throw
};

}  // namespace mediaemu::pipeline
