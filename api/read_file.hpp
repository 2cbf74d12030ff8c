// The whole of a regular file as bytes: the origin's responses, the archives it parses and the
// harvester's copies all read files this one way.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace mediaemu::api {

// nullopt when `file` is not a regular file or cannot be opened.
inline std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mediaemu::api
