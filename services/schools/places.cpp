// Schools and Kitas: created, imported, their DaZ classes changed, read.
#include "schools.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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

namespace {

// Gives the classes their ids.
void NameClasses(v1::School& school) {
  const int partition = PartitionOfId(school.school_id());
  for (auto& c : *school.mutable_classes()) {
    if (c.class_id().empty()) c.set_class_id(NewId(kClassIdPrefix, partition));
    c.clear_pupils();
  }
  school.clear_reserve();
  school.clear_version();
}

}  // namespace

absl::Status Schools::CreateSchool(const v1::CreateSchoolRequest& request, v1::CreateSchoolResponse& response,
                                   const RequestContext&) {
  if (auto s = ValidateCreateSchool(request); !s.ok()) return s;
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "school", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::SchoolRecord record;
    v1::School& school = *record.mutable_school() = request.school();
    school.set_school_id(NewId(kSchoolIdPrefix, partition));
    NameClasses(school);
    Decision d;
    d.commit.aggregate_key = store_.SchoolKey(school.school_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.SchoolIndexKey(partition), school.school_id())};
    d.record = school.school_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  v1::GetSchoolRequest get;
  get.set_school_id(outcome->record);
  v1::GetSchoolResponse got;
  if (auto s = GetSchool(get, got, {}); !s.ok()) return s;
  *response.mutable_school() = std::move(*got.mutable_school());
  return absl::OkStatus();
}

absl::Status Schools::ImportSchools(const v1::ImportSchoolsRequest& request, v1::ImportSchoolsResponse& response,
                                    const RequestContext&) {
  if (auto s = ValidateImport(request); !s.ok()) return s;
  std::map<std::string, ankommen::common::v1::ApproxLocation> areas(request.area_locations().begin(),
                                                                    request.area_locations().end());
  ParsedTable table = ParseSchoolTable(request.csv(), areas, request.default_municipality_ags());
  // Each row is its own command under the import's key: a retried import
  // writes nothing twice, and a refused row writes nothing at all.
  for (const auto& row : table.rows) {
    const std::string key = absl::StrCat(request.idempotency_key(), "/", row.line);
    const int partition = PartitionOfKey(key);
    v1::CreateSchoolRequest as_request;  // what the row asks for, for the key's fingerprint
    *as_request.mutable_school() = row.school;
    auto outcome = RunCommand(store_.outbox(), partition, "import", as_request, key, [&]() -> absl::StatusOr<Decision> {
      v1::SchoolRecord record;
      v1::School& school = *record.mutable_school() = row.school;
      school.set_school_id(NewId(kSchoolIdPrefix, partition));
      NameClasses(school);
      Decision d;
      d.commit.aggregate_key = store_.SchoolKey(school.school_id());
      d.commit.state = record.SerializeAsString();
      d.commit.index_ops = {IndexOp::SortedAdd(store_.SchoolIndexKey(partition), school.school_id())};
      d.record = school.school_id();
      return d;
    });
    if (!outcome.ok()) {
      v1::RejectedRow* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(outcome.status().message()));
      continue;
    }
    response.set_imported(response.imported() + 1);
  }
  for (auto& r : table.rejected) *response.add_rejected() = std::move(r);
  std::vector<TableRow> imported;
  for (const auto& row : table.rows) {
    bool refused = false;
    for (const auto& r : response.rejected()) refused |= r.line() == row.line;
    if (!refused) imported.push_back(row);
  }
  for (auto& t : Totals(imported)) *response.add_totals() = std::move(t);
  log::Info("schools_imported", {{"imported", response.imported()}, {"rejected", response.rejected_size()}});
  if (response.imported() > 0) Changed(/*place=*/true);
  return absl::OkStatus();
}

absl::Status Schools::UpdateClass(const v1::UpdateClassRequest& request, v1::UpdateClassResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateUpdateClass(request); !s.ok()) return s;
  const std::string& school_id = request.school_id();
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(school_id), "class", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingSchool(school_id);
    if (!loaded.ok()) return loaded.status();
    v1::SchoolRecord record = std::move(loaded->record);
    if (auto s = ChangeClassSeats(record, request.class_id(), request.seats()); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.SchoolKey(school_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    d.record = school_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  v1::GetSchoolRequest get;
  get.set_school_id(school_id);
  v1::GetSchoolResponse got;
  if (auto s = GetSchool(get, got, {}); !s.ok()) return s;
  *response.mutable_school() = std::move(*got.mutable_school());
  return absl::OkStatus();
}

absl::Status Schools::CreateKita(const v1::CreateKitaRequest& request, v1::CreateKitaResponse& response,
                                 const RequestContext&) {
  if (auto s = ValidateCreateKita(request); !s.ok()) return s;
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "kita", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::KitaRecord record;
    *record.mutable_kita() = request.kita();
    record.mutable_kita()->set_kita_id(NewId(kKitaIdPrefix, partition));
    Decision d;
    d.commit.aggregate_key = store_.KitaKey(record.kita().kita_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.KitaIndexKey(partition), record.kita().kita_id())};
    d.record = record.kita().kita_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  auto loaded = store_.LoadKita(outcome->record);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::InternalError("the Kita just created is gone");
  *response.mutable_kita() = View((*loaded)->record);
  response.mutable_kita()->set_version((*loaded)->version);
  return absl::OkStatus();
}

absl::Status Schools::GetSchool(const v1::GetSchoolRequest& request, v1::GetSchoolResponse& response,
                                const RequestContext&) {
  if (auto s = ValidateId("school_id", request.school_id(), kSchoolIdPrefix); !s.ok()) return s;
  auto loaded = LoadExistingSchool(request.school_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_school() = View(loaded->record);
  response.mutable_school()->set_version(loaded->version);
  return absl::OkStatus();
}

absl::StatusOr<LoadedSchool> Schools::LoadExistingSchool(const std::string& school_id) {
  auto loaded = store_.LoadSchool(school_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("school ", school_id, " not found"));
  return std::move(**loaded);
}

}  // namespace ankommen::schools
