#include "synthetic_district.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "geo.h"

namespace ankommen::bench {
namespace {

// Ids that sort in the order they were made, as a service's ids would sort
// in some fixed order: the engine then solves the problem as given instead of
// first copying it into id order (solver.h).
std::string SortableId(char prefix, int i) {
  char id[16];
  std::snprintf(id, sizeof id, "%c%07d", prefix, i);
  return id;
}

using placement::Amounts;
using placement::Candidate;
using placement::Demand;
using placement::GeoPoint;
using placement::Place;
using placement::Problem;

constexpr double kLat0 = 51.0, kLon0 = 13.0;  // south-west corner, in Saxony


GeoPoint Offset(double north_km, double east_km) {
  return {kLat0 + north_km / 111.2, kLon0 + east_km / (111.2 * std::cos(kLat0 * 3.141592653589793 / 180.0))};
}

struct Town {
  double north, east, spread_km, weight;
};

std::vector<Town> MakeTowns(const Scale& s, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> north(0, s.height_km), east(0, s.width_km);
  std::vector<Town> towns;
  for (int i = 0; i < s.towns; ++i) {
    double weight = 1.0 / (i + 1);  // Zipf: a few large towns, many small ones
    towns.push_back({north(rng), east(rng), 1.0 + 4.0 * std::sqrt(weight), weight});
  }
  return towns;
}

GeoPoint SomewhereIn(const std::vector<Town>& towns, std::discrete_distribution<int>& pick, std::mt19937_64& rng) {
  const Town& t = towns[static_cast<size_t>(pick(rng))];
  std::normal_distribution<double> jitter(0, t.spread_km);
  return Offset(t.north + jitter(rng), t.east + jitter(rng));
}

}  // namespace

bool ScaleByName(const std::string& name, Scale& out) {
  if (name == "district") out = {"district", 2'000, 100, 45, 40, 12, 24};
  else if (name == "state") out = {"state", 100'000, 5'000, 220, 160, 400, 24};
  else if (name == "nation") out = {"nation", 1'000'000, 20'000, 640, 800, 4'000, 24};
  else return false;
  return true;
}

Problem CourseProblem(const Scale& s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto towns = MakeTowns(s, rng);
  std::vector<double> weights;
  for (const auto& t : towns) weights.push_back(t.weight);
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::uniform_real_distribution<double> unit(0, 1), north(0, s.height_km), east(0, s.width_km);
  std::exponential_distribution<double> wait(1.0 / 60.0);

  Problem p;
  std::vector<bool> alpha_person, alpha_place;
  p.demands.reserve(static_cast<size_t>(s.people));
  for (int i = 0; i < s.people; ++i) {
    Demand d;
    d.id = SortableId('p', i);
    bool countryside = unit(rng) < 0.3;
    d.home = countryside ? Offset(north(rng), east(rng)) : SomewhereIn(towns, pick, rng);
    d.need[placement::kSeat] = 1;
    d.need[placement::kChildcare] = unit(rng) < 0.2 ? 1 : 0;
    d.days_waited = std::min(365, static_cast<int>(wait(rng)));
    d.obliged = unit(rng) < 0.15;
    d.max_km = countryside ? 25 : 15;
    p.demands.push_back(d);
    alpha_person.push_back(unit(rng) < 0.15);
  }
  int seats_total = 0;
  for (int i = 0; i < s.places; ++i) {
    Place c;
    c.id = SortableId('c', i);
    c.location = SomewhereIn(towns, pick, rng);
    bool alpha = unit(rng) < 0.15;
    c.capacity[placement::kSeat] = alpha ? 16 : 25;
    c.capacity[placement::kChildcare] = unit(rng) < 0.3 ? 5 + static_cast<int>(unit(rng) * 6) : 0;
    seats_total += c.capacity[placement::kSeat];
    p.places.push_back(c);
    alpha_place.push_back(alpha);
  }
  // About 85 % as many seats as people: trim evenly.
  double factor = std::min(1.0, 0.85 * s.people / std::max(1, seats_total));
  for (auto& c : p.places) {
    c.capacity[placement::kSeat] = std::max(1, static_cast<int>(std::lround(c.capacity[placement::kSeat] * factor)));
    c.capacity[placement::kChildcare] = std::min(c.capacity[placement::kChildcare], c.capacity[placement::kSeat]);
  }
  // Eligibility: Alpha courses for those not literate in Latin script, general
  // courses for the others.
  p.candidates = placement::GenerateCandidates(p.demands, p.places, s.nearest_courses, [&](int32_t d, int32_t c) {
    return alpha_person[static_cast<size_t>(d)] == alpha_place[static_cast<size_t>(c)];
  });
  return p;
}

Problem HousingProblem(int households, int accommodations, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Scale s{"housing", households, accommodations, 45, 40, 12, 24};
  auto towns = MakeTowns(s, rng);
  std::vector<double> weights;
  for (const auto& t : towns) weights.push_back(t.weight);
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::uniform_real_distribution<double> unit(0, 1);
  std::discrete_distribution<int> size({0, 30, 20, 18, 15, 9, 5, 3});  // persons 1..7
  std::exponential_distribution<double> wait(1.0 / 90.0);
  Problem p;
  int persons_total = 0;
  for (int i = 0; i < households; ++i) {
    Demand d;
    d.id = SortableId('h', i);
    d.home = SomewhereIn(towns, pick, rng);  // where they registered; flats anywhere in the district
    int persons = size(rng);
    persons_total += persons;
    d.need[placement::kBed] = persons;
    d.need[placement::kSquareMetre] = 6 * persons;  // Saxony's minimum
    d.need[placement::kHouseholds] = 1;
    d.days_waited = std::min(365, static_cast<int>(wait(rng)));
    d.max_km = 60;
    p.demands.push_back(d);
  }
  int beds_total = 0;
  std::vector<int32_t> extra;
  for (int i = 0; i < accommodations; ++i) {
    Place a;
    a.id = SortableId('a', i);
    a.location = SomewhereIn(towns, pick, rng);
    bool shared = unit(rng) < 0.2;  // shared accommodation (GU) or a flat
    int beds = shared ? 20 + static_cast<int>(unit(rng) * 60) : 2 + static_cast<int>(unit(rng) * 6);
    a.capacity[placement::kBed] = beds;
    a.capacity[placement::kSquareMetre] = beds * (shared ? 7 : 9);
    a.capacity[placement::kHouseholds] = shared ? 1000 : 1;  // a flat is for one household
    if (!shared) beds_total += beds;
    p.places.push_back(a);
    extra.push_back(shared ? 1500 : 0);  // flats before shared accommodation: 15 km worth
  }
  // Flats are what they are; shared accommodation is sized so that there are
  // about 90 % as many beds as people: tight enough that the choice matters.
  int shared_beds = 0;
  for (size_t i = 0; i < p.places.size(); ++i) {
    if (extra[i] > 0) shared_beds += p.places[i].capacity[placement::kBed];
  }
  double factor = std::max(0.0, 0.9 * persons_total - beds_total) / std::max(1, shared_beds);
  for (size_t i = 0; i < p.places.size(); ++i) {
    if (extra[i] == 0) continue;
    auto& a = p.places[i];
    a.capacity[placement::kBed] = std::max(1, static_cast<int>(a.capacity[placement::kBed] * factor + 0.5));
    a.capacity[placement::kSquareMetre] = a.capacity[placement::kBed] * 7;
  }
  p.candidates = placement::GenerateCandidates(p.demands, p.places);
  for (auto& c : p.candidates) c.extra_cost = extra[static_cast<size_t>(c.place)];
  return p;
}

}  // namespace ankommen::bench
