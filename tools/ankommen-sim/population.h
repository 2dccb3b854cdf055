// Synthetic households arriving in the district, week by week, deterministic
// from a seed. Family sizes, ages, languages, literacy, residence status and
// stay prospects come in the shares of the district's arrivals profile
// (district.csv and origins.csv); names are made of random syllables, so no
// real person is described.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "district.h"

namespace ankommen::sim {

struct Arrival {
  int day = 0;  // days from the simulation's start
  registry::v1::Household household;  // as the authority registers it
  // The asylum decision for the household's adults, if one falls within the
  // simulation (day < 0: none).
  int decision_day = -1;
  registry::v1::ResidenceStatus decision = registry::v1::RESIDENCE_STATUS_UNSPECIFIED;
};

std::vector<Arrival> Arrivals(const District& district, absl::CivilDay start, int weeks, int scale, uint64_t seed);

}  // namespace ankommen::sim
