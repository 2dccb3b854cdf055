#include "observability/log.h"

#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ankommen::log {
namespace {

struct LoggerState {
  std::mutex mutex;
  std::string service = "ankommen";
  Level min_level = Level::kInfo;
  std::string last_line;
};

LoggerState& State() {
  static LoggerState state;
  return state;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void Init(std::string_view service, std::string_view min_level) {
  auto& state = State();
  std::lock_guard lock(state.mutex);
  state.service = std::string(service);
  if (min_level == "debug") state.min_level = Level::kDebug;
  else if (min_level == "warn") state.min_level = Level::kWarn;
  else if (min_level == "error") state.min_level = Level::kError;
  else state.min_level = Level::kInfo;
}

void Write(Level level, std::string_view event, Fields fields) {
  auto& state = State();
  if (level < state.min_level) return;
  nlohmann::json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  {
    std::lock_guard lock(state.mutex);
    line["service"] = state.service;
  }
  line["event"] = std::string(event);
  for (const Field& field : fields) {
    std::visit([&](const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, std::string_view>) line[std::string(field.key)] = std::string(v);
      else line[std::string(field.key)] = v;
    }, field.value);
  }
  // Replace rather than throw on invalid UTF-8: a log line must never crash a request.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(state.mutex);
  std::fprintf(stderr, "%s\n", text.c_str());
  state.last_line = std::move(text);
}

std::string LastLineForTesting() {
  auto& state = State();
  std::lock_guard lock(state.mutex);
  return state.last_line;
}

}  // namespace ankommen::log
