#include "scenario.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "text/csv.h"

namespace ankommen::sim {

namespace {

constexpr char kScenarioFile[] = "scenario.csv";

// A table held as header and rows, to change and write back.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  static Table Of(const std::string& text) {
    const CsvTable csv = ParseCsv(text);
    Table t;
    t.header.resize(csv.columns.size());
    for (const auto& [name, index] : csv.columns) t.header[index] = name;
    for (const auto& row : csv.rows) {
      std::vector<std::string> fields = row.fields;
      fields.resize(t.header.size());
      t.rows.push_back(std::move(fields));
    }
    return t;
  }
  int Column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  std::string Text() const {
    auto line = [](const std::vector<std::string>& fields) {
      std::vector<std::string> quoted;
      for (const auto& f : fields) {
        quoted.push_back(f.find_first_of(",\"\n") == std::string::npos
                             ? f
                             : absl::StrCat("\"", absl::StrReplaceAll(f, {{"\"", "\"\""}}), "\""));
      }
      return absl::StrJoin(quoted, ",") + "\n";
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
  }
};

std::vector<std::string> Parts(const std::string& value) {
  std::vector<std::string> parts;
  for (absl::string_view p : absl::StrSplit(value, ',')) parts.emplace_back(absl::StripAsciiWhitespace(p));
  return parts;
}

}  // namespace

std::map<std::string, std::string> ReadDistrictFiles(const std::string& dir) {
  static const char* kFiles[] = {"district.csv",  "social_areas.csv", "municipalities.csv",
                                 "providers.csv", "course_plan.csv",  "origins.csv",
                                 "schools.csv",   "kitas.csv",        "accommodations.csv",
                                 "mediators.csv", "targets.csv"};
  std::map<std::string, std::string> files;
  for (const char* name : kFiles) {
    std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
    if (!in) continue;  // reported as missing when the district is checked
    std::stringstream text;
    text << in.rdbuf();
    files[name] = text.str();
  }
  return files;
}

bool WriteDistrictFiles(const std::map<std::string, std::string>& files, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return false;
  for (const auto& [name, text] : files) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return true;
}

