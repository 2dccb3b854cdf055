// The registry's use cases (registry.h): households and persons registered, read, changed,
// relocated and erased, contacts, what the courses tell; suspected duplicates are in
// duplicates.cpp, a case's end (closing, retention, the audit query) in cases.cpp.
#include "registry.h"

#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "store/command.h"
#include "domain/disclosure.h"
#include "domain/ages.h"
#include "domain/duplicates.h"
#include "domain/facts.h"
#include "domain/residence.h"
#include "domain/validation.h"
#include "duplicate_check.h"
#include "store/ids.h"
#include "observability/log.h"
#include "runtime/retention.h"
#include "registry_internal.h"

namespace ankommen::registry {

// The audit's purpose for the answer to a retried command: a read of the
// record as it stands then.
constexpr char kRetriedAnswer[] = "answer to a retried command";
namespace {

// A closed case is kept for the record, not changed (the other services have
// let it go; a change would bring it back half).
absl::Status CheckOpen(const v1::Household& household) {
  if (!household.has_case_closed_at()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the case of household ", household.household_id(),
                                                    " is closed; its records are kept, not changed"));
}

}  // namespace

std::string Registry::NewEventId() const { return NewId("ev", 0); }

absl::StatusOr<Registry::Outcome> Registry::RunCommand(int partition, const char* scope,
                                                       const google::protobuf::Message& request,
                                                       const std::string& idempotency_key, const Decide& decide) {
  auto outcome = ankommen::RunCommand(store_.outbox(), partition, scope, request, idempotency_key,
                                      [&]() -> absl::StatusOr<ankommen::Decision> {
    auto d = decide();
    if (!d.ok()) return d.status();
    // The record holds the id the command concerned; never anything personal.
    return ankommen::Decision{std::move(d->commit), std::move(d->subject_id), std::move(d->response)};
  });
  if (!outcome.ok()) return outcome.status();
  if (outcome->replayed && !IsValidId(outcome->record, kHouseholdIdPrefix) &&
      !IsValidId(outcome->record, kPersonIdPrefix)) {
    return absl::DataLossError("the answer stored for this idempotency_key is unreadable");
  }
  return Outcome{outcome->replayed, std::move(outcome->record), std::move(outcome->answer)};
}

absl::StatusOr<LoadedHousehold> Registry::LoadHousehold(const std::string& household_id) {
  auto loaded = store_.Load(household_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->household.members_size() == 0) {
    return absl::NotFoundError(absl::StrCat("household ", household_id, " not found"));
  }
  return std::move(**loaded);
}

absl::StatusOr<LoadedHousehold> Registry::LoadPersonHousehold(const std::string& person_id) {
  auto ref = store_.FindPerson(person_id);
  if (!ref.ok()) return ref.status();
  if (ref->state == PersonRef::State::kUnknown) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
  if (ref->state == PersonRef::State::kErased) {
    return absl::NotFoundError(absl::StrCat("person ", person_id, " was erased"));
  }
  if (ref->state == PersonRef::State::kMerged) {
    return absl::NotFoundError(absl::StrCat("person ", person_id, " was merged into ", ref->merged_into));
  }
  return LoadHousehold(ref->household_id);
}

absl::StatusOr<std::string> Registry::CurrentPersonId(const std::string& person_id) {
  std::string id = person_id;
  // A chain only if a survivor was itself later merged; short in any case.
  for (int hop = 0; hop < 8; ++hop) {
    auto ref = store_.FindPerson(id);
    if (!ref.ok()) return ref.status();
    if (ref->state != PersonRef::State::kMerged) return id;
    id = ref->merged_into;
  }
  return absl::DataLossError(absl::StrCat("person ", person_id, " is merged in a chain too long to follow"));
}

absl::StatusOr<std::vector<Suspicion>> Registry::Suspects(const v1::Household& household) {
  auto check = CheckForDuplicates(store_, household, settings_.duplicate_candidates_per_key);
  if (!check.ok()) return check.status();
  if (check->crowded_keys > 0) on_crowded_(check->crowded_keys);
  std::vector<Suspicion>& found = check->suspects;
  // Pairs a person already decided to be different are not suspected again.
  std::erase_if(found, [&](const Suspicion& s) {
    for (const auto& p : household.members()) {
      if (p.person_id() != s.person_id) continue;
      return std::find(p.distinct_from().begin(), p.distinct_from().end(), s.other_person_id) !=
             p.distinct_from().end();
    }
    return false;
  });
  return found;
}

