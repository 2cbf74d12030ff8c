#include "pipeline/package/media_file_source.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "pipeline/package/codec_config.hpp"

namespace mediaemu::pipeline {

RecordedOutput read_media_file(const std::filesystem::path& path, int64_t epoch_ms_at_zero) {
  AVFormatContext* raw = nullptr;
  const std::string name = path.string();
  if (int rc = avformat_open_input(&raw, name.c_str(), nullptr, nullptr); rc < 0)
    throw std::runtime_error("cannot open " + name + ": " + av_error_text(rc));
  FormatInputPtr input(raw);
  av_check(avformat_find_stream_info(input.get(), nullptr), ("reading stream info of " + name).c_str());

  RecordedOutput out;
  out.layout.epoch_ms_at_zero = epoch_ms_at_zero;
  std::vector<int> track_of_stream(input->nb_streams, 0);
  for (unsigned i = 0; i < input->nb_streams; ++i) {
    const AVStream* st = input->streams[i];
    const AVCodecParameters* par = st->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO && par->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    TrackInfo t;
    t.id = static_cast<int>(out.layout.tracks.size()) + 1;
    t.kind = par->codec_type == AVMEDIA_TYPE_VIDEO ? MediaKind::Video : MediaKind::Audio;
    t.name = (t.kind == MediaKind::Video ? "video_" : "audio_") + std::to_string(t.id);
    t.codec = par->codec_id;
    t.extradata.assign(par->extradata, par->extradata + par->extradata_size);
    t.time_base = st->time_base;
    t.width = par->width;
    t.height = par->height;
    t.frame_rate = st->avg_frame_rate;
    t.sample_rate = par->sample_rate;
    t.channels = par->ch_layout.nb_channels;
    t.bitrate = par->bit_rate;
    t.codecs = codecs_string(t);
    track_of_stream[i] = t.id;
    out.layout.tracks.push_back(std::move(t));
  }
  std::vector<int> audio;
  for (const auto& t : out.layout.tracks)
    if (t.kind == MediaKind::Audio) audio.push_back(t.id);
  for (const auto& t : out.layout.tracks)
    if (t.kind == MediaKind::Video) out.layout.variants.push_back({t.name, t.id, audio});
  if (out.layout.variants.empty())
    for (int id : audio) out.layout.variants.push_back({out.layout.track(id)->name, 0, {id}});

  for (;;) {
    PacketPtr packet = make_packet();
    const int rc = av_read_frame(input.get(), packet.get());
    if (rc == AVERROR_EOF) break;
    av_check(rc, ("reading " + name).c_str());
    const int track = track_of_stream[packet->stream_index];
    if (track == 0) continue;
    out.packets.push_back({track, share(std::move(packet))});
  }
  // The channel's output is interleaved in decode time; a file's chunks need not be.
  auto seconds = [&](const MediaPacket& p) {
    const int64_t dts = p.packet->dts != AV_NOPTS_VALUE ? p.packet->dts : p.packet->pts;
    return dts * av_q2d(out.layout.track(p.track_id)->time_base);
  };
  std::stable_sort(out.packets.begin(), out.packets.end(),
                   [&](const MediaPacket& a, const MediaPacket& b) { return seconds(a) < seconds(b); });
  return out;
}

}  // namespace mediaemu::pipeline
