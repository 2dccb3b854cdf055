// The rules of school and Kita places, pure over the stored records: which
// school type or Kita group a child's age calls for, siblings kept together,
// seats per DaZ class (a class never holds more pupils than seats), the phase
// model, and the capacity gap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ankommen/schools/v1/state.pb.h"
#include "rules/land.h"

namespace ankommen::schools {

// School types by the school-year age (the age on the Land's cut-off day of
// the school year in force, from the registry); configuration because the
// Länder differ. Gymnasium is placed on request, never by age.
struct AgeRules {
  int kita_from = 1;    // the legal claim to a Kita place starts at one (§ 24 SGB VIII)
  int school_from = 6;  // Grundschule
  int os_from = 10;     // Oberschule
  int bsz_from = 16;    // Berufliches Schulzentrum, while compulsory schooling lasts
  LandRules land;       // the end of compulsory schooling, as the courses apply it
};

// The school type for a school-year age (not asking whether school is still compulsory).
std::optional<v1::SchoolType> SchoolTypeForAge(int school_year_age, const AgeRules& rules);
// The Kita group for an age, while a Kita place is what the age calls for.
std::optional<v1::AgeGroup> KitaGroupForAge(int age_years, const AgeRules& rules);

// What a person's ages call for: a school type while schooling is compulsory
// and the school-year age has reached school; else a Kita group from the
// first birthday until school; else nothing (an infant, or an adult for courses).
struct AgeNeed {
  std::optional<v1::SchoolType> school_type;
  std::optional<v1::AgeGroup> age_group;
  bool any() const { return school_type || age_group; }
};
AgeNeed NeedForAges(int age_years, int school_year_age, const AgeRules& rules);

// A child waiting longer than this for a school place while a DaZ seat of
// its type is free within reach is what the district must not see: EU law
// asks for school within three months, the district for much less.
inline constexpr int kLongSchoolWaitDays = 14;

// Children of one household who need the same school type go to one school.
struct SiblingGroup {
  std::string household_id;
  v1::SchoolType school_type = v1::SCHOOL_TYPE_UNSPECIFIED;
  std::vector<std::string> person_ids;  // sorted
};
// Groups of the waiting school children, in a stable order (household, type).
std::vector<SiblingGroup> GroupSiblings(const std::vector<v1::ChildRecord>& waiting);

// Kita children of one household and age group (twins, siblings close in
// age) go to one Kita, which must offer the longest care the family needs
// for any of its children (so that siblings of both groups fit one Kita).
struct KitaGroup {
  std::string household_id;
  v1::AgeGroup age_group = v1::AGE_GROUP_UNSPECIFIED;
  std::vector<std::string> person_ids;  // sorted
  int care_hours = 0;                   // the most any of the family's Kita children needs; 0: not said
};
// Groups of the waiting Kita children, in a stable order (household, group).
std::vector<KitaGroup> GroupKitaSiblings(const std::vector<v1::ChildRecord>& waiting);

// Whether a Kita's day is long enough for the hours a family needs.
inline bool CoversHours(const v1::Kita& kita, int care_hours) {
  return care_hours <= 0 || kita.hours_per_day() >= care_hours;
}

// Whether a Kita child's place is sought yet: from `ahead_days` before the
// family's wished start (and at once without one).
bool SoughtYet(const v1::Child& child, absl::CivilDay today, int ahead_days);

// Saxony's DaZ concept lets a pupil start directly in phase 2 or in a regular
// class; the German the registry recorded decides (CEFR levels by name).
struct DazRules {
  std::string phase2_from = "A2";   // starts in phase 2
  std::string regular_from = "B1";  // a regular class: no DaZ seat
  // Phases 1 and 2 take about this long; pupils imported with a school are
  // part way through and leave their seats evenly over it (0: they stay).
  int daz_weeks = 24;
};
// 1 or 2 for a DaZ class; 3 for a regular class from the start.
int StartPhase(const std::string& cefr_level, const DazRules& rules);

// Imported pupils left on `today` of `at_import` imported on `imported_on`.
int ImportedRemaining(int at_import, absl::CivilDay imported_on, absl::CivilDay today, int daz_weeks);
// Brings the classes' imported pupils to ImportedRemaining (the first call
// notes the day and the counts); true when anything changed.
bool LeaveImported(v1::SchoolRecord& record, absl::CivilDay today, int daz_weeks);

// Pupils of a class holding a DaZ seat: those placed here in phases 1 and 2,
// and those already there when the school was imported.
int ClassPupils(const v1::SchoolRecord& record, const v1::DazClass& daz_class);

// The school as the API shows it: pupils per class and the reserve.
v1::School View(const v1::SchoolRecord& record);
int FreeSeats(const v1::SchoolRecord& record);

// Seats the children at the school, each in the class with the most free
// seats; all of them or none (FAILED_PRECONDITION when seats are short).
// Proposed seats are held like any other until the schools office decides.
// `phases` (if given, one per pupil) are the phases they start in (1 or 2).
absl::Status SeatPupils(v1::SchoolRecord& record, const std::vector<std::string>& person_ids, int64_t now,
                        bool proposed = false, const std::vector<int>& phases = {});

// A class's seats, never below the pupils it holds.
absl::Status ChangeClassSeats(v1::SchoolRecord& record, const std::string& class_id, int seats);

// One step forward: 1 -> 2 -> 3; at 3 the DaZ seat is free again.
absl::Status AdvancePhase(v1::SchoolRecord& record, const std::string& person_id, int new_phase);

// The pupil leaves (moved away, erased); false when not a pupil here.
bool RemovePupil(v1::SchoolRecord& record, const std::string& person_id);
const v1::Pupil* FindPupil(const v1::SchoolRecord& record, const std::string& person_id);

// Kita places by age group.
v1::Kita View(const v1::KitaRecord& record);
int FreePlaces(const v1::KitaRecord& record, v1::AgeGroup group);
absl::Status AddKitaChild(v1::KitaRecord& record, const std::string& person_id, v1::AgeGroup group, int64_t now,
                          bool proposed = false);
// The places the schools office rejected for this child: never proposed again.
std::vector<std::string> RejectedPlaces(const v1::Child& child);

// A placed child holds its seat; a proposed one holds it too, until decided.
inline bool HoldsPlace(v1::ChildStatus status) {
  return status == v1::CHILD_STATUS_PLACED || status == v1::CHILD_STATUS_PROPOSED;
}

// Whether a changed record still holds the place the record before held.
inline bool StillHolds(const v1::ChildRecord& before, const v1::ChildRecord& after) {
  return HoldsPlace(after.child().placement().status()) &&
         after.child().placement().place_id() == before.child().placement().place_id();
}

// A proposed seat or place becomes the child's (false if none is proposed to it here).
bool ConfirmProposed(v1::SchoolRecord& record, const std::string& person_id);
bool ConfirmProposed(v1::KitaRecord& record, const std::string& person_id);
// Whether the child holds a proposed (not yet confirmed) seat or place here.
bool IsProposed(const v1::SchoolRecord& record, const std::string& person_id);
bool IsProposed(const v1::KitaRecord& record, const std::string& person_id);
bool RemoveKitaChild(v1::KitaRecord& record, const std::string& person_id);

// Seats, use and waiting children per social area and school type (or Kita
// age group): free = seats - used; short_by = waiting beyond the free seats.
std::vector<v1::AreaCapacity> CapacityReport(const std::vector<v1::SchoolRecord>& schools,
                                             const std::vector<v1::KitaRecord>& kitas,
                                             const std::vector<v1::ChildRecord>& children);

}  // namespace ankommen::schools
