// `ankommenctl report`: the integration indicators of a period (and social
// area) against the district's targets, from the services' events on NATS,
// written as the council's PDF with the same figures as JSON and CSV.
#pragma once

#include <string>

namespace ankommen::ctl {

struct ReportOptions {
  std::string from, to;         // YYYY-MM-DD, both included
  std::string area;             // empty: the whole district
  std::string targets_file;     // indicator,social_area,baseline,target,from,to (docs/indicators.md)
  std::string district;         // the cover's name, e.g. "Landkreis Meißen"
  std::string social_workers;   // "Riesa=2,Meißen=3", as the housing service is told
  std::string out_dir = ".";
  bool json = false;            // the JSON on stdout instead of the table
};

int WriteReport(const ReportOptions& options);

}  // namespace ankommen::ctl
