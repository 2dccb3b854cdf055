// Reading a district's tables and checking them: every problem is named by
// file, line and field, and all of them are reported at once, so that whoever
// keeps the tables fixes them in one go.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "rules/land.h"
#include "convert.h"
#include "grpc/status.h"
#include "indicators.h"
#include "pool_csv.h"
#include "text/csv.h"
#include "district.h"
#include "scenario.h"

namespace ankommen::sim {

namespace cv1 = courses::v1;
namespace rv1 = registry::v1;

std::string DistrictProblem::ToString() const {
  std::string where = line > 0 ? absl::StrCat(file, ":", line) : file;
  return field.empty() ? absl::StrCat(where, ": ", message) : absl::StrCat(where, ": ", field, ": ", message);
}

namespace {

// Germany's extent, with a margin: coordinates outside are a typo (lat/lon
// swapped, a minus lost) rather than a town of the district.
constexpr double kMinLat = 47.2, kMaxLat = 55.1, kMinLon = 5.8, kMaxLon = 15.1;

// One table being read: its rows, and where its problems go.
class Table {
 public:
  Table(const std::map<std::string, std::string>& files, std::string name, std::vector<DistrictProblem>& problems,
        std::initializer_list<const char*> required, std::initializer_list<const char*> optional = {})
      : name_(std::move(name)), problems_(problems) {
    auto it = files.find(name_);
    if (it == files.end()) {
      Problem(0, "", "missing: every district has this file (docs/district-format.md)");
      return;
    }
    table_ = ParseCsv(it->second);
    for (const auto& column : table_.Missing(required)) Problem(1, column, "the header lacks this column");
    std::set<std::string> known(required.begin(), required.end());
    known.insert(optional.begin(), optional.end());
    for (const auto& [column, index] : table_.columns) {
      if (!known.contains(column)) Problem(1, column, "not a column of this file");
    }
    present_ = table_.Missing(required).empty();
  }

  // Rows to read; none when the file or a required column is missing.
  const std::vector<CsvRow>& rows() const { return present_ ? table_.rows : empty_; }
  const CsvTable& csv() const { return table_; }

  void Problem(int line, std::string field, std::string message) {
    problems_.push_back({name_, line, std::move(field), std::move(message)});
  }

