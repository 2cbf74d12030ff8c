// Reading optional members of model-form JSON (settings as the AWS models name them): the value
// when present and of the right type, else a fallback. Shared by the settings translators.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mediaemu::media {

inline std::string text(const nlohmann::json& o, const char* k, const std::string& fallback = "") {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline double number(const nlohmann::json& o, const char* k, double fallback) {
  auto it = o.find(k);
  return it != o.end() && it->is_number() ? it->get<double>() : fallback;
}

inline int integer(const nlohmann::json& o, const char* k, int fallback) {
  auto it = o.find(k);
  return it != o.end() && it->is_number() ? it->get<int>() : fallback;
}

}  // namespace mediaemu::media
