// Structured logging: one JSON object per line on stderr. Fields are ids,
// counts and codes; never names, birth dates, addresses or contact data.
//
// A line is formatted on the caller's thread and written by a thread of the
// logger's own, so a slow or stalled log pipe never holds up a request. When
// 16,384 lines wait, further lines are dropped and counted: the count is
// written as a "log_lines_dropped" line once the pipe moves, and served as
// ankommen_log_lines_dropped_total. An error line waits (up to a second)
// until it is written, so that it is out before a crash that may follow.
// What waits at exit is written then.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ankommen::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Value = std::variant<std::string_view, int64_t, double, bool>;
struct Field {
  std::string_view key;
  Value value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  // Debian's abseil has its own string_view (absl::Status::message()).
  Field(std::string_view k, absl::string_view v) : key(k), value(std::string_view(v.data(), v.size())) {}
  Field(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};
using Fields = std::initializer_list<Field>;

// Sets the service name stamped on every line and the lowest level written.
void Init(std::string_view service, std::string_view min_level);

// Writes {"ts":…,"level":…,"service":…,"event":…, fields…}, the fields in
// the order given.
void Write(Level level, std::string_view event, Fields fields = {});

// Waits until the lines written so far are out, or `wait` has passed.
void Flush(absl::Duration wait = absl::Seconds(5));

// Lines dropped since the process started because too many waited.
uint64_t DroppedLines();

// For tests: the last line written (without the newline).
std::string LastLineForTesting();

inline void Debug(std::string_view event, Fields fields = {}) { Write(Level::kDebug, event, fields); }
inline void Info(std::string_view event, Fields fields = {}) { Write(Level::kInfo, event, fields); }
inline void Warn(std::string_view event, Fields fields = {}) { Write(Level::kWarn, event, fields); }
inline void Error(std::string_view event, Fields fields = {}) { Write(Level::kError, event, fields); }

}  // namespace ankommen::log
