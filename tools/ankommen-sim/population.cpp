#include "population.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "text/field_checks.h"

namespace ankommen::sim {

namespace rv1 = registry::v1;

namespace {

std::string SyllableName(Random& random, int syllables) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ra", "sa", "ne", "ti", "vo", "ze", "du", "ha", "ri",
                                     "no", "bel", "dar", "fen", "gor", "lin", "mur", "tas", "qen", "vik", "zu", "ol"};
  std::string name;
  for (int i = 0; i < syllables; ++i) name += kSyllables[random.Int(0, 23)];
  name[0] = absl::ascii_toupper(name[0]);
  return name;
}

std::string BirthDate(Random& random, absl::CivilDay start, int age_years) {
  // Born before the simulation starts, aged `age_years` on its first day.
  const absl::CivilDay born = start - (age_years * 365 + random.Int(1, 364));
  return absl::StrFormat("%04d-%02d-%02d", born.year(), born.month(), born.day());
}

}  // namespace

std::vector<Arrival> Arrivals(const District& district, absl::CivilDay start, int weeks, int scale, uint64_t seed) {
  static const char* kStreets[] = {"Bahnhofstraße", "Lindenweg", "Gartenstraße", "Schulstraße", "Hauptstraße",
                                   "Dresdner Straße", "Bergstraße", "Wiesenweg", "Am Anger", "Rosenweg"};
  Random random(seed);
  std::vector<double> town_weights;
  for (const auto& t : district.towns) town_weights.push_back(t.arrival_weight);
  const ArrivalsProfile& profile = district.arrivals;
  std::vector<double> origin_weights;
  for (const auto& o : profile.origins) origin_weights.push_back(o.weight);

  std::vector<Arrival> arrivals;
  for (int week = 0; week < weeks; ++week) {
    const int count = random.Poisson(profile.households_per_week * scale);
    for (int i = 0; i < count; ++i) {
      Arrival a;
      a.day = week * 7 + random.Int(0, 4);  // the authority registers on weekdays
      const Town& town = district.towns[random.Pick(town_weights)];
      const Origin& origin = profile.origins[random.Pick(origin_weights)];
      rv1::Household& h = a.household;
      h.set_municipality_ags(town.ags);
      h.set_social_area(town.social_area);
      h.mutable_address()->set_street(absl::StrCat(kStreets[random.Int(0, 9)], " ", random.Int(1, 80)));
      h.mutable_address()->set_postal_code(town.postal_code);
      h.mutable_address()->set_city(town.name);
      h.mutable_location()->set_lat(town.lat + (random.Uniform() - 0.5) * 0.03);
      h.mutable_location()->set_lon(town.lon + (random.Uniform() - 0.5) * 0.045);

      // single adult, couple, single parent, couple with children
      const size_t shape = random.Pick(profile.household_shapes);
      const int adults = (shape == 1 || shape == 3) ? 2 : 1;
      const int children = shape >= 2 ? 1 + static_cast<int>(random.Pick(profile.children)) : 0;
      const std::string family = SyllableName(random, 3);
      const int youngest_parent_age = 20 + random.Int(0, 22);
      std::vector<int> child_ages;
      for (int c = 0; c < children; ++c) child_ages.push_back(random.Int(0, std::min(17, youngest_parent_age - 18)));
      const bool small_child = std::any_of(child_ages.begin(), child_ages.end(), [](int age) { return age < 6; });
      const bool protection = origin.protection_share > 0 && random.Chance(origin.protection_share);
      if (origin.decision_weeks_max > 0) {
        a.decision_day = a.day + 7 * random.Int(origin.decision_weeks_min, origin.decision_weeks_max);
        a.decision = protection ? rv1::RESIDENCE_STATUS_PROTECTION_GRANTED : rv1::RESIDENCE_STATUS_TOLERATED;
      }
      auto add_person = [&](rv1::Relation relation, int age) -> rv1::Person& {
        rv1::Person& p = *h.add_members();
        p.set_given_names(SyllableName(random, 2));
        p.set_family_name(family);
        p.set_birth_date(BirthDate(random, start, age));
        p.set_relation(relation);
        p.set_nationality(origin.nationality);
        p.add_languages(origin.language);
        p.set_preferred_language(origin.language);
        p.set_residence_status(origin.status);
        // Arrived with a title (e.g. § 24): issued on arrival; the course entitlement runs from it.
        if (origin.status == rv1::RESIDENCE_STATUS_RESIDENCE_PERMIT) p.set_first_permit_date(FormatIsoDate(start + a.day));
        p.set_stay_prospect(origin.prospect);
        p.set_benefit_regime(origin.status == rv1::RESIDENCE_STATUS_RESIDENCE_PERMIT ? rv1::BENEFIT_REGIME_SGB_II
                                                                                     : rv1::BENEFIT_REGIME_ASYLBLG);
        p.set_literate_latin(random.Chance(origin.literate_latin));
        return p;
      };
      for (int n = 0; n < adults; ++n) {
        const int age = n == 0 ? (children > 0 ? youngest_parent_age : random.Int(18, 45)) : youngest_parent_age + random.Int(0, 6);
        rv1::Person& p = add_person(n == 0 ? rv1::RELATION_HEAD : rv1::RELATION_PARTNER, age);
        p.set_cefr_level(std::vector<std::string>{"A0", "A1", "A2"}[random.Pick(profile.cefr)]);
        // One parent cares for the children under six and, mostly, needs childcare to attend a course.
        p.mutable_needs()->set_childcare(small_child && n == 0 &&
                                         (profile.childcare_share >= 1 || random.Chance(profile.childcare_share)));
        p.mutable_needs()->set_works_daytime(random.Chance(profile.works_daytime_share));
        const size_t contact = random.Pick(profile.contact);  // e-mail, phone only, neither
        if (contact == 0) p.mutable_contact()->set_email(absl::AsciiStrToLower(absl::StrCat(p.given_names(), ".", family, "@example.org")));
        if (contact <= 1) p.mutable_contact()->set_phone(absl::StrFormat("+49151%07d", random.Int(0, 9'999'999)));
      }
      for (int age : child_ages) {
        rv1::Person& p = add_person(rv1::RELATION_CHILD, age);
        p.set_cefr_level(age >= 6 ? "A0" : "");
      }
      arrivals.push_back(std::move(a));
    }
  }
  std::stable_sort(arrivals.begin(), arrivals.end(), [](const Arrival& x, const Arrival& y) { return x.day < y.day; });
  return arrivals;
}

}  // namespace ankommen::sim
