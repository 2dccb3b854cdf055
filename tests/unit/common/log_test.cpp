#include "observability/log.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace ankommen {
namespace {

TEST(LogTest, WritesOneJsonObjectPerLine) {
  log::Init("registry", "info");
  log::Info("household_registered", {{"household_id", "hh_1"}, {"members", 3}, {"ok", true}});
  auto line = nlohmann::json::parse(log::LastLineForTesting());
  EXPECT_EQ(line["event"], "household_registered");
  EXPECT_EQ(line["service"], "registry");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["members"], 3);
  EXPECT_EQ(line["household_id"], "hh_1");
  EXPECT_TRUE(line.contains("ts"));
}

TEST(LogTest, LevelsBelowTheMinimumAreDropped) {
  log::Init("registry", "warn");
  log::Info("visible_before");
  log::Warn("kept");
  log::Info("dropped");
  EXPECT_EQ(nlohmann::json::parse(log::LastLineForTesting())["event"], "kept");
  log::Init("registry", "info");
}

TEST(LogTest, InvalidUtf8NeverBreaksTheLine) {
  log::Init("registry", "info");
  log::Warn("odd", {{"value", std::string("\xff\xfe")}, {"cut", std::string("ab\xc3")}, {"ok", "Gr\xc3\xbc\xc3\x9f"}});
  nlohmann::json line;
  ASSERT_NO_THROW(line = nlohmann::json::parse(log::LastLineForTesting()));
  EXPECT_EQ(line["value"], "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(line["cut"], "ab\xef\xbf\xbd");
  EXPECT_EQ(line["ok"], "Gr\xc3\xbc\xc3\x9f") << "well-formed UTF-8 stays as it is";
}

TEST(LogTest, QuotesControlsAndNumbersAreWrittenAsJson) {
  log::Init("registry", "info");
  log::Info("odd", {{"text", "a \"quote\", a \\ and\na line\x01"}, {"ratio", 0.1}, {"nan", 0.0 / 0.0},
                    {"big", int64_t{1} << 62}, {"no", false}});
  auto line = nlohmann::json::parse(log::LastLineForTesting());
  EXPECT_EQ(line["text"], "a \"quote\", a \\ and\na line\x01");
  EXPECT_EQ(line["ratio"], 0.1) << "the shortest text that reads back as the same double";
  EXPECT_TRUE(line["nan"].is_null());
  EXPECT_EQ(line["big"], int64_t{1} << 62);
  EXPECT_EQ(line["no"], false);
}

// Points stderr at a pipe for the test's length, and back after.
class StderrPipe {
 public:
  StderrPipe() {
    log::Flush();  // earlier lines go where they were meant to
    EXPECT_EQ(::pipe(fds_), 0);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fds_[1], STDERR_FILENO);
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
  }
  ~StderrPipe() {
    log::Flush(absl::Seconds(1));
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    ::close(fds_[1]);
    ::close(fds_[0]);
  }
  // What the pipe holds now, waiting up to `wait` for the first byte.
  std::string Read(absl::Duration wait) {
    std::string out;
    pollfd p{fds_[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait))) <= 0) return out;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fds_[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<size_t>(n));
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
  int saved_ = -1;
};

TEST(LogTest, AnErrorLineIsWrittenBeforeWriteReturns) {
  log::Init("registry", "info");
  StderrPipe pipe;
  log::Error("failed", {{"code", 13}});
  const std::string written = pipe.Read(absl::ZeroDuration());
  EXPECT_TRUE(absl::StrContains(written, "\"event\":\"failed\"")) << "an error is out before a crash can follow it";
}

TEST(LogTest, AStalledPipeDropsAndCountsLinesInsteadOfHoldingUpTheCaller) {
  log::Init("registry", "info");
  StderrPipe pipe;  // read by no one until the end: it fills after 64 KiB
  const uint64_t dropped_before = log::DroppedLines();
  constexpr int kLines = 40000;  // more than the pipe and the logger's queue hold together
  std::atomic<bool> done = false;
  std::thread caller([&] {
    for (int i = 0; i < kLines; ++i) log::Info("filler", {{"i", i}});
    done = true;
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!done && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(done) << "the caller waited for a pipe no one reads";
  const uint64_t dropped = log::DroppedLines() - dropped_before;
  EXPECT_GT(dropped, 0u);
  // The pipe read at last: the lines that were kept, in order, then the count of the rest.
  std::string written;
  const absl::Time read_by = absl::Now() + absl::Seconds(30);
  while (!absl::StrContains(written, "log_lines_dropped") && absl::Now() < read_by) {
    written += pipe.Read(absl::Milliseconds(100));
  }
  caller.join();
  int kept = 0, last = -1;
  uint64_t reported = 0;
  for (absl::string_view text : absl::StrSplit(written, '\n', absl::SkipEmpty())) {
    auto line = nlohmann::json::parse(text);
    if (line["event"] == "log_lines_dropped") {
      reported += line["lines"].get<uint64_t>();
      continue;
    }
    ASSERT_EQ(line["event"], "filler");
    EXPECT_GT(line["i"].get<int>(), last) << "lines leave in the order they came";
    last = line["i"].get<int>();
    ++kept;
  }
  EXPECT_EQ(reported, dropped) << "every dropped line is counted where the lines would have been";
  EXPECT_EQ(static_cast<uint64_t>(kept) + dropped, static_cast<uint64_t>(kLines)) << "each line written or counted";
}

TEST(LogTest, AProcessEndsWhenItsLogPipeTakesNothing) {
  // In a process of its own (the test binary run again for this test alone):
  // a pipe no one reads, more lines than it holds, then the exit, which
  // must come after the logger's two seconds at most, not wait for the pipe.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const absl::Time start = absl::Now();
  EXPECT_EXIT(
      {
        int fds[2];
        if (::pipe(fds) != 0) std::_Exit(3);
        ::dup2(fds[1], STDERR_FILENO);
        for (int i = 0; i < 20000; ++i) log::Info("filler", {{"i", i}});
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "the exit waited for a pipe no one reads";
}

}  // namespace
}  // namespace ankommen
