// The district's integration indicators (issue 22): what each measures,
// written beside it, and the targets a district sets for them — Sachsenheim's
// plan in a table: per indicator (and social area, or the whole district) the
// state at the start, the target state, and the time frame to reach it.
// Pure: the catalogue, the targets file and the traffic light; computing the
// figures from the services' events comes next.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace ankommen::monitoring {

enum class Unit { kShare, kDays, kCount, kPersonsPerWorker };
enum class Better { kHigher, kLower };

struct Indicator {
  std::string_view id;               // as the targets file and the report name it
  std::string_view field_of_action;  // the report's page: language, education, housing, social work, …
  Unit unit;
  Better better;
  std::string_view definition;       // what is counted, for the council and for whoever checks the figure
  std::string_view title_de;         // the report's German, for the council
  std::string_view definition_de;
};

// The report's page title for a field of action, in German.
std::string_view FieldOfActionDe(std::string_view field_of_action);

// Every indicator the report knows, in the report's order.
const std::vector<Indicator>& Catalogue();
const Indicator* FindIndicator(std::string_view id);

// One row of a district's targets.
struct Target {
  std::string indicator;
  std::string social_area;            // empty: the whole district
  std::optional<double> baseline;     // the state when the plan was made (Ist-Zustand), if known
  double target = 0;                  // the target state (Soll-Zustand); shares in percent
  absl::CivilDay from, to;            // the time frame (Zeitrahmen)
};

// A problem with the targets file, named so whoever keeps it finds it.
struct TargetProblem {
  int line = 0;  // 1-based; 1 is the header
  std::string field;
  std::string message;
};

struct LoadedTargets {
  std::vector<Target> targets;
  std::vector<TargetProblem> problems;  // empty: good to use
};

// `indicator,social_area,baseline,target,from,to` (CSV, a header row; from and
// to as YYYY-MM-DD). Refused: an unknown indicator, a social area not in
// `areas` (when it is given), a period that ends before it starts, a share
// outside 0–100 %, a negative number of days, persons or a count, a second row
// for the same indicator, area and period.
LoadedTargets ParseTargets(const std::string& csv, const std::vector<std::string>& areas = {});

enum class Light { kGreen, kAmber, kRed };
const char* LightName(Light light);

// Green when the figure meets the target; amber when it misses by no more than
// a tenth of the target (or, for shares, 10 percentage points); red beyond.
Light Status(const Indicator& indicator, double value, double target);

}  // namespace ankommen::monitoring
