#include "stream_history.h"


#include "absl/strings/str_cat.h"
#include "bus/bus.h"
#include "bus/streams.h"

namespace ankommen::monitoring {

absl::StatusOr<StreamRead> HistoryReader::ReadNew(Bus& bus) {
  for (const StreamSpec& spec : {streams::Registry(), streams::Courses(), streams::Schools(), streams::Housing(),
                                 streams::Mediators(), streams::Notifications(), streams::Casework()}) {
    auto state = bus.GetStreamState(spec.name);
    if (absl::IsNotFound(state.status())) continue;
    if (!state.ok()) return state.status();
    uint64_t& next = next_[spec.name];
    if (next > state->last_sequence) continue;
    auto read = bus.ReadAll(spec.name, spec.subjects.front(), next, [&](const IncomingEvent& e) -> absl::Status {
      if (auto s = builder_.Apply(e.subject, e.payload); !s.ok()) {
        return absl::DataLossError(absl::StrCat(spec.name, " #", e.stream_sequence, ": ", s.message()));
      }
      next = e.stream_sequence + 1;
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
  }
  return StreamRead{builder_.applied(), builder_.first_day()};
}

absl::StatusOr<StreamRead> ReadHistory(Bus& bus, absl::TimeZone zone, History& history) {
  HistoryReader reader(history, zone);
  return reader.ReadNew(bus);
}

}  // namespace ankommen::monitoring
