#include "pipeline/package/file_counter.hpp"

#include <algorithm>

namespace mediaemu::pipeline {

int64_t next_free_counter(const std::filesystem::path& directory, const std::vector<NumberedName>& names) {
  int64_t next = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    std::string file = it->path().filename().string();
    for (const NumberedName& n : names) {
      std::string prefix = n.stem + ".", suffix = "." + n.extension;
      if (file.size() <= prefix.size() + suffix.size() || file.rfind(prefix, 0) != 0 ||
          file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      std::string digits = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
      if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      next = std::max<int64_t>(next, std::stoll(digits) + 1);
    }
  }
  return next;
}

std::string numbered_name(const NumberedName& name, int64_t counter, int digits) {
  std::string number = std::to_string(counter);
  if (static_cast<int>(number.size()) < digits) number.insert(0, digits - number.size(), '0');
  return name.stem + "." + number + "." + name.extension;
}

}  // namespace mediaemu::pipeline
