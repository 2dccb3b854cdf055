// Suspected duplicates: listed, found on demand, resolved by merging or marking distinct.
#include "registry.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "store/command.h"
#include "domain/duplicates.h"
#include "domain/facts.h"
#include "domain/residence.h"
#include "domain/validation.h"
#include "duplicate_check.h"
#include "store/ids.h"
#include "observability/log.h"
#include "registry_internal.h"

namespace ankommen::registry {

absl::StatusOr<DuplicateCheck> CheckForDuplicates(HouseholdStore& store, const v1::Household& household,
                                                  int per_key) {
  auto compared = store.DuplicateCandidates(household, per_key);
  if (!compared.ok()) return compared.status();
  DuplicateCheck check;
  check.crowded_keys = compared->crowded_keys;
  check.suspects = FindSuspects(compared->members, compared->candidates);
  // The housemates of those suspected (under a crowded key), not compared yet.
  std::set<std::string> compared_ids;
  std::vector<std::string> housemates;
  for (const auto& s : check.suspects) {
    auto it = compared->housemates.find(s.other_household_id);
    if (it == compared->housemates.end()) continue;
    if (compared_ids.empty()) {
      for (const auto& c : compared->candidates) compared_ids.insert(c.person_id);
    }
    for (const auto& id : it->second) {
      if (compared_ids.insert(id).second) housemates.push_back(id);
    }
  }
  if (!housemates.empty()) {
    auto more = store.HousematesSharingAKey(housemates, compared->members);
    if (!more.ok()) return more.status();
    if (!more->empty()) {
      compared->candidates.insert(compared->candidates.end(), more->begin(), more->end());
      check.suspects = FindSuspects(compared->members, compared->candidates);
    }
  }
  check.compared = compared->candidates.size();
  return check;
}

absl::Status Registry::ListSuspectedDuplicates(const v1::ListSuspectedDuplicatesRequest& request,
                                               v1::ListSuspectedDuplicatesResponse& response, const RequestContext&) {
  if (auto s = ValidateHeldList(request); !s.ok()) return s;
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  auto page = store_.ListHeld(page_size, request.page_token());
  if (!page.ok()) return page.status();
  for (auto& held : page->held) {
    auto* entry = response.add_duplicates();
    entry->set_person_id(held.person_id);
    entry->set_household_id(held.household_id);
    *entry->mutable_suspicion() = std::move(held.suspicion);
  }
  response.set_next_page_token(page->next_page_token);
  return absl::OkStatus();
}

absl::Status Registry::FindDuplicates(const v1::FindDuplicatesRequest& request, v1::FindDuplicatesResponse& response,
                                      const RequestContext&) {
  if (auto s = ValidatePersonId("person_id", request.person_id()); !s.ok()) return s;
  auto current = CurrentPersonId(request.person_id());
  if (!current.ok()) return current.status();
  auto loaded = LoadPersonHousehold(*current);
  if (!loaded.ok()) return loaded.status();
  // The person alone against everyone else (the household's other members
  // are not theirs to match).
  v1::Household alone = loaded->household;
  alone.clear_members();
  *alone.add_members() = *FindMember(loaded->household, *current);
  auto suspects = Suspects(alone);
  if (!suspects.ok()) return suspects.status();
  for (const auto& s : *suspects) {
    auto* c = response.add_candidates();
    c->set_other_person_id(s.other_person_id);
    c->set_other_household_id(s.other_household_id);
    c->set_score(s.score);
    for (const auto& r : s.reasons) c->add_reasons(r);
    c->mutable_found_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  }
  return absl::OkStatus();
}

absl::Status Registry::ResolveDuplicate(const v1::ResolveDuplicateRequest& request,
                                        v1::ResolveDuplicateResponse& response, const RequestContext& rc) {
  if (auto s = ValidateResolution(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  const std::string& other_id = request.other_person_id();
  const bool same = request.resolution() == v1::RESOLUTION_SAME_PERSON;
  bool released = false;
  auto answer = RunCommand(PartitionOfId(person_id), "resolve-duplicate", request, request.idempotency_key(),
                           [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadPersonHousehold(person_id);
    if (!loaded.ok()) return loaded.status();
    v1::Household before = loaded->household;
    v1::Household& after = loaded->household;
    v1::Person* person = FindMember(after, person_id);
    if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
    auto* open = person->mutable_suspected_duplicates();
    auto it = std::find_if(open->begin(), open->end(),
                           [&](const v1::DuplicateSuspicion& s) { return s.other_person_id() == other_id; });
    if (it == open->end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("person ", person_id, " has no open suspicion of being ", other_id));
    }
    Decision d;
    if (same) {
      // The earlier record survives; the later one's personal data goes and
      // its id maps to the survivor from now on.
      auto survivor = LoadPerson(other_id);
      if (!survivor.ok()) {
        return absl::FailedPreconditionError(absl::StrCat("cannot merge into ", other_id, ": ", survivor.status().message()));
      }
      RemoveMember(after, person_id);
      auto event = MakeMerged(person_id, after.household_id(), *survivor, {NewEventId(), clock_.Now(), rc.correlation_id});
      d.commit.events.push_back(ToOutgoing(kPersonMerged, event));
      d.subject_id = other_id;
    } else {
      open->erase(it);
      person->add_distinct_from(other_id);
      d.subject_id = person_id;
    }
    released = UpdateHold(before, after, d.commit, rc);
    after.set_version(loaded->version + 1);
    d.commit.aggregate_key = store_.HouseholdKey(after.household_id());
    d.commit.expected_version = loaded->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.IndexMoved(before, after, clock_.Now());
    if (same) d.commit.index_ops.push_back(IndexOp::Set(store_.PersonKey(person_id), "merged:" + other_id));
    // Who decided, when, what and why: the audit log is the record of the decision.
    d.commit.index_ops.push_back(AuditOp(
        person_id, absl::StrCat(same ? "same_person" : "different_persons", " as ", other_id, ": ", request.reason()), rc));
    v1::ResolveDuplicateResponse r;
    r.set_person_id(d.subject_id);
    r.set_released(released);
    d.response = r.SerializeAsString();
    return d;
  });
  if (!answer.ok()) return answer.status();
  if (answer->replayed) {
    // A retry: the decision stands; say what it was.
    response.set_person_id(answer->subject_id);
    return absl::OkStatus();
  }
  if (!response.ParseFromString(answer->response)) return absl::InternalError("answer is unreadable");
  const char* what = same ? "same_person" : "different_persons";
  log::Info("duplicate_resolved", {{"person_id", person_id},
                                   {"resolution", what},
                                   {"released", response.released()},
                                   {"correlation_id", rc.correlation_id}});
  on_review_(what);
  return absl::OkStatus();
}

}  // namespace ankommen::registry
