// How long the system keeps what it keeps about events, in one place: the
// streams' retention, and the markers an erasure leaves. A marker outlives
// every event that could bring its erased record back — a consumer that
// replays a stream (created later, or its handled-events records expired)
// meets the marker before the registration, and applies nothing.
#pragma once

#include "absl/time/time.h"

namespace ankommen {

// JetStream keeps each service's events this long (StreamSpec::max_age).
inline absl::Duration EventRetention() { return absl::Hours(24 * 365); }

// JetStream keeps dead letters this long: time for an operator to look.
// They hold a reference to the event in its stream, not the event (bus.h).
inline absl::Duration DeadLetterRetention() { return absl::Hours(24 * 90); }

// An erased record's marker (its id and "erased", nothing else) lasts this
// long: the events' retention and a month to spare.
inline absl::Duration ErasureMarkerTtl() { return EventRetention() + absl::Hours(24 * 30); }

}  // namespace ankommen
