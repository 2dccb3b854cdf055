// Errors are absl::Status values inside the services. Validation failures carry
// one violation per bad field (as google.rpc.BadRequest in the status payload),
// so the gRPC edge can name each field to the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace ankommen {

struct FieldViolation {
  std::string field;        // path like "household.members[0].birth_date"
  std::string description;  // what is wrong, for a person to read
};

inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// Collects violations while a request is checked; ToStatus() gives OK when none.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    list_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return list_.empty(); }
  const std::vector<FieldViolation>& list() const { return list_; }
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> list_;
};

// INVALID_ARGUMENT whose message names every field and whose payload holds them.
absl::Status InvalidFields(const std::vector<FieldViolation>& violations);

// The violations carried by a status (empty when it carries none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace ankommen
