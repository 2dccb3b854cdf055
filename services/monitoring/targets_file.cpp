#include "targets_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace ankommen::monitoring {

absl::StatusOr<std::vector<Target>> ReadTargetsFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  LoadedTargets loaded = ParseTargets(text.str());
  if (loaded.problems.empty()) return std::move(loaded.targets);
  std::string problems;
  for (const auto& p : loaded.problems) {
    absl::StrAppend(&problems, problems.empty() ? "" : "\n", path, ":", p.line, ": ", p.field, ": ", p.message);
  }
  return absl::InvalidArgumentError(problems);
}

}  // namespace ankommen::monitoring
