// Small hand-made problems: places and homes on a line east of a point in
// Saxony, so that distances are easy to check (0.01° of longitude ≈ 0.7 km).
#pragma once

#include <string>

#include "geo.h"
#include "problem.h"

namespace ankommen::placement::testing {

inline GeoPoint AtKm(double km_east) {
  // At 51.3° N one degree of longitude is 69.7 km.
  return {51.3, 13.3 + km_east / 69.70};
}

inline Demand Person(std::string id, double km_east, int days, double max_km = 10, bool childcare = false) {
  Demand d;
  d.id = std::move(id);
  d.home = AtKm(km_east);
  d.need[kSeat] = 1;
  d.need[kChildcare] = childcare ? 1 : 0;
  d.days_waited = days;
  d.max_km = max_km;
  return d;
}

inline Place Course(std::string id, double km_east, int seats, int childcare = 0) {
  Place p;
  p.id = std::move(id);
  p.location = AtKm(km_east);
  p.capacity[kSeat] = seats;
  p.capacity[kChildcare] = childcare;
  return p;
}

inline Problem Make(std::vector<Demand> demands, std::vector<Place> places) {
  Problem p;
  p.demands = std::move(demands);
  p.places = std::move(places);
  p.candidates = GenerateCandidates(p.demands, p.places);
  return p;
}

}  // namespace ankommen::placement::testing
