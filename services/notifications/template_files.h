// Reading the templates from their folder (templates/<kind>/<language>.mustache).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "domain/templates.h"

namespace ankommen::notifications {

// Every template under `dir`; INVALID_ARGUMENT naming the file that does not parse.
absl::StatusOr<TemplateSet> LoadTemplates(const std::string& dir);

}  // namespace ankommen::notifications
