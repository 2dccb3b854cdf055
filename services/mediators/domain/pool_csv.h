// The pool as districts keep it in a spreadsheet: one mediator per row.
//   given_names,family_name,phone,email,languages,qualification,gender,
//   social_areas,lat,lon,max_km,remote,windows,monthly_hours_cap
// languages "ar:apc;fa;prs" (a dialect after a colon), social_areas and
// windows separated by semicolons, a window "mon 09:00-17:00", remote yes/no,
// qualification volunteer/trained/certified, gender female/male/diverse or
// empty. Optional: direction (both, into_german, from_german; default both).
// Pure: what a row means, and what in it cannot be read.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ankommen/mediators/v1/mediators.pb.h"
#include "text/csv.h"

namespace ankommen::mediators {

inline constexpr std::initializer_list<const char*> kPoolColumns = {
    "given_names", "family_name", "phone", "email", "languages", "qualification", "gender",
    "social_areas", "lat", "lon", "max_km", "remote", "windows", "monthly_hours_cap"};

struct PoolRow {
  v1::Mediator mediator;
  v1::MediatorContact contact;
};

// INVALID_ARGUMENT naming the columns that cannot be read; the rules
// (MediatorFromProto) are checked when the row is saved.
absl::StatusOr<PoolRow> PoolRowOf(const CsvTable& table, const CsvRow& row);

}  // namespace ankommen::mediators
