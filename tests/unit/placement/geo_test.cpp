#include "geo.h"

#include <random>
#include <set>

#include <gtest/gtest.h>

namespace ankommen::placement {
namespace {

TEST(GeoTest, HaversineMatchesKnownDistances) {
  GeoPoint dresden{51.0504, 13.7373}, leipzig{51.3397, 12.3731};
  EXPECT_NEAR(HaversineKm(dresden, leipzig), 99.9, 1.0);
  EXPECT_DOUBLE_EQ(HaversineKm(dresden, dresden), 0.0);
  GeoPoint a{51.3, 13.3}, b{51.3, 13.4};
  EXPECT_NEAR(HaversineKm(a, b), 6.97, 0.05);  // 0.1° of longitude at 51.3° N
}

TEST(GeoTest, GridFindsExactlyThePointsWithinTheRadius) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lat(50.9, 51.6), lon(12.9, 14.0);
  std::vector<GeoPoint> points(2000);
  for (auto& p : points) p = {lat(rng), lon(rng)};
  GridIndex index(points, 5);
  for (int q = 0; q < 50; ++q) {
    GeoPoint center{lat(rng), lon(rng)};
    double radius = 1 + q % 25;
    std::set<int32_t> found, expected;
    index.ForEachWithin(center, radius, [&](int32_t i, double km) {
      found.insert(i);
      EXPECT_LE(km, radius);
    });
    for (size_t i = 0; i < points.size(); ++i) {
      if (HaversineKm(center, points[i]) <= radius) expected.insert(static_cast<int32_t>(i));
    }
    EXPECT_EQ(found, expected) << "radius " << radius;
  }
}

TEST(GeoTest, CandidatesRespectReachAndCapacityAndAreSortedByDistance) {
  std::vector<Demand> demands(1);
  demands[0].id = "d";
  demands[0].home = {51.3, 13.3};
  demands[0].need[kSeat] = 1;
  demands[0].need[kChildcare] = 1;
  demands[0].max_km = 10;
  std::vector<Place> places(4);
  places[0] = {"far", {51.3, 13.5}, {25, 5, 0, 0, 0}, ""};       // 14 km: out of reach
  places[1] = {"near", {51.3, 13.32}, {25, 5, 0, 0, 0}, ""};     // 1.4 km
  places[2] = {"nochild", {51.3, 13.31}, {25, 0, 0, 0, 0}, ""};  // no childcare: not a candidate
  places[3] = {"mid", {51.3, 13.4}, {25, 2, 0, 0, 0}, ""};       // 7 km
  auto candidates = GenerateCandidates(demands, places);
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].place, 1);
  EXPECT_EQ(candidates[1].place, 3);
  EXPECT_NEAR(candidates[0].km, 1.39, 0.05);
}

}  // namespace
}  // namespace ankommen::placement
