#include "pipeline/transcode/still_image.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <memory>

namespace mediaemu::pipeline {

FramePtr load_still_image(const std::string& location, std::string& error) {
  AVFormatContext* raw = nullptr;
  if (int rc = avformat_open_input(&raw, location.c_str(), nullptr, nullptr); rc < 0) {
    error = "cannot open it: " + av_error_text(rc);
    return nullptr;
  }
  FormatInputPtr input(raw);
  if (int rc = avformat_find_stream_info(input.get(), nullptr); rc < 0) {
    error = "cannot read it: " + av_error_text(rc);
    return nullptr;
  }
  const int stream = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  const AVCodec* codec = stream >= 0 ? avcodec_find_decoder(input->streams[stream]->codecpar->codec_id) : nullptr;
  if (!codec) {
    error = "it is not an image mediaemu can decode";
    return nullptr;
  }
  CodecContextPtr decoder(avcodec_alloc_context3(codec));
  if (!decoder || avcodec_parameters_to_context(decoder.get(), input->streams[stream]->codecpar) < 0 ||
      avcodec_open2(decoder.get(), codec, nullptr) < 0) {
    error = std::string("cannot open its ") + codec->name + " decoder";
    return nullptr;
  }
  PacketPtr packet = make_packet();
  FramePtr picture = make_frame();
  // An image is one packet; the decoder is drained after it (and after the end of the file).
  bool sent_end = false;
  while (!sent_end) {
    int rc = av_read_frame(input.get(), packet.get());
    if (rc < 0) {
      avcodec_send_packet(decoder.get(), nullptr);
      sent_end = true;
    } else if (packet->stream_index == stream) {
      avcodec_send_packet(decoder.get(), packet.get());
    }
    av_packet_unref(packet.get());
    if (avcodec_receive_frame(decoder.get(), picture.get()) == 0 && picture->width > 0 && picture->height > 0)
      return picture;
  }
  error = "it holds no picture";
  return nullptr;
}

}  // namespace mediaemu::pipeline
