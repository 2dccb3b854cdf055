#include "domain/school_rules.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "text/field_checks.h"

namespace ankommen::schools {

std::optional<v1::SchoolType> SchoolTypeForAge(int age, const AgeRules& r) {
  if (age < r.school_from) return std::nullopt;
  if (age < r.os_from) return v1::SCHOOL_TYPE_GS;
  if (age < r.bsz_from) return v1::SCHOOL_TYPE_OS;
  return v1::SCHOOL_TYPE_BSZ;
}

std::optional<v1::AgeGroup> KitaGroupForAge(int age, const AgeRules& r) {
  if (age < r.kita_from || age >= r.school_from) return std::nullopt;
  return age < 3 ? v1::AGE_GROUP_UNDER_3 : v1::AGE_GROUP_3_TO_SCHOOL;
}

AgeNeed NeedForAges(int age_years, int school_year_age, const AgeRules& r) {
  AgeNeed need;
  if (!SchoolObliged(age_years, r.land)) return need;
  if (school_year_age >= r.school_from) {
    need.school_type = SchoolTypeForAge(school_year_age, r);
  } else if (age_years >= r.kita_from) {
    need.age_group = age_years < 3 ? v1::AGE_GROUP_UNDER_3 : v1::AGE_GROUP_3_TO_SCHOOL;
  }
  return need;
}

std::vector<SiblingGroup> GroupSiblings(const std::vector<v1::ChildRecord>& waiting) {
  std::map<std::pair<std::string, int>, SiblingGroup> groups;
  for (const auto& c : waiting) {
    const v1::Child& child = c.child();
    if (child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED) continue;  // a Kita child
    auto& g = groups[{child.household_id(), child.school_type()}];
    g.household_id = child.household_id();
    g.school_type = child.school_type();
    g.person_ids.push_back(child.person_id());
  }
  std::vector<SiblingGroup> out;
  for (auto& [key, g] : groups) {
    std::sort(g.person_ids.begin(), g.person_ids.end());
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<KitaGroup> GroupKitaSiblings(const std::vector<v1::ChildRecord>& waiting) {
  std::map<std::pair<std::string, int>, KitaGroup> groups;
  for (const auto& c : waiting) {
    const v1::Child& child = c.child();
    if (child.age_group() == v1::AGE_GROUP_UNSPECIFIED) continue;  // a school child
    auto& g = groups[{child.household_id(), child.age_group()}];
    g.household_id = child.household_id();
    g.age_group = child.age_group();
    g.person_ids.push_back(child.person_id());
    g.care_hours = std::max(g.care_hours, child.care_hours());
  }
  // The hours are the family's: siblings of both groups need the longest day
  // any of them does, so that they can go to one Kita.
  std::map<std::string, int> family_hours;
  for (const auto& [key, g] : groups) family_hours[g.household_id] = std::max(family_hours[g.household_id], g.care_hours);
  std::vector<KitaGroup> out;
  for (auto& [key, g] : groups) {
    std::sort(g.person_ids.begin(), g.person_ids.end());
    g.care_hours = family_hours[g.household_id];
    out.push_back(std::move(g));
  }
  return out;
}

bool SoughtYet(const v1::Child& child, absl::CivilDay today, int ahead_days) {
  absl::CivilDay wished;
  return !ParseIsoDate(child.wished_start(), wished) || today >= wished - ahead_days;
}

int StartPhase(const std::string& cefr_level, const DazRules& rules) {
  // CEFR names sort in level order ("A0" < "A1" < ... < "C2"); empty is none.
  if (cefr_level.empty()) return 1;
  if (cefr_level >= rules.regular_from) return 3;
  if (cefr_level >= rules.phase2_from) return 2;
  return 1;
}

int ImportedRemaining(int at_import, absl::CivilDay imported_on, absl::CivilDay today, int daz_weeks) {
  if (daz_weeks <= 0 || at_import <= 0) return std::max(0, at_import);
  const int64_t days = std::clamp<int64_t>(today - imported_on, 0, 7 * daz_weeks);
  // Rounded up: a class never loses a pupil before its share of the time has passed.
  const int64_t left = (static_cast<int64_t>(at_import) * (7 * daz_weeks - days) + 7 * daz_weeks - 1) / (7 * daz_weeks);
  return static_cast<int>(left);
}

bool LeaveImported(v1::SchoolRecord& record, absl::CivilDay today, int daz_weeks) {
  bool changed = false;
  absl::CivilDay imported_on;
  if (!ParseIsoDate(record.imported_on(), imported_on)) {
    bool any = false;
    for (const auto& c : record.school().classes()) any = any || c.imported_pupils() > 0;
    if (!any) return false;
    record.set_imported_on(FormatIsoDate(today));
    for (const auto& c : record.school().classes()) (*record.mutable_imported_at_import())[c.class_id()] = c.imported_pupils();
    return true;
  }
  for (auto& c : *record.mutable_school()->mutable_classes()) {
    auto at = record.imported_at_import().find(c.class_id());
    if (at == record.imported_at_import().end()) continue;
    const int left = std::min(c.imported_pupils(), ImportedRemaining(at->second, imported_on, today, daz_weeks));
    if (left != c.imported_pupils()) {
      c.set_imported_pupils(left);
      changed = true;
    }
  }
  return changed;
}

int ClassPupils(const v1::SchoolRecord& record, const v1::DazClass& daz_class) {
  int n = daz_class.imported_pupils();
  for (const auto& p : record.pupils()) {
    if (p.class_id() == daz_class.class_id() && p.phase() < 3) ++n;
  }
  return n;
}

v1::School View(const v1::SchoolRecord& record) {
  v1::School school = record.school();
  int reserve = 0;
  for (auto& c : *school.mutable_classes()) {
    c.set_pupils(ClassPupils(record, c));
    reserve += std::max(0, c.seats() - c.pupils());
  }
  school.set_reserve(reserve);
  return school;
}

int FreeSeats(const v1::SchoolRecord& record) { return View(record).reserve(); }

absl::Status SeatPupils(v1::SchoolRecord& record, const std::vector<std::string>& person_ids, int64_t now,
                        bool proposed, const std::vector<int>& phases) {
  for (const auto& id : person_ids) {
    if (FindPupil(record, id) != nullptr) {
      return absl::AlreadyExistsError(absl::StrCat(id, " is already a pupil of ", record.school().school_id()));
    }
  }
  if (FreeSeats(record) < static_cast<int>(person_ids.size())) {
    return absl::FailedPreconditionError(absl::StrCat("school ", record.school().school_id(), " has ",
                                                      FreeSeats(record), " free DaZ seats, ", person_ids.size(),
                                                      " needed"));
  }
  for (size_t i = 0; i < person_ids.size(); ++i) {
    const std::string& id = person_ids[i];
    const v1::DazClass* best = nullptr;
    int best_free = 0;
    for (const auto& c : record.school().classes()) {
      int free = c.seats() - ClassPupils(record, c);
      if (free > best_free) {  // the first of the emptiest classes
        best = &c;
        best_free = free;
      }
    }
    if (best == nullptr) return absl::InternalError("free seats counted but no class has one");
    v1::Pupil* p = record.add_pupils();
    p->set_person_id(id);
    p->set_class_id(best->class_id());
    p->set_phase(i < phases.size() ? std::clamp(phases[i], 1, 2) : 1);
    p->set_placed_at(now);
    p->set_proposed(proposed);
  }
  return absl::OkStatus();
}

absl::Status ChangeClassSeats(v1::SchoolRecord& record, const std::string& class_id, int seats) {
  for (auto& c : *record.mutable_school()->mutable_classes()) {
    if (c.class_id() != class_id) continue;
    int pupils = ClassPupils(record, c);
    if (seats < pupils) {
      return absl::FailedPreconditionError(
          absl::StrCat("class ", class_id, " holds ", pupils, " pupils; seats cannot go below that"));
    }
    c.set_seats(seats);
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("class ", class_id, " not found at school ", record.school().school_id()));
}

const v1::Pupil* FindPupil(const v1::SchoolRecord& record, const std::string& person_id) {
  for (const auto& p : record.pupils()) {
    if (p.person_id() == person_id) return &p;
  }
  return nullptr;
}

absl::Status AdvancePhase(v1::SchoolRecord& record, const std::string& person_id, int new_phase) {
  for (auto& p : *record.mutable_pupils()) {
    if (p.person_id() != person_id) continue;
    if (new_phase != p.phase() + 1 || new_phase > 3) {
      return absl::FailedPreconditionError(absl::StrCat("a pupil in phase ", p.phase(), " can only go to phase ",
                                                        p.phase() + 1 > 3 ? std::string("none (phase 3 is the last)")
                                                                          : std::to_string(p.phase() + 1)));
    }
    p.set_phase(new_phase);
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat(person_id, " is not a pupil of ", record.school().school_id()));
}

bool RemovePupil(v1::SchoolRecord& record, const std::string& person_id) {
  auto* pupils = record.mutable_pupils();
  auto it = std::find_if(pupils->begin(), pupils->end(), [&](const v1::Pupil& p) { return p.person_id() == person_id; });
  if (it == pupils->end()) return false;
  pupils->erase(it);
  return true;
}

namespace {

int Used(const v1::KitaRecord& record, v1::AgeGroup group) {
  return static_cast<int>(std::count_if(record.children().begin(), record.children().end(),
                                        [&](const v1::KitaChild& c) { return c.age_group() == group; }));
}

int Places(const v1::Kita& kita, v1::AgeGroup group) {
  return group == v1::AGE_GROUP_UNDER_3 ? kita.places_under_3() : kita.places_3_to_school();
}

}  // namespace

v1::Kita View(const v1::KitaRecord& record) {
  v1::Kita kita = record.kita();
  kita.set_used_under_3(Used(record, v1::AGE_GROUP_UNDER_3));
  kita.set_used_3_to_school(Used(record, v1::AGE_GROUP_3_TO_SCHOOL));
  return kita;
}

int FreePlaces(const v1::KitaRecord& record, v1::AgeGroup group) {
  return std::max(0, Places(record.kita(), group) - Used(record, group));
}

absl::Status AddKitaChild(v1::KitaRecord& record, const std::string& person_id, v1::AgeGroup group, int64_t now,
                          bool proposed) {
  for (const auto& c : record.children()) {
    if (c.person_id() == person_id) return absl::AlreadyExistsError(absl::StrCat(person_id, " already has a place here"));
  }
  if (FreePlaces(record, group) < 1) {
    return absl::FailedPreconditionError(absl::StrCat("Kita ", record.kita().kita_id(), " has no free place for ",
                                                      v1::AgeGroup_Name(group)));
  }
  v1::KitaChild* c = record.add_children();
  c->set_person_id(person_id);
  c->set_age_group(group);
  c->set_placed_at(now);
  c->set_proposed(proposed);
  return absl::OkStatus();
}

std::vector<std::string> RejectedPlaces(const v1::Child& child) {
  std::vector<std::string> out;
  for (const auto& d : child.decisions()) {
    if (d.kind() == v1::DECISION_KIND_REJECTED) out.push_back(d.proposed_place_id());
  }
  return out;
}

bool ConfirmProposed(v1::SchoolRecord& record, const std::string& person_id) {
  for (auto& p : *record.mutable_pupils()) {
    if (p.person_id() == person_id && p.proposed()) {
      p.set_proposed(false);
      return true;
    }
  }
  return false;
}

bool ConfirmProposed(v1::KitaRecord& record, const std::string& person_id) {
  for (auto& c : *record.mutable_children()) {
    if (c.person_id() == person_id && c.proposed()) {
      c.set_proposed(false);
      return true;
    }
  }
  return false;
}

bool IsProposed(const v1::SchoolRecord& record, const std::string& person_id) {
  const v1::Pupil* p = FindPupil(record, person_id);
  return p != nullptr && p->proposed();
}

bool IsProposed(const v1::KitaRecord& record, const std::string& person_id) {
  for (const auto& c : record.children()) {
    if (c.person_id() == person_id) return c.proposed();
  }
  return false;
}

bool RemoveKitaChild(v1::KitaRecord& record, const std::string& person_id) {
  auto* children = record.mutable_children();
  auto it = std::find_if(children->begin(), children->end(),
                         [&](const v1::KitaChild& c) { return c.person_id() == person_id; });
  if (it == children->end()) return false;
  children->erase(it);
  return true;
}

std::vector<v1::AreaCapacity> CapacityReport(const std::vector<v1::SchoolRecord>& schools,
                                             const std::vector<v1::KitaRecord>& kitas,
                                             const std::vector<v1::ChildRecord>& children) {
  // Keyed by area, school type, age group.
  std::map<std::tuple<std::string, int, int>, v1::AreaCapacity> rows;
  auto row = [&](const std::string& area, v1::SchoolType type, v1::AgeGroup group) -> v1::AreaCapacity& {
    auto& r = rows[{area, type, group}];
    r.set_social_area(area);
    r.set_school_type(type);
    r.set_age_group(group);
    return r;
  };
  for (const auto& s : schools) {
    v1::School view = View(s);
    auto& r = row(view.location().social_area(), view.school_type(), v1::AGE_GROUP_UNSPECIFIED);
    for (const auto& c : view.classes()) {
      r.set_seats(r.seats() + c.seats());
      r.set_used(r.used() + c.pupils());
    }
  }
  for (const auto& k : kitas) {
    v1::Kita view = View(k);
    const std::string& area = view.location().social_area();
    auto& under3 = row(area, v1::SCHOOL_TYPE_UNSPECIFIED, v1::AGE_GROUP_UNDER_3);
    under3.set_seats(under3.seats() + view.places_under_3());
    under3.set_used(under3.used() + view.used_under_3());
    auto& older = row(area, v1::SCHOOL_TYPE_UNSPECIFIED, v1::AGE_GROUP_3_TO_SCHOOL);
    older.set_seats(older.seats() + view.places_3_to_school());
    older.set_used(older.used() + view.used_3_to_school());
  }
  for (const auto& c : children) {
    if (c.erased() || c.child().placement().status() != v1::CHILD_STATUS_WAITING) continue;
    auto& r = row(c.child().social_area(), c.child().school_type(), c.child().age_group());
    r.set_waiting(r.waiting() + 1);
  }
  std::vector<v1::AreaCapacity> out;
  for (auto& [key, r] : rows) {
    r.set_free(std::max(0, r.seats() - r.used()));
    r.set_short_by(std::max(0, r.waiting() - r.free()));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ankommen::schools
