// Still images a channel shows instead of its input: the AvailBlankingImage during ad avails and
// the InputLossImageSlate during input loss (MediaLive's AvailBlanking and InputLossBehavior:
// "BMP, PNG or TGA" files at an InputLocation). Read once with libavformat/libavcodec from a path
// or URL, on the transcoder's own thread (LadderEngine::load_stills), and scaled to each picture
// size that shows them.
#pragma once

#include <string>

#include "pipeline/libav.hpp"

namespace mediaemu::pipeline {

// The first picture of the image at `location`; null with `error` saying why when it cannot be
// opened or decoded.
FramePtr load_still_image(const std::string& location, std::string& error);

}  // namespace mediaemu::pipeline
