#include "registry.h"

#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "command.h"
#include "domain/facts.h"
#include "domain/residence.h"
#include "domain/validation.h"
#include "ids.h"
#include "log.h"

namespace ankommen::registry {
namespace {

v1::Person* FindMember(v1::Household& household, const std::string& person_id) {
  for (auto& p : *household.mutable_members()) {
    if (p.person_id() == person_id) return &p;
  }
  return nullptr;
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
  return LoadHousehold(ref->household_id);
}

absl::StatusOr<v1::Person> Registry::LoadPerson(const std::string& person_id) {
  auto loaded = LoadPersonHousehold(person_id);
  if (!loaded.ok()) return loaded.status();
  v1::Person* person = FindMember(loaded->household, person_id);
  if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
  return std::move(*person);
}

absl::Status Registry::HouseholdAnswer(const Outcome& outcome, v1::Household& answer) {
  if (outcome.replayed) {
    auto current = LoadHousehold(outcome.subject_id);
    if (!current.ok()) return current.status();
    answer = std::move(current->household);
    return absl::OkStatus();
  }
  if (!answer.ParseFromString(outcome.response)) return absl::InternalError("answer is unreadable");
  return absl::OkStatus();
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
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household.household_id());
    d.commit.expected_version = 0;
    d.commit.state = household.SerializeAsString();
    auto event = MakeHouseholdRegistered(household, {NewEventId(), clock_.Now(), rc.correlation_id}, Today());
    d.commit.events.push_back(ToOutgoing(kHouseholdRegistered, event));
    d.commit.index_ops = store_.IndexNew(household);
    d.subject_id = household.household_id();
    d.response = d.commit.state;
    return d;
  });
  if (!answer.ok()) return answer.status();
  if (auto s = HouseholdAnswer(*answer, *response.mutable_household()); !s.ok()) return s;
  if (answer->replayed) return absl::OkStatus();
  log::Info("household_registered", {{"household_id", response.household().household_id()},
                                     {"members", response.household().members_size()},
                                     {"correlation_id", rc.correlation_id}});
  return absl::OkStatus();
}

absl::Status Registry::GetHousehold(const v1::GetHouseholdRequest& request, v1::GetHouseholdResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidateHouseholdId("household_id", request.household_id()); !s.ok()) return s;
  auto loaded = LoadHousehold(request.household_id());
  if (!loaded.ok()) return loaded.status();
  if (auto s = Audit(request.household_id(), request.purpose(), rc); !s.ok()) return s;
  *response.mutable_household() = std::move(loaded->household);
  return absl::OkStatus();
}

absl::Status Registry::GetPerson(const v1::GetPersonRequest& request, v1::GetPersonResponse& response,
                                 const RequestContext& rc) {
  if (auto s = ValidatePersonId("person_id", request.person_id()); !s.ok()) return s;
  auto person = LoadPerson(request.person_id());
  if (!person.ok()) return person.status();
  if (auto s = Audit(request.person_id(), request.purpose(), rc); !s.ok()) return s;
  *response.mutable_person() = std::move(*person);
  return absl::OkStatus();
}

absl::Status Registry::ListHouseholds(const v1::ListHouseholdsRequest& request, v1::ListHouseholdsResponse& response,
                                      const RequestContext& rc) {
  if (auto s = ValidateList(request); !s.ok()) return s;
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  auto page = store_.ListByArea(request.social_area(), page_size, request.page_token());
  if (!page.ok()) return page.status();
  for (auto& h : page->households) {
    if (auto s = Audit(h.household_id(), request.purpose(), rc); !s.ok()) return s;
    *response.add_households() = std::move(h);
  }
  response.set_next_page_token(page->next_page_token);
  return absl::OkStatus();
}

