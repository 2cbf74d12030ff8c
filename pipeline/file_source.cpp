#include "pipeline/file_source.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <functional>

#include "pipeline/transcode/codec_config.hpp"

extern "C" {
#include <libavutil/dict.h>
}

namespace mediaemu::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

struct DictFree {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

int read_thunk(void* opaque, uint8_t* buffer, int size) {
  return (*static_cast<std::function<int(uint8_t*, int)>*>(opaque))(buffer, size);
}

IngestEvent make_event(IngestEvent::Type type, MediaKind kind) {
  IngestEvent e;
  e.type = type;
  e.kind = kind;
  return e;
}

}  // namespace

// Turns one input's packets into IngestEvents: converts Annex B (MPEG-TS) video to avcC +
// length-prefixed NAL units and ADTS audio to an AudioSpecificConfig + raw frames, and emits a
// new config event whenever the parameter sets change. Lives across loop passes so an
// unchanged configuration is not sent again.
class FileSource::Translator {
 public:
  using Emit = std::function<bool(IngestEvent&)>;  // false: stop reading

  void bind(const AVStream* video, const AVStream* audio) {
    video_avcc_mode_ = false;
    if (video) {
      const AVCodecParameters* p = video->codecpar;
      ByteView extra(p->extradata, static_cast<size_t>(std::max(0, p->extradata_size)));
      auto avcc = parse_avcc(extra);
      video_avcc_mode_ = avcc.has_value();
      if (avcc) avcc_length_size_ = avcc->nal_length_size;
      if (!video_avcc_mode_ && !extra.empty()) remember_parameter_sets(split_annexb(extra));
    }
    audio_asc_.clear();
    if (audio && audio->codecpar->extradata_size > 0)
      audio_asc_.assign(audio->codecpar->extradata, audio->codecpar->extradata + audio->codecpar->extradata_size);
  }

  bool video(const AVPacket& pkt, const AVStream* stream, int64_t dts_ms, int64_t pts_ms, const Emit& emit) {
    ByteView data(pkt.data, static_cast<size_t>(pkt.size));
    IngestEvent frame = make_event(IngestEvent::Type::Frame, MediaKind::Video);
    // An avcC means length-prefixed samples (ISO/IEC 14496-15); a start-code test alone would
    // misread a 256..511-byte first NAL (length 00 00 01 xx) as Annex B.
    if (video_avcc_mode_ && (split_length_prefixed(data, avcc_length_size_) || !starts_with_start_code(data))) {
      size_t side_size = 0;
      const uint8_t* side = av_packet_get_side_data(&pkt, AV_PKT_DATA_NEW_EXTRADATA, &side_size);
      const AVCodecParameters* p = stream->codecpar;
      Bytes config = side && side_size > 0 ? Bytes(side, side + side_size)
                                           : Bytes(p->extradata, p->extradata + p->extradata_size);
      if (!send_config(config, video_config_, MediaKind::Video, emit)) return false;
      frame.data.assign(data.begin(), data.end());
    } else {
      // Annex B: parameter sets travel in-band; they go out as a VideoConfig, the rest as AVCC.
      auto nals = split_annexb(data);
      remember_parameter_sets(nals);
      if (sps_.empty() || pps_.empty()) return true;  // nothing decodable before the first SPS/PPS
      if (!send_config(build_avcc(sps_, pps_), video_config_, MediaKind::Video, emit)) return false;
      for (auto nal : nals) {
        int type = h264_nal_type(nal[0]);
        if (type != kNalSps && type != kNalPps && type != kNalAud) append_length_prefixed(frame.data, nal);
      }
    }
    if (frame.data.empty()) return true;
    frame.dts_ms = dts_ms;
    frame.cts_ms = static_cast<int32_t>(pts_ms - dts_ms);
    frame.keyframe = pkt.flags & AV_PKT_FLAG_KEY;
    return emit(frame);
  }