ScenarioResult ApplyScenario(const std::map<std::string, std::string>& district_files,
                             const std::string& scenario_name, const std::string& scenario_csv) {
  ScenarioResult result;
  result.name = scenario_name;
  result.files = district_files;
  auto problem = [&](int line, const std::string& field, const std::string& message) {
    result.problems.push_back({kScenarioFile, line, field, message});
  };
  const CsvTable scenario = ParseCsv(scenario_csv);
  for (const auto& column : scenario.Missing({"change", "value"})) problem(1, column, "the header lacks this column");
  if (!result.problems.empty()) return result;

  // The tables a change touches, read once and written back at the end.
  std::map<std::string, Table> tables;
  auto table = [&](const std::string& name) -> Table& {
    auto it = tables.find(name);
    if (it == tables.end()) {
      auto file = result.files.find(name);
      it = tables.emplace(name, Table::Of(file == result.files.end() ? "" : file->second)).first;
    }
    return it->second;
  };
  const LoadedDistrict base = ParseDistrict(district_files);
  auto known_area = [&](const std::string& area) {
    for (const auto& a : base.district.social_areas) {
      if (a.name == area) return true;
    }
    return false;
  };
  auto first_town_of = [&](const std::string& area) -> const Town* {
    for (const auto& t : base.district.towns) {
      if (t.social_area == area && t.arrival_weight > 0) return &t;
    }
    return nullptr;
  };
  // Sets `column` of the rows of `file` where each (column, value) matches; how many.
  auto change_rows = [&](const std::string& file, const std::vector<std::pair<std::string, std::string>>& match,
                         const std::string& column, const std::string& value) {
    Table& t = table(file);
    int changed = 0;
    for (auto& row : t.rows) {
      bool all = true;
      for (const auto& [c, v] : match) all = all && t.Column(c) >= 0 && row[static_cast<size_t>(t.Column(c))] == v;
      if (!all) continue;
      if (!column.empty()) row[static_cast<size_t>(t.Column(column))] = value;
      ++changed;
    }
    return changed;
  };
  auto whole = [](const std::string& text, int& out) { return absl::SimpleAtoi(text, &out) && out >= 0; };

  for (const auto& row : scenario.rows) {
    const std::string change = scenario.Get(row, "change");
    const std::string value = scenario.Get(row, "value");
    const std::vector<std::string> parts = Parts(value);
    auto need = [&](size_t n, const char* shape) {
      if (parts.size() == n) return true;
      problem(row.line, "value", absl::StrCat("\"", value, "\": ", change, " takes ", shape));
      return false;
    };
    int number = 0;
    if (change == "name") {
      result.name = value;
    } else if (change == "add_course_series") {
      if (!need(10, "a row of course_plan.csv (course_type,municipality,provider,every_weeks,first_week,"
                    "schedule,seats,childcare_places,duration_weeks,target_level)")) {
        continue;
      }
      table("course_plan.csv").rows.push_back(parts);
    } else if (change == "remove_course_series") {
      if (!need(2, "course_type,municipality")) continue;
      Table& t = table("course_plan.csv");
      const size_t before = t.rows.size();
      std::erase_if(t.rows, [&](const auto& r) {
        return r[static_cast<size_t>(t.Column("course_type"))] == parts[0] &&
               r[static_cast<size_t>(t.Column("municipality"))] == parts[1];
      });
      if (t.rows.size() == before) problem(row.line, "value", absl::StrCat("no course series ", value, " to remove"));
    } else if (change == "course_seats" || change == "childcare_places") {
      if (!need(3, "course_type,municipality,number")) continue;
      if (!whole(parts[2], number)) {
        problem(row.line, "value", absl::StrCat("\"", parts[2], "\" is not a whole number of 0 or more"));
        continue;
      }
      const std::string column = change == "course_seats" ? "seats" : "childcare_places";
      if (change_rows("course_plan.csv", {{"course_type", parts[0]}, {"municipality", parts[1]}}, column, parts[2]) == 0) {
        problem(row.line, "value", absl::StrCat("no course series ", parts[0], ",", parts[1]));
      }
    } else if (change == "kita_places") {
      int under_3 = 0, older = 0;
      if (!need(3, "social_area,places under 3,places 3 to school age")) continue;
      const Town* town = known_area(parts[0]) ? first_town_of(parts[0]) : nullptr;
      if (town == nullptr || !whole(parts[1], under_3) || !whole(parts[2], older)) {
        problem(row.line, "value", absl::StrCat("\"", value, "\" needs a social area with a town and two numbers"));
        continue;
      }
      Table& t = table("kitas.csv");
      std::vector<std::string> kita(t.header.size());
      auto set = [&](const char* c, std::string v) {
        if (t.Column(c) >= 0) kita[static_cast<size_t>(t.Column(c))] = std::move(v);
      };
      set("name", absl::StrCat("Kita (scenario, line ", row.line, ") ", town->name));
      set("municipality_ags", town->ags);
      set("social_area", town->social_area);
      set("lat", absl::StrCat(town->lat));
      set("lon", absl::StrCat(town->lon));
      set("places_under_3", parts[1]);
      set("places_3_to_school", parts[2]);
      set("hours_per_day", "8");
      t.rows.push_back(std::move(kita));
    } else if (change == "flats") {
      if (!need(2, "social_area,number of flats")) continue;
      const Town* town = known_area(parts[0]) ? first_town_of(parts[0]) : nullptr;
      if (town == nullptr || !whole(parts[1], number)) {
        problem(row.line, "value", absl::StrCat("\"", value, "\" needs a social area with a town and a number"));
        continue;
      }
      Table& t = table("accommodations.csv");
      for (int i = 0; i < number; ++i) {
        std::vector<std::string> flat(t.header.size());
        auto set = [&](const char* c, std::string v) {
          if (t.Column(c) >= 0) flat[static_cast<size_t>(t.Column(c))] = std::move(v);
        };
        set("kind", "flat");
        set("name", absl::StrCat("Wohnung (scenario, line ", row.line, ") ", town->name, " ", i + 1));
        set("operator", "scenario");
        set("municipality_ags", town->ags);
        set("social_area", town->social_area);
        set("lat", absl::StrCat(town->lat + 0.001 * i));
        set("lon", absl::StrCat(town->lon));
        set("beds", "4");
        set("rooms", "3");
        set("square_metres", "70");
        set("step_free", "no");
        set("lease_transferable", "yes");
        set("vacant_from", "2000-01-01");  // in the register from the first day
        t.rows.push_back(std::move(flat));
      }
    } else if (change == "social_workers") {
      if (!need(2, "social_area,number")) continue;
      if (!whole(parts[1], number) || change_rows("social_areas.csv", {{"social_area", parts[0]}}, "social_workers",
                                                  parts[1]) == 0) {
        problem(row.line, "value", absl::StrCat("\"", value, "\" needs a social area of the district and a number"));
      }
    } else if (change == "arrivals_factor") {
      double k = 0;
      if (!absl::SimpleAtod(value, &k) || k <= 0 || k > 100) {
        problem(row.line, "value", absl::StrCat("\"", value, "\" is not a factor above 0"));
        continue;
      }
      const std::string per_week = absl::StrCat(base.district.arrivals.households_per_week * k);
      change_rows("district.csv", {{"key", "households_per_week"}}, "value", per_week);
    } else if (change == "set") {
      if (parts.size() < 2) {
        problem(row.line, "value", "set takes key,value");
        continue;
      }
      const std::string setting = value.substr(value.find(',') + 1);
      if (change_rows("district.csv", {{"key", parts[0]}}, "value", std::string(absl::StripAsciiWhitespace(setting))) == 0) {
        table("district.csv").rows.push_back({parts[0], std::string(absl::StripAsciiWhitespace(setting))});
      }
    } else {
      problem(row.line, "change",
              absl::StrCat("\"", change, "\" is not a change (name, add_course_series, remove_course_series, "
                                         "course_seats, childcare_places, kita_places, flats, social_workers, "
                                         "arrivals_factor, set)"));
    }
  }
  // Reports and comparisons name the scenario with the district.
  change_rows("district.csv", {{"key", "name"}}, "value", absl::StrCat(base.district.name, " — ", result.name));
  for (const auto& [name, t] : tables) result.files[name] = t.Text();
  if (result.ok()) {
    // What the scenario made must be a district too: its problems are the scenario's.
    for (auto p : ParseDistrict(result.files).problems) {
      p.message = absl::StrCat(p.message, " (after the scenario)");
      result.problems.push_back(std::move(p));
    }
  }
  return result;
}

}  // namespace ankommen::sim
