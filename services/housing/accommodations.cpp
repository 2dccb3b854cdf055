// Accommodations: created, imported, vacancies reported and withdrawn, read.
#include "housing.h"

#include "absl/strings/str_cat.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "store/command.h"
#include "text/csv.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"
#include "housing_internal.h"

namespace ankommen::housing {

namespace rv1 = ::ankommen::registry::v1;

// ---------------------------------------------------------------- accommodations

absl::StatusOr<LoadedAccommodation> Housing::LoadExisting(const std::string& id) {
  auto loaded = store_.LoadAccommodation(id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("accommodation ", id, " not found"));
  return std::move(**loaded);
}

absl::Status Housing::SaveNewAccommodation(const google::protobuf::Message& request, const std::string& key,
                                           v1::Accommodation accommodation, std::string& id) {
  const int partition = PartitionOfKey(key);
  auto outcome = RunCommand(store_.outbox(), partition, "accommodation", request, key, [&]() -> absl::StatusOr<Decision> {
    v1::AccommodationRecord record;
    v1::Accommodation& a = *record.mutable_accommodation() = accommodation;
    a.set_accommodation_id(NewId(kAccommodationIdPrefix, partition));
    a.set_status(v1::ACCOMMODATION_STATUS_ACTIVE);
    if (a.kind() == v1::KIND_FLAT) a.set_vacant(!a.vacant_from().empty());  // in the register once a date is known
    Decision d;
    d.commit.aggregate_key = store_.AccommodationKey(a.accommodation_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.AccommodationIndexKey(partition), a.accommodation_id())};
    d.record = a.accommodation_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  id = outcome->record;
  return absl::OkStatus();
}

absl::Status Housing::CreateAccommodation(const v1::CreateAccommodationRequest& request,
                                          v1::CreateAccommodationResponse& response, const RequestContext& rc) {
  if (auto s = ValidateCreateAccommodation(request); !s.ok()) return s;
  std::string id;
  if (auto s = SaveNewAccommodation(request, request.idempotency_key(), request.accommodation(), id); !s.ok()) return s;
  Changed(/*allocate=*/true);
  v1::GetAccommodationRequest get;
  get.set_accommodation_id(id);
  v1::GetAccommodationResponse got;
  if (auto s = GetAccommodation(get, got, rc); !s.ok()) return s;
  *response.mutable_accommodation() = std::move(*got.mutable_accommodation());
  return absl::OkStatus();
}

absl::Status Housing::ImportAccommodations(const v1::ImportAccommodationsRequest& request,
                                           v1::ImportAccommodationsResponse& response, const RequestContext&) {
  if (auto s = ValidateImport(request); !s.ok()) return s;
  const CsvTable table = ParseCsv(request.csv());
  for (const auto& missing : table.Missing(kTableColumns)) {
    auto* r = response.add_rejected();
    r->set_line(1);
    r->set_reason(absl::StrCat("the header has no column ", missing));
  }
  if (response.rejected_size() > 0) return absl::OkStatus();
  for (const CsvRow& row : table.rows) {
    auto accommodation = AccommodationFromRow(table, row);
    std::string id;
    absl::Status s = accommodation.status();
    if (s.ok()) {
      v1::CreateAccommodationRequest as_request;  // what the row asks for, for the key's fingerprint
      *as_request.mutable_accommodation() = *accommodation;
      s = SaveNewAccommodation(as_request, absl::StrCat(request.idempotency_key(), "/", row.line), *accommodation, id);
    }
    if (!s.ok()) {
      auto* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(s.message()));
      continue;
    }
    response.set_imported(response.imported() + 1);
  }
  log::Info("accommodations_imported", {{"imported", response.imported()}, {"rejected", response.rejected_size()}});
  if (response.imported() > 0) Changed(/*allocate=*/true);
  return absl::OkStatus();
}

absl::StatusOr<bool> Housing::ChangeAccommodation(const char* scope, const google::protobuf::Message& request,
                                                  const std::string& idempotency_key, const std::string& id,
                                                  const AccommodationChange& decide) {
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExisting(id);
    if (!loaded.ok()) return loaded.status();
    v1::AccommodationRecord record = std::move(loaded->record);
    Decision d;
    if (auto s = decide(record, d.commit.events); !s.ok()) return s;
    d.commit.aggregate_key = store_.AccommodationKey(id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    d.record = id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  return !outcome->replayed;
}

absl::Status Housing::ReportVacancy(const v1::ReportVacancyRequest& request, v1::ReportVacancyResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidateReportVacancy(request); !s.ok()) return s;
  auto changed = ChangeAccommodation("vacancy", request, request.idempotency_key(), request.accommodation_id(),
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    v1::Accommodation& a = *r.mutable_accommodation();
    if (a.kind() != v1::KIND_FLAT) return absl::FailedPreconditionError("the vacancy register is for flats");
    if (a.status() != v1::ACCOMMODATION_STATUS_ACTIVE) {
      return absl::FailedPreconditionError("this flat's lease passed to its tenants; it is not the district's");
    }
    if (r.occupancies_size() > 0) return absl::FailedPreconditionError("this flat is occupied or offered");
    a.set_vacant(true);
    a.set_vacant_from(request.free_from());
    v1::VacancyReported e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_accommodation_id(a.accommodation_id());
    e.set_free_from(request.free_from());
    events.push_back(ToOutgoing(streams::kVacancyReported, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (*changed) Changed(/*allocate=*/true);
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  return absl::OkStatus();
}

absl::Status Housing::WithdrawVacancy(const v1::WithdrawVacancyRequest& request,
                                      v1::WithdrawVacancyResponse& response, const RequestContext&) {
  if (auto s = ValidateKeyAndId(request.idempotency_key(), "accommodation_id", request.accommodation_id(),
                                kAccommodationIdPrefix);
      !s.ok()) {
    return s;
  }
  auto changed = ChangeAccommodation("withdraw", request, request.idempotency_key(), request.accommodation_id(),
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>&) -> absl::Status {
    if (r.accommodation().kind() != v1::KIND_FLAT) return absl::FailedPreconditionError("the vacancy register is for flats");
    r.mutable_accommodation()->set_vacant(false);
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (*changed) Changed(/*allocate=*/false);
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  return absl::OkStatus();
}

absl::Status Housing::GetAccommodation(const v1::GetAccommodationRequest& request,
                                       v1::GetAccommodationResponse& response, const RequestContext&) {
  if (auto s = ValidateId("accommodation_id", request.accommodation_id(), kAccommodationIdPrefix); !s.ok()) return s;
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  response.mutable_accommodation()->set_version(loaded->version);
  return absl::OkStatus();
}

}  // namespace ankommen::housing
