#include "observability/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "text/utf8.h"

namespace ankommen::log {
namespace {

// Lines formatted and not yet written, at most: beyond it a line is dropped
// and counted (a stalled log pipe must not stall the requests that log).
constexpr size_t kQueuedLinesMax = 16384;
// How long an error line waits to be written before Write returns: long
// enough that the line is out before a crash that may follow it.
constexpr absl::Duration kErrorWait = absl::Seconds(1);
// How long the exit waits for the lines still queued.
constexpr absl::Duration kExitWait = absl::Seconds(2);

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

// Now, to the millisecond, in UTC.
std::string Timestamp() { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()); }

// `text` as a JSON string's contents. Invalid UTF-8 becomes U+FFFD: a log
// line must never break a reader (or a request) on a caller's odd bytes.
void AppendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const size_t length = Utf8SequenceLength(text, i);  // 0: not well-formed
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
}

void AppendString(std::string& out, std::string_view text) {
  out.push_back('"');
  AppendEscaped(out, text);
  out.push_back('"');
}

void AppendValue(std::string& out, const Value& value) {
  std::visit([&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, std::string_view>) {
      AppendString(out, v);
    } else if constexpr (std::is_same_v<T, bool>) {
      out += v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, double>) {
      if (!std::isfinite(v)) {
        out += "null";  // JSON has no NaN or infinity
        return;
      }
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);  // the shortest that reads back
      out.append(buffer, ec == std::errc() ? end : buffer);
    } else {
      absl::StrAppend(&out, v);
    }
  }, value);
}

// Writes everything, however the pipe takes it. False: stderr is gone.
bool WriteAll(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Formats on the caller's thread; one thread of its own writes, many lines
// to a write(2). Lines leave in the order they came.
class Logger {
 public:
  Logger() : writer_([this] { Run(); }) {}

  // At exit: what is queued is written, then the thread ends, and lines
  // logged after that (by other objects' destructors) are written at once. A
  // pipe that takes nothing does not keep the process from ending: after
  // kExitWait the thread, and what still waits, are left to the exit (the
  // logger is never destroyed).
  void Stop() {
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    wake_.notify_all();
    const bool finished =
        written_cv_.wait_for(lock, absl::ToChronoMilliseconds(kExitWait), [&] { return finished_; });
    lock.unlock();
    if (finished) {
      writer_.join();
    } else {
      writer_.detach();
    }
  }

  void Configure(std::string_view service, Level min_level) {
    std::lock_guard lock(mutex_);
    service_ = std::string(service);
    min_level_.store(min_level);
  }
  Level min_level() const { return min_level_.load(std::memory_order_relaxed); }

  std::string Format(Level level, std::string_view event, Fields fields) {
    std::string line;
    line.reserve(160);
    line += "{\"ts\":\"";
    line += Timestamp();
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"service\":";
    {
      std::lock_guard lock(mutex_);
      AppendString(line, service_);
    }
    line += ",\"event\":";
    AppendString(line, event);
    for (const Field& field : fields) {
      line.push_back(',');
      AppendString(line, field.key);
      line.push_back(':');
      AppendValue(line, field.value);
    }
    line += "}\n";
    return line;
  }

  void Enqueue(std::string line, bool wait_until_written) {
    std::unique_lock lock(mutex_);
    last_line_.assign(line, 0, line.size() - 1);
    if (finished_) {  // after the exit's drain: no one else will write it
      lock.unlock();
      WriteAll(line);
      return;
    }
    if (queued_.size() >= kQueuedLinesMax) {
      ++dropped_;
      return;
    }
    queued_.push_back(std::move(line));
    const uint64_t mine = ++enqueued_;
    wake_.notify_all();
    if (wait_until_written) WaitUntilWritten(lock, mine, kErrorWait);
  }

  void Flush(absl::Duration wait) {
    std::unique_lock lock(mutex_);
    WaitUntilWritten(lock, enqueued_, wait);
  }

  std::string LastLine() {
    std::lock_guard lock(mutex_);
    return last_line_;
  }

  uint64_t Dropped() {
    std::lock_guard lock(mutex_);
    return dropped_total_ + dropped_;
  }

 private:
  void WaitUntilWritten(std::unique_lock<std::mutex>& lock, uint64_t line, absl::Duration wait) {
    written_cv_.wait_for(lock, absl::ToChronoMilliseconds(wait), [&] { return written_ >= line || stopping_; });
  }

  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return !queued_.empty() || dropped_ > 0 || stopping_; });
      if (queued_.empty() && dropped_ == 0 && stopping_) {
        finished_ = true;
        written_cv_.notify_all();
        return;
      }
      std::deque<std::string> batch;
      batch.swap(queued_);
      const uint64_t dropped = dropped_;
      dropped_total_ += dropped_;
      dropped_ = 0;
      const uint64_t through = enqueued_;
      const std::string service = service_;
      lock.unlock();
      std::string text;
      for (const auto& line : batch) text += line;
      // Said where they would have been, once the pipe takes lines again.
      if (dropped > 0) {
        absl::StrAppend(&text, "{\"ts\":\"", Timestamp(), "\",\"level\":\"warn\",\"service\":");
        AppendString(text, service);
        absl::StrAppend(&text, ",\"event\":\"log_lines_dropped\",\"lines\":", dropped, "}\n");
      }
      WriteAll(text);
      lock.lock();
      written_ = through;
      written_cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, written_cv_;
  std::string service_ = "ankommen";
  std::atomic<Level> min_level_{Level::kInfo};
  std::deque<std::string> queued_;
  uint64_t enqueued_ = 0, written_ = 0;
  uint64_t dropped_ = 0, dropped_total_ = 0;
  bool stopping_ = false, finished_ = false;
  std::string last_line_;
  std::thread writer_;  // last: starts when the rest is ready
};

// Never destroyed: a destructor that logs after exit began still finds it.
Logger& TheLogger() {
  static Logger* logger = [] {
    auto* made = new Logger();
    std::atexit([] { TheLogger().Stop(); });
    return made;
  }();
  return *logger;
}

}  // namespace

void Init(std::string_view service, std::string_view min_level) {
  Level level = Level::kInfo;
  if (min_level == "debug") level = Level::kDebug;
  else if (min_level == "warn") level = Level::kWarn;
  else if (min_level == "error") level = Level::kError;
  TheLogger().Configure(service, level);
}

void Write(Level level, std::string_view event, Fields fields) {
  Logger& logger = TheLogger();
  if (level < logger.min_level()) return;
  logger.Enqueue(logger.Format(level, event, fields), level == Level::kError);
}

void Flush(absl::Duration wait) { TheLogger().Flush(wait); }

uint64_t DroppedLines() { return TheLogger().Dropped(); }

std::string LastLineForTesting() { return TheLogger().LastLine(); }

}  // namespace ankommen::log