  bool audio(const AVPacket& pkt, int64_t dts_ms, const Emit& emit) {
    ByteView data(pkt.data, static_cast<size_t>(pkt.size));
    if (!parse_adts(data)) {
      if (audio_asc_.empty()) return true;  // raw AAC without a config cannot be decoded
      if (!send_config(audio_asc_, audio_config_, MediaKind::Audio, emit)) return false;
      IngestEvent frame = make_event(IngestEvent::Type::Frame, MediaKind::Audio);
      frame.data.assign(data.begin(), data.end());
      frame.dts_ms = dts_ms;
      frame.keyframe = true;
      return emit(frame);
    }
    // ADTS (MPEG-TS, .aac): a PES packet may carry several frames, 1024 samples each.
    int64_t samples = 0;
    size_t pos = 0;
    while (pos < data.size()) {
      auto h = parse_adts(data.subspan(pos));
      if (!h || pos + h->frame_size > data.size()) break;
      if (!send_config(asc_from_adts(*h), audio_config_, MediaKind::Audio, emit)) return false;
      IngestEvent frame = make_event(IngestEvent::Type::Frame, MediaKind::Audio);
      auto payload = data.subspan(pos + h->header_size, h->frame_size - h->header_size);
      frame.data.assign(payload.begin(), payload.end());
      frame.dts_ms = dts_ms + samples * 1000 / aac_sample_rate(h->sampling_index);
      frame.keyframe = true;
      if (!emit(frame)) return false;
      samples += 1024 * h->raw_blocks;
      pos += h->frame_size;
    }
    return true;
  }

 private:
  void remember_parameter_sets(const std::vector<ByteView>& nals) {
    std::vector<Bytes> sps, pps;
    for (auto nal : nals) {
      int type = h264_nal_type(nal[0]);
      if (type == kNalSps && nal.size() >= 4) sps.emplace_back(nal.begin(), nal.end());
      if (type == kNalPps) pps.emplace_back(nal.begin(), nal.end());
    }
    if (!sps.empty()) sps_ = std::move(sps);
    if (!pps.empty()) pps_ = std::move(pps);
  }

  static bool send_config(const Bytes& config, Bytes& last, MediaKind kind, const Emit& emit) {
    if (config.empty() || config == last) return true;
    IngestEvent e = make_event(kind == MediaKind::Video ? IngestEvent::Type::VideoConfig
                                                        : IngestEvent::Type::AudioConfig, kind);
    e.data = config;
    if (!emit(e)) return false;
    last = config;
    return true;
  }

  bool video_avcc_mode_ = false;
  int avcc_length_size_ = 4;
  std::vector<Bytes> sps_, pps_;
  Bytes audio_asc_;
  Bytes video_config_, audio_config_;  // last sent
};

namespace {

int interrupt_cb(void* opaque) { return static_cast<std::atomic<bool>*>(opaque)->load() ? 1 : 0; }

// A TimecodeClip in milliseconds from the file's first frame.
struct ClipWindow {
  int64_t start_ms = 0;
  std::optional<int64_t> stop_ms;
};

// Timecodes count frames, so the video's rate turns them into time (25 for audio alone). With an
// EMBEDDED source, the file's own timecode (its "timecode" tag, as MP4 tmcd tracks and MPEG-TS
// GOP timecodes surface in libavformat) is subtracted; a file without one counts from zero.
ClipWindow clip_window(const TimecodeClip& clip, const AVFormatContext& input, const AVStream* video,
                       const std::string& shown_url) {
  double fps = 25;
  if (video) {
    AVRational rate = video->avg_frame_rate.num > 0 ? video->avg_frame_rate : video->r_frame_rate;
    if (rate.num > 0 && rate.den > 0) fps = av_q2d(rate);
  }
  auto seconds = [&](const std::string& timecode, const char* what) {
    auto s = timecode_seconds(timecode, fps);
    if (!s)
      throw std::runtime_error(std::string("InputClippingSettings ") + what + " '" + timecode +
                               "' is not a timecode of " + shown_url + " at " + std::to_string(fps) + " fps");
    return *s;
  };
  double origin = 0;
  if (clip.embedded) {
    const AVDictionaryEntry* tag = av_dict_get(input.metadata, "timecode", nullptr, 0);
    if (!tag && video) tag = av_dict_get(video->metadata, "timecode", nullptr, 0);
    if (tag) origin = seconds(tag->value, "embedded timecode");
    else spdlog::warn("file source {}: no embedded timecode; the clip counts from its first frame", shown_url);
  }
  ClipWindow window;
  if (!clip.start.empty()) window.start_ms = std::max<int64_t>(0, std::llround((seconds(clip.start, "StartTimecode") - origin) * 1000));
  if (!clip.stop.empty()) {
    double stop = seconds(clip.stop, "StopTimecode") - origin + (clip.include_last_frame ? 1 / fps : 0);
    window.stop_ms = std::llround(stop * 1000);
    if (*window.stop_ms <= window.start_ms)
      throw std::runtime_error("InputClippingSettings: StopTimecode '" + clip.stop + "' is not after StartTimecode '" +
                               clip.start + "'");
  }
  return window;
}

}  // namespace

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto authority_end = url.find_first_of("/?#", scheme + 3);
  auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at == std::string::npos || at < scheme + 3) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;  // a user name alone
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

