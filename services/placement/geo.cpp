#include "geo.h"

#include <algorithm>
#include <cmath>

namespace ankommen::placement {
namespace {
constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kDegToRad = 3.141592653589793 / 180.0;
}  // namespace

double HaversineKm(const GeoPoint& a, const GeoPoint& b) {
  double dlat = (b.lat - a.lat) * kDegToRad;
  double dlon = (b.lon - a.lon) * kDegToRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(a.lat * kDegToRad) * std::cos(b.lat * kDegToRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

GridIndex::GridIndex(const std::vector<GeoPoint>& points, double cell_km) : points_(points) {
  cell_lat_deg_ = cell_km / 111.2;
  cell_lon_deg_ = cell_km / 111.2;  // scaled by cos(lat) at query time
  for (size_t i = 0; i < points.size(); ++i) {
    cells_[CellKey(Row(points[i].lat), Col(points[i].lon))].push_back(static_cast<int32_t>(i));
  }
}

int64_t GridIndex::Row(double lat) const { return static_cast<int64_t>(std::floor(lat / cell_lat_deg_)); }
int64_t GridIndex::Col(double lon) const { return static_cast<int64_t>(std::floor(lon / cell_lon_deg_)); }

std::vector<Candidate> GenerateCandidates(const std::vector<Demand>& demands, const std::vector<Place>& places,
                                          int max_per_demand, const Eligibility& eligible) {
  std::vector<GeoPoint> locations;
  locations.reserve(places.size());
  double max_km = 1;
  for (const auto& p : places) locations.push_back(p.location);
  for (const auto& d : demands) max_km = std::max(max_km, d.max_km);
  GridIndex index(locations, std::clamp(max_km / 2, 1.0, 50.0));
  std::vector<Candidate> out;
  std::vector<Candidate> mine;
  for (size_t di = 0; di < demands.size(); ++di) {
    const Demand& d = demands[di];
    mine.clear();
    index.ForEachWithin(d.home, d.max_km, [&](int32_t pi, double km) {
      const Place& p = places[static_cast<size_t>(pi)];
      for (int k = 0; k < kKinds; ++k) {
        if (d.need[k] > p.capacity[k]) return;  // could not take this demand even if empty
      }
      if (eligible && !eligible(static_cast<int32_t>(di), pi)) return;
      mine.push_back({static_cast<int32_t>(di), pi, static_cast<float>(km), 0});
    });
    std::sort(mine.begin(), mine.end(), [&](const Candidate& a, const Candidate& b) {
      if (a.km != b.km) return a.km < b.km;
      return places[static_cast<size_t>(a.place)].id < places[static_cast<size_t>(b.place)].id;
    });
    if (max_per_demand > 0 && static_cast<int>(mine.size()) > max_per_demand) mine.resize(static_cast<size_t>(max_per_demand));
    out.insert(out.end(), mine.begin(), mine.end());
  }
  return out;
}

}  // namespace ankommen::placement
