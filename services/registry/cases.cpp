// A case's end: closing it, the retention job that erases what is past its period, the audit log's query.
#include "registry.h"

#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "store/command.h"
#include "domain/duplicates.h"
#include "domain/facts.h"
#include "domain/residence.h"
#include "domain/validation.h"
#include "store/ids.h"
#include "observability/log.h"
#include "registry_internal.h"

namespace ankommen::registry {

absl::Status Registry::CloseCase(const v1::CloseCaseRequest& request, v1::CloseCaseResponse& response,
                                 const RequestContext& rc) {
  if (auto s = ValidateCloseCase(request); !s.ok()) return s;
  const std::string why = absl::StrCat("case closed: ", v1::CaseClosure_Name(request.closure()),
                                       request.note().empty() ? "" : ": ", request.note());
  return ChangeHousehold("close-case", request, request.idempotency_key(), request.household_id(), why,
                         [&](v1::Household& h) -> absl::StatusOr<std::optional<OutgoingEvent>> {
    h.mutable_case_closed_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    h.set_case_closure(request.closure());
    return ToOutgoing(kHouseholdCaseClosed, MakeCaseClosed(h, {NewEventId(), clock_.Now(), rc.correlation_id}));
  }, *response.mutable_household(), rc);
}

absl::Status Registry::RunRetention(const v1::RunRetentionRequest& request, v1::RunRetentionResponse& response,
                                    const RequestContext& rc) {
  const absl::Time now = clock_.Now();
  response.set_dry_run(request.dry_run());
  // Closed cases past their time: each member erased as by an Art. 17 request.
  const int64_t kept_days = absl::ToInt64Hours(settings_.keep_closed_cases) / 24;
  auto due = store_.ClosedCasesBefore(absl::ToUnixSeconds(now - settings_.keep_closed_cases));
  if (!due.ok()) return due.status();
  for (const auto& [household_id, closed_at] : *due) {
    auto loaded = LoadHousehold(household_id);
    if (absl::IsNotFound(loaded.status())) continue;
    if (!loaded.ok()) return loaded.status();
    const std::string rule = absl::StrCat("case closed ", absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(closed_at), zone_),
                                          ", kept ", kept_days, " days");
    for (const auto& person : loaded->household.members()) {
      auto* item = response.add_items();
      item->set_kind("person");
      item->set_id(person.person_id());
      item->set_count(1);
      item->set_rule(rule);
      if (request.dry_run()) continue;
      v1::ErasePersonRequest erase;
      erase.set_idempotency_key(absl::StrCat("retention-", person.person_id()));
      erase.set_person_id(person.person_id());
      erase.set_reason(absl::StrCat("retention: ", rule));
      v1::ErasePersonResponse erased;
      if (auto s = ErasePerson(erase, erased, rc); !s.ok() && !absl::IsNotFound(s)) return s;
      response.set_persons_erased(response.persons_erased() + 1);
    }
  }
  // The audit log beyond its period, partition by partition: by when the
  // entries were written (real time), whatever the service's clock says.
  const int64_t audit_days = absl::ToInt64Hours(settings_.keep_audit) / 24;
  for (int p = 0; p < kPartitions; ++p) {
    auto count = store_.AuditEntriesOlderThan(p, settings_.keep_audit, /*remove=*/!request.dry_run());
    if (!count.ok()) return count.status();
    if (*count == 0) continue;
    auto* item = response.add_items();
    item->set_kind("audit");
    item->set_id(absl::StrCat("partition ", p));
    item->set_count(*count);
    item->set_rule(absl::StrCat("audit entries older than ", audit_days, " days"));
    if (!request.dry_run()) response.set_audit_entries_removed(response.audit_entries_removed() + *count);
  }
  log::Info("retention_run", {{"dry_run", request.dry_run()},
                              {"persons_erased", response.persons_erased()},
                              {"audit_entries_removed", response.audit_entries_removed()},
                              {"correlation_id", rc.correlation_id}});
  if (!request.dry_run()) {
    on_retention_("person", response.persons_erased());
    on_retention_("audit", response.audit_entries_removed());
  }
  return absl::OkStatus();
}

absl::Status Registry::QueryAudit(const v1::QueryAuditRequest& request, v1::QueryAuditResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateAuditQuery(request); !s.ok()) return s;
  HouseholdStore::AuditQuery query;
  query.subject = request.subject_id();
  query.actor = request.actor();
  if (request.has_since()) query.since = absl::FromUnixSeconds(request.since().seconds());
  if (request.has_until()) query.until = absl::FromUnixSeconds(request.until().seconds());
  query.page_size = request.page_size() == 0 ? 100 : request.page_size();
  query.page_token = request.page_token();
  auto page = store_.QueryAudit(query);
  if (!page.ok()) return page.status();
  for (const auto& [at, e] : page->entries) {
    auto* r = response.add_records();
    r->mutable_at()->set_seconds(absl::ToUnixSeconds(at));
    r->mutable_at()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(at - absl::FromUnixSeconds(absl::ToUnixSeconds(at)))));
    r->set_actor(e.actor);
    r->set_action(e.action);
    r->set_subject(e.subject);
    r->set_purpose(e.purpose);
    r->set_correlation_id(e.correlation_id);
  }
  response.set_next_page_token(page->next_page_token);
  return absl::OkStatus();
}

}  // namespace ankommen::registry
