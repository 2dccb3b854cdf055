// The districts' table of DaZ schools (Meißen's format:
// school,school_type,social_area,vka_pupils,vka_classes,capacity_reserve;
// optionally lat,lon,municipality_ags). Pure: text in, schools and the rows
// refused (with their line and reason) out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ankommen/schools/v1/schools.pb.h"

namespace ankommen::schools {

struct TableRow {
  int line = 0;       // 1-based; the header is line 1
  v1::School school;  // classes with seats and imported pupils; no ids yet
  int pupils = 0;
  int reserve = 0;
};

struct ParsedTable {
  std::vector<TableRow> rows;
  std::vector<v1::RejectedRow> rejected;
};

// Rows without coordinates take their social area's from area_locations;
// a row with neither is refused. Pupils and seats (pupils + reserve) are
// spread over the classes.
ParsedTable ParseSchoolTable(const std::string& csv,
                             const std::map<std::string, ankommen::common::v1::ApproxLocation>& area_locations,
                             const std::string& default_ags);

// Pupils, classes and reserve per school type, as the districts' tables sum them.
std::vector<v1::TypeTotals> Totals(const std::vector<TableRow>& rows);

}  // namespace ankommen::schools
