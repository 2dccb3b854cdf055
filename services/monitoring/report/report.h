// The report to the district council: the indicators of a period and area
// with their targets, trends and lights (domain/figures.h BuildReport), as a
// PDF in German for the council, and the same figures as JSON and CSV.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "figures.h"

namespace ankommen::monitoring {

struct ReportHeader {
  std::string district;  // e.g. "Landkreis Meißen"
  Scope scope;
  Day history_from;      // the first day the streams still held
  long long events = 0;  // the events the figures were computed from
};

nlohmann::json ReportJson(const ReportHeader& header, const std::vector<ReportRow>& rows);
// One row per indicator: indicator,field_of_action,unit,value,numerator,denominator,complete,target,target_from,target_to,status
std::string ReportCsv(const std::vector<ReportRow>& rows);
// A4: the cover (district, period, area), then a page per field of action.
absl::Status WriteReportPdf(const ReportHeader& header, const std::vector<ReportRow>& rows, const std::string& path);

// The three into `dir` as report_<from>_<to>[_<area>].{pdf,json,csv};
// returns the PDF's path. Nothing is left half-written: each file is written
// beside its name and renamed.
absl::StatusOr<std::string> WriteReportFiles(const ReportHeader& header, const std::vector<ReportRow>& rows,
                                             const std::string& dir);

// Numbers and dates as the report prints them (German: 12,5 %; 31.12.2027).
std::string FormatValue(const Indicator& indicator, double value);
std::string GermanDate(Day day);

}  // namespace ankommen::monitoring