bool Registry::UpdateHold(const v1::Household& before, v1::Household& after, Commit& commit,
                          const RequestContext& rc) {
  // Only what was held stays held (a flag-only suspicion never holds).
  bool held = before.held_for_review() &&
              std::any_of(after.members().begin(), after.members().end(),
                          [](const v1::Person& p) { return p.suspected_duplicates_size() > 0; });
  after.set_held_for_review(held);
  if (!before.held_for_review() || held || after.members_size() == 0) return false;
  auto event = MakeHouseholdRegistered(after, {NewEventId(), clock_.Now(), rc.correlation_id}, Today(), settings_.land);
  commit.events.push_back(ToOutgoing(kHouseholdRegistered, event));
  return true;
}

absl::StatusOr<v1::Person> Registry::LoadPerson(const std::string& person_id) {
  auto loaded = LoadPersonHousehold(person_id);
  if (!loaded.ok()) return loaded.status();
  v1::Person* person = FindMember(loaded->household, person_id);
  if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
  return std::move(*person);
}

absl::Status Registry::HouseholdAnswer(const Outcome& outcome, v1::Household& answer, const RequestContext& rc) {
  const Disclosure d = DisclosureFor(rc.roles);
  if (outcome.replayed) {
    auto current = LoadHousehold(outcome.subject_id);
    if (!current.ok()) return current.status();
    // A retry reads the household as it stands now: audited as a read is.
    if (CarriesPersonalData(d)) {
      if (auto s = Audit(outcome.subject_id, kRetriedAnswer, rc); !s.ok()) return s;
    }
    answer = std::move(current->household);
  } else if (!answer.ParseFromString(outcome.response)) {
    return absl::InternalError("answer is unreadable");
  }
  Disclose(answer, d);
  return absl::OkStatus();
}

IndexOp Registry::AuditOp(const std::string& subject_id, const std::string& purpose, const RequestContext& rc) const {
  return store_.AuditOp(PartitionOfId(subject_id), {rc.actor, rc.method, subject_id, purpose, rc.correlation_id});
}

absl::Status Registry::Audit(const std::string& subject_id, const std::string& purpose, const RequestContext& rc) {
  // Fail closed: personal data is not handed out unless the read is recorded.
  auto s = store_.Audit(PartitionOfId(subject_id), {rc.actor, rc.method, subject_id, purpose, rc.correlation_id});
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("audit log unavailable: ", s.message()));
  return absl::OkStatus();
}

absl::Status Registry::RegisterHousehold(const v1::RegisterHouseholdRequest& request,
                                         v1::RegisterHouseholdResponse& response, const RequestContext& rc) {
  if (auto s = ValidateRegistration(request, Today()); !s.ok()) return s;
  // The key decides the partition, so a retry meets its first answer there.
  const int partition = PartitionOfKey(request.idempotency_key());
  auto answer = RunCommand(partition, "register", request, request.idempotency_key(),
                           [&]() -> absl::StatusOr<Decision> {
    v1::Household household = request.household();
    household.set_household_id(NewId(kHouseholdIdPrefix, partition));
    for (auto& person : *household.mutable_members()) {
      person.set_person_id(NewId(kPersonIdPrefix, partition));
      person.set_household_id(household.household_id());
    }
    household.mutable_registered_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    household.set_version(1);
    auto suspects = Suspects(household);
    if (!suspects.ok()) return suspects.status();
    for (const auto& s : *suspects) {
      v1::Person* person = FindMember(household, s.person_id);
      auto* suspicion = person->add_suspected_duplicates();
      suspicion->set_other_person_id(s.other_person_id);
      suspicion->set_other_household_id(s.other_household_id);
      suspicion->set_score(s.score);
      for (const auto& r : s.reasons) suspicion->add_reasons(r);
      suspicion->mutable_found_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    }
    // A likely duplicate is kept but held: no other service hears of the
    // household, so nothing is placed twice, until a person decides.
    household.set_held_for_review(settings_.hold_duplicates && !suspects->empty());
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household.household_id());
    d.commit.expected_version = 0;
    d.commit.state = household.SerializeAsString();
    if (!household.held_for_review()) {
      auto event =
          MakeHouseholdRegistered(household, {NewEventId(), clock_.Now(), rc.correlation_id}, Today(), settings_.land);
      d.commit.events.push_back(ToOutgoing(kHouseholdRegistered, event));
    }
    d.commit.index_ops = store_.IndexNew(household, clock_.Now());
    d.commit.index_ops.push_back(
        store_.AgesDue(household.household_id(), NextAgeChange(household, Today(), settings_.land)));
    d.commit.index_ops.push_back(AuditOp(household.household_id(), "registration", rc));
    d.subject_id = household.household_id();
    d.response = d.commit.state;
    return d;
  });
  if (!answer.ok()) return answer.status();
  if (auto s = HouseholdAnswer(*answer, *response.mutable_household(), rc); !s.ok()) return s;
  if (answer->replayed) return absl::OkStatus();
  log::Info("household_registered", {{"household_id", response.household().household_id()},
                                     {"members", response.household().members_size()},
                                     {"held_for_review", response.household().held_for_review()},
                                     {"correlation_id", rc.correlation_id}});
  if (response.household().held_for_review()) on_review_("held");
  else if (std::any_of(response.household().members().begin(), response.household().members().end(),
                       [](const v1::Person& p) { return p.suspected_duplicates_size() > 0; })) {
    on_review_("flagged");
  }
  return absl::OkStatus();
}

