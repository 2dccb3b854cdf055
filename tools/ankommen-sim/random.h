// Deterministic random numbers for the simulation: the same seed gives the same
// district on every machine (std:: distributions differ between libraries).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace ankommen::sim {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed ^ 0x9e3779b97f4a7c15ULL) {}

  // splitmix64
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // [0, 1)
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // [lo, hi]
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(double p) { return Uniform() < p; }
  // An index drawn with the given weights.
  size_t Pick(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // Knuth's method; fine for the small means of weekly arrivals.
  int Poisson(double mean) {
    const double limit = std::exp(-mean);
    int k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }
  // A random stream of its own, so that adding draws to one part of the
  // simulation does not change another.
  Random Fork(uint64_t salt) { return Random(Next() ^ (salt * 0xd1b54a32d192ed03ULL)); }

 private:
  uint64_t state_;
};

}  // namespace ankommen::sim
