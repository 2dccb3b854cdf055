// The housing service's use cases (housing.h): construction, what they share, and the gauges.
// The commands are by capability: accommodations.cpp, households.cpp, registry_events.cpp.
#include "housing.h"

#include "absl/strings/str_cat.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "store/command.h"
#include "text/csv.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"
#include "housing_internal.h"

namespace ankommen::housing {

namespace rv1 = ::ankommen::registry::v1;

std::string KindLabel(v1::Kind kind) { return kind == v1::KIND_FLAT ? "flat" : "shared"; }

Housing::Housing(HousingStore& store, const Clock& clock, absl::TimeZone zone, HousingSettings settings,
                 Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<HousingInstruments>(metrics.registry())) {
  instruments_->caseload_target.Add({}).Set(settings_.caseload_target);
}

Housing::~Housing() = default;

ankommen::common::v1::EventMeta Housing::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewId("ev", 0));
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("housing");
  return meta;
}

OutgoingEvent Housing::MovedIn(const v1::Accommodation& a, const std::string& household_id, int persons,
                               const std::string& correlation_id) const {
  v1::HouseholdMovedIn e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_household_id(household_id);
  e.set_accommodation_id(a.accommodation_id());
  e.set_municipality_ags(a.municipality_ags());
  e.set_social_area(a.social_area());
  *e.mutable_approx_location() = a.coordinates();
  e.set_kind(a.kind());
  e.set_persons(persons);
  e.set_square_metres(a.square_metres());
  e.set_standard_square_metres_per_person(settings_.standards.square_metres_per_person);
  return ToOutgoing(streams::kHouseholdMovedIn, e);
}

void Housing::Changed(bool allocate) {
  if (allocate && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

// ---------------------------------------------------------------- gauges

absl::Status Housing::RefreshGauges() {
  v1::GetFiguresResponse figures;
  if (auto s = GetFigures({}, figures, {}); !s.ok()) return s;
  auto accommodations = store_.LoadAllAccommodations();
  if (!accommodations.ok()) return accommodations.status();
  std::map<std::vector<std::string>, double> waiting, beds, violations, per_worker;
  for (const auto& f : figures.areas()) {
    waiting[{f.social_area()}] = f.households_waiting();
    violations[{f.social_area()}] = f.standard_violations();
    if (f.social_workers() > 0) per_worker[{f.social_area()}] = f.persons_per_social_worker();
  }
  // Offers waiting for the housing authority, and the oldest one's age.
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  double offers = 0, oldest_offer = 0;
  for (const auto& a : *accommodations) {
    const v1::Accommodation& acc = a.record.accommodation();
    for (const auto& o : a.record.occupancies()) {
      if (o.state() != v1::Occupancy::STATE_OFFERED) continue;
      offers += 1;
      oldest_offer = std::max(oldest_offer, static_cast<double>(std::max<int64_t>(0, now - o.since())));
    }
    if (acc.status() != v1::ACCOMMODATION_STATUS_ACTIVE) continue;
    beds[{KindLabel(acc.kind()), acc.social_area(), "free"}] += FreeBeds(a.record);
    beds[{KindLabel(acc.kind()), acc.social_area(), "used"}] += Persons(a.record);
  }
  instruments_->offers_waiting_gauge.Set(offers);
  instruments_->oldest_offer_gauge.Set(oldest_offer);
  instruments_->waiting_table.Publish(waiting);
  instruments_->beds_table.Publish(beds);
  instruments_->violations_table.Publish(violations);
  instruments_->per_worker_table.Publish(per_worker);
  return absl::OkStatus();
}

}  // namespace ankommen::housing
