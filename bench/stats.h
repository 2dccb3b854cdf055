// Order statistics the benchmarks report: medians and percentiles of samples.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ankommen::bench {

// The q-quantile (0 <= q < 1) by rank: the sample at floor(q * n); 0 without samples.
inline double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// The upper median (the sample at n / 2); 0 without samples.
inline double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

}  // namespace ankommen::bench
