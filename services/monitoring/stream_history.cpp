#include "stream_history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "bus/bus.h"
#include "bus/streams.h"

namespace ankommen::monitoring {

absl::StatusOr<StreamRead> HistoryReader::ReadNew(Bus& bus) {
  for (const char* stream : {streams::kRegistry, streams::kCourses, streams::kSchools, streams::kHousing,
                             streams::kMediators, streams::kNotifications}) {
    auto state = bus.GetStreamState(stream);
    if (absl::IsNotFound(state.status())) continue;
    if (!state.ok()) return state.status();
    uint64_t& next = next_[stream];
    next = std::max(next, state->first_sequence);  // older events expired: start where the stream starts
    while (next <= state->last_sequence) {
      auto events = bus.ReadStream(stream, next, 10'000);
      if (!events.ok()) return events.status();
      if (events->empty()) break;
      for (const IncomingEvent& e : *events) {
        if (auto s = builder_.Apply(e.subject, e.payload); !s.ok()) {
          return absl::DataLossError(absl::StrCat(stream, " #", e.stream_sequence, ": ", s.message()));
        }
        next = e.stream_sequence + 1;
      }
    }
  }
  return StreamRead{builder_.applied(), builder_.first_day()};
}

absl::StatusOr<StreamRead> ReadHistory(Bus& bus, absl::TimeZone zone, History& history) {
  HistoryReader reader(history, zone);
  return reader.ReadNew(bus);
}

}  // namespace ankommen::monitoring
