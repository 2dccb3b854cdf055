// The registry's use cases, free of transport: each validates, loads, lets the
// domain decide, and saves state with its events in one step. The gRPC layer
// (registry_grpc.cpp) only translates.
#pragma once

#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bus/bus.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "runtime/clock.h"
#include "grpc/caller_quota.h"
#include "grpc/request_context.h"
#include "rules/land.h"
#include "storage/household_store.h"

namespace ankommen::registry {

struct RegistrySettings {
  // A suspected duplicate's household waits for a decision before any other
  // service hears of it (DOMAIN.md: a person decides); off, the suspicion is
  // recorded and listed for review while the household goes on.
  bool hold_duplicates = true;
  // How long records are kept (the district's deletion concept sets these):
  // a closed case's personal data after the case closed, and the audit log.
  absl::Duration keep_closed_cases = absl::Hours(24 * 730);
  absl::Duration keep_audit = absl::Hours(24 * 1825);
  // ListHouseholds pages a caller may read a minute (a burst of as many).
  int list_pages_per_minute = 60;
  // Duplicate detection compares a new person with at most this many persons
  // under each blocking key, the latest filed first (HouseholdStore::
  // PersonsUnderKeys), so that a registration costs the same however crowded
  // a common name's block grows; members of a household found that way are
  // compared too, so a family registered twice is still found by its rarer names.
  int duplicate_candidates_per_key = 50;
  // The Land's school calendar: the ages the other services are told.
  LandRules land;
};

class Registry {
 public:
  Registry(HouseholdStore& store, const Clock& clock, absl::TimeZone zone, RegistrySettings settings = {})
      : store_(store),
        clock_(clock),
        zone_(zone),
        settings_(settings),
        list_quota_(settings.list_pages_per_minute, settings.list_pages_per_minute) {}

  absl::Status RegisterHousehold(const v1::RegisterHouseholdRequest& request, v1::RegisterHouseholdResponse& response,
                                 const RequestContext& rc);
  absl::Status GetHousehold(const v1::GetHouseholdRequest& request, v1::GetHouseholdResponse& response,
                            const RequestContext& rc);
  absl::Status GetPerson(const v1::GetPersonRequest& request, v1::GetPersonResponse& response,
                         const RequestContext& rc);
  absl::Status ListHouseholds(const v1::ListHouseholdsRequest& request, v1::ListHouseholdsResponse& response,
                              const RequestContext& rc);
  absl::Status ChangeResidenceStatus(const v1::ChangeResidenceStatusRequest& request,
                                     v1::ChangeResidenceStatusResponse& response, const RequestContext& rc);
  absl::Status RecordLanguageLevel(const v1::RecordLanguageLevelRequest& request,
                                   v1::RecordLanguageLevelResponse& response, const RequestContext& rc);
  absl::Status RecordCourseObligation(const v1::RecordCourseObligationRequest& request,
                                      v1::RecordCourseObligationResponse& response, const RequestContext& rc);
  absl::Status RelocateHousehold(const v1::RelocateHouseholdRequest& request, v1::RelocateHouseholdResponse& response,
                                 const RequestContext& rc);
  absl::Status ErasePerson(const v1::ErasePersonRequest& request, v1::ErasePersonResponse& response,
                           const RequestContext& rc);
  absl::Status GetContact(const v1::GetContactRequest& request, v1::GetContactResponse& response,
                          const RequestContext& rc);
  absl::Status ListSuspectedDuplicates(const v1::ListSuspectedDuplicatesRequest& request,
                                       v1::ListSuspectedDuplicatesResponse& response, const RequestContext& rc);
  absl::Status FindDuplicates(const v1::FindDuplicatesRequest& request, v1::FindDuplicatesResponse& response,
                              const RequestContext& rc);
  absl::Status ResolveDuplicate(const v1::ResolveDuplicateRequest& request, v1::ResolveDuplicateResponse& response,
                                const RequestContext& rc);

  absl::Status CloseCase(const v1::CloseCaseRequest& request, v1::CloseCaseResponse& response,
                         const RequestContext& rc);
  absl::Status RunRetention(const v1::RunRetentionRequest& request, v1::RunRetentionResponse& response,
                            const RequestContext& rc);
  absl::Status QueryAudit(const v1::QueryAuditRequest& request, v1::QueryAuditResponse& response,
                          const RequestContext& rc);
  absl::Status RunAgeChanges(const v1::RunAgeChangesRequest& request, v1::RunAgeChangesResponse& response,
                             const RequestContext& rc);

