// The registry's and the housing's events as facts of a household's case:
// who belongs to it with which age, status and benefits, its social area,
// whether it lives in shared accommodation, whether its case is open. Each
// event is applied once (the household's inbox); what it means for the
// casework is cases.cpp's.
#include <algorithm>

#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "casework.h"
#include "store/command.h"
#include "store/ids.h"

namespace ankommen::casework {

namespace rv1 = ::ankommen::registry::v1;
namespace hv1 = ::ankommen::housing::v1;

namespace {

v1::MemberFacts* FindMember(v1::HouseholdRecord& r, const std::string& person_id) {
  for (auto& m : *r.mutable_members()) {
    if (m.person_id() == person_id) return &m;
  }
  return nullptr;
}

}  // namespace

absl::Status Casework::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  const std::string& type = event.event_type;
  if (type == rv1::HouseholdRegistered::descriptor()->full_name() || type == rv1::HouseholdAged::descriptor()->full_name()) {
    // An aged household reads as a registered one (fields 1-6 agree): every member's facts as they are now.
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    std::vector<std::string> ids;
    for (const auto& m : e.members()) {
      if (!IsValidId(m.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      ids.push_back(m.person_id());
    }
    // A replayed registration does not bring back someone erased since.
    auto erased = store_.Erased(ids);
    if (!erased.ok()) return erased.status();
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      r.set_registered(true);
      r.set_social_area(e.social_area());
      r.clear_members();
      for (const auto& m : e.members()) {
        if (erased->contains(m.person_id())) continue;
        auto& facts = *r.add_members();
        facts.set_person_id(m.person_id());
        facts.set_age_years(m.age_years());
        facts.set_residence_status(m.residence_status());
        facts.set_benefit_regime(m.benefit_regime());
      }
      return true;
    });
  }
  if (type == rv1::PersonStatusChanged::descriptor()->full_name()) {
    rv1::PersonStatusChanged e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      v1::MemberFacts* m = FindMember(r, e.person_id());
      if (m == nullptr) return false;
      m->set_residence_status(e.residence_status());
      m->set_benefit_regime(e.benefit_regime());
      return true;
    });
  }
  if (type == rv1::HouseholdRelocated::descriptor()->full_name()) {
    rv1::HouseholdRelocated e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      if (r.social_area() == e.social_area()) return false;
      r.set_social_area(e.social_area());
      return true;
    });
  }
  if (type == rv1::PersonErased::descriptor()->full_name() || type == rv1::PersonMerged::descriptor()->full_name()) {
    // A merged duplicate leaves as an erased person does (fields 1-3 agree);
    // their tasks go with them, and a household with no one left ends.
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    if (auto s = store_.MarkErased(e.person_id()); !s.ok()) return s;
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      auto& members = *r.mutable_members();
      const auto it = std::find_if(members.begin(), members.end(),
                                   [&](const v1::MemberFacts& m) { return m.person_id() == e.person_id(); });
      if (it == members.end()) return false;
      members.erase(it);
      for (auto& t : *r.mutable_tasks()) {
        if (t.person_id() != e.person_id()) continue;
        if (t.status() == v1::TASK_STATUS_OPEN) t.set_status(v1::TASK_STATUS_DROPPED);
        t.clear_person_id();
      }
      return true;
    });
  }
  if (type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      r.set_closed(true);
      return true;
    });
  }
  return absl::OkStatus();  // nothing here for the others
}

absl::Status Casework::ApplyHousingEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  const std::string& type = event.event_type;
  // Where a household lives decides whether refugee social work keeps it
  // after protection (the district's choice); the housing may tell before the
  // registry's registration is read here, so the fact is kept either way.
  auto shared = [&](const std::string& household_id, bool in_shared) {
    return ApplyToHousehold(event, household_id, [&](v1::HouseholdRecord& r) -> absl::StatusOr<bool> {
      if (r.in_shared_accommodation() == in_shared && r.registered()) return false;
      r.set_in_shared_accommodation(in_shared);
      return true;
    });
  };
  if (type == hv1::HouseholdMovedIn::descriptor()->full_name()) {
    hv1::HouseholdMovedIn e;
    if (auto s = parse(e); !s.ok()) return s;
    return shared(e.household_id(), e.kind() == hv1::KIND_SHARED);
  }
  if (type == hv1::HouseholdMovedOut::descriptor()->full_name()) {
    hv1::HouseholdMovedOut e;
    if (auto s = parse(e); !s.ok()) return s;
    return shared(e.household_id(), false);
  }
  return absl::OkStatus();
}

}  // namespace ankommen::casework