absl::Status Registry::GetHousehold(const v1::GetHouseholdRequest& request, v1::GetHouseholdResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidateHouseholdRead(request); !s.ok()) return s;
  auto loaded = LoadHousehold(request.household_id());
  if (!loaded.ok()) return loaded.status();
  if (auto s = Audit(request.household_id(), request.purpose(), rc); !s.ok()) return s;
  *response.mutable_household() = std::move(loaded->household);
  Disclose(*response.mutable_household(), DisclosureFor(rc.roles));
  return absl::OkStatus();
}

absl::Status Registry::GetPerson(const v1::GetPersonRequest& request, v1::GetPersonResponse& response,
                                 const RequestContext& rc) {
  if (auto s = ValidatePersonRead(request); !s.ok()) return s;
  auto current = CurrentPersonId(request.person_id());
  if (!current.ok()) return current.status();
  auto person = LoadPerson(*current);
  if (!person.ok()) return person.status();
  if (auto s = Audit(*current, request.purpose(), rc); !s.ok()) return s;
  *response.mutable_person() = std::move(*person);
  Disclose(*response.mutable_person(), DisclosureFor(rc.roles));
  return absl::OkStatus();
}

absl::Status Registry::ListHouseholds(const v1::ListHouseholdsRequest& request, v1::ListHouseholdsResponse& response,
                                      const RequestContext& rc) {
  if (auto s = ValidateList(request); !s.ok()) return s;
  // Listing is how a whole area's records could be read out: a quota per caller.
  if (!list_quota_.Take(rc.actor, clock_.Now())) {
    return absl::ResourceExhaustedError(absl::StrCat("too many pages listed by ", rc.actor, "; at most ",
                                                     settings_.list_pages_per_minute, " a minute"));
  }
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  auto page = store_.ListByArea(request.social_area(), page_size, request.page_token());
  if (!page.ok()) return page.status();
  const Disclosure disclosure = DisclosureFor(rc.roles);
  for (auto& h : page->households) {
    if (auto s = Audit(h.household_id(), request.purpose(), rc); !s.ok()) return s;
    Disclose(h, disclosure);
    *response.add_households() = std::move(h);
  }
  response.set_next_page_token(page->next_page_token);
  return absl::OkStatus();
}

