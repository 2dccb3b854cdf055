// The indicators' figures from a district's history, for a period and a
// social area (or the whole district), each counted as its definition in
// indicators.h says; and the report's rows: figure, target, trend, light.
// Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history.h"
#include "indicators.h"

namespace ankommen::monitoring {

// The ages the schools service places by (schools' AgeRules, the Land's end
// of compulsory schooling).
struct AgeBands {
  int kita_from = 1;
  int school_from = 6;             // school-year age
  int school_obliged_until = 18;  // age in years
};

struct Scope {
  Day from, to;             // both included
  std::string social_area;  // empty: the whole district
  // How far the history reaches: a cohort's window (12 months to a level,
  // 14 days to a class) is looked at up to this day. Stocks are taken at `to`.
  Day as_of;
};

struct Figure {
  std::string indicator;
  std::optional<double> value;  // none: no one to count in this scope
  // What the value is made of: for shares the counted and the cohort, for
  // medians the enrolments, for ratios persons and workers, for counts the count.
  long long numerator = 0, denominator = 0;
  // False while some of the cohort's windows are still open at as_of: the
  // share can still grow (a preliminary figure).
  bool complete = true;
};

// The history arranged for counting: each person with their household, and
// every record under each social area it ever touched, so that a figure for
// one area looks at that area's people only. Built once, used for any number
// of periods and areas; it refers into the history, which must outlive it.
class HistoryIndex {
 public:
  struct Person {
    const PersonHistory* person;
    const HouseholdHistory* household;  // null when the registry never announced it
  };
  struct Household {
    const std::string* id;
    const HouseholdHistory* household;
  };
  struct Message {
    const MessageFact* message;
    std::string area;  // where its recipient lived when it was made ("" when no area's)
  };

  explicit HistoryIndex(const History& history);
  const History& history() const { return history_; }
  // All of them for the whole district (""), else those of the area.
  const std::vector<Person>& Persons(const std::string& area) const;
  const std::vector<Household>& Households(const std::string& area) const;
  const std::vector<std::pair<const EnrolmentFact*, const HouseholdHistory*>>& Enrolments(const std::string& area) const;
  const std::vector<Message>& Messages(const std::string& area) const;
  const std::vector<const MediationFact*>& Mediations(const std::string& area) const;

 private:
  template <typename T>
  const std::vector<T>& Of(const std::map<std::string, std::vector<T>>& by_area, const std::string& area) const;

  const History& history_;
  std::map<std::string, std::vector<Person>> persons_;
  std::map<std::string, std::vector<Household>> households_;
  std::map<std::string, std::vector<std::pair<const EnrolmentFact*, const HouseholdHistory*>>> enrolments_;
  std::map<std::string, std::vector<Message>> messages_;
  std::map<std::string, std::vector<const MediationFact*>> mediations_;
};

Figure ComputeFigure(const HistoryIndex& index, const Indicator& indicator, const Scope& scope, const AgeBands& ages);
std::vector<Figure> ComputeFigures(const HistoryIndex& index, const Scope& scope, const AgeBands& ages);
// The same, indexing the history for this one call.
Figure ComputeFigure(const History& history, const Indicator& indicator, const Scope& scope, const AgeBands& ages);
std::vector<Figure> ComputeFigures(const History& history, const Scope& scope, const AgeBands& ages);

// One point of a trend: the figure for one calendar month of the period
// (stocks at the month's end).
struct TrendPoint {
  Day month_end;
  std::optional<double> value;
};

struct ReportRow {
  const Indicator* indicator = nullptr;
  Figure figure;
  std::vector<TrendPoint> trend;
  std::optional<Target> target;  // the district's, for this area (or the district's) and period
  std::optional<Light> light;    // with a target and a complete figure
};

// Every indicator of the catalogue for the scope: its figure, its monthly
// trend (unless `trend` is false), the target whose time frame covers the
// period's end (the area's before the district's), and the light.
std::vector<ReportRow> BuildReport(const HistoryIndex& index, const Scope& scope, const AgeBands& ages,
                                   const std::vector<Target>& targets, bool trend = true);
std::vector<ReportRow> BuildReport(const History& history, const Scope& scope, const AgeBands& ages,
                                   const std::vector<Target>& targets);

}  // namespace ankommen::monitoring
