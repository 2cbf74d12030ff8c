// Which segments a live manifest lists: those that ended by the (delayed) live edge, newest
// first until the window is covered, so the listed duration is between the window and the
// window plus one segment. Shared by the HLS playlists and the DASH MPD.
#pragma once

#include <cstddef>
#include <utility>

namespace mediaemu::pipeline {

// `entries`: indexable, in timeline order, elements with `position` and `duration` (seconds on
// the gapless timeline). Returns [first, last) indexes.
template <class Entries>
std::pair<size_t, size_t> published_window(const Entries& entries, double edge, double window, bool keep_all) {
  size_t last = 0;
  while (last < entries.size() && entries[last].position + entries[last].duration <= edge + 1e-6) ++last;
  if (last == 0 || keep_all) return {0, last};
  size_t first = last;
  double covered = 0;
  while (first > 0 && covered < window - 1e-6) {
    --first;
    covered += entries[first].duration;
  }
  return {first, last};
}

}  // namespace mediaemu::pipeline