  // Told of each change to the review of duplicates: "held" for a household
  // held at registration, "same_person" or "different_persons" for a decision.
  void set_on_review(std::function<void(const char*)> on_review) { on_review_ = std::move(on_review); }
  // Blocking keys that held more persons than a check compares (a crowded block).
  void set_on_crowded(std::function<void(int)> on_crowded) { on_crowded_ = std::move(on_crowded); }
  // Told of what a retention run removed: "person" or "audit", and how many.
  void set_on_retention(std::function<void(const char*, int64_t)> on_retention) {
    on_retention_ = std::move(on_retention);
  }

  // The course service's ankommen.courses.course.completed: each
  // participant's reached level is recorded (once per event and person).
  absl::Status ApplyCourseCompleted(const IncomingEvent& event);

 private:
  // A change decided on the current state: the commit without its
  // idempotency fields, and the answer to give.
  struct Decision {
    Commit commit;
    // The id the command concerns: all that the idempotency record keeps, so
    // that no personal data outlives an erasure there.
    std::string subject_id;
    std::string response;  // the serialized answer
  };
  using Decide = std::function<absl::StatusOr<Decision>()>;

  struct Outcome {
    bool replayed = false;  // a retry: only subject_id is known, the answer is read anew
    std::string subject_id;
    std::string response;
  };

  // Runs a command once per idempotency key: a retry changes nothing and is
  // answered from the current state of the same household or person, a key
  // reused for another request is refused, and a concurrent change to the
  // same household makes it decide again on the new state.
  absl::StatusOr<Outcome> RunCommand(int partition, const char* scope, const google::protobuf::Message& request,
                                     const std::string& idempotency_key, const Decide& decide);

  // A command that changes one person: `change` applies the domain rule to
  // the person and returns the event; state, the audit entry (with
  // `audit_purpose`, the office's why) and event are saved together.
  using ChangeFn = std::function<absl::StatusOr<OutgoingEvent>(v1::Person&)>;
  absl::Status ChangePerson(const char* scope, const google::protobuf::Message& request,
                            const std::string& idempotency_key, const std::string& person_id, const ChangeFn& change,
                            v1::Person& answer, const RequestContext& rc, const std::string& audit_purpose = "");

  // A command that changes a household's own fields (not its members): the
  // change edits it and gives the event for the other services; state,
  // indexes, the audit entry and the event are saved together. Closed cases
  // are refused.
  using HouseholdChangeFn = std::function<absl::StatusOr<std::optional<OutgoingEvent>>(v1::Household&)>;
  absl::Status ChangeHousehold(const char* scope, const google::protobuf::Message& request,
                               const std::string& idempotency_key, const std::string& household_id,
                               const std::string& audit_purpose, const HouseholdChangeFn& change,
                               v1::Household& answer, const RequestContext& rc);

  // The answer of a household command: the household as decided, or for a
  // retry as it is now.
  // A command's answer, as much of it as the caller may read (disclosure.h).
  absl::Status HouseholdAnswer(const Outcome& outcome, v1::Household& answer, const RequestContext& rc);

  // The household holding a person, for commands and reads on that person.
  absl::StatusOr<LoadedHousehold> LoadPersonHousehold(const std::string& person_id);
  absl::StatusOr<LoadedHousehold> LoadHousehold(const std::string& household_id);
  absl::StatusOr<v1::Person> LoadPerson(const std::string& person_id);

  absl::Status Audit(const std::string& subject_id, const std::string& purpose, const RequestContext& rc);
  // A change's audit entry, written with its commit.
  IndexOp AuditOp(const std::string& subject_id, const std::string& purpose, const RequestContext& rc) const;

  // The id a person is known by now: a merged record maps to the surviving one.
  absl::StatusOr<std::string> CurrentPersonId(const std::string& person_id);

  // Persons registered before, in other households, that the given members
  // are likely to be (pairs decided to be different left out).
  absl::StatusOr<std::vector<Suspicion>> Suspects(const v1::Household& household);

  // After a change to a held household: held while any member has an open
  // suspicion; the moment it is not, it is released to the other services
  // with the event they would have had at registration. True if released.
  bool UpdateHold(const v1::Household& before, v1::Household& after, Commit& commit, const RequestContext& rc);

  // Households stored before the ages list existed, filed there once, due
  // from the day they were registered (so what changed since is told).
  absl::Status FileAgesOnce();

  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), zone_); }
  std::string NewEventId() const;

  HouseholdStore& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  RegistrySettings settings_;
  CallerQuota list_quota_;
  std::function<void(const char*)> on_review_ = [](const char*) {};
  std::function<void(int)> on_crowded_ = [](int) {};
  std::function<void(const char*, int64_t)> on_retention_ = [](const char*, int64_t) {};
};

}  // namespace ankommen::registry