FileSource::FileSource(FileSourceOptions options, std::shared_ptr<IngestSink> sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  if (!sink_) throw std::invalid_argument("FileSource needs an IngestSink");
  shown_url_ = redact_url(options_.url);
  if (options_.label.empty()) options_.label = shown_url_;
}

FileSource::~FileSource() { stop(); }

void FileSource::start() {
  if (thread_.joinable() || finished_) return;
  thread_ = std::thread([this] { run(); });
}

void FileSource::stop() {
  stop_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileSource::wait() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return finished_.load(); });
}

std::string FileSource::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

FileSource::Stats FileSource::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void FileSource::run() {
  spdlog::info("file source {}: started ({}{})", options_.label, options_.realtime ? "real time" : "fast",
               options_.loop ? ", looping" : "");
  std::string reason = "end of input";
  try {
    int64_t offset_ms = 0;
    Translator translator;  // kept across loop passes
    for (bool first = true; !stop_; first = false) {
      if (!read_once(translator, offset_ms, first) || !options_.loop) break;
      std::lock_guard lock(mutex_);
      ++stats_.loops;
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    error_ = e.what();
  }
  if (stop_) reason = "stopped";
  if (!error().empty()) {
    reason = error();
    spdlog::error("file source {}: {}", options_.label, reason);
  }
  // Best effort: tell the sink the publisher went away.
  IngestEvent end = make_event(IngestEvent::Type::End, MediaKind::Video);
  end.reason = reason;
  for (int i = 0; i < 200 && !sink_->offer(end); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto s = stats();
  spdlog::info("file source {}: ended ({}); {} video / {} audio frames, {} loops", options_.label, reason,
               s.video_frames, s.audio_frames, s.loops);
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  wake_.notify_all();
}

// One pass over the input. Returns false when reading should stop for good (stop(), error).
bool FileSource::read_once(Translator& translator, int64_t& offset_ms, bool first_pass) {
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw std::bad_alloc();
  raw->interrupt_callback = AVIOInterruptCB{interrupt_cb, &stop_};
  AVDictionary* opts = nullptr;
  IoContextPtr io;  // outlives `input` below (declared first, destroyed last)
  const AVInputFormat* format = nullptr;
  if (options_.read) {
    constexpr int kIoBufferSize = 64 * 1024;
    auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferSize));
    if (!buffer) throw std::bad_alloc();
    io.reset(avio_alloc_context(buffer, kIoBufferSize, 0, &options_.read, read_thunk, nullptr, nullptr));
    if (!io) {
      av_free(buffer);
      throw std::bad_alloc();
    }
    raw->pb = io.get();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    format = av_find_input_format(options_.format.c_str());
  } else {
    av_dict_set(&opts, "rw_timeout", "15000000", 0);  // network reads give up after 15 s
    for (const auto& [key, value] : options_.open_options) av_dict_set(&opts, key.c_str(), value.c_str(), 0);
  }
  int rc = avformat_open_input(&raw, options_.url.c_str(), format, &opts);
  std::unique_ptr<AVDictionary, DictFree> opts_guard(opts);
  if (rc < 0) {
    if (stop_) return false;
    throw std::runtime_error("cannot open " + shown_url_ + ": " + av_error_text(rc));
  }
  FormatInputPtr input(raw);
  int info = avformat_find_stream_info(input.get(), nullptr);
  if (info < 0 && stop_) return false;  // stopped while waiting for a live stream's first packets
  av_check(info, ("read stream info of " + shown_url_).c_str());

  int v = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  int a = av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  // SCTE-35: "If left undefined, MediaLive selects the first SCTE-35 PID found in the input"
  // (InputSettings.Scte35Pid).
  const int c = scte35_stream(input.get(), options_.scte35_pid);
  if (c >= 0 && first_pass)
    spdlog::info("file source {}: SCTE-35 on PID {} is passed on", options_.label, input->streams[c]->id);
  ads::SpliceClock splice_clock;
  if (v >= 0 && input->streams[v]->codecpar->codec_id != AV_CODEC_ID_H264) {
    spdlog::warn("file source {}: video is {}, only H.264 is ingested", options_.label,
                 avcodec_get_name(input->streams[v]->codecpar->codec_id));
    v = -1;
  }
  if (a >= 0 && input->streams[a]->codecpar->codec_id != AV_CODEC_ID_AAC) {
    spdlog::warn("file source {}: audio is {}, only AAC is ingested", options_.label,
                 avcodec_get_name(input->streams[a]->codecpar->codec_id));
    a = -1;
  }
  if (v < 0 && a < 0) throw std::runtime_error(shown_url_ + " has no H.264 video or AAC audio");
  const AVStream* vs = v >= 0 ? input->streams[v] : nullptr;
  const AVStream* as = a >= 0 ? input->streams[a] : nullptr;
  {
    std::lock_guard lock(mutex_);
    stats_.finite = input->duration > 0;  // the hls demuxer sets it only for an ended playlist
  }
  if (options_.admit && !options_.admit(input->duration > 0)) return false;  // ends as "end of input"

  translator.bind(vs, as);
  auto emit = [this](IngestEvent& e) { return deliver(e); };

  if (first_pass) {
    IngestEvent meta = make_event(IngestEvent::Type::Metadata, MediaKind::Video);
    if (vs) {
      AVRational fps = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
      meta.metadata["width"] = std::to_string(vs->codecpar->width);
      meta.metadata["height"] = std::to_string(vs->codecpar->height);
      if (fps.num > 0 && fps.den > 0) meta.metadata["framerate"] = std::to_string(av_q2d(fps));
    }
    if (as) {
      meta.metadata["audiosamplerate"] = std::to_string(as->codecpar->sample_rate);
      meta.metadata["audiochannels"] = std::to_string(as->codecpar->ch_layout.nb_channels);
    }
    if (input->duration > 0) meta.metadata["duration"] = std::to_string(input->duration / 1e6);
    if (!deliver(meta)) return false;
  }

  // Timestamps start at 0 for each pass, then shift by what earlier passes played.
  const AVRational ms{1, 1000};
  int64_t base_ms = input->start_time != AV_NOPTS_VALUE ? av_rescale(input->start_time, 1000, AV_TIME_BASE) : INT64_MIN;
  const int64_t file_start_ms = base_ms == INT64_MIN ? 0 : base_ms;
  ClipWindow clip;
  if (options_.clip) {
    clip = clip_window(*options_.clip, *input, vs, shown_url_);
    if (clip.start_ms > 0) {
      // To the keyframe at or before the start (max_ts = the start); the first pass logs it.
      const int64_t at = av_rescale(file_start_ms + clip.start_ms, AV_TIME_BASE, 1000);
      av_check(avformat_seek_file(input.get(), -1, INT64_MIN, at, at, 0), ("seek in " + shown_url_).c_str());
    }
    if (first_pass)
      spdlog::info("file source {}: clipped to {} ms .. {}", options_.label, clip.start_ms,
                   clip.stop_ms ? std::to_string(*clip.stop_ms) + " ms" : std::string("the end"));
    base_ms = INT64_MIN;  // the first packet delivered is the pass's 0
  }
  bool clip_started = !options_.clip;
  int64_t end_ms = 0;
  PacketPtr pkt = make_packet();
  while (!stop_) {
    rc = av_read_frame(input.get(), pkt.get());
    if (rc == AVERROR_EOF || (rc < 0 && input->pb && avio_feof(input->pb))) break;
    if (rc < 0) {
      if (stop_) return false;
      throw std::runtime_error("read " + shown_url_ + ": " + av_error_text(rc));
    }
    const int index = pkt->stream_index;
    if (index == c && pkt->size > 0) {
      const bool ok = deliver_cue(*pkt, splice_clock);
      av_packet_unref(pkt.get());
      if (!ok) return false;
      continue;
    }
    if ((index != v && index != a) || pkt->size <= 0) {
      av_packet_unref(pkt.get());
      continue;
    }
    const AVStream* st = input->streams[index];
    int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : dts;
    if (dts == AV_NOPTS_VALUE) {  // nothing to place it on the timeline
      av_packet_unref(pkt.get());
      continue;
    }
    int64_t dts_ms = av_rescale_q(dts, st->time_base, ms);
    int64_t pts_ms = av_rescale_q(pts, st->time_base, ms);
    if (options_.clip) {
      const int64_t in_file_ms = pts_ms - file_start_ms;
      if (clip.stop_ms && in_file_ms >= *clip.stop_ms) break;  // the clip's end is the input's end
      // The clip begins at the keyframe the seek found (nothing before it decodes), or for audio
      // alone at its start.
      const bool begins = vs ? index == v && (pkt->flags & AV_PKT_FLAG_KEY) : in_file_ms >= clip.start_ms;
      if (!clip_started && !begins) {
        av_packet_unref(pkt.get());
        continue;
      }
      clip_started = true;
    }
    if (base_ms == INT64_MIN) base_ms = dts_ms;
    dts_ms += offset_ms - base_ms;
    pts_ms += offset_ms - base_ms;
    end_ms = std::max(end_ms, pts_ms + std::max<int64_t>(1, av_rescale_q(pkt->duration, st->time_base, ms)));
    splice_clock.frame(av_rescale_q(pts, st->time_base, AVRational{1, 90000}), pts_ms);
    bool ok = index == v ? translator.video(*pkt, st, dts_ms, pts_ms, emit) : translator.audio(*pkt, dts_ms, emit);
    av_packet_unref(pkt.get());
    if (!ok) return false;
  }
  offset_ms = end_ms;
  return !stop_;
}

