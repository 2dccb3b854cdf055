#include "template_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace ankommen::notifications {

absl::StatusOr<TemplateSet> LoadTemplates(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::NotFoundError(absl::StrCat("no template folder ", dir));
  std::vector<Template> templates;
  for (const auto& kind : fs::directory_iterator(dir)) {
    if (!kind.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(kind.path())) {
      if (file.path().extension() != ".mustache") continue;
      std::ifstream in(file.path());
      std::stringstream text;
      text << in.rdbuf();
      auto t = ParseTemplate(kind.path().filename().string(), file.path().stem().string(), text.str());
      if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat(file.path().string(), ": ", t.status().message()));
      templates.push_back(std::move(*t));
    }
  }
  return TemplateSet::Build(std::move(templates));
}

}  // namespace ankommen::notifications
