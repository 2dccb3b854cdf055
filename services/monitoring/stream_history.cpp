#include "stream_history.h"

#include "absl/strings/str_cat.h"
#include "bus/bus.h"
#include "bus/streams.h"
#include "history_from_events.h"

namespace ankommen::monitoring {

absl::StatusOr<StreamRead> ReadHistory(Bus& bus, absl::TimeZone zone, History& history) {
  HistoryBuilder builder(history, zone);
  StreamRead read;
  for (const char* stream : {streams::kRegistry, streams::kCourses, streams::kSchools, streams::kHousing,
                             streams::kMediators, streams::kNotifications}) {
    auto state = bus.GetStreamState(stream);
    if (absl::IsNotFound(state.status())) continue;
    if (!state.ok()) return state.status();
    for (uint64_t next = state->first_sequence; next <= state->last_sequence;) {
      auto events = bus.ReadStream(stream, next, 10'000);
      if (!events.ok()) return events.status();
      if (events->empty()) break;
      for (const IncomingEvent& e : *events) {
        if (auto s = builder.Apply(e.subject, e.payload); !s.ok()) {
          return absl::DataLossError(absl::StrCat(stream, " #", e.stream_sequence, ": ", s.message()));
        }
        next = e.stream_sequence + 1;
      }
    }
  }
  read.events = builder.applied();
  read.first_event = builder.first_day();
  return read;
}

}  // namespace ankommen::monitoring