absl::Status Registry::ChangePerson(const char* scope, const google::protobuf::Message& request,
                                    const std::string& idempotency_key, const std::string& person_id,
                                    const ChangeFn& change, v1::Person& answer) {
  auto outcome = RunCommand(PartitionOfId(person_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadPersonHousehold(person_id);
    if (!loaded.ok()) return loaded.status();
    v1::Person* person = FindMember(loaded->household, person_id);
    if (person == nullptr) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
    auto event = change(*person);
    if (!event.ok()) return event.status();
    loaded->household.set_version(loaded->version + 1);
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(loaded->household.household_id());
    d.commit.expected_version = loaded->version;
    d.commit.state = loaded->household.SerializeAsString();
    d.commit.events.push_back(std::move(*event));
    d.subject_id = person_id;
    d.response = person->SerializeAsString();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (outcome->replayed) {
    auto current = LoadPerson(outcome->subject_id);
    if (!current.ok()) return current.status();
    answer = std::move(*current);
    return absl::OkStatus();
  }
  if (!answer.ParseFromString(outcome->response)) return absl::InternalError("answer is unreadable");
  return absl::OkStatus();
}

absl::Status Registry::ChangeResidenceStatus(const v1::ChangeResidenceStatusRequest& request,
                                             v1::ChangeResidenceStatusResponse& response, const RequestContext& rc) {
  if (auto s = ValidateStatusChange(request); !s.ok()) return s;
  return ChangePerson("status", request, request.idempotency_key(), request.person_id(),
                      [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
    if (auto s = CheckStatusTransition(person.residence_status(), request.residence_status()); !s.ok()) return s;
    v1::Person before = person;
    ApplyStatusChange(request, person);
    return ToOutgoing(kPersonStatusChanged, MakeStatusChanged(before, person, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_person());
}

absl::Status Registry::RecordLanguageLevel(const v1::RecordLanguageLevelRequest& request,
                                           v1::RecordLanguageLevelResponse& response, const RequestContext& rc) {
  if (auto s = ValidateLevel(request); !s.ok()) return s;
  return ChangePerson("level", request, request.idempotency_key(), request.person_id(),
                      [&](v1::Person& person) -> absl::StatusOr<OutgoingEvent> {
    person.set_cefr_level(request.cefr_level());
    person.set_literate_latin(request.literate_latin());
    return ToOutgoing(kPersonLevelRecorded, MakeLevelRecorded(person, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_person());
}

absl::Status Registry::RelocateHousehold(const v1::RelocateHouseholdRequest& request,
                                         v1::RelocateHouseholdResponse& response, const RequestContext& rc) {
  if (auto s = ValidateRelocation(request); !s.ok()) return s;
  const std::string& household_id = request.household_id();
  auto answer = RunCommand(PartitionOfId(household_id), "relocate", request, request.idempotency_key(),
                           [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    v1::Household before = loaded->household;
    v1::Household& after = loaded->household;
    after.set_municipality_ags(request.municipality_ags());
    after.set_social_area(request.social_area());
    if (request.has_address()) *after.mutable_address() = request.address();
    else after.clear_address();
    if (request.has_location()) *after.mutable_location() = request.location();
    else after.clear_location();
    after.set_version(loaded->version + 1);
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.IndexMoved(before, after);
    auto event = MakeRelocated(after, {NewEventId(), clock_.Now(), rc.correlation_id});
    d.commit.events.push_back(ToOutgoing(kHouseholdRelocated, event));
    d.subject_id = household_id;
    d.response = d.commit.state;
    return d;
  });
  if (!answer.ok()) return answer.status();
  return HouseholdAnswer(*answer, *response.mutable_household());
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
    auto* members = after.mutable_members();
    members->erase(std::remove_if(members->begin(), members->end(),
                                  [&](const v1::Person& p) { return p.person_id() == person_id; }),
                   members->end());
    if (after.members_size() == 0) {
      // The last member: the address and location were theirs too.
      after.clear_address();
      after.clear_location();
    }
    after.set_version(loaded->version + 1);
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(after.household_id());
    d.commit.expected_version = loaded->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.IndexMoved(before, after);
    d.commit.index_ops.push_back(IndexOp::Set(store_.PersonKey(person_id), "erased"));
    auto event = MakeErased(person_id, after.household_id(), {NewEventId(), clock_.Now(), rc.correlation_id});
    d.commit.events.push_back(ToOutgoing(kPersonErased, event));
    v1::ErasePersonResponse r;
    d.subject_id = person_id;
    d.response = r.SerializeAsString();
    return d;
  });
  if (!answer.ok()) return answer.status();
  if (auto s = Audit(person_id, request.reason(), rc); !s.ok()) return s;
  response.set_person_id(answer->subject_id);
  return absl::OkStatus();
}

absl::Status Registry::GetContact(const v1::GetContactRequest& request, v1::GetContactResponse& response,
                                  const RequestContext& rc) {
  if (auto s = ValidateContactRead(request); !s.ok()) return s;
  auto person = LoadPerson(request.person_id());
  if (!person.ok()) return person.status();
  if (auto s = Audit(request.person_id(), request.purpose(), rc); !s.ok()) return s;
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
    }, answer);
    // Erased meanwhile: nothing to record.
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

}  // namespace ankommen::registry
