// The registry's events: households opened, changed, moved and erased.
#include "housing.h"

#include <algorithm>
#include <optional>

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

namespace {

// Whether the person draws benefits under the AsylbLG (refugee social work's
// caseload while in shared accommodation); true if that changed.
bool SetOnAsylbLG(v1::HouseholdRecord& r, const std::string& person_id, bool on) {
  auto* ids = r.mutable_asylblg_person_ids();
  const auto at = std::find(ids->begin(), ids->end(), person_id);
  if (on == (at != ids->end())) return false;
  if (on) *ids->Add() = person_id;
  else ids->erase(at);
  return true;
}

}  // namespace

// ---------------------------------------------------------------- the registry's events

absl::Status Housing::ApplyToHousehold(const IncomingEvent& event, const std::string& household_id,
                                       const std::function<absl::Status(v1::HouseholdRecord&, bool)>& change) {
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(household_id), event.event_id,
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::HouseholdRecord record = is_new ? v1::HouseholdRecord() : std::move((*loaded)->record);
    if (record.erased()) return absl::NotFoundError("erased");
    record.mutable_household()->set_household_id(household_id);
    if (auto s = change(record, is_new); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    d.commit.erased_marker = record.erased();
    d.commit.index_ops = {store_.CareIndex(record)};
    d.record = household_id;
    return d;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  Changed(/*allocate=*/true);
  return absl::OkStatus();
}

absl::Status Housing::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  if (event.event_type == rv1::HouseholdRegistered::descriptor()->full_name()) {
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    // Never retried: an event that can never be right goes to the dead letters for people to see.
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    if (e.members_size() == 0) return absl::InvalidArgumentError("a household of nobody needs no housing");
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (!is_new) return absl::NotFoundError("known already");
      v1::Household& h = *r.mutable_household();
      h.set_persons(e.members_size());
      for (const auto& m : e.members()) {
        if (m.relation() == rv1::RELATION_HEAD || r.contact_person_id().empty()) r.set_contact_person_id(m.person_id());
        if (m.needs().step_free_access()) h.set_step_free(true);
        if (m.relation() == rv1::RELATION_CHILD) h.add_children_ages(m.age_years());
        if (m.benefit_regime() == rv1::BENEFIT_REGIME_ASYLBLG) r.add_asylblg_person_ids(m.person_id());
      }
      h.set_social_area(e.social_area());
      h.set_status(v1::HOUSEHOLD_STATUS_WAITING);
      h.set_waiting_since(FormatIsoDate(Today()));
      h.set_reason("newly registered");
      r.set_municipality_ags(e.municipality_ags());
      *r.mutable_location() = e.approx_location();
      return absl::OkStatus();
    });
  }
  // Birthdays: the children's ages as they are now.
  if (event.event_type == rv1::HouseholdAged::descriptor()->full_name()) {
    rv1::HouseholdAged e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      v1::Household& h = *r.mutable_household();
      h.clear_children_ages();
      for (const auto& m : e.members()) {
        if (m.relation() == rv1::RELATION_CHILD) h.add_children_ages(m.age_years());
      }
      return absl::OkStatus();
    });
  }
  if (event.event_type == rv1::PersonStatusChanged::descriptor()->full_name()) {
    rv1::PersonStatusChanged e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::OkStatus();
    // A lease can pass to a household with a residence title living in a
    // transferable flat: the flat is read first, the offer decided with the change.
    std::optional<v1::AccommodationRecord> flat;
    if (LeaseCanPassWith(e.residence_status())) {
      auto household = store_.LoadHousehold(e.household_id());
      if (!household.ok()) return household.status();
      if (household->has_value() && (*household)->record.household().status() == v1::HOUSEHOLD_STATUS_HOUSED) {
        auto acc = store_.LoadAccommodation((*household)->record.household().accommodation_id());
        if (!acc.ok()) return acc.status();
        if (acc->has_value() && (*acc)->record.accommodation().kind() == v1::KIND_FLAT &&
            (*acc)->record.accommodation().lease_transferable()) {
          flat = std::move((*acc)->record);
        }
      }
    }
    // The benefit regime (refugee social work's caseload) and the offer go with one commit.
    auto outcome = RunInbox(store_.outbox(), PartitionOfId(e.household_id()), event.event_id,
                            [&]() -> absl::StatusOr<Decision> {
      auto loaded = store_.LoadHousehold(e.household_id());
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value() || (*loaded)->record.erased()) return absl::NotFoundError("gone");
      v1::HouseholdRecord record = std::move((*loaded)->record);
      const bool regime_changed =
          SetOnAsylbLG(record, e.person_id(), e.benefit_regime() == rv1::BENEFIT_REGIME_ASYLBLG);
      const v1::Household& h = record.household();
      const bool offer_lease = flat && !h.lease_transfer_offered() && h.status() == v1::HOUSEHOLD_STATUS_HOUSED &&
                               h.accommodation_id() == flat->accommodation().accommodation_id();
      if (!regime_changed && !offer_lease) return absl::NotFoundError("nothing to change");
      Decision d;
      if (offer_lease) {
        record.mutable_household()->set_lease_transfer_offered(true);
        v1::LeaseTransfer offer;
        *offer.mutable_meta() = Meta(e.meta().correlation_id());
        offer.set_household_id(e.household_id());
        offer.set_accommodation_id(record.household().accommodation_id());
        offer.set_contact_person_id(record.contact_person_id());
        offer.set_accommodation_name(flat->accommodation().name());
        d.commit.events.push_back(ToOutgoing(streams::kLeaseOffered, offer));
      }
      d.commit.aggregate_key = store_.HouseholdKey(e.household_id());
      d.commit.expected_version = (*loaded)->version;
      d.commit.state = record.SerializeAsString();
      d.record = e.household_id();
      return d;
    });
    if (!outcome.ok() && !absl::IsNotFound(outcome.status())) return outcome.status();
    return absl::OkStatus();
  }
  // The case closed: the household leaves the district's care, and the place
  // it lived in or was offered is free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    auto before = CurrentHousehold(e.household_id());
    if (absl::IsNotFound(before.status())) return absl::OkStatus();
    if (!before.ok()) return before.status();
    auto s = ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      v1::Household& h = *r.mutable_household();
      h.set_status(v1::HOUSEHOLD_STATUS_LEFT);
      h.clear_offer_id();
      h.set_reason("the district's case for the household closed");
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (before->accommodation_id().empty()) return absl::OkStatus();
    // Idempotent by state: a redelivery finds nothing left to release.
    return ApplyChange(store_.outbox(), PartitionOfId(before->accommodation_id()),
                       [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store_.LoadAccommodation(before->accommodation_id());
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::AccommodationRecord record = std::move((*loaded)->record);
      if (!Release(record, e.household_id()).ok()) return std::optional<Commit>();
      Commit c;
      c.aggregate_key = store_.AccommodationKey(before->accommodation_id());
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
      return std::optional<Commit>(std::move(c));
    });
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::OkStatus();
    // One fewer person; the last one takes the household's record with them.
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      r.mutable_household()->set_persons(std::max(0, r.household().persons() - 1));
      SetOnAsylbLG(r, e.person_id(), false);
      // The household's messages no longer go to the erased person (nor to
      // anyone: this service knows no other member's id).
      if (r.contact_person_id() == e.person_id()) r.clear_contact_person_id();
      if (r.household().persons() == 0 && r.household().accommodation_id().empty()) {
        const std::string id = r.household().household_id();
        r.Clear();
        r.mutable_household()->set_household_id(id);
        r.set_erased(true);
      } else if (r.household().persons() == 0) {
        // Nobody is left whose household this is, but it still holds a place
        // (or an offer of one) until it moves out: only that stays. What the
        // office wrote of it — its decisions with their notes, the reasons,
        // the children's ages, the places declined — goes.
        v1::HouseholdRecord kept;
        auto* h = kept.mutable_household();
        h->set_household_id(r.household().household_id());
        h->set_status(r.household().status());
        h->set_accommodation_id(r.household().accommodation_id());
        h->set_offer_id(r.household().offer_id());
        h->set_social_area(r.household().social_area());
        kept.set_municipality_ags(r.municipality_ags());
        r = std::move(kept);
      }
      return absl::OkStatus();
    });
  }
  return absl::OkStatus();
}

}  // namespace ankommen::housing
