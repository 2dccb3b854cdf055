// Distances and a spatial index, so that candidate generation looks only at
// places near a demand instead of at every place.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "problem.h"

namespace ankommen::placement {

// Great-circle distance in kilometres.
double HaversineKm(const GeoPoint& a, const GeoPoint& b);

// A uniform grid over latitude and longitude with cells of about cell_km.
class GridIndex {
 public:
  GridIndex(const std::vector<GeoPoint>& points, double cell_km);

  // Calls fn(index, km) for every point within radius_km of p.
  template <typename Fn>
  void ForEachWithin(const GeoPoint& p, double radius_km, Fn&& fn) const;

 private:
  int64_t CellKey(int64_t row, int64_t col) const { return row * 1'000'003 + col; }
  int64_t Row(double lat) const;
  int64_t Col(double lon) const;

  const std::vector<GeoPoint>& points_;
  double cell_lat_deg_;
  double cell_lon_deg_;
  std::unordered_map<int64_t, std::vector<int32_t>> cells_;
};

template <typename Fn>
void GridIndex::ForEachWithin(const GeoPoint& p, double radius_km, Fn&& fn) const {
  // Cells are at least cell_km wide everywhere in the index's latitude band,
  // so looking ceil(radius / cell) cells each way covers the circle.
  const int64_t reach_rows = static_cast<int64_t>(radius_km / 111.2 / cell_lat_deg_) + 1;
  const int64_t reach_cols = static_cast<int64_t>(radius_km / 111.2 / cell_lon_deg_ /
                                                  std::max(0.05, std::cos(p.lat * 3.141592653589793 / 180.0))) + 1;
  const int64_t row = Row(p.lat), col = Col(p.lon);
  for (int64_t r = row - reach_rows; r <= row + reach_rows; ++r) {
    for (int64_t c = col - reach_cols; c <= col + reach_cols; ++c) {
      auto it = cells_.find(CellKey(r, c));
      if (it == cells_.end()) continue;
      for (int32_t i : it->second) {
        double km = HaversineKm(p, points_[static_cast<size_t>(i)]);
        if (km <= radius_km) fn(i, km);
      }
    }
  }
}

// Candidates for every demand: the places within its max_km with enough free
// capacity of every kind it needs, sorted by demand then distance (ties by
// place id). At most max_per_demand nearest per demand (0: all).
// `eligible(demand, place)`, when given, is the service's rule of who may go
// where (course type, schedule); it is asked only for places within reach.
using Eligibility = std::function<bool(int32_t demand, int32_t place)>;
std::vector<Candidate> GenerateCandidates(const std::vector<Demand>& demands, const std::vector<Place>& places,
                                          int max_per_demand = 0, const Eligibility& eligible = nullptr);

}  // namespace ankommen::placement
