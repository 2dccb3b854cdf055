// The district's history (domain/history.h) built from the services' events,
// in the order each stream holds them. The events carry ids, days, areas and
// counts; so does the history.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "history.h"

namespace ankommen::monitoring {

class HistoryBuilder {
 public:
  HistoryBuilder(History& history, absl::TimeZone zone) : history_(history), zone_(zone) {}

  // Applies one event by its subject; subjects the indicators do not need are
  // skipped. INVALID_ARGUMENT when the payload is not the subject's event.
  absl::Status Apply(const std::string& subject, const std::string& payload);

  long long applied() const { return applied_; }
  Day first_day() const { return first_day_; }  // of the events applied

 private:
  History& history_;
  absl::TimeZone zone_;
  long long applied_ = 0;
  Day first_day_ = Day::max();
};

}  // namespace ankommen::monitoring
