// Matching runs: the open requests matched to the pool through the domain's
// Match (matching.h), a proposal per request someone can take, the rest
// unfilled with the reason. One replica at a time (a lease); on a schedule,
// when woken by a change, and on demand (RunMatching). Each proposal is
// written on the request as it is then (its version), and only to one still
// open or unfilled: a run that lost its lease meanwhile can propose no more
// than a request the office has not yet decided.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ankommen/mediators/v1/mediators.pb.h"
#include "mediators.h"
#include "runtime/leased_runner.h"

namespace ankommen::mediators {

using MatcherOptions = LeasedRunnerOptions;

class Matcher final : public LeasedRunner {
 public:
  Matcher(Mediators& mediators, std::string holder, MatcherOptions options = {});
  ~Matcher() override { Stop(); }

  // One run now under `policy` ("optimal", "fcfs"; empty: the service's):
  // ABORTED when another replica holds the lease.
  absl::StatusOr<v1::RunMatchingResponse> RunOnce(const std::string& policy = "");

 private:
  absl::Status RunScheduled() override { return RunOnce().status(); }

  Mediators& mediators_;
};

}  // namespace ankommen::mediators
