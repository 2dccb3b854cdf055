// Drives a running district through simulated weeks, as its people and
// authorities would: registrations through the registry's gRPC API, asylum
// decisions, answers to offers, courses starting and ending, flats reported
// free, pupils moving through the DaZ phases. The services run on the
// simulated clock (ANKOMMEN_CLOCK=simulated), which only this program moves;
// after each step it waits until every event has been handled, so a run is
// repeatable from its seed.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "district.h"
#include "report.h"

namespace ankommen::sim {

struct SimOptions {
  int weeks = 26;
  uint64_t seed = 1;
  std::string scale = "district";  // or "state": eight times the arrivals, courses and flats
  std::string policy = "optimal";  // the course allocation asked for; schools and housing follow their own setting
  absl::CivilDay start{2027, 1, 4};  // a Monday

  std::string registry_addr = "127.0.0.1:50051";
  std::string courses_addr = "127.0.0.1:50052";
  std::string schools_addr = "127.0.0.1:50053";
  std::string housing_addr = "127.0.0.1:50054";
  std::string notifications_addr = "127.0.0.1:50055";
  std::string mediators_addr = "127.0.0.1:50056";
  std::string casework_addr = "127.0.0.1:50058";
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string redis_url = "redis://127.0.0.1:6379/0";

  bool progress = true;  // a line per simulated week on stderr
  // Where the council's report (PDF, JSON, CSV) is written; empty: its figures only in the report.
  std::string council_report_dir;
  // The notification service's letter directory (ANKOMMEN_NOTIFICATIONS_LETTERS): the
  // messages are then also counted where they arrived, by their printed letters.
  std::string letters_dir;
};

int ScaleFactor(const std::string& scale);

// Runs `district` (ReadDistrict: checked, without problems).
absl::StatusOr<Report> Simulate(const SimOptions& options, const District& district);

}  // namespace ankommen::sim
