// A district's targets file read from disk and checked (domain/indicators.h
// ParseTargets): the targets, or every mistake as "file:line: field: message".
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "indicators.h"

namespace ankommen::monitoring {

// INVALID_ARGUMENT with one line per mistake (or the file that cannot be read).
absl::StatusOr<std::vector<Target>> ReadTargetsFile(const std::string& path);

}  // namespace ankommen::monitoring
