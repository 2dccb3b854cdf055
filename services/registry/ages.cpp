// Time moves people: each day, the households whose members' age calls for
// something new are told to the other services (household.aged).
#include "registry.h"

#include "absl/strings/str_cat.h"
#include "domain/ages.h"
#include "domain/facts.h"
#include "observability/log.h"
#include "registry_internal.h"
#include "store/command.h"
#include "store/ids.h"

namespace ankommen::registry {

absl::Status Registry::FileAgesOnce() {
  auto filed = store_.AgesIndexed();
  if (!filed.ok()) return filed.status();
  if (*filed) return absl::OkStatus();
  auto ids = store_.AllHouseholdIds();
  if (!ids.ok()) return ids.status();
  // An empty registry stays empty (a run is a scan of nothing until the first household).
  if (ids->empty()) return absl::OkStatus();
  for (const auto& household_id : *ids) {
    auto s = ApplyChange(store_.outbox(), PartitionOfId(household_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store_.Load(household_id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::Household household = std::move((*loaded)->household);
      const absl::CivilDay registered =
          absl::ToCivilDay(absl::FromUnixSeconds(household.registered_at().seconds()), zone_);
      Commit c;
      c.aggregate_key = store_.HouseholdKey(household_id);
      c.expected_version = (*loaded)->version;
      household.set_version((*loaded)->version + 1);
      c.state = household.SerializeAsString();
      c.index_ops = {store_.AgesDue(household_id, NextAgeChange(household, registered, settings_.land))};
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
  }
  log::Info("ages_filed", {{"households", static_cast<int64_t>(ids->size())}});
  return store_.MarkAgesIndexed();
}

absl::Status Registry::RunAgeChanges(const v1::RunAgeChangesRequest&, v1::RunAgeChangesResponse& response,
                                     const RequestContext& rc) {
  if (auto s = FileAgesOnce(); !s.ok()) return s;
  const absl::CivilDay today = Today();
  auto due = store_.AgesDueBy(today);
  if (!due.ok()) return due.status();
  for (const auto& listed : *due) {
    const std::string& household_id = listed.first;
    std::vector<std::string> aged;
    bool gone = false;
    auto s = ApplyChange(store_.outbox(), PartitionOfId(household_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      aged.clear();
      auto loaded = store_.Load(household_id);
      if (!loaded.ok()) return loaded.status();
      gone = !loaded->has_value();
      if (gone) return std::optional<Commit>();
      // Read again with each try: another replica's run may have told it
      // already (its commit moves the day with the household's version).
      auto due_day = store_.AgesDueOf(household_id);
      if (!due_day.ok()) return due_day.status();
      if (!*due_day || **due_day > today) return std::optional<Commit>();
      v1::Household household = std::move((*loaded)->household);
      const bool open = !household.has_case_closed_at() && household.members_size() > 0;
      // The facts as last told held until the day before this was due.
      if (open) aged = AgedMembers(household, **due_day - 1, today, settings_.land);
      Commit c;
      c.aggregate_key = store_.HouseholdKey(household_id);
      c.expected_version = (*loaded)->version;
      household.set_version((*loaded)->version + 1);
      c.state = household.SerializeAsString();
      c.index_ops = {store_.AgesDue(household_id, open ? NextAgeChange(household, today, settings_.land)
                                                       : std::nullopt)};
      // A held household is told everything at its release; a closed one no more.
      if (!aged.empty() && !household.held_for_review()) {
        c.events.push_back(ToOutgoing(
            kHouseholdAged,
            MakeHouseholdAged(household, aged, {NewEventId(), clock_.Now(), rc.correlation_id}, today, settings_.land)));
      } else {
        aged.clear();
      }
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
    if (gone) {
      if (auto forgot = store_.ForgetAgesDue(household_id); !forgot.ok()) return forgot;
    }
    if (!aged.empty()) {
      response.set_households_announced(response.households_announced() + 1);
      response.set_persons_aged(response.persons_aged() + static_cast<int32_t>(aged.size()));
    }
  }
  log::Info("age_changes_run", {{"households_announced", response.households_announced()},
                                {"persons_aged", response.persons_aged()},
                                {"correlation_id", rc.correlation_id}});
  return absl::OkStatus();
}

}  // namespace ankommen::registry
