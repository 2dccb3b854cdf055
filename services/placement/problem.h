// The placement problem, as courses, schools and housing hand it over:
// demands (a person, or a group that stays together) that need amounts of
// capacity, places that have capacity, and candidate pairs. The services
// decide who is eligible where; the engine only sees candidates.
//
// The services pass the free capacity only: seats already offered are held
// by leaving them out, so a run never takes back what people were offered.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ankommen::placement {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// kHouseholds counts groups: a flat takes one household, shared
// accommodation as many as it has beds.
enum Kind : int { kSeat = 0, kChildcare = 1, kBed = 2, kSquareMetre = 3, kHouseholds = 4 };
inline constexpr int kKinds = 5;
using Amounts = std::array<int32_t, kKinds>;

struct Demand {
  std::string id;  // pseudonymous: a person, a household, a group of siblings
  GeoPoint home;
  Amounts need{};  // a course seat (and a childcare place); beds, m² and one household place for a household
  int32_t days_waited = 0;
  // An obligation to attend (§ 44a AufenthG) or compulsory schooling: ranks
  // before every demand without one, whatever the wait.
  bool obliged = false;
  double max_km = 30;     // the hard travel limit
  std::string wish_area;  // a preferred social area (soft), or empty
};

struct Place {
  std::string id;
  GeoPoint location;
  Amounts capacity{};  // free capacity now
  std::string area;    // its social area
};

// A pair the demand may be placed in, with its distance; extra_cost lets a
// service express a preference the engine does not know (flats before shared
// accommodation, near the children's school), in hundredths of a km — the
// unit the engine's cost counts distance in (objective.h).
struct Candidate {
  int32_t demand = 0;
  int32_t place = 0;
  float km = 0;
  int32_t extra_cost = 0;
};

struct Problem {
  std::vector<Demand> demands;
  std::vector<Place> places;
  // In any order: the solvers take demands and places in id order and each
  // demand's candidates by distance, then place id (GenerateCandidates gives
  // them so, and then nothing is copied), so ties are broken by id.
  std::vector<Candidate> candidates;
  // For deferred acceptance only: each demand's places in the order the
  // family prefers them (empty: nearest first, the candidate order).
  std::vector<std::vector<int32_t>> preferences;
};

// Why a demand went where it went: the parts of its cost.
struct Reason {
  double km = 0;
  int32_t days_waited = 0;
  bool obliged = false;
  bool wish_met = false;
  int32_t extra_cost = 0;
};

enum class Unplaced {
  kNoPlaceInReach,  // no candidate within the travel limit
  kPlacesFull,      // every place in reach had no free capacity of the needed kind
  kOutranked,       // places in reach were given to demands with higher priority (or placed more people)
};

struct Placement {
  int32_t demand = 0;
  int32_t place = -1;  // -1: not placed
  Reason reason;       // when placed
  Unplaced why_not = Unplaced::kNoPlaceInReach;
  // When not placed: the nearest places that were taken (outranked) or full, at most 10.
  std::vector<int32_t> places_in_reach;
};

struct Solution {
  std::string solver;
  std::vector<Placement> placements;  // one per demand, in demand order
  // The engine's objective (lower is better; see objective.h) and a lower
  // bound on it: equal for exact solvers, the LP bound for heuristics.
  double objective = 0;
  double bound = 0;
  bool optimal = false;
  int placed() const;
};

const char* UnplacedName(Unplaced u);

}  // namespace ankommen::placement
