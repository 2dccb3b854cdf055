#include "observability/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  log::Warn("odd", {{"value", std::string("\xff\xfe")}});
  EXPECT_NO_THROW(nlohmann::json::parse(log::LastLineForTesting()));
}

}  // namespace
}  // namespace ankommen