bool FileSource::wait_until_due(int64_t dts_ms) {
  if (!pacing_started_) {
    pacing_started_ = true;
    pacing_wall_ = Clock::now();
    pacing_first_ms_ = dts_ms;
  }
  auto due = pacing_wall_ + std::chrono::milliseconds(dts_ms - pacing_first_ms_);
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, due, [&] { return stop_.load(); });
  return !stop_;
}

bool FileSource::deliver_cue(const AVPacket& packet, const ads::SpliceClock& clock) {
  std::string why;
  const std::span section(packet.data, static_cast<size_t>(packet.size));
  auto splice = ads::decode_splice_info(section, why);
  if (!splice) {
    spdlog::log(ads::is_splice_null(section) ? spdlog::level::debug : spdlog::level::info,
                "file source {}: SCTE-35 section ignored: {}", options_.label, why);
    return true;
  }
  auto at_ms = clock.delivered_ms(splice->pts_90k);
  if (!at_ms) {
    spdlog::info("file source {}: SCTE-35 section before the first frame ignored", options_.label);
    return true;
  }
  IngestEvent cue = make_event(IngestEvent::Type::Cue, MediaKind::Video);
  cue.dts_ms = *at_ms;
  cue.data.assign(packet.data, packet.data + packet.size);
  return deliver(cue);
}

bool FileSource::deliver(IngestEvent& event) {
  if (event.type == IngestEvent::Type::Frame) {
    if (options_.realtime && !wait_until_due(event.dts_ms)) return false;
    std::lock_guard lock(mutex_);
    ++(event.kind == MediaKind::Video ? stats_.video_frames : stats_.audio_frames);
    stats_.last_frame = Clock::now();
  }
  // offer() never blocks; a full queue means the consumer is behind, so try again shortly.
  while (!sink_->offer(event)) {
    if (stop_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::unique_ptr<FileSource> pushed_mpegts_demuxer(const std::string& transport, const std::string& label,
                                                  std::function<int(uint8_t* buffer, int size)> read,
                                                  std::shared_ptr<IngestSink> sink, int scte35_pid) {
  FileSourceOptions options;
  options.scte35_pid = scte35_pid;
  options.url = transport + " " + label;
  options.label = label;
  options.format = "mpegts";
  options.read = std::move(read);
  return std::make_unique<FileSource>(std::move(options), std::move(sink));
}

}  // namespace mediaemu::pipeline
