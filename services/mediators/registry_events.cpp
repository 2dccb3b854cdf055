// The registry's events: who speaks what and belongs to which household (so
// an office may ask by person id, and a relative is never proposed), and the
// end of a person's data here when it is erased or their case closes.
#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "bus/streams.h"
#include "mediators.h"
#include "observability/log.h"
#include "store/command.h"
#include "store/ids.h"

namespace ankommen::mediators {

namespace rv1 = ::ankommen::registry::v1;

absl::Status Mediators::ApplyToPerson(const IncomingEvent& event, const std::string& person_id,
                                      const std::function<absl::Status(v1::PersonRecord&, bool is_new)>& change) {
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(person_id), absl::StrCat(event.event_id, "/", person_id),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadPerson(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::PersonRecord record = is_new ? v1::PersonRecord() : std::move((*loaded)->record);
    if (record.erased()) return absl::NotFoundError("erased");
    record.set_person_id(person_id);
    if (auto s = change(record, is_new); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.PersonKey(person_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    if (record.erased()) {
      v1::PersonRecord marker;  // the id only, so that a replayed registration cannot bring them back
      marker.set_person_id(person_id);
      marker.set_erased(true);
      record = marker;
      d.commit.index_ops = {IndexOp::Delete(store_.PersonRequestsKey(person_id))};
    }
    d.commit.state = record.SerializeAsString();
    d.commit.erased_marker = record.erased();
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  return absl::OkStatus();
}

// A person's requests end with their data here: those waiting or booked are
// cancelled (the mediator told), and with `erase` none keeps their id.
static absl::Status EndRequestsOf(Mediators& m, const IncomingEvent& event, const std::string& person_id, bool erase,
                                  const std::string& why) {
  auto ids = m.store().RequestsOfPerson(person_id);
  if (!ids.ok()) return ids.status();
  const absl::Time now = m.clock().Now();
  for (const std::string& id : *ids) {
    auto changed = m.ChangeRequest("end", v1::GetMediationRequestRequest(), "", id,
                                   [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
      v1::MediationRequest& r = *record.mutable_request();
      const bool ongoing = r.status() == v1::REQUEST_STATUS_OPEN || r.status() == v1::REQUEST_STATUS_PROPOSED ||
                           r.status() == v1::REQUEST_STATUS_UNFILLED ||
                           (r.status() == v1::REQUEST_STATUS_BOOKED && absl::FromUnixSeconds(r.start().seconds()) > now);
      if (!ongoing && (!erase || r.person_id().empty())) return absl::OkStatus();
      if (ongoing) {
        // Said for a waiting request too (without a mediator), as an office's
        // cancellation is: the district's figures count it as ended, not unfilled.
        events.push_back(m.BookingCancelled(r, r.booked_mediator_id(), v1::CANCELLED_BY_OFFICE, false, event.event_id));
        r.set_status(v1::REQUEST_STATUS_CANCELLED);
        r.clear_proposed_mediator_id();
        r.set_reason(why);
      }
      if (erase) {
        r.clear_person_id();
        record.clear_household_id();
      }
      return absl::OkStatus();
    });
    if (!changed.ok() && !absl::IsNotFound(changed.status())) return changed.status();
  }
  return absl::OkStatus();
}

absl::Status Mediators::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  const std::string& type = event.event_type;
  if (type == rv1::HouseholdRegistered::descriptor()->full_name() || type == rv1::HouseholdAged::descriptor()->full_name()) {
    // An aged household reads as a registered one (fields 1-6 agree).
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    for (const auto& member : e.members()) {
      if (!IsValidId(member.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      auto s = ApplyToPerson(event, member.person_id(), [&](v1::PersonRecord& p, bool) -> absl::Status {
        p.set_household_id(e.household_id());
        p.set_preferred_language(member.preferred_language());
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (type == rv1::PersonErased::descriptor()->full_name() || type == rv1::PersonMerged::descriptor()->full_name()) {
    // A merged duplicate is dropped as an erased person is (fields 1-3 agree).
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    if (auto s = EndRequestsOf(*this, event, e.person_id(), /*erase=*/true, "the person's data was erased"); !s.ok()) {
      return s;
    }
    if (auto s = ApplyToPerson(event, e.person_id(), [](v1::PersonRecord& p, bool) -> absl::Status {
          p.set_erased(true);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    Changed(/*match=*/true);
    return absl::OkStatus();
  }
  if (type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    for (const auto& person_id : e.person_ids()) {
      if (!IsValidId(person_id, kPersonIdPrefix)) continue;
      if (auto s = EndRequestsOf(*this, event, person_id, /*erase=*/false, "the household's case closed"); !s.ok()) {
        return s;
      }
    }
    Changed(/*match=*/true);
    return absl::OkStatus();
  }
  return absl::OkStatus();  // nothing here for the others
}

}  // namespace ankommen::mediators
