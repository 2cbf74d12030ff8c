// The counters in output file names ("<stem>.<digits>.<extension>", as MediaLive names Archive and
// FrameCapture files): the next one free in a directory, so that a channel that runs again goes on
// numbering instead of overwriting what an earlier run wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace mediaemu::pipeline {

struct NumberedName {
  std::string stem, extension;
};

// One more than the highest counter of any of `names` found in `directory`; 0 when there is none.
int64_t next_free_counter(const std::filesystem::path& directory, const std::vector<NumberedName>& names);

// "<stem>.<counter padded to `digits`>.<extension>"
std::string numbered_name(const NumberedName& name, int64_t counter, int digits);

}  // namespace mediaemu::pipeline
