#include "schools.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ankommen/schools/v1/events.pb.h"
#include "store/command.h"
#include "domain/school_table.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"

namespace ankommen::schools {

std::string TypeLabel(v1::SchoolType type) {
  std::string name = v1::SchoolType_Name(type);
  return absl::AsciiStrToLower(name.substr(name.find("TYPE_") + 5));
}

std::string GroupLabel(v1::AgeGroup group) {
  std::string name = v1::AgeGroup_Name(group);
  return absl::AsciiStrToLower(name.substr(name.find("GROUP_") + 6));
}

struct SchoolInstruments {
  explicit SchoolInstruments(prometheus::Registry& r)
      : children_waiting(prometheus::BuildGauge()
                             .Name("ankommen_school_children_waiting")
                             .Help("School children with no DaZ seat in reach (should be zero)")
                             .Register(r)),
        wait_days(prometheus::BuildHistogram()
                      .Name("ankommen_school_wait_days")
                      .Help("Days from registration to a school (or Kita, school_type=\"kita\") place")
                      .Register(r)),
        daz_seats(prometheus::BuildGauge()
                      .Name("ankommen_school_daz_seats")
                      .Help("DaZ seats by state (free, used)")
                      .Register(r)),
        kita_waiting(prometheus::BuildGauge()
                         .Name("ankommen_kita_children_waiting")
                         .Help("Children waiting for a Kita place")
                         .Register(r)),
        kita_places(prometheus::BuildGauge()
                        .Name("ankommen_kita_places")
                        .Help("Kita places by state (free, used)")
                        .Register(r)),
        oldest_wait(prometheus::BuildGauge()
                        .Name("ankommen_school_oldest_wait_days")
                        .Help("Days the longest-waiting child without a school place has waited")
                        .Register(r)),
        proposals(prometheus::BuildGauge()
                      .Name("ankommen_school_proposals_waiting")
                      .Help("Placements proposed and waiting for the schools office, by kind (school, kita)")
                      .Register(r)),
        oldest_proposal(prometheus::BuildGauge()
                            .Name("ankommen_school_oldest_proposal_age_seconds")
                            .Help("How long the oldest proposal has waited for the schools office, by kind")
                            .Register(r)),
        left_waiting(prometheus::BuildGauge()
                         .Name("ankommen_school_children_left_waiting_with_seat_in_reach")
                         .Help("School children waiting over 14 days after the last placement run while a DaZ seat "
                               "of their school type was free within reach (should be zero)")
                         .Register(r)),
        decisions(prometheus::BuildCounter()
                      .Name("ankommen_school_placement_decisions_total")
                      .Help("The schools office's decisions: confirmed, rejected or manual, with the override reason")
                      .Register(r)),
        children_waiting_table(children_waiting, {"school_type", "social_area"}),
        wait_days_vec(wait_days, {"school_type"}),
        daz_seats_table(daz_seats, {"school_type", "social_area", "state"}),
        kita_waiting_table(kita_waiting, {"age_group", "social_area"}),
        kita_places_table(kita_places, {"age_group", "social_area", "state"}),
        oldest_wait_table(oldest_wait, {"school_type", "social_area"}),
        proposals_table(proposals, {"kind", "social_area"}),
        oldest_proposal_table(oldest_proposal, {"kind"}),
        left_waiting_vec(left_waiting, {"school_type"}),
        decisions_vec(decisions, {"decision", "reason"}) {}

  prometheus::Family<prometheus::Gauge>& children_waiting;
  prometheus::Family<prometheus::Histogram>& wait_days;
  prometheus::Family<prometheus::Gauge>& daz_seats;
  prometheus::Family<prometheus::Gauge>& kita_waiting;
  prometheus::Family<prometheus::Gauge>& kita_places;
  prometheus::Family<prometheus::Gauge>& oldest_wait;
  prometheus::Family<prometheus::Gauge>& proposals;
  prometheus::Family<prometheus::Gauge>& oldest_proposal;
  prometheus::Family<prometheus::Gauge>& left_waiting;
  prometheus::Family<prometheus::Counter>& decisions;
  GaugeTable children_waiting_table;
  MetricVec<prometheus::Histogram> wait_days_vec;
  GaugeTable daz_seats_table;
  GaugeTable kita_waiting_table;
  GaugeTable kita_places_table;
  GaugeTable oldest_wait_table;
  GaugeTable proposals_table;
  GaugeTable oldest_proposal_table;
  MetricVec<prometheus::Gauge> left_waiting_vec;
  MetricVec<prometheus::Counter> decisions_vec;
};

Schools::Schools(SchoolStore& store, const Clock& clock, absl::TimeZone zone, SchoolSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<SchoolInstruments>(metrics.registry())) {}

Schools::~Schools() = default;

std::string Schools::NewEventId() const { return NewId("ev", 0); }

ankommen::common::v1::EventMeta Schools::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewEventId());
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("schools");
  return meta;
}

