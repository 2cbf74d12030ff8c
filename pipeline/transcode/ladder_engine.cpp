#include "pipeline/transcode/ladder_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "pipeline/ads/splice_decode.hpp"
#include "pipeline/transcode/content_levels.hpp"
#include "pipeline/transcode/still_image.hpp"

namespace mediaemu::pipeline {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// MediaLive InputLossBehavior: 1,000,000 ms means "forever" (CFN InputLossBehavior).
constexpr int kForeverMs = 1'000'000;
// Input timestamps that jump further than this (publisher clock reset, a spliced source) are
// rebased onto the output timeline instead of being bridged with repeated frames.
constexpr int64_t kMaxTimestampJumpMs = 5'000;
// How often filler frames are produced during input loss.
constexpr milliseconds kFillerTick{10};
// How far decoded audio may wait for the video when avails are blanked (push_audio).
constexpr int64_t kMaxAudioHoldUs = 2'000'000;

int64_t wall_ms_now() {
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int find_index(const auto& items, const std::string& name) {
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

LadderEngine::LadderEngine(const LadderSpec& spec, MediaSink& sink) : spec_(spec), sink_(sink) {
  // Track ids: video renditions 1..V in spec order, then audio V+1..V+A.
  std::map<int, AVRational> time_bases;
  const int video_count = static_cast<int>(spec_.video.size());
  for (int i = 0; i < video_count; ++i) time_bases[i + 1] = VideoRendition::kTimeBase;
  for (size_t i = 0; i < spec_.audio.size(); ++i)
    time_bases[video_count + 1 + static_cast<int>(i)] = AVRational{1, spec_.audio[i].sample_rate};
  interleaver_ = std::make_unique<PacketInterleaver>(sink_, time_bases);

  VideoEncoderSettings settings{spec_.x264_preset, spec_.encoder_threads,
                                yuv_from_rgb_hex(spec_.input_loss.color)};
  for (int i = 0; i < video_count; ++i)
    video_.push_back(std::make_unique<VideoRendition>(spec_.video[i], i + 1, settings, *interleaver_));
  for (size_t i = 0; i < spec_.audio.size(); ++i)
    audio_.push_back(std::make_unique<AudioRendition>(spec_.audio[i], video_count + 1 + static_cast<int>(i),
                                                      *interleaver_));
  for (const auto& c : spec_.captures) captures_.push_back(std::make_unique<FrameCapturer>(c));
  for (const auto& o : spec_.outputs) {
    Variant v{o.name, 0, {}};
    if (!o.video.empty()) {
      int i = find_index(spec_.video, o.video);
      if (i < 0) throw std::invalid_argument("output " + o.name + " names unknown video " + o.video);
      v.video_track = i + 1;
    }
    for (const auto& a : o.audio) {
      int i = find_index(spec_.audio, a);
      if (i < 0) throw std::invalid_argument("output " + o.name + " names unknown audio " + a);
      v.audio_tracks.push_back(video_count + 1 + i);
    }
    variants_.push_back(std::move(v));
  }
}

void LadderEngine::load_stills() {
  auto load = [&](const std::string& location, const char* what, FramePtr& into) {
    if (location.empty() || into) return;
    std::string error;
    into = load_still_image(location, error);
    if (into)
      spdlog::info("transcode {}: {} {} ({}x{})", spec_.label, what, location, into->width, into->height);
    else
      spdlog::warn("transcode {}: {} {} cannot be shown, {}; black is shown instead", spec_.label, what, location,
                   error);
  };
  load(spec_.avail_blanking ? spec_.avail_blanking_image : std::string(), "AvailBlankingImage", avail_image_);
  load(spec_.input_loss.slate_image, "InputLossImageSlate", loss_slate_);
  for (auto& v : video_) v->set_loss_slate(loss_slate_.get());
}

void LadderEngine::handle(IngestEvent& event, Clock::time_point now) {
  if (failed_) return;
  try {
    switch (event.type) {
      case IngestEvent::Type::Metadata:
        for (const char* key : {"framerate", "fps"}) {
          auto it = event.metadata.find(key);
          if (it != event.metadata.end()) {
            double fps = std::atof(it->second.c_str());
            if (fps > 0) metadata_fps_ = av_d2q(fps, 100000);
          }
        }
        break;
      case IngestEvent::Type::VideoConfig:
        open_decoder(video_decoder_, AV_CODEC_ID_H264, event.data);
        break;
      case IngestEvent::Type::AudioConfig:
        open_decoder(audio_decoder_, AV_CODEC_ID_AAC, event.data);
        break;
      case IngestEvent::Type::Frame:
        on_frame(event, now);
        break;
      case IngestEvent::Type::Cue:
        on_input_cue(event);
        break;
      case IngestEvent::Type::End:
        spdlog::info("transcode {}: publisher ended ({})", spec_.label, event.reason);
        drain_decoders();
        rebase_ = true;  // a new publish restarts its timestamps
        break;
    }
  } catch (const std::exception& e) {
    spdlog::error("transcode {}: {}; the ladder stops producing output", spec_.label, e.what());
    failed_ = true;
  }
}

void LadderEngine::open_decoder(std::optional<StreamDecoder>& decoder, AVCodecID codec, const Bytes& config) {
  // The previous configuration's last frames still belong to the output. Only this decoder is
  // drained: draining flushes its reference pictures, which the other stream must keep.
  if (decoder) {
    if (&decoder == &video_decoder_) decoder->drain([&](AVFrame* f) { on_video_picture(f); });
    else decoder->drain([&](AVFrame* f) { on_audio_samples(f); });
  }
  decoder.reset();
  try {
    decoder.emplace(codec, config);
  } catch (const std::exception& e) {
    spdlog::warn("transcode {}: ignoring {} frames until a usable configuration: {}", spec_.label,
                 avcodec_get_name(codec), e.what());
  }
}

void LadderEngine::drain_decoders() {
  if (video_decoder_) video_decoder_->drain([&](AVFrame* f) { on_video_picture(f); });
  if (audio_decoder_) audio_decoder_->drain([&](AVFrame* f) { on_audio_samples(f); });
  release_held_audio(true);  // no more video of this publish to wait for
}

void LadderEngine::on_frame(IngestEvent& event, Clock::time_point now) {
  const bool video = event.kind == MediaKind::Video;
  ++(video ? stats_.video_frames_in : stats_.audio_frames_in);
  if (state_ == InputState::LostFilling || state_ == InputState::LostPaused) leave_loss(now);
  if (!rebase_ && std::abs(event.dts_ms - last_dts_ms_) > kMaxTimestampJumpMs) {
    spdlog::warn("transcode {}: input timestamps jumped {} ms; continuing the output timeline",
                 spec_.label, event.dts_ms - last_dts_ms_);
    rebase_ = true;
  }
  // The first frame of a publish anchors the timeline by its presentation time, so the first
  // picture lands on the resume point itself rather than its composition offset later.
  if (rebase_) rebase(video ? event.dts_ms + event.cts_ms : event.dts_ms, now);
  state_ = InputState::Live;
  last_dts_ms_ = event.dts_ms;
  last_frame_wall_ = now;
  last_frame_out_us_ = std::max(last_frame_out_us_, event.dts_ms * 1000 + offset_us_);

  auto& decoder = video ? video_decoder_ : audio_decoder_;
  if (!decoder) {
    ++stats_.frames_without_config;
    return;
  }
  bool ok = video ? decoder->decode(event.data, event.dts_ms + event.cts_ms, event.dts_ms, event.keyframe,
                                    [&](AVFrame* f) { on_video_picture(f); })
                  : decoder->decode(event.data, event.dts_ms, event.dts_ms, event.keyframe,
                                    [&](AVFrame* f) { on_audio_samples(f); });
  if (!ok) note_decode_error(video ? "video" : "audio");
}

void LadderEngine::note_decode_error(const char* kind) {
  ++stats_.decode_errors;
  if (stats_.decode_errors <= 5 || stats_.decode_errors % 100 == 0)
    spdlog::warn("transcode {}: skipped a corrupt {} frame ({} so far)", spec_.label, kind, stats_.decode_errors);
}

void LadderEngine::rebase(int64_t anchor_ms, Clock::time_point now) {
  int64_t resume_us = 0;
  if (epoch_ms_at_zero_ == 0) {
    epoch_ms_at_zero_ = wall_ms_now();  // output pts 0 is now
  } else {
    // Continue where the output is, or where the wall clock says it should be after a short gap.
    resume_us = std::max(timeline_end_us(), output_us_at(now));
  }
  offset_us_ = resume_us - anchor_ms * 1000;
  publish_start_us_ = resume_us;
  last_frame_out_us_ = std::max(last_frame_out_us_, resume_us);
  rebase_ = false;
}

void LadderEngine::on_video_picture(AVFrame* decoded) {
  peak_luma_ = std::max(peak_luma_, peak_luma_permille(decoded));  // the input's, blanked or not
  if (!video_.empty() && !video_.front()->is_open()) open_video_renditions(decoded);
  int64_t t_us = decoded->best_effort_timestamp * 1000 + offset_us_;
  FramePtr black = in_avail(t_us, t_us + 1) ? black_like(decoded) : nullptr;
  AVFrame* picture = black ? black.get() : decoded;
  for (auto& v : video_) v->push(picture, t_us);
  for (auto& c : captures_) {
    if (!c) continue;
    try {
      c->push(picture, t_us, sink_);
    } catch (const std::exception& e) {
      // A still that cannot be made loses that capture output, not the channel's streams.
      spdlog::error("transcode {}: frame capture stopped: {}", spec_.label, e.what());
      c.reset();
    }
  }
  release_held_audio(false);
  if (!audio_decoder_ && !video_.empty()) {
    // An input without audio still gets (silent) audio renditions, kept level with the video.
    int64_t until = video_.front()->next_time_us();
    for (auto& a : audio_) a->fill_silence(until);
  }
  maybe_start_output();
}

void LadderEngine::on_audio_samples(AVFrame* decoded) {
  peak_audio_ = std::max(peak_audio_, peak_amplitude_ppm(decoded));
  int64_t t_us = decoded->best_effort_timestamp * 1000 + offset_us_;
  if (spec_.avail_blanking && !video_.empty()) {
    FramePtr held(av_frame_clone(decoded));
    if (!held) throw std::bad_alloc();
    held_audio_.emplace_back(std::move(held), t_us);
    release_held_audio(false);
  } else {
    push_audio(decoded, t_us);
  }
  maybe_start_output();
}

void LadderEngine::push_audio(const AVFrame* decoded, int64_t t_us) {
  // The whole frame is silenced if any of it is in an avail: no programme sound leaks into a break.
  const int64_t end_us = t_us + av_rescale(decoded->nb_samples, 1'000'000, std::max(1, decoded->sample_rate));
  FramePtr silence = in_avail(t_us, end_us) ? silence_like(decoded) : nullptr;
  const AVFrame* samples = silence ? silence.get() : decoded;
  for (auto& a : audio_) a->push(samples, t_us);
}

void LadderEngine::release_held_audio(bool all) {
  int64_t video_at = INT64_MAX;  // every open rendition's next frame; cues are placed at or after it
  for (const auto& v : video_) video_at = std::min(video_at, v->is_open() ? v->next_time_us() : INT64_MIN);
  while (!held_audio_.empty()) {
    auto& [samples, t_us] = held_audio_.front();
    const int64_t end_us = t_us + av_rescale(samples->nb_samples, 1'000'000, std::max(1, samples->sample_rate));
    const bool passed = end_us <= video_at;
    const bool too_far = held_audio_.back().second - t_us > kMaxAudioHoldUs;
    if (!all && !passed && !too_far) break;
    push_audio(samples.get(), t_us);
    held_audio_.pop_front();
  }
}

void LadderEngine::open_video_renditions(const AVFrame* first) {
  AVRational source_fps = video_decoder_ ? video_decoder_->context()->framerate : AVRational{0, 1};
  if (source_fps.num <= 0 || source_fps.den <= 0) source_fps = metadata_fps_;
  for (auto& v : video_) {
    v->open(first->width, first->height, first->sample_aspect_ratio, source_fps);
    // Starts where the current publish starts on the timeline (0 for the first), whatever the
    // audio has already covered while the video decoder filled its pipeline.
    v->skip_to(publish_start_us_);
  }
}

void LadderEngine::maybe_start_output() {
  if (interleaver_->started()) return;
  for (const auto& v : video_)
    if (!v->is_open()) return;
  OutputLayout layout;
  for (const auto& v : video_) layout.tracks.push_back(v->track_info());
  for (const auto& a : audio_) layout.tracks.push_back(a->track_info());
  layout.variants = variants_;
  layout.epoch_ms_at_zero = epoch_ms_at_zero_;
  std::string summary;
  for (const auto& t : layout.tracks)
    summary += fmt::format(" [{} {} {}x{} {}b/s]", t.id, t.codecs, t.width, t.height, t.bitrate);
  spdlog::info("transcode {}: output layout{}", spec_.label, summary);
  interleaver_->start(layout);
  for (auto& cue : std::exchange(pending_cues_, {})) place_cue(std::move(cue));
}

void LadderEngine::on_input_cue(const IngestEvent& event) {
  std::string why;
  auto splice = ads::decode_splice_info(event.data, why);
  if (!splice) {  // sources hand on only sections that decode (FileSource::deliver_cue logs the others)
    spdlog::warn("transcode {}: an input SCTE-35 cue that does not decode ignored: {}", spec_.label, why);
    return;
  }
  if (rebase_) {
    spdlog::info("transcode {}: input SCTE-35 section before the input's first frame ignored", spec_.label);
    return;
  }
  ads::CueRequest cue;
  cue.name = "from the input";  // the log line names the command and event id
  cue.info = std::move(splice->info);
  // The input's splice time on the output timeline, moved by AdAvailOffset (embedded cues only).
  cue.at_output_us = event.dts_ms * 1000 + offset_us_ + int64_t{spec_.avail_rules.ad_avail_offset_ms} * 1000;
  insert_cue(std::move(cue));
}

void LadderEngine::insert_cue(ads::CueRequest cue) {
  if (interleaver_->started() && !failed_) place_cue(std::move(cue));
  else pending_cues_.push_back(std::move(cue));
}

int64_t LadderEngine::splice_point_at_or_after(int64_t t_us) const {
  // Renditions of different frame rates share frame times only on some instants (30 and 15 fps:
  // every other 30 fps frame); a few rounds find one for usual ladders.
  for (int round = 0; round < 4; ++round) {
    int64_t t = t_us;
    for (const auto& v : video_)
      if (v->is_open()) t = std::max(t, v->slot_time_at_or_after(t));
    if (t == t_us) break;
    t_us = t;
  }
  return t_us;
}

void LadderEngine::place_cue(ads::CueRequest cue) {
  // Not before what the encoders have been given: the next frame to encode is the earliest.
  int64_t earliest = 0;
  for (const auto& v : video_)
    if (v->is_open()) earliest = std::max(earliest, v->next_time_us());
  if (video_.empty())
    for (const auto& a : audio_) earliest = std::max(earliest, a->next_time_us());
  int64_t t_us = earliest;
  if (cue.at_epoch_ms) t_us = std::max(earliest, (*cue.at_epoch_ms - epoch_ms_at_zero_) * 1000);
  if (cue.at_output_us) t_us = std::max(earliest, *cue.at_output_us);
  t_us = splice_point_at_or_after(t_us);
  ads::AdCue placed = ads::make_cue(std::move(cue.info), t_us, std::move(cue.name));
  for (auto& v : video_) v->force_idr_at(t_us);
  std::optional<double> duration = placed.duration_seconds();
  int64_t back_us = INT64_MAX;  // where the break returns to the network (unknown without a duration)
  if (duration && placed.edge() == ads::AdCue::Edge::Out) {
    back_us = splice_point_at_or_after(t_us + static_cast<int64_t>(*duration * 1e6));
    for (auto& v : video_) v->force_idr_at(back_us);
  }
  if (spec_.avail_blanking) {
    std::string why;
    if (placed.edge() == ads::AdCue::Edge::Out) {
      if (ads::blanks_avail(placed, spec_.avail_rules, why)) {
        avails_.emplace_back(t_us, back_us);
        spdlog::info("transcode {}: ad avail blanking from {} ms{}", spec_.label, t_us / 1000,
                     back_us == INT64_MAX ? std::string(" until a return to the network")
                                          : fmt::format(" to {} ms", back_us / 1000));
      } else {
        spdlog::info("transcode {}: SCTE-35 {} (event {}) not blanked: {}", spec_.label, placed.name,
                     placed.event_id(), why);
      }
    }
    if (placed.edge() == ads::AdCue::Edge::In)
      for (auto& [start, end] : avails_) end = std::min(end, std::max(start, t_us));  // a return ends them
    // Over once neither the encoders nor the audio waiting for the video can reach them.
    const int64_t oldest = held_audio_.empty() ? earliest : std::min(earliest, held_audio_.front().second);
    std::erase_if(avails_, [&](const auto& a) { return a.second <= oldest; });
  }
  int64_t late_ms = cue.at_epoch_ms ? (t_us / 1000 + epoch_ms_at_zero_) - *cue.at_epoch_ms : 0;
  spdlog::info("transcode {}: SCTE-35 {} ({}, event {}) at {} ms on the output timeline{}", spec_.label,
               placed.name, placed.info.command == ads::SpliceInfo::Command::SpliceInsert ? "splice_insert" : "time_signal",
               placed.event_id(), t_us / 1000,
               late_ms > 1000 ? fmt::format(", {} ms after its time (the output was behind it)", late_ms) : "");
  sink_.on_cue(placed);
}

bool LadderEngine::in_avail(int64_t from_us, int64_t to_us) const {
  return std::any_of(avails_.begin(), avails_.end(),
                     [&](const auto& a) { return from_us < a.second && to_us > a.first; });
}

FramePtr LadderEngine::black_like(const AVFrame* picture) {
  if (avail_image_) {
    // The image at the source's size (black bars where its aspect differs), scaled once per size.
    if (!avail_picture_ || avail_picture_->width != picture->width || avail_picture_->height != picture->height) {
      avail_scaler_.emplace(picture->width, picture->height, false);
      avail_picture_ = avail_scaler_->scale(avail_image_.get());
    }
    FramePtr shown = ref_picture(avail_picture_.get());
    shown->pts = picture->pts;
    shown->best_effort_timestamp = picture->best_effort_timestamp;
    shown->sample_aspect_ratio = picture->sample_aspect_ratio;
    return shown;
  }
  if (!black_pool_ || black_pool_->width() != picture->width || black_pool_->height() != picture->height)
    black_pool_ = std::make_unique<PicturePool>(picture->width, picture->height);
  FramePtr black = make_solid_picture(*black_pool_, YuvColor{});
  black->pts = picture->pts;
  black->best_effort_timestamp = picture->best_effort_timestamp;
  black->sample_aspect_ratio = picture->sample_aspect_ratio;
  return black;
}

FramePtr LadderEngine::silence_like(const AVFrame* samples) const {
  FramePtr silence(av_frame_alloc());
  if (!silence) throw std::bad_alloc();
  silence->format = samples->format;
  silence->sample_rate = samples->sample_rate;
  silence->nb_samples = samples->nb_samples;
  av_check(av_channel_layout_copy(&silence->ch_layout, &samples->ch_layout), "copy a channel layout");
  av_check(av_frame_get_buffer(silence.get(), 0), "allocate silence");
  av_samples_set_silence(silence->extended_data, 0, samples->nb_samples, samples->ch_layout.nb_channels,
                         static_cast<AVSampleFormat>(samples->format));
  silence->pts = samples->pts;
  silence->best_effort_timestamp = samples->best_effort_timestamp;
  return silence;
}

int64_t LadderEngine::timeline_end_us() const {
  int64_t end = 0;
  for (const auto& v : video_)
    if (v->is_open()) end = std::max(end, v->next_time_us());
  for (const auto& a : audio_) end = std::max(end, a->next_time_us());
  return end;
}

int64_t LadderEngine::output_us_at(Clock::time_point now) const {
  return last_frame_out_us_ + duration_cast<microseconds>(now - last_frame_wall_).count();
}

std::chrono::milliseconds LadderEngine::tick(Clock::time_point now) {
  const milliseconds threshold{std::max(1, spec_.input_loss.input_loss_threshold_ms)};
  if (failed_) return milliseconds{1000};
  switch (state_) {
    case InputState::Waiting:
    case InputState::LostPaused:
      return milliseconds{1000};
    case InputState::Live: {
      auto quiet = duration_cast<milliseconds>(now - last_frame_wall_);
      if (quiet < threshold) return threshold - quiet;
      enter_loss(now);
      return state_ == InputState::LostFilling ? kFillerTick : milliseconds{1000};
    }
    case InputState::LostFilling:
      fill_until(now);
      return kFillerTick;
  }
  return milliseconds{1000};
}

void LadderEngine::enter_loss(Clock::time_point now) {
  ++stats_.losses;
  drain_decoders();  // the last pictures before the loss are real content
  loss_start_out_us_ = timeline_end_us();
  const auto& loss = spec_.input_loss;
  if (loss.emit_output) {
    state_ = InputState::LostFilling;
    spdlog::warn("transcode {}: input lost; filling (repeat {} ms, black {} ms, then #{})", spec_.label,
                 loss.repeat_frame_ms, loss.black_frame_ms, loss.color);
    if (interleaver_->started()) sink_.on_filler_start(loss_start_out_us_);  // pausing groups drop it
    fill_until(now);
  } else {
    state_ = InputState::LostPaused;
    spdlog::warn("transcode {}: input lost; output paused", spec_.label);
    for (auto& v : video_) v->drain();
    for (auto& a : audio_) a->drain();
    interleaver_->flush();
  }
}

void LadderEngine::leave_loss(Clock::time_point now) {
  int64_t gap_ms = duration_cast<milliseconds>(now - last_frame_wall_).count();
  if (state_ == InputState::LostFilling) {
    fill_until(now);
    if (interleaver_->started()) sink_.on_filler_end(timeline_end_us());  // real frames carry on from there
    spdlog::info("transcode {}: input back after {} ms of filler", spec_.label, gap_ms);
  } else {
    // PAUSE_OUTPUT: the timeline jumps by the wall-clock gap, rounded up to the next GOP start
    // so the renditions' segment cadence stays regular after the discontinuity.
    int64_t resume_us = std::max(timeline_end_us(), output_us_at(now));
    if (!video_.empty() && video_.front()->is_open()) resume_us = video_.front()->next_gop_start_us(resume_us);
    for (auto& v : video_)
      if (v->is_open()) v->skip_to(resume_us);
    for (auto& a : audio_) a->skip_to(resume_us);
    if (interleaver_->started()) sink_.on_discontinuity();
    spdlog::info("transcode {}: input back after {} ms; output resumes at {} ms after a discontinuity",
                 spec_.label, gap_ms, resume_us / 1000);
  }
  rebase_ = true;
}

FillerPicture LadderEngine::filler_at(int64_t t_us) const {
  const auto& loss = spec_.input_loss;
  int64_t elapsed_ms = (t_us - loss_start_out_us_) / 1000;
  if (loss.repeat_frame_ms >= kForeverMs || elapsed_ms < loss.repeat_frame_ms) return FillerPicture::LastPicture;
  if (loss.black_frame_ms >= kForeverMs || elapsed_ms < int64_t{loss.repeat_frame_ms} + loss.black_frame_ms)
    return FillerPicture::Black;
  return FillerPicture::Color;
}

void LadderEngine::fill_until(Clock::time_point now) {
  if (!interleaver_->started()) return;  // nothing was ever output: nothing to continue
  int64_t until = output_us_at(now);
  auto pick = [this](int64_t t) { return filler_at(t); };
  for (auto& v : video_) v->fill(until, pick);
  for (auto& a : audio_) a->fill_silence(until);
}

void LadderEngine::finish() {
  try {
    if (!failed_) drain_decoders();
    for (auto& v : video_) v->drain();
    for (auto& a : audio_) a->drain();
    interleaver_->flush();
  } catch (const std::exception& e) {
    spdlog::error("transcode {}: while finishing: {}", spec_.label, e.what());
  }
  sink_.on_end();
}

int64_t LadderEngine::fill_ms(Clock::time_point now) const {
  if (state_ != InputState::LostFilling) return 0;
  return std::max<int64_t>(0, (output_us_at(now) - loss_start_out_us_) / 1000);
}

bool LadderEngine::producing() const {
  return !failed_ && interleaver_->started() && state_ != InputState::LostPaused && state_ != InputState::Waiting;
}

LadderEngine::Stats LadderEngine::stats() const {
  Stats s = stats_;
  for (const auto& v : video_) {
    s.video_frames_out += v->stats().frames_out;
    s.dropped += v->stats().dropped;
    s.duplicated += v->stats().duplicated;
  }
  for (const auto& a : audio_) s.audio_frames_out += a->frames_out();
  return s;
}

}  // namespace mediaemu::pipeline
