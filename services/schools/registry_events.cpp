// What the registry and housing tell: children arrive, change, move and leave.
#include "schools.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "store/command.h"
#include "domain/school_table.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"

namespace ankommen::schools {

namespace rv1 = ::ankommen::registry::v1;
namespace hv1 = ::ankommen::housing::v1;

absl::Status Schools::ApplyToChild(const IncomingEvent& event, const std::string& person_id,
                                   const std::function<absl::Status(v1::ChildRecord&, bool)>& change, HeldPlace held) {
  v1::ChildRecord before, after;
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(person_id), absl::StrCat(event.event_id, "/", person_id),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadChild(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::ChildRecord record = is_new ? v1::ChildRecord() : std::move((*loaded)->record);
    if (record.erased()) return absl::NotFoundError("erased");
    before = record;
    record.mutable_child()->set_person_id(person_id);
    if (auto s = change(record, is_new); !s.ok()) return s;
    after = record;
    Decision d;
    d.commit.aggregate_key = store_.ChildKey(person_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    // An erased child leaves only its marker, which expires, and its household's list.
    d.commit.erased_marker = record.erased();
    d.commit.index_ops = {store_.ActiveIndex(record),
                          record.erased() ? IndexOp::SortedRemove(store_.HouseholdKey(record.child().household_id()), person_id)
                                          : IndexOp::SortedAdd(store_.HouseholdKey(record.child().household_id()), person_id)};
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  // The place held before a move or an erasure is free again.
  if (held == HeldPlace::kFree && !outcome->replayed && HoldsPlace(before.child().placement().status()) &&
      !StillHolds(before, after)) {
    if (auto s = ReleasePlace(before); !s.ok()) return s;
  }
  Changed(/*place=*/true);
  return absl::OkStatus();
}

namespace {

// The school-year age, from a registry that tells it (every release since
// it does), else the age itself.
int SchoolYearAge(const rv1::PersonFacts& m) {
  return m.has_school_year_age() ? m.school_year_age() : m.age_years();
}

AgeNeed NeedOf(const rv1::PersonFacts& m, const AgeRules& rules) {
  return NeedForAges(m.age_years(), SchoolYearAge(m), rules);
}

void SetNeed(v1::Child& child, const AgeNeed& need) {
  child.clear_school_type();
  child.clear_age_group();
  if (need.school_type) child.set_school_type(*need.school_type);
  else if (need.age_group) child.set_age_group(*need.age_group);
}

bool SameNeed(const v1::Child& child, const AgeNeed& need) {
  return need.school_type.value_or(v1::SCHOOL_TYPE_UNSPECIFIED) == child.school_type() &&
         need.age_group.value_or(v1::AGE_GROUP_UNSPECIFIED) == child.age_group();
}

// Messages about a child go to the head of the household (or the first adult).
std::string GuardianOf(const google::protobuf::RepeatedPtrField<rv1::PersonFacts>& members) {
  std::string guardian;
  for (const auto& m : members) {
    if (m.relation() == rv1::RELATION_HEAD || (guardian.empty() && m.age_years() >= 18)) guardian = m.person_id();
  }
  return guardian;
}

// Why a birthday or a school year opened a new wait.
std::string AgedReason(const AgeNeed& need) {
  if (need.school_type) return "of school age now: a school place";
  return "a Kita place: the legal claim from the first birthday";
}

void OpenWait(v1::Child& child, absl::CivilDay today, const std::string& why) {
  child.mutable_placement()->Clear();
  child.mutable_placement()->set_status(v1::CHILD_STATUS_WAITING);
  child.mutable_placement()->set_reason(why);
  child.set_waiting_since(FormatIsoDate(today));
}

// A child the service did not follow yet, from a household's facts
// (HouseholdRegistered or HouseholdAged, which share them): waiting from `since`.
template <typename HouseholdFacts>
void OpenChild(v1::ChildRecord& r, const HouseholdFacts& e, const rv1::PersonFacts& m, const std::string& guardian,
               const AgeNeed& need, absl::CivilDay since, const std::string& why) {
  v1::Child& c = *r.mutable_child();
  c.set_household_id(e.household_id());
  c.set_social_area(e.social_area());
  r.set_municipality_ags(e.municipality_ags());
  *r.mutable_location() = e.approx_location();
  r.set_guardian_person_id(guardian);
  c.set_age_years(m.age_years());
  c.set_care_hours(m.needs().kita_hours());
  c.set_wished_start(m.needs().kita_from());
  c.set_cefr_level(m.cefr_level());
  SetNeed(c, need);
  OpenWait(c, since, why);
  // A Kita place wished for later is waited for from then.
  absl::CivilDay wished;
  if (need.age_group && ParseIsoDate(c.wished_start(), wished) && wished > since) {
    c.set_waiting_since(FormatIsoDate(wished));
  }
}

// German good enough for a regular class: no DaZ seat is sought.
void StartInRegularClass(v1::Child& child, const DazRules& rules) {
  if (child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED || StartPhase(child.cefr_level(), rules) < 3) return;
  child.mutable_placement()->Clear();
  child.mutable_placement()->set_status(v1::CHILD_STATUS_LEFT);
  child.mutable_placement()->set_phase(3);
  child.mutable_placement()->set_reason(
      absl::StrCat("a regular class from the start: German at ", child.cefr_level(), " recorded, no DaZ seat needed"));
}

}  // namespace

absl::Status Schools::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  if (event.event_type == rv1::HouseholdRegistered::descriptor()->full_name()) {
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    const std::string guardian = GuardianOf(e.members());
    for (const auto& m : e.members()) {
      if (!IsValidId(m.person_id(), kPersonIdPrefix)) continue;
      const AgeNeed need = NeedOf(m, settings_.ages);
      if (!need.any()) continue;
      auto s = ApplyToChild(event, m.person_id(), [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (!is_new) return absl::NotFoundError("known already");
        OpenChild(r, e, m, guardian, need, Today(), "newly registered");
        StartInRegularClass(*r.mutable_child(), settings_.daz);
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (event.event_type == rv1::HouseholdAged::descriptor()->full_name()) {
    rv1::HouseholdAged e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyAged(event, e);
  }
  if (event.event_type == rv1::HouseholdRelocated::descriptor()->full_name()) {
    rv1::HouseholdRelocated e;
    if (auto s = parse(e); !s.ok()) return s;
    return MoveChildren(event, e.household_id(), e.municipality_ags(), e.social_area(), e.approx_location());
  }
  // The case closed: the children leave, and their places are free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    for (const auto& person_id : e.person_ids()) {
      if (!IsValidId(person_id, kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      auto s = ApplyToChild(event, person_id, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (is_new) return absl::NotFoundError("not ours");  // an adult, or unknown here
        r.mutable_child()->mutable_placement()->Clear();
        r.mutable_child()->mutable_placement()->set_status(v1::CHILD_STATUS_LEFT);
        r.mutable_child()->mutable_placement()->set_reason("the district's case for the family closed");
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    auto s = ApplyToChild(event, e.person_id(), [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      const std::string household = r.child().household_id();
      r.Clear();
      r.mutable_child()->set_person_id(e.person_id());
      r.mutable_child()->set_household_id(household);
      r.set_erased(true);
      return absl::OkStatus();
    });
    if (!s.ok() || !IsValidId(e.household_id(), "hh")) return s;
    // The guardian erased or merged: the household's children name them no
    // more; messages about them go to the surviving record, or to nobody.
    std::string successor;
    if (event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
      rv1::PersonMerged merged;
      if (auto parsed = parse(merged); !parsed.ok()) return parsed;
      successor = merged.surviving_person_id();
    }
    auto children = store_.HouseholdChildren(e.household_id());
    if (!children.ok()) return children.status();
    for (const auto& child : *children) {
      if (child == e.person_id()) continue;
      auto changed = ApplyToChild(event, child, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (is_new || r.guardian_person_id() != e.person_id()) return absl::NotFoundError("not their guardian");
        r.set_guardian_person_id(successor);
        return absl::OkStatus();
      }, HeldPlace::kKeep);
      if (!changed.ok()) return changed;
    }
    return absl::OkStatus();
  }
  return absl::OkStatus();  // an event this service does not need
}

absl::Status Schools::ApplyAged(const IncomingEvent& event, const rv1::HouseholdAged& e) {
  const std::string guardian = GuardianOf(e.members());
  // A claim that a date opened is waited for from that date, however late it is heard of.
  const absl::CivilDay since = absl::ToCivilDay(absl::FromUnixSeconds(e.meta().occurred_at().seconds()), zone_);
  for (const auto& m : e.members()) {
    if (!IsValidId(m.person_id(), kPersonIdPrefix) ||
        std::find(e.aged_person_ids().begin(), e.aged_person_ids().end(), m.person_id()) == e.aged_person_ids().end()) {
      continue;
    }
    const AgeNeed need = NeedOf(m, settings_.ages);
    auto s = ApplyToChild(event, m.person_id(), [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
      if (is_new) {
        // A first birthday, or a school year for a child the service never followed.
        if (!need.any()) return absl::NotFoundError("nothing to place");
        OpenChild(r, e, m, guardian, need, since, AgedReason(need));
        StartInRegularClass(*r.mutable_child(), settings_.daz);
        return absl::OkStatus();
      }
      v1::Child& c = *r.mutable_child();
      c.set_age_years(m.age_years());
      c.set_cefr_level(m.cefr_level());
      const auto status = c.placement().status();
      if (SameNeed(c, need) || status == v1::CHILD_STATUS_LEFT) return absl::OkStatus();
      const bool school_after_kita = c.age_group() != v1::AGE_GROUP_UNSPECIFIED && need.school_type.has_value();
      // A place is kept: a Kita child moves up a group inside its Kita, and a
      // pupil stays in its class (moving on is the school's decision, by
      // phases) even when compulsory schooling ends. A Kita declined stays so.
      if (!school_after_kita && (HoldsPlace(status) || status == v1::CHILD_STATUS_DECLINED)) return absl::OkStatus();
      if (!need.any()) {
        // Compulsory schooling ended while waiting: courses take over.
        c.mutable_placement()->Clear();
        c.mutable_placement()->set_status(v1::CHILD_STATUS_LEFT);
        c.mutable_placement()->set_reason("compulsory schooling ended: the course service takes over");
        return absl::OkStatus();
      }
      // School instead of Kita (a Kita place held is free again), or a wait
      // that goes on for another group or school type.
      SetNeed(c, need);
      if (school_after_kita || status != v1::CHILD_STATUS_WAITING) OpenWait(c, since, AgedReason(need));
      if (school_after_kita) StartInRegularClass(c, settings_.daz);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Schools::MoveChildren(const IncomingEvent& event, const std::string& household_id,
                                   const std::string& municipality_ags, const std::string& social_area,
                                   const ankommen::common::v1::ApproxLocation& location) {
  if (!IsValidId(household_id, "hh")) return absl::InvalidArgumentError("bad household id");
  auto children = store_.HouseholdChildren(household_id);
  if (!children.ok()) return children.status();
  for (const auto& person_id : *children) {
    auto s = ApplyToChild(event, person_id, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      r.mutable_child()->set_social_area(social_area);
      r.set_municipality_ags(municipality_ags);
      *r.mutable_location() = location;
      const auto status = r.child().placement().status();
      // A move re-opens placement near the new home; a declined Kita stays declined.
      if (HoldsPlace(status) || status == v1::CHILD_STATUS_WAITING) {
        OpenWait(*r.mutable_child(), Today(), "moved: placed again near the new home");
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Schools::ApplyHousingEvent(const IncomingEvent& event) {
  if (event.event_type != hv1::HouseholdMovedIn::descriptor()->full_name()) return absl::OkStatus();
  hv1::HouseholdMovedIn e;
  if (auto s = ParsePayload(event, e); !s.ok()) return s;
  return MoveChildren(event, e.household_id(), e.municipality_ags(), e.social_area(), e.approx_location());
}

}  // namespace ankommen::schools