void Schools::Changed(bool place) {
  if (place && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

v1::SchoolPlaced Schools::SchoolPlacedEvent(const v1::SchoolRecord& school, const v1::Pupil& pupil,
                                           const v1::ChildRecord& child, const std::string& correlation_id) const {
  v1::SchoolPlaced e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_person_id(pupil.person_id());
  e.set_school_id(school.school().school_id());
  e.set_class_id(pupil.class_id());
  e.set_school_type(school.school().school_type());
  e.set_social_area(school.school().location().social_area());
  absl::CivilDay since;
  if (ParseIsoDate(child.child().waiting_since(), since)) e.set_wait_days(static_cast<int32_t>(std::max<absl::civil_diff_t>(0, Today() - since)));
  e.set_guardian_person_id(child.guardian_person_id());
  e.set_school_name(school.school().name());
  return e;
}

v1::KitaPlaced Schools::KitaPlacedEvent(const v1::KitaRecord& kita, const v1::ChildRecord& child,
                                        const std::string& correlation_id) const {
  v1::KitaPlaced e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_person_id(child.child().person_id());
  e.set_kita_id(kita.kita().kita_id());
  e.set_age_group(child.child().age_group());
  e.set_social_area(kita.kita().location().social_area());
  absl::CivilDay since;
  if (ParseIsoDate(child.child().waiting_since(), since)) e.set_wait_days(static_cast<int32_t>(std::max<absl::civil_diff_t>(0, Today() - since)));
  e.set_guardian_person_id(child.guardian_person_id());
  e.set_household_id(child.child().household_id());
  e.set_kita_name(kita.kita().name());
  return e;
}

void Schools::CountDecision(v1::DecisionKind kind, v1::OverrideReason reason) {
  instruments_->decisions_vec
      .With({EnumLabel(v1::DecisionKind_Name(kind), "DECISION_KIND_"),
             EnumLabel(v1::OverrideReason_Name(reason), "OVERRIDE_REASON_")})
      .Increment();
}

void Schools::SetLeftWaiting(const std::string& label, int children) {
  instruments_->left_waiting_vec.With({label}).Set(children);
}

void Schools::ObserveWait(const std::string& label, double days) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {1, 3, 7, 14, 30, 60, 90, 180, 365};
  instruments_->wait_days_vec.With({label}, kBuckets).Observe(days);
}

// ---------------------------------------------------------------- gauges

absl::Status Schools::RefreshGauges() {
  // One read of the store for every gauge.
  auto inputs = LoadCapacityInputs();
  if (!inputs.ok()) return inputs.status();
  std::map<std::vector<std::string>, double> waiting, seats, kita_waiting, kita_places;
  for (const auto& row : CapacityReport(inputs->schools, inputs->kitas, inputs->children)) {
    const std::string& area = row.social_area();
    if (row.school_type() != v1::SCHOOL_TYPE_UNSPECIFIED) {
      const std::string type = TypeLabel(row.school_type());
      waiting[{type, area}] += row.waiting();
      seats[{type, area, "free"}] += row.free();
      seats[{type, area, "used"}] += row.used();
    } else {
      const std::string group = GroupLabel(row.age_group());
      kita_waiting[{group, area}] += row.waiting();
      kita_places[{group, area, "free"}] += row.free();
      kita_places[{group, area, "used"}] += row.used();
    }
  }
  // How long the longest-waiting school child has waited: the alert on 14 days watches this.
  std::map<std::vector<std::string>, double> oldest;
  for (const auto& record : inputs->children) {
    const v1::Child& child = record.child();
    absl::CivilDay since;
    if (child.placement().status() != v1::CHILD_STATUS_WAITING || child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED ||
        !ParseIsoDate(child.waiting_since(), since)) {
      continue;
    }
    double& days = oldest[{TypeLabel(child.school_type()), child.social_area()}];
    days = std::max(days, static_cast<double>(Today() - since));
  }
  instruments_->oldest_wait_table.Publish(oldest);
  // Proposals waiting for the schools office, and the oldest one's age.
  std::map<std::vector<std::string>, double> proposals, oldest_proposal;
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  for (const auto& record : inputs->children) {
    const v1::Child& child = record.child();
    if (child.placement().status() != v1::CHILD_STATUS_PROPOSED) continue;
    const std::string kind = child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED ? "kita" : "school";
    proposals[{kind, child.social_area()}] += 1;
    double& age = oldest_proposal[{kind}];
    age = std::max(age, static_cast<double>(std::max<int64_t>(0, now - child.placement().placed_at().seconds())));
  }
  instruments_->proposals_table.Publish(proposals);
  instruments_->oldest_proposal_table.Publish(oldest_proposal);
  instruments_->children_waiting_table.Publish(waiting);
  instruments_->daz_seats_table.Publish(seats);
  instruments_->kita_waiting_table.Publish(kita_waiting);
  instruments_->kita_places_table.Publish(kita_places);
  return absl::OkStatus();
}

}  // namespace ankommen::schools