  std::string Text(const CsvRow& row, const char* column, bool required = true) {
    std::string value = table_.Get(row, column);
    if (value.empty() && required) Problem(row.line, column, "empty");
    return value;
  }
  std::optional<double> Number(const CsvRow& row, const char* column, double min, double max) {
    const std::string text = table_.Get(row, column);
    double value = 0;
    if (!absl::SimpleAtod(text, &value)) {
      Problem(row.line, column, text.empty() ? "empty" : absl::StrCat("\"", text, "\" is not a number"));
      return std::nullopt;
    }
    if (value < min || value > max) {
      Problem(row.line, column, absl::StrCat(text, " is outside ", min, " to ", max));
      return std::nullopt;
    }
    return value;
  }
  int Int(const CsvRow& row, const char* column, int min, int max) {
    const std::string text = table_.Get(row, column);
    int value = 0;
    if (!absl::SimpleAtoi(text, &value)) {
      Problem(row.line, column, text.empty() ? "empty" : absl::StrCat("\"", text, "\" is not a whole number"));
      return min;
    }
    if (value < min || value > max) {
      Problem(row.line, column, absl::StrCat(value, " is outside ", min, " to ", max));
      return min;
    }
    return value;
  }
  // A value of a proto enum, written in lower case without its prefix
  // (integration_general for COURSE_TYPE_INTEGRATION_GENERAL).
  template <typename Enum, typename Parse>
  Enum Enumerated(const CsvRow& row, const char* column, const std::string& prefix, Parse parse) {
    const std::string text = table_.Get(row, column);
    Enum value{};
    if (text.empty() || !parse(prefix + absl::AsciiStrToUpper(text), &value) || static_cast<int>(value) == 0) {
      Problem(row.line, column, text.empty() ? "empty" : absl::StrCat("\"", text, "\" is not one of the known values"));
      return Enum{};
    }
    return value;
  }
  void Coordinates(const CsvRow& row, double& lat, double& lon) {
    lat = Number(row, "lat", kMinLat, kMaxLat).value_or(0);
    lon = Number(row, "lon", kMinLon, kMaxLon).value_or(0);
  }
  void Ags(const CsvRow& row, const char* column, std::string& ags) {
    ags = table_.Get(row, column);
    if (ags.size() != 8 || !std::all_of(ags.begin(), ags.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      Problem(row.line, column, absl::StrCat("\"", ags, "\" is not an 8-digit Amtlicher Gemeindeschlüssel"));
    }
  }

 private:
  std::string name_;
  std::vector<DistrictProblem>& problems_;
  CsvTable table_;
  bool present_ = false;
  const std::vector<CsvRow> empty_;
};

// "single=35,couple=10": weights by name, every name given once.
std::optional<std::vector<double>> NamedWeights(const std::string& text, const std::vector<std::string>& names,
                                                std::string& error) {
  std::map<std::string, double> given;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    double w = 0;
    const std::string key(absl::StripAsciiWhitespace(kv.first));
    if (!absl::SimpleAtod(kv.second, &w) || w < 0) {
      error = absl::StrCat("\"", part, "\" is not name=weight with a weight of 0 or more");
      return std::nullopt;
    }
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      error = absl::StrCat("\"", key, "\" is not one of ", absl::StrJoin(names, ", "));
      return std::nullopt;
    }
    given[key] = w;
  }
  std::vector<double> weights;
  double total = 0;
  for (const auto& name : names) {
    auto it = given.find(name);
    if (it == given.end()) {
      error = absl::StrCat("gives no weight for ", name, " (needs ", absl::StrJoin(names, ", "), ")");
      return std::nullopt;
    }
    weights.push_back(it->second);
    total += it->second;
  }
  if (total <= 0) {
    error = "the weights add up to nothing";
    return std::nullopt;
  }
  return weights;
}

// district.csv: one setting a row.
void ReadSettings(const std::map<std::string, std::string>& files, District& d, std::vector<DistrictProblem>& problems) {
  Table t(files, "district.csv", problems, {"key", "value"});
  std::set<std::string> seen;
  // Each key with what it sets; every key but the optional ones must be there.
  using Setter = std::function<void(const CsvRow&)>;
  auto number = [&](double& field, double min, double max) {
    return Setter([&t, &field, min, max](const CsvRow& row) {
      if (auto v = t.Number(row, "value", min, max)) field = *v;
    });
  };
  auto whole = [&](int& field, int min, int max) {
    return Setter([&t, &field, min, max](const CsvRow& row) { field = t.Int(row, "value", min, max); });
  };
  auto weights = [&](std::vector<double>& field, std::vector<std::string> names) {
    return Setter([&t, &field, names](const CsvRow& row) {
      std::string error;
      if (auto w = NamedWeights(t.csv().Get(row, "value"), names, error)) {
        field = *w;
      } else {
        t.Problem(row.line, "value", error);
      }
    });
  };
  ArrivalsProfile& a = d.arrivals;
  const std::map<std::string, Setter> setters = {
      {"name", [&](const CsvRow& row) { d.name = t.Text(row, "value"); }},
      {"land", [&](const CsvRow& row) {
         static const std::set<std::string> kLands = {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV",
                                                     "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"};
         d.land = t.Text(row, "value");
         if (!d.land.empty() && !kLands.contains(d.land)) t.Problem(row.line, "value", absl::StrCat("\"", d.land, "\" is not a Land (SN, RP, BW…)"));
       }},
      {"school_cutoff", [&](const CsvRow& row) {
         d.school_cutoff = t.Text(row, "value");
         if (!d.school_cutoff.empty() && !LandRulesFor("SN", d.school_cutoff).ok()) {
           t.Problem(row.line, "value", absl::StrCat("\"", d.school_cutoff, "\" is not a day of the year as MM-DD"));
         }
       }},
      {"households_per_week", number(a.households_per_week, 0.1, 10000)},
      {"household_shapes", weights(a.household_shapes, {"single", "couple", "single_parent", "couple_with_children"})},
      {"children_per_family", weights(a.children, {"1", "2", "3", "4"})},
      {"childcare_share", number(a.childcare_share, 0, 1)},
      {"works_daytime_share", number(a.works_daytime_share, 0, 1)},
      {"contact_shares", weights(a.contact, {"email", "phone", "none"})},
      {"cefr_on_arrival", weights(a.cefr, {"A0", "A1", "A2"})},
      {"kita_decline_share", number(a.kita_decline_share, 0, 1)},
      {"offer_accept_share", number(d.behaviour.offer_accept_share, 0, 1)},
      {"offer_decline_share", number(d.behaviour.offer_decline_share, 0, 1)},
      {"housing_confirm_share", number(d.behaviour.housing_confirm_share, 0, 1)},
      {"flats_per_week", number(d.flats_per_week, 0, 10000)},
      {"m2_per_person", whole(d.m2_per_person, 1, 50)},
      {"persons_per_social_worker", whole(d.persons_per_social_worker, 1, 10000)},
      {"caseload_target", whole(d.caseload_target, 1, 10000)},
      {"announce_weeks_ahead", whole(d.announce_weeks_ahead, 0, 52)},
      {"course_max_km", whole(d.course_max_km, 1, 500)},
      {"course_late_entry_days", whole(d.course_late_entry_days, 0, 365)},
      {"school_max_km", [&](const CsvRow& row) {
         for (absl::string_view part : absl::StrSplit(t.csv().Get(row, "value"), ',', absl::SkipWhitespace())) {
           std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
           int km = 0;
           static const std::set<std::string> kTypes = {"GS", "OS", "GYMNASIUM", "BSZ", "KITA"};
           if (!kTypes.contains(kv.first) || !absl::SimpleAtoi(kv.second, &km) || km < 1 || km > 500) {
             t.Problem(row.line, "value", absl::StrCat("\"", part, "\" is not TYPE=km with TYPE one of GS, OS, GYMNASIUM, BSZ, KITA"));
             continue;
           }
           d.school_max_km[kv.first] = km;
         }
       }},
  };
  static const std::set<std::string> kOptional = {"kita_decline_share", "offer_accept_share", "offer_decline_share",
                                                  "housing_confirm_share", "course_max_km", "course_late_entry_days", "school_max_km",
                                                  "childcare_share", "works_daytime_share", "contact_shares",
                                                  "cefr_on_arrival", "announce_weeks_ahead", "children_per_family",
                                                  "school_cutoff", "caseload_target"};
  for (const auto& row : t.rows()) {
    const std::string key = t.csv().Get(row, "key");
    auto it = setters.find(key);
    if (it == setters.end()) {
      t.Problem(row.line, "key", absl::StrCat("\"", key, "\" is not a setting (docs/district-format.md)"));
      continue;
    }
    if (!seen.insert(key).second) {
      t.Problem(row.line, "key", absl::StrCat(key, " is set twice"));
      continue;
    }
    it->second(row);
  }
  if (files.contains("district.csv")) {
    for (const auto& [key, setter] : setters) {
      if (!seen.contains(key) && !kOptional.contains(key)) t.Problem(0, key, "not set; every district sets it");
    }
  }
  // The services apply the Land's school calendar (rules/land.h): one they know, or its cut-off named.
  if (!d.land.empty() && d.school_cutoff.empty() && !LandRulesFor(d.land).ok()) {
    t.Problem(0, "school_cutoff", absl::StrCat("not set; the school cut-off of ", d.land, " is not known here (MM-DD)"));
  }
  if (d.behaviour.offer_accept_share + d.behaviour.offer_decline_share > 1) {
    t.Problem(0, "offer_decline_share", "accepted and declined shares add up to more than 1");
  }
}

void ReadSocialAreas(const std::map<std::string, std::string>& files, District& d,
                     std::vector<DistrictProblem>& problems) {
  Table t(files, "social_areas.csv", problems, {"social_area", "social_workers"},
          {"team_email", "migration_counsellors", "youth_migration_workers"});
  for (const auto& row : t.rows()) {
    SocialArea area;
    area.name = t.Text(row, "social_area");
    area.social_workers = t.Int(row, "social_workers", 0, 10000);
    if (!t.csv().Get(row, "migration_counsellors").empty()) {
      area.migration_counsellors = t.Int(row, "migration_counsellors", 0, 10000);
    }
    if (!t.csv().Get(row, "youth_migration_workers").empty()) {
      area.youth_migration_workers = t.Int(row, "youth_migration_workers", 0, 10000);
    }
    area.team_email = t.Text(row, "team_email", false);
    if (!area.team_email.empty() && area.team_email.find('@') == std::string::npos) {
      t.Problem(row.line, "team_email", absl::StrCat("\"", area.team_email, "\" is not an e-mail address"));
    }
    if (std::any_of(d.social_areas.begin(), d.social_areas.end(), [&](const auto& a) { return a.name == area.name; })) {
      t.Problem(row.line, "social_area", absl::StrCat(area.name, " is listed twice"));
    }
    d.social_areas.push_back(std::move(area));
  }
  if (d.social_areas.empty() && files.contains("social_areas.csv")) t.Problem(0, "", "lists no social area");
}

bool KnownArea(const District& d, const std::string& name) {
  return std::any_of(d.social_areas.begin(), d.social_areas.end(), [&](const auto& a) { return a.name == name; });
}

void ReadMunicipalities(const std::map<std::string, std::string>& files, District& d,
                        std::vector<DistrictProblem>& problems) {
  Table t(files, "municipalities.csv", problems,
          {"ags", "name", "social_area", "postal_code", "lat", "lon", "arrival_weight"});
  double weights = 0;
  for (const auto& row : t.rows()) {
    Town town;
    t.Ags(row, "ags", town.ags);
    town.name = t.Text(row, "name");
    town.social_area = t.Text(row, "social_area");
    if (!town.social_area.empty() && !KnownArea(d, town.social_area)) {
      t.Problem(row.line, "social_area", absl::StrCat("\"", town.social_area, "\" is not in social_areas.csv"));
    }
    town.postal_code = t.Text(row, "postal_code");
    if (town.postal_code.size() != 5 ||
        !std::all_of(town.postal_code.begin(), town.postal_code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      t.Problem(row.line, "postal_code", absl::StrCat("\"", town.postal_code, "\" is not a 5-digit postal code"));
    }
    t.Coordinates(row, town.lat, town.lon);
    town.arrival_weight = t.Number(row, "arrival_weight", 0, 1e6).value_or(0);
    weights += town.arrival_weight;
    for (const auto& other : d.towns) {
      if (other.name == town.name) t.Problem(row.line, "name", absl::StrCat(town.name, " is listed twice"));
      if (other.ags == town.ags) t.Problem(row.line, "ags", absl::StrCat(town.ags, " is listed twice"));
    }
    d.towns.push_back(std::move(town));
  }
  if (files.contains("municipalities.csv") && weights <= 0) {
    t.Problem(0, "arrival_weight", "no municipality receives arrivals (every weight is 0)");
  }
}

void ReadProviders(const std::map<std::string, std::string>& files, District& d,
                   std::vector<DistrictProblem>& problems) {
  Table t(files, "providers.csv", problems, {"key", "name", "bamf_number"});
  for (const auto& row : t.rows()) {
    Provider p{t.Text(row, "key"), t.Text(row, "name"), t.Text(row, "bamf_number", false)};
    if (std::any_of(d.providers.begin(), d.providers.end(), [&](const auto& o) { return o.key == p.key; })) {
      t.Problem(row.line, "key", absl::StrCat(p.key, " is listed twice"));
    }
    d.providers.push_back(std::move(p));
  }
}

void ReadCoursePlan(const std::map<std::string, std::string>& files, District& d,
                    std::vector<DistrictProblem>& problems) {
  Table t(files, "course_plan.csv", problems,
          {"course_type", "municipality", "provider", "every_weeks", "first_week", "schedule", "seats",
           "childcare_places", "duration_weeks", "target_level"});
  static const std::set<std::string> kLevels = {"A1", "A2", "B1", "B2", "C1", "C2"};
  for (const auto& row : t.rows()) {
    CourseSeries s;
    s.type = t.Enumerated<cv1::CourseType>(row, "course_type", "COURSE_TYPE_", &cv1::CourseType_Parse);
    s.town = t.Text(row, "municipality");
    if (!s.town.empty() && std::none_of(d.towns.begin(), d.towns.end(), [&](const auto& x) { return x.name == s.town; })) {
      t.Problem(row.line, "municipality", absl::StrCat("\"", s.town, "\" is not in municipalities.csv"));
    }
    s.provider = t.Text(row, "provider");
    if (!s.provider.empty() &&
        std::none_of(d.providers.begin(), d.providers.end(), [&](const auto& p) { return p.key == s.provider; })) {
      t.Problem(row.line, "provider", absl::StrCat("\"", s.provider, "\" is not a key in providers.csv"));
    }
    s.every_weeks = t.Int(row, "every_weeks", 1, 104);
    s.first_week = t.Int(row, "first_week", 0, 104);
    s.schedule = t.Enumerated<cv1::Schedule>(row, "schedule", "SCHEDULE_", &cv1::Schedule_Parse);
    s.seats = t.Int(row, "seats", 0, 100);
    s.childcare = t.Int(row, "childcare_places", 0, 100);
    s.duration_weeks = t.Int(row, "duration_weeks", 1, 104);
    s.target_level = t.Text(row, "target_level");
    if (!s.target_level.empty() && !kLevels.contains(s.target_level)) {
      t.Problem(row.line, "target_level", absl::StrCat("\"", s.target_level, "\" is not a CEFR level A1 to C2"));
    }
    d.course_plan.push_back(std::move(s));
  }
}

void ReadOrigins(const std::map<std::string, std::string>& files, District& d, std::vector<DistrictProblem>& problems) {
  Table t(files, "origins.csv", problems,
          {"nationality", "language", "weight", "literate_latin", "residence_status", "stay_prospect",
           "protection_share", "decision_weeks_min", "decision_weeks_max"});
  auto code = [&](const CsvRow& row, const char* column, size_t length) {
    std::string value = t.Text(row, column);
    const bool letters = std::all_of(value.begin(), value.end(), [](char c) { return absl::ascii_isalpha(c); });
    if (!value.empty() && (value.size() != length || !letters)) {
      t.Problem(row.line, column, absl::StrCat("\"", value, "\" is not a ", length, "-letter code"));
    }
    return value;
  };
  for (const auto& row : t.rows()) {
    Origin o;
    o.nationality = absl::AsciiStrToUpper(code(row, "nationality", 2));
    o.language = absl::AsciiStrToLower(code(row, "language", 2));
    o.weight = t.Number(row, "weight", 0, 1e6).value_or(0);
    o.literate_latin = t.Number(row, "literate_latin", 0, 1).value_or(0);
    o.status = t.Enumerated<rv1::ResidenceStatus>(row, "residence_status", "RESIDENCE_STATUS_", &rv1::ResidenceStatus_Parse);
    o.prospect = t.Enumerated<rv1::StayProspect>(row, "stay_prospect", "STAY_PROSPECT_", &rv1::StayProspect_Parse);
    o.protection_share = t.Number(row, "protection_share", 0, 1).value_or(0);
    o.decision_weeks_min = t.Int(row, "decision_weeks_min", 0, 260);
    o.decision_weeks_max = t.Int(row, "decision_weeks_max", 0, 260);
    if (o.decision_weeks_max < o.decision_weeks_min) {
      t.Problem(row.line, "decision_weeks_max", "is below decision_weeks_min");
    }
    d.arrivals.origins.push_back(std::move(o));
  }
  double total = 0;
  for (const auto& o : d.arrivals.origins) total += o.weight;
  if (files.contains("origins.csv") && total <= 0) t.Problem(0, "weight", "no origin has a weight above 0");
}

// The tables ankommenctl imports: the services check each row on import; here
// only what ties them to the district — the header, the social areas and the
// municipality keys — so that a run does not start on tables of another district.
void CheckImported(const std::map<std::string, std::string>& files, const District& d,
                   std::vector<DistrictProblem>& problems, const std::string& name,
                   std::initializer_list<const char*> required) {
  auto it = files.find(name);
  if (it == files.end()) {
    problems.push_back({name, 0, "", "missing: every district has this file (docs/district-format.md)"});
    return;
  }
  const CsvTable table = ParseCsv(it->second);
  for (const auto& column : table.Missing(required)) problems.push_back({name, 1, column, "the header lacks this column"});
  if (!table.Missing({"social_area"}).empty()) return;
  const bool has_ags = table.Missing({"municipality_ags"}).empty();
  for (const auto& row : table.rows) {
    const std::string area = table.Get(row, "social_area");
    if (!KnownArea(d, area)) {
      problems.push_back({name, row.line, "social_area", absl::StrCat("\"", area, "\" is not in social_areas.csv")});
    }
    const std::string ags = has_ags ? table.Get(row, "municipality_ags") : "";
    if (!ags.empty() && std::none_of(d.towns.begin(), d.towns.end(), [&](const auto& x) { return x.ags == ags; })) {
      problems.push_back({name, row.line, "municipality_ags", absl::StrCat("\"", ags, "\" is not in municipalities.csv")});
    }
  }
}

// The pool of mediators, if the district has one: every row as the mediators
// service will read it on import, and its social areas the district's.
void CheckMediators(const std::map<std::string, std::string>& files, District& d, std::vector<DistrictProblem>& problems) {
  auto it = files.find("mediators.csv");
  if (it == files.end()) return;
  const std::string name = "mediators.csv";
  const CsvTable table = ParseCsv(it->second);
  for (const auto& column : table.Missing(mediators::kPoolColumns)) {
    problems.push_back({name, 1, column, "the header lacks this column"});
  }
  if (!table.Missing(mediators::kPoolColumns).empty()) return;
  for (const auto& row : table.rows) {
    auto read = mediators::PoolRowOf(table, row);
    absl::Status checked = read.status();
    if (read.ok()) {
      read->mediator.set_mediator_id("med_0");  // the service gives it one
      checked = mediators::MediatorFromProto(read->mediator).status();
      if (auto contact = mediators::ValidateContact(read->contact); !contact.ok()) {
        for (const auto& v : FieldViolationsOf(contact)) problems.push_back({name, row.line, v.field, v.description});
      }
    }
    for (const auto& v : FieldViolationsOf(checked)) problems.push_back({name, row.line, v.field, v.description});
    if (!checked.ok() && FieldViolationsOf(checked).empty()) {
      problems.push_back({name, row.line, "", std::string(checked.message())});
    }
    for (absl::string_view area : absl::StrSplit(table.Get(row, "social_areas"), ';', absl::SkipWhitespace())) {
      const std::string a(absl::StripAsciiWhitespace(area));
      if (!KnownArea(d, a)) problems.push_back({name, row.line, "social_areas", absl::StrCat("\"", a, "\" is not in social_areas.csv")});
    }
  }
  d.mediators_csv = it->second;
}

// The district's targets for its integration indicators, if it sets any.
void CheckTargets(const std::map<std::string, std::string>& files, District& d, std::vector<DistrictProblem>& problems) {
  auto it = files.find("targets.csv");
  if (it == files.end()) return;
  std::vector<std::string> areas;
  for (const auto& a : d.social_areas) areas.push_back(a.name);
  const auto loaded = monitoring::ParseTargets(it->second, areas);
  for (const auto& p : loaded.problems) problems.push_back({"targets.csv", p.line, p.field, p.message});
  d.targets_csv = it->second;
}

}  // namespace

LoadedDistrict ParseDistrict(const std::map<std::string, std::string>& files) {
  LoadedDistrict loaded;
  District& d = loaded.district;
  auto& problems = loaded.problems;
  ReadSettings(files, d, problems);
  ReadSocialAreas(files, d, problems);
  ReadMunicipalities(files, d, problems);
  ReadProviders(files, d, problems);
  ReadCoursePlan(files, d, problems);
  ReadOrigins(files, d, problems);
  CheckImported(files, d, problems, "schools.csv",
                {"school", "school_type", "social_area", "vka_pupils", "vka_classes", "capacity_reserve"});
  CheckImported(files, d, problems, "kitas.csv",
                {"name", "municipality_ags", "social_area", "lat", "lon", "places_under_3", "places_3_to_school"});
  CheckImported(files, d, problems, "accommodations.csv",
                {"kind", "name", "operator", "municipality_ags", "social_area", "lat", "lon", "beds", "rooms",
                 "square_metres", "step_free", "lease_transferable"});
  CheckMediators(files, d, problems);
  CheckTargets(files, d, problems);
  return loaded;
}

LoadedDistrict ReadDistrict(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    LoadedDistrict loaded;
    loaded.problems.push_back({dir, 0, "", "not a directory"});
    return loaded;
  }
  return ParseDistrict(ReadDistrictFiles(dir));
}

}  // namespace ankommen::sim
