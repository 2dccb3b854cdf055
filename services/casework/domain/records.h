// Between the casework service's records and API messages and the pure
// domain (casework.h): programmes, households, workers; a worker as the API
// or the staff list gives it, checked. Pure.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "ankommen/casework/v1/state.pb.h"
#include "responsibility.h"
#include "text/csv.h"

namespace ankommen::casework {

Program ProgramOf(v1::Program program);  // the API's; unspecified reads as refugee social work
v1::Program ToProto(Program program);
// fsa, mbe, jmd: the programme as metrics, reports and tables name it.
inline const char* ProgramLabel(v1::Program program) { return ProgramName(ProgramOf(program)); }
TaskKind TaskKindOf(v1::TaskKind kind);
v1::TaskKind ToProto(TaskKind kind);

// The household as the domain decides on it.
Household HouseholdOf(const v1::HouseholdRecord& record);
// Its assignment now (no worker before the first one).
Assignment AssignmentOf(const v1::HouseholdRecord& record);
Worker WorkerOf(const v1::Worker& worker);

// INVALID_ARGUMENT naming every field at fault (worker.program, …); the id is
// the caller's to check.
absl::Status CheckWorker(const v1::Worker& worker);

// The staff list's columns: program (fsa, mbe, jmd), social_area, capacity, display_name.
inline constexpr std::initializer_list<const char*> kWorkerColumns = {"program", "social_area", "capacity",
                                                                      "display_name"};
// One row as a worker; INVALID_ARGUMENT "column: what is wrong" when it does not read.
absl::StatusOr<v1::Worker> WorkerRowOf(const CsvTable& table, const CsvRow& row);

}  // namespace ankommen::casework
