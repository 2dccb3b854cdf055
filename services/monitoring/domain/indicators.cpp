#include "indicators.h"

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "text/csv.h"
#include "text/field_checks.h"

namespace ankommen::monitoring {

const std::vector<Indicator>& Catalogue() {
  static const std::vector<Indicator> kCatalogue = {
      {"language_a2_within_12_months", "language", Unit::kShare, Better::kHigher,
       "Of the adults who arrived in the period, the share whose recorded level reached A2 or above within 12 "
       "months of their registration (levels as the registry records them: course results and the offices' "
       "assessments).",
       "Sprachniveau A2 innerhalb von 12 Monaten",
       "Anteil der im Zeitraum angekommenen Erwachsenen, deren erfasstes Sprachniveau innerhalb von 12 Monaten nach der Registrierung A2 oder höher erreicht hat (Kursergebnisse und Einstufungen, wie im Register erfasst)."},
      {"language_b1_within_24_months", "language", Unit::kShare, Better::kHigher,
       "Of the adults who arrived in the period, the share whose recorded level reached B1 or above within 24 "
       "months of their registration.",
       "Sprachniveau B1 innerhalb von 24 Monaten",
       "Anteil der im Zeitraum angekommenen Erwachsenen, deren erfasstes Sprachniveau innerhalb von 24 Monaten nach der Registrierung B1 oder höher erreicht hat."},
      {"course_waiting_time_days", "language", Unit::kDays, Better::kLower,
       "Waiting time as BAMF counts it: median (nearest rank) days from the registration with the course provider (the "
       "accepted offer) to the start of the course, of the enrolments that began in the period (the course's start, or a late entry).",
       "Wartezeit auf den Kurs (BAMF)",
       "Median der Tage von der Anmeldung beim Kursträger (angenommenes Angebot) bis zum Kursbeginn, über die im Zeitraum begonnenen Kursteilnahmen."},
      {"course_access_time_days", "language", Unit::kDays, Better::kLower,
       "Access time as BAMF counts it: median (nearest rank) days from the entitlement (the request) to the start of the "
       "course, of the enrolments that began in the period (the course's start, or a late entry).",
       "Zugangszeit zum Kurs (BAMF)",
       "Median der Tage von der Berechtigung (Antrag) bis zum Kursbeginn, über die im Zeitraum begonnenen Kursteilnahmen."},
      {"kita_share_ages_1_to_6", "education", Unit::kShare, Better::kHigher,
       "Of the newcomer children aged one to six (before school) living in the district at the period's end, "
       "the share with a Kita place; the target is the district's general attendance rate.",
       "Kita-Quote von 1 Jahr bis zur Schule",
       "Anteil der neu zugewanderten Kinder von einem Jahr bis zum Schuleintritt, die am Ende des Zeitraums im Landkreis leben und einen Kita-Platz haben; Ziel ist die allgemeine Betreuungsquote des Landkreises."},
      {"daz_class_within_14_days", "education", Unit::kShare, Better::kHigher,
       "Of the school-age children who arrived in the period, the share in a DaZ class within 14 days of their "
       "registration.",
       "DaZ-Klasse innerhalb von 14 Tagen",
       "Anteil der im Zeitraum angekommenen schulpflichtigen Kinder, die innerhalb von 14 Tagen nach der Registrierung einen Platz in einer DaZ-Klasse haben."},
      {"households_in_flats", "housing", Unit::kShare, Better::kHigher,
       "Of the households housed by the district at the period's end, the share living in a flat rather than "
       "in shared accommodation.",
       "Haushalte in Wohnungen",
       "Anteil der vom Landkreis untergebrachten Haushalte, die am Ende des Zeitraums in einer Wohnung statt in einer Gemeinschaftsunterkunft leben."},
      {"shared_accommodation_over_12_months", "housing", Unit::kCount, Better::kLower,
       "Households living in shared accommodation for more than 12 months at the period's end.",
       "Über 12 Monate in Gemeinschaftsunterkunft",
       "Haushalte, die am Ende des Zeitraums seit mehr als 12 Monaten ohne Unterbrechung in Gemeinschaftsunterkünften leben."},
      {"places_below_standard", "housing", Unit::kCount, Better::kLower,
       "Places holding more persons than the Land's living-space standard (m² per person) allows, at the "
       "period's end.",
       "Unterkünfte unter dem Wohnflächenstandard",
       "Unterkünfte, die am Ende des Zeitraums mehr Personen beherbergen, als der Wohnflächenstandard des Landes (m² je Person) erlaubt."},
      {"caseload_per_social_worker", "social work", Unit::kPersonsPerWorker, Better::kLower,
       "Refugee social work's caseload: persons looked after by the refugee social workers of the area per "
       "worker, at the period's end, as the casework service assigns them; without its staff list, persons "
       "drawing AsylbLG benefits in shared accommodation per configured worker (Meißen today 1:150; Görlitz "
       "and Meißen aim at 1:80).",
       "Betreuungsschlüssel Flüchtlingssozialarbeit",
       "Von den Fachkräften der Flüchtlingssozialarbeit im Sozialraum betreute Personen je Fachkraft, am Ende des Zeitraums, wie sie die Fallverteilung zuordnet; ohne deren Personalliste Personen mit Leistungen nach dem AsylbLG in Gemeinschaftsunterkünften je eingetragener Fachkraft (Meißen heute 1:150; Ziel in Görlitz und Meißen 1:80)."},
      {"messages_not_delivered", "communication", Unit::kShare, Better::kLower,
       "Of the messages made in the period (offers, places, deadlines), the share that reached their person "
       "by no channel (dead letters).",
       "Nicht zugestellte Nachrichten",
       "Anteil der im Zeitraum erstellten Nachrichten (Angebote, Plätze, Fristen), die ihre Person auf keinem Weg erreicht haben."},
      {"mediator_requests_filled", "communication", Unit::kShare, Better::kHigher,
       "Of the appointments in the period for which an office asked for a language mediator, the share with a "
       "mediator booked when the appointment began (requests the office cancelled not counted).",
       "Sprachmittlung besetzt",
       "Anteil der Termine im Zeitraum, für die ein Amt Sprachmittlung angefragt hat, bei denen zu Terminbeginn eine Sprachmittlerin oder ein Sprachmittler gebucht war (vom Amt zurückgezogene Anfragen nicht gezählt)."},
  };
  return kCatalogue;
}

std::string_view FieldOfActionDe(std::string_view field) {
  if (field == "language") return "Sprache und Integrationskurse";
  if (field == "education") return "Kita und Schule";
  if (field == "housing") return "Wohnen";
  if (field == "social work") return "Soziale Arbeit";
  if (field == "communication") return "Kommunikation und Sprachmittlung";
  return field;
}

const Indicator* FindIndicator(std::string_view id) {
  for (const auto& i : Catalogue()) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

namespace {

// A number as the unit allows: shares 0–100, the rest at least 0.
std::optional<double> ReadNumber(const std::string& text, const Indicator* indicator, const std::string& field, int line,
                                 std::vector<TargetProblem>& problems) {
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    problems.push_back({line, field, absl::StrCat("\"", text, "\" is not a number")});
    return std::nullopt;
  }
  if (value < 0) {
    problems.push_back({line, field, "must not be negative"});
    return std::nullopt;
  }
  if (indicator != nullptr && indicator->unit == Unit::kShare && value > 100) {
    problems.push_back({line, field, "is a share in percent: at most 100"});
    return std::nullopt;
  }
  return value;
}

}  // namespace

LoadedTargets ParseTargets(const std::string& csv, const std::vector<std::string>& areas) {
  LoadedTargets out;
  const CsvTable table = ParseCsv(csv);
  for (const auto& column : table.Missing({"indicator", "social_area", "baseline", "target", "from", "to"})) {
    out.problems.push_back({1, column, "the header lacks this column"});
  }
  if (!out.problems.empty()) return out;
  const std::set<std::string> known_areas(areas.begin(), areas.end());
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  for (const auto& row : table.rows) {
    const size_t problems_before = out.problems.size();
    Target t;
    t.indicator = table.Get(row, "indicator");
    const Indicator* indicator = FindIndicator(t.indicator);
    if (indicator == nullptr) {
      out.problems.push_back({row.line, "indicator", absl::StrCat("\"", t.indicator, "\" is not an indicator "
                                                                  "(docs/indicators.md lists them)")});
    }
    t.social_area = table.Get(row, "social_area");
    if (!t.social_area.empty() && !known_areas.empty() && !known_areas.contains(t.social_area)) {
      out.problems.push_back({row.line, "social_area", absl::StrCat("\"", t.social_area, "\" is not a social area of the district")});
    }
    const std::string baseline = table.Get(row, "baseline");
    if (!baseline.empty()) t.baseline = ReadNumber(baseline, indicator, "baseline", row.line, out.problems);
    if (auto target = ReadNumber(table.Get(row, "target"), indicator, "target", row.line, out.problems)) t.target = *target;
    const bool from_ok = ParseIsoDate(table.Get(row, "from"), t.from);
    const bool to_ok = ParseIsoDate(table.Get(row, "to"), t.to);
    if (!from_ok) out.problems.push_back({row.line, "from", "must be a date YYYY-MM-DD"});
    if (!to_ok) out.problems.push_back({row.line, "to", "must be a date YYYY-MM-DD"});
    if (from_ok && to_ok && t.to < t.from) out.problems.push_back({row.line, "to", "the period ends before it starts"});
    // A row refused for its own mistakes does not take the place of a good one after it.
    if (out.problems.size() == problems_before &&
        !seen.insert({t.indicator, t.social_area, table.Get(row, "from"), table.Get(row, "to")}).second) {
      out.problems.push_back({row.line, "indicator", "a second target for the same indicator, area and period"});
    }
    if (out.problems.size() == problems_before) out.targets.push_back(std::move(t));
  }
  return out;
}

const char* LightName(Light light) {
  switch (light) {
    case Light::kGreen: return "green";
    case Light::kAmber: return "amber";
    case Light::kRed: return "red";
  }
  return "red";
}

Light Status(const Indicator& indicator, double value, double target) {
  const double miss = indicator.better == Better::kHigher ? target - value : value - target;
  if (miss <= 0) return Light::kGreen;
  const double tolerance = indicator.unit == Unit::kShare ? 10.0 : std::abs(target) / 10.0;
  return miss <= tolerance ? Light::kAmber : Light::kRed;
}

}  // namespace ankommen::monitoring
