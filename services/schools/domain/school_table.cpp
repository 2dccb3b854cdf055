#include "domain/school_table.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "text/csv.h"
#include "text/field_checks.h"

namespace ankommen::schools {
namespace {

constexpr int kMaxClasses = 50;
constexpr int kMaxPupils = 2000;

std::optional<v1::SchoolType> ParseType(const std::string& text) {
  std::string t = absl::AsciiStrToUpper(text);
  if (t == "GS") return v1::SCHOOL_TYPE_GS;
  if (t == "OS") return v1::SCHOOL_TYPE_OS;
  if (t == "BSZ") return v1::SCHOOL_TYPE_BSZ;
  if (t == "GYM" || t == "GYMNASIUM") return v1::SCHOOL_TYPE_GYMNASIUM;
  return std::nullopt;
}

}  // namespace

ParsedTable ParseSchoolTable(const std::string& csv,
                             const std::map<std::string, ankommen::common::v1::ApproxLocation>& area_locations,
                             const std::string& default_ags) {
  ParsedTable out;
  const CsvTable table = ParseCsv(csv);
  auto refuse = [&](int line, std::string reason) {
    v1::RejectedRow r;
    r.set_line(line);
    r.set_reason(std::move(reason));
    out.rejected.push_back(std::move(r));
  };
  if (table.columns.empty()) {
    refuse(1, "no header: expected school,school_type,social_area,vka_pupils,vka_classes,capacity_reserve");
    return out;
  }
  for (const auto& name :
       table.Missing({"school", "school_type", "social_area", "vka_pupils", "vka_classes", "capacity_reserve"})) {
    refuse(1, absl::StrCat("the header has no column ", name));
  }
  if (!out.rejected.empty()) return out;

  for (const CsvRow& csv_row : table.rows) {
    const int line_no = csv_row.line;
    auto get = [&](const char* name) { return table.Get(csv_row, name); };
    std::vector<std::string> problems;
    Violations v;
    CheckText(v, "school", get("school"), /*required=*/true, 200);
    CheckSocialArea(v, "social_area", get("social_area"));
    for (const auto& violation : v.list()) problems.push_back(violation.field + " " + violation.description);
    auto type = ParseType(get("school_type"));
    if (!type) problems.push_back(absl::StrCat("school_type \"", get("school_type"), "\" is not GS, OS, Gymnasium or BSZ"));
    int pupils = 0, classes = 0, reserve = 0;
    if (!absl::SimpleAtoi(get("vka_pupils"), &pupils) || pupils < 0 || pupils > kMaxPupils) {
      problems.push_back(absl::StrCat("vka_pupils must be a whole number from 0 to ", kMaxPupils));
    }
    if (!absl::SimpleAtoi(get("vka_classes"), &classes) || classes < 1 || classes > kMaxClasses) {
      problems.push_back(absl::StrCat("vka_classes must be a whole number from 1 to ", kMaxClasses));
    }
    if (!absl::SimpleAtoi(get("capacity_reserve"), &reserve) || reserve < 0 || reserve > kMaxPupils) {
      problems.push_back("capacity_reserve must be a whole number from 0");
    }
    ankommen::common::v1::ApproxLocation where;
    double lat = 0, lon = 0;
    if (!get("lat").empty() || !get("lon").empty()) {
      Violations c;
      if (!absl::SimpleAtod(get("lat"), &lat) || !absl::SimpleAtod(get("lon"), &lon)) {
        problems.push_back("lat and lon must both be numbers");
      } else {
        CheckCoordinates(c, "", lat, lon);
        for (const auto& violation : c.list()) problems.push_back(violation.field + " " + violation.description);
      }
      where.set_lat(lat);
      where.set_lon(lon);
    } else if (auto it = area_locations.find(get("social_area")); it != area_locations.end()) {
      where = it->second;
    } else {
      problems.push_back(absl::StrCat("no coordinates, and none given for the social area \"", get("social_area"), "\""));
    }
    std::string ags = get("municipality_ags").empty() ? default_ags : get("municipality_ags");
    if (!ags.empty() && !IsDigits(ags, 8)) problems.push_back("municipality_ags must be 8 digits");
    if (!problems.empty()) {
      refuse(line_no, absl::StrJoin(problems, "; "));
      continue;
    }
    TableRow row;
    row.line = line_no;
    row.pupils = pupils;
    row.reserve = reserve;
    v1::School& s = row.school;
    s.set_name(get("school"));
    s.set_school_type(*type);
    s.mutable_location()->set_social_area(get("social_area"));
    s.mutable_location()->set_municipality_ags(ags);
    *s.mutable_location()->mutable_coordinates() = where;
    const int seats = pupils + reserve;
    for (int i = 0; i < classes; ++i) {
      v1::DazClass* c = s.add_classes();
      c->set_seats(seats / classes + (i < seats % classes ? 1 : 0));
      c->set_imported_pupils(pupils / classes + (i < pupils % classes ? 1 : 0));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::vector<v1::TypeTotals> Totals(const std::vector<TableRow>& rows) {
  std::map<int, v1::TypeTotals> by_type;
  for (const auto& row : rows) {
    auto& t = by_type[row.school.school_type()];
    t.set_school_type(row.school.school_type());
    t.set_pupils(t.pupils() + row.pupils);
    t.set_classes(t.classes() + row.school.classes_size());
    t.set_reserve(t.reserve() + row.reserve);
  }
  std::vector<v1::TypeTotals> out;
  for (auto& [type, t] : by_type) out.push_back(std::move(t));
  return out;
}

}  // namespace ankommen::schools
