// Synthetic districts for the placement benchmarks, deterministic from a seed:
// towns of Zipf-distributed size with countryside between them, a share of
// people needing childcare, a share not literate in Latin script (who can
// take Alpha courses only), waits of a few weeks to a year, some obliged to
// attend. Courses sit in towns; about 85 % as many seats as people.
#pragma once

#include <cstdint>
#include <string>

#include "problem.h"

namespace ankommen::bench {

struct Scale {
  std::string name;
  int people;
  int places;
  double width_km;   // the region is a width × height rectangle
  double height_km;
  int towns;
  // The nearest eligible courses a person is offered to the solver. Where
  // courses are dense, more lie within reach; a seat beyond these is not one
  // a caseworker would propose either.
  int nearest_courses = 24;
};

// "district" (2,000 people, 100 courses), "state" (100,000, 5,000),
// "nation" (1,000,000, 20,000); false for an unknown name.
bool ScaleByName(const std::string& name, Scale& out);

// Course allocation: one seat per person (and a childcare place where needed).
placement::Problem CourseProblem(const Scale& scale, uint64_t seed);

// Housing: households (1–7 people, 6 m² each) into flats and shared
// accommodation by beds and m².
placement::Problem HousingProblem(int households, int accommodations, uint64_t seed);

}  // namespace ankommen::bench