absl::Status Registry::ChangePerson(const char* scope, const google::protobuf::Message& request,
                                    const std::string& idempotency_key, const std::string& person_id,
                                    const ChangeFn& change, v1::Person& answer, const RequestContext& rc,
                                    const std::string& audit_purpose) {
  auto current = CurrentPersonId(person_id);
  if (!current.ok()) return current.status();
  auto outcome = RunCommand(PartitionOfId(person_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadPersonHousehold(*current);
    if (!loaded.ok()) return loaded.status();
    if (auto s = CheckOpen(loaded->household); !s.ok()) return s;
    v1::Person* person = FindMember(loaded->household, *current);
    if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", *current, " not found"));
    auto event = change(*person);
    if (!event.ok()) return event.status();
    loaded->household.set_version(loaded->version + 1);
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(loaded->household.household_id());
    d.commit.expected_version = loaded->version;
    d.commit.state = loaded->household.SerializeAsString();
    // A held household is unknown elsewhere; its release carries the facts as they are then.
    if (!loaded->household.held_for_review()) d.commit.events.push_back(std::move(*event));
    d.commit.index_ops.push_back(AuditOp(*current, audit_purpose, rc));
    d.subject_id = *current;
    d.response = person->SerializeAsString();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  const Disclosure d = DisclosureFor(rc.roles);
  if (outcome->replayed) {
    auto now = LoadPerson(outcome->subject_id);
    if (!now.ok()) return now.status();
    // A retry reads the person as they stand now: audited as a read is.
    if (CarriesPersonalData(d)) {
      if (auto s = Audit(outcome->subject_id, kRetriedAnswer, rc); !s.ok()) return s;
    }
    answer = std::move(*now);
  } else if (!answer.ParseFromString(outcome->response)) {
    return absl::InternalError("answer is unreadable");
  }
  Disclose(answer, d);
  return absl::OkStatus();
}

absl::Status Registry::ChangeResidenceStatus(const v1::ChangeResidenceStatusRequest& request,
                                             v1::ChangeResidenceStatusResponse& response, const RequestContext& rc) {
  if (auto s = ValidateStatusChange(request, Today()); !s.ok()) return s;
  return ChangePerson("status", request, request.idempotency_key(), request.person_id(),
                      [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
    if (auto s = CheckStatusTransition(person.residence_status(), request.residence_status()); !s.ok()) return s;
    v1::Person before = person;
    ApplyStatusChange(request, person, Today());
    return ToOutgoing(kPersonStatusChanged, MakeStatusChanged(before, person, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_person(), rc);
}

absl::Status Registry::RecordLanguageLevel(const v1::RecordLanguageLevelRequest& request,
                                           v1::RecordLanguageLevelResponse& response, const RequestContext& rc) {
  if (auto s = ValidateLevel(request); !s.ok()) return s;
  return ChangePerson("level", request, request.idempotency_key(), request.person_id(),
                      [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
    person.set_cefr_level(request.cefr_level());
    person.set_literate_latin(request.literate_latin());
    person.set_literate_other_script(request.literate_other_script());
    return ToOutgoing(kPersonLevelRecorded, MakeLevelRecorded(person, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_person(), rc);
}

absl::Status Registry::RecordCourseObligation(const v1::RecordCourseObligationRequest& request,
                                              v1::RecordCourseObligationResponse& response, const RequestContext& rc) {
  if (auto s = ValidateObligation(request, Today()); !s.ok()) return s;
  return ChangePerson("obligation", request, request.idempotency_key(), request.person_id(),
                      [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
    if (auto s = ApplyObligation(request, person); !s.ok()) return s;
    return ToOutgoing(kPersonObligationChanged,
                      MakeObligationChanged(person, request, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_person(), rc, request.obligation().reason());
}

absl::Status Registry::ChangeHousehold(const char* scope, const google::protobuf::Message& request,
                                       const std::string& idempotency_key, const std::string& household_id,
                                       const std::string& audit_purpose, const HouseholdChangeFn& change,
                                       v1::Household& answer, const RequestContext& rc) {
  auto outcome = RunCommand(PartitionOfId(household_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    if (auto s = CheckOpen(loaded->household); !s.ok()) return s;
    v1::Household before = loaded->household;
    v1::Household& after = loaded->household;
    auto event = change(after);
    if (!event.ok()) return event.status();
    after.set_version(loaded->version + 1);
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.IndexMoved(before, after, clock_.Now());
    d.commit.index_ops.push_back(AuditOp(household_id, audit_purpose, rc));
    // A held household is unknown elsewhere: its release carries the facts as they are then.
    if (event->has_value() && !after.held_for_review()) d.commit.events.push_back(std::move(**event));
    d.subject_id = household_id;
    d.response = d.commit.state;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  return HouseholdAnswer(*outcome, answer, rc);
}

absl::Status Registry::RelocateHousehold(const v1::RelocateHouseholdRequest& request,
                                         v1::RelocateHouseholdResponse& response, const RequestContext& rc) {
  if (auto s = ValidateRelocation(request); !s.ok()) return s;
  return ChangeHousehold("relocate", request, request.idempotency_key(), request.household_id(), "",
                         [&](v1::Household& h) -> absl::StatusOr<std::optional<OutgoingEvent>> {
    h.set_municipality_ags(request.municipality_ags());
    h.set_social_area(request.social_area());
    if (request.has_address()) *h.mutable_address() = request.address();
    else h.clear_address();
    if (request.has_location()) *h.mutable_location() = request.location();
    else h.clear_location();
    return ToOutgoing(kHouseholdRelocated, MakeRelocated(h, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_household(), rc);
}

absl::Status Registry::ErasePerson(const v1::ErasePersonRequest& request, v1::ErasePersonResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateErasure(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  auto answer = RunCommand(PartitionOfId(person_id), "erase", request, request.idempotency_key(),
                           [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadPersonHousehold(person_id);
    if (!loaded.ok()) return loaded.status();
    v1::Household before = loaded->household;
    v1::Household& after = loaded->household;
    RemoveMember(after, person_id);
    after.set_version(loaded->version + 1);
    Decision d;
    if (!before.held_for_review()) {
      auto event = MakeErased(person_id, after.household_id(), {NewEventId(), clock_.Now(), rc.correlation_id});
      d.commit.events.push_back(ToOutgoing(kPersonErased, event));
    }
    // Erasing the suspected member may release the rest of the household.
    UpdateHold(before, after, d.commit, rc);
    d.commit.aggregate_key = store_.HouseholdKey(after.household_id());
    d.commit.expected_version = loaded->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.IndexMoved(before, after, clock_.Now());
    // The id answers "erased" while events about it are kept (runtime/retention.h), then nothing.
    d.commit.index_ops.push_back(IndexOp::SetExpiring(store_.PersonKey(person_id), "erased", ErasureMarkerTtl()));
    d.commit.index_ops.push_back(AuditOp(person_id, request.reason(), rc));
    v1::ErasePersonResponse r;
    d.subject_id = person_id;
    d.response = r.SerializeAsString();
    return d;
  });
  if (!answer.ok()) return answer.status();
  response.set_person_id(answer->subject_id);
  return absl::OkStatus();
}

absl::Status Registry::GetContact(const v1::GetContactRequest& request, v1::GetContactResponse& response,
                                  const RequestContext& rc) {
  if (auto s = ValidateContactRead(request); !s.ok()) return s;
  auto current = CurrentPersonId(request.person_id());
  if (!current.ok()) return current.status();
  auto loaded = LoadPersonHousehold(*current);
  if (!loaded.ok()) return loaded.status();
  const v1::Person* person = FindMember(loaded->household, *current);
  if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", *current, " not found"));
  if (auto s = Audit(*current, request.purpose(), rc); !s.ok()) return s;
  if (loaded->household.has_address()) *response.mutable_postal_address() = loaded->household.address();
  response.set_person_id(person->person_id());
  response.set_given_names(person->given_names());
  response.set_family_name(person->family_name());
  response.set_preferred_language(person->preferred_language());
  *response.mutable_contact() = person->contact();
  return absl::OkStatus();
}

absl::Status Registry::ApplyCourseCompleted(const IncomingEvent& event) {
  ankommen::courses::v1::CourseCompleted completed;
  if (!completed.ParseFromString(event.payload)) return absl::InvalidArgumentError("unreadable CourseCompleted");
  // Recorded in the audit log as the course service's doing.
  RequestContext events_context;
  events_context.actor = "courses";
  events_context.method = "CourseCompleted";
  events_context.correlation_id = completed.meta().correlation_id();
  for (const auto& result : completed.results()) {
    if (!IsValidId(result.person_id(), kPersonIdPrefix) || !IsCefrLevel(result.reached_level())) {
      log::Warn("course_result_skipped", {{"event_id", event.event_id}, {"reason", "bad person id or level"}});
      continue;
    }
    v1::Person answer;
    auto s = ChangePerson("course-result", result, absl::StrCat(event.event_id, "/", result.person_id()),
                          result.person_id(), [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
      person.set_cefr_level(result.reached_level());
      return ToOutgoing(kPersonLevelRecorded,
                        MakeLevelRecorded(person, {NewEventId(), clock_.Now(), completed.meta().correlation_id()}));
    }, answer, events_context);
    // Erased meanwhile: nothing to record.
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

}  // namespace ankommen::registry
