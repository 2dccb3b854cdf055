// What the indicators are computed from: the district's history as facts with
// their days — who arrived when and where, the levels they reached, places,
// enrolments, moves, messages, mediator requests. Filled from the services'
// events (history_from_events.h) by whoever reads them; holds ids, days, areas
// and counts, never a name or a contact. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"

namespace ankommen::monitoring {

using Day = absl::CivilDay;

// A value that changes on known days: the last one set on or before a day
// (before the first: none). Set in any order; days are kept sorted.
template <typename T>
class Timeline {
 public:
  void Set(Day day, T value);
  std::optional<T> At(Day day) const;
  const std::vector<std::pair<Day, T>>& changes() const { return changes_; }

 private:
  std::vector<std::pair<Day, T>> changes_;
};

// CEFR levels in order; 0: none recorded.
int LevelRank(const std::string& cefr);  // "A1" → 1 … "C2" → 6; anything else 0

struct PersonHistory {
  std::string household_id;
  Day registered;
  Timeline<int> age_years;        // from the registration and each birthday the registry announces
  Timeline<int> school_year_age;  // the age on the school cut-off day of the school year in force
  Timeline<int> level;            // CEFR rank, from the registration and each level recorded
  Timeline<bool> asylblg;         // draws benefits under the AsylbLG
  std::optional<Day> kita_placed, school_placed;
  std::optional<Day> left;  // erased, merged into another record, or their case closed
};

// Who looks after a household (the casework service's assignment).
struct CaseworkFacts {
  std::string program;    // fsa, mbe, jmd
  std::string worker_id;  // empty: none had room, or the case ended
  int persons = 0;
};

// A social worker of the casework service's staff list.
struct WorkerFacts {
  std::string program;  // fsa, mbe, jmd
  std::string social_area;
  bool active = false;  // false once they left
};

struct HouseholdHistory {
  Day registered;
  Timeline<std::string> social_area;  // where they live (the registry's, then the housing's)
  // Where the district houses them: the accommodation id, empty once moved out.
  Timeline<std::string> accommodation;
  Timeline<int> persons;    // members, as registrations, erasures and merges change them
  std::optional<Day> left;  // case closed
  Timeline<CaseworkFacts> casework;
};

struct AccommodationFacts {
  bool shared = false;        // shared accommodation (GU), otherwise a flat
  int square_metres = 0;
  double standard_square_metres_per_person = 0;  // the Land's standard the housing applied
  std::string social_area;
};

struct EnrolmentFact {
  std::string person_id;
  Day start;                  // the course's start, or the day of a late entry
  int waiting_time_days = 0;  // BAMF: registration with the provider → start
  int access_time_days = 0;   // BAMF: entitlement → start
};

struct MessageFact {
  std::string person_id;  // or "team:<area>", "office:…": counted with the district, not an area
  Day made;
  bool dead = false;  // reached no one by any channel
};

struct MediationFact {
  std::string social_area;
  Day appointment;
  bool booked_at_start = false;  // a mediator was booked when the appointment began
  bool ended_by_office = false;  // the office (or the person's case) cancelled the request
};

struct History {
  std::map<std::string, PersonHistory> persons;
  std::map<std::string, HouseholdHistory> households;
  std::map<std::string, AccommodationFacts> accommodations;
  std::vector<EnrolmentFact> enrolments;
  std::map<std::string, MessageFact> messages;     // by message id: its last settlement counts
  std::map<std::string, MediationFact> mediations;  // by request id
  std::map<std::string, int> social_workers;        // refugee social work, per area (configured)
  std::map<std::string, Timeline<WorkerFacts>> workers;  // casework's staff list, by worker id
  Day last_event;                                    // the latest day an event was seen
};

// ---- Timeline ----

template <typename T>
void Timeline<T>::Set(Day day, T value) {
  auto it = changes_.end();
  while (it != changes_.begin() && std::prev(it)->first > day) --it;
  if (it != changes_.begin() && std::prev(it)->first == day) {
    std::prev(it)->second = std::move(value);
  } else {
    changes_.insert(it, {day, std::move(value)});
  }
}

template <typename T>
std::optional<T> Timeline<T>::At(Day day) const {
  std::optional<T> value;
  for (const auto& [d, v] : changes_) {
    if (d > day) break;
    value = v;
  }
  return value;
}

}  // namespace ankommen::monitoring
