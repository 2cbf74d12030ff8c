// Reads a media file (MP4, TS, ...) into what a channel's output would hand the packagers: an
// OutputLayout and the MediaPackets in decode-time order. For replaying recorded renditions
// through packagers (tests, tools); not a live source.
//
// Tracks get ids from 1 in stream order. Each video stream becomes a variant with every audio
// stream; without video, each audio stream is an audio-only variant.
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

struct RecordedOutput {
  OutputLayout layout;
  std::vector<MediaPacket> packets;
};

// Throws std::runtime_error naming the file when it cannot be read.
RecordedOutput read_media_file(const std::filesystem::path& path, int64_t epoch_ms_at_zero = 0);

}  // namespace mediaemu::pipeline
