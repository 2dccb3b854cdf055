// The district's history read from the services' streams on NATS JetStream:
// from their first event, and then what came since, as often as asked. What
// the streams no longer hold (older than their retention, runtime/retention.h)
// is not in it: the reader says from which day it starts.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "history.h"
#include "history_from_events.h"

namespace ankommen {
class Bus;
}

namespace ankommen::monitoring {

struct StreamRead {
  long long events = 0;  // applied, in all
  Day first_event;       // the earliest day an event was read from
};

// Reads REGISTRY, COURSES, SCHOOLS, HOUSING, MEDIATORS and NOTIFICATIONS (a
// stream not created yet is empty) into a history it keeps.
class HistoryReader {
 public:
  HistoryReader(History& history, absl::TimeZone zone) : builder_(history, zone) {}
  // Applies every event after those already read, up to each stream's last.
  absl::StatusOr<StreamRead> ReadNew(Bus& bus);

 private:
  HistoryBuilder builder_;
  std::map<std::string, uint64_t> next_;  // per stream: the next sequence to read
};

// Everything the streams hold, once.
absl::StatusOr<StreamRead> ReadHistory(Bus& bus, absl::TimeZone zone, History& history);

}  // namespace ankommen::monitoring
