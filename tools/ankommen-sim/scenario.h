// A scenario: a small table of changes to a district, to ask "what if" of it —
// "what if we open an evening integration course in Riesa every ten weeks?".
// Applied to the district's tables it gives another district directory, which
// runs like any other; run.sh --scenario runs both on the same seed and
// compares them. Pure apart from reading and writing the directories.
//
// scenario.csv has the columns change,value; each value is itself a short
// comma-separated list (quote it):
//
//   name,evening course in Riesa                 what the comparison calls it
//   add_course_series,"integration_general,Riesa,bildungswerk,10,2,evening,18,0,30,B1"
//                                                a row of course_plan.csv
//   remove_course_series,"integration_general,Großenhain"   every series of that type there
//   course_seats,"integration_general,Riesa,20"  seats of every series of that type there
//   childcare_places,"integration_parents,Riesa,10"
//   kita_places,"Riesa,4,10"                     a Kita more in the area: places under 3, 3 to school age
//   flats,"Riesa,5"                              flats more in the area's vacancy register from the start
//   social_workers,"Riesa,3"                     the area's social workers
//   arrivals_factor,1.5                          households per week × k
//   set,"course_max_km,25"                       any setting of district.csv
#pragma once

#include <map>
#include <string>
#include <vector>

#include "district.h"

namespace ankommen::sim {

struct ScenarioResult {
  std::string name;                          // from the name row, or the file's name
  std::map<std::string, std::string> files;  // the changed district's tables
  std::vector<DistrictProblem> problems;     // in the scenario (or the district it makes)
  bool ok() const { return problems.empty(); }
};

// The district's tables (ReadDistrictFiles) changed by the scenario's rows.
// The result is checked as a district again, so a change that makes it
// invalid is refused too.
ScenarioResult ApplyScenario(const std::map<std::string, std::string>& district_files,
                             const std::string& scenario_name, const std::string& scenario_csv);

// The district's tables as they are on disk, by file name.
std::map<std::string, std::string> ReadDistrictFiles(const std::string& dir);
// Writes the tables into `dir` (made if need be); false if it cannot.
bool WriteDistrictFiles(const std::map<std::string, std::string>& files, const std::string& dir);

}  // namespace ankommen::sim
