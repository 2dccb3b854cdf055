// The district's history read from the services' streams on NATS JetStream,
// from their first event to their last at the moment of reading. What the
// streams no longer hold (older than their retention, runtime/retention.h) is
// not in it: the history says from which day it starts.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "history.h"

namespace ankommen {
class Bus;
}

namespace ankommen::monitoring {

struct StreamRead {
  long long events = 0;  // applied
  Day first_event;       // the earliest day an event was read from
};

// Reads REGISTRY, COURSES, SCHOOLS, HOUSING, MEDIATORS and NOTIFICATIONS (a
// stream not created yet is empty) into `history`.
absl::StatusOr<StreamRead> ReadHistory(Bus& bus, absl::TimeZone zone, History& history);

}  // namespace ankommen::monitoring
