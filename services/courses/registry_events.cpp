// The registry's events: learners opened, changed, moved and erased.
#include "courses.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "store/command.h"
#include "domain/course_rules.h"
#include "domain/events.h"
#include "domain/learner_rules.h"
#include "domain/validation.h"
#include "domain/waitlist.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"
#include "courses_internal.h"
#include "waiting_view.h"

namespace ankommen::courses {

namespace rv1 = ::ankommen::registry::v1;
namespace sv1 = ::ankommen::schools::v1;

// ---------------------------------------------------------------- the registry's events

absl::StatusOr<Decision> Courses::DecideFacts(const std::string& person_id,
                                              const std::optional<LoadedLearner>& loaded, const FactsChange& change,
                                              bool& opened) {
  const int partition = PartitionOfId(person_id);
  const bool is_new = !loaded.has_value();
  v1::LearnerRecord learner = is_new ? v1::LearnerRecord() : loaded->record;
  if (learner.erased()) return absl::NotFoundError("erased");
  learner.set_person_id(person_id);
  if (auto s = change(learner, is_new); !s.ok()) return s;
  auto changes = ReconcileRequests(learner, settings_.rules, Today(), {MaxKmFor(learner.social_area())},
                                   [&] { return NewId(kRequestIdPrefix, partition); });
  opened = !changes.opened.empty();
  Decision d;
  d.commit.aggregate_key = store_.LearnerKey(person_id);
  d.commit.expected_version = is_new ? 0 : loaded->version;
  d.commit.state = learner.SerializeAsString();
  d.commit.index_ops = store_.LearnerIndex(is_new ? nullptr : &loaded->record, learner);
  if (!learner.household_id().empty()) {
    d.commit.index_ops.push_back(IndexOp::SortedAdd(store_.HouseholdKey(learner.household_id()), person_id));
  }
  d.commit.events = RequestChangeEvents(changes, learner.social_area(),
                                        [&] { return EventMeta(NewEventId(), clock_.Now(), ""); });
  d.record = person_id;
  return d;
}

namespace {

// An event's inbox key for one person: `step` tells apart two applications of one event to one person.
std::string FactsKey(const IncomingEvent& event, const std::string& person_id, const std::string& step) {
  return absl::StrCat(event.event_id, "/", person_id, step.empty() ? "" : "/", step);
}

// A person the service does not follow (a child) or who was erased: nothing to do.
absl::Status Followed(const absl::Status& status) { return absl::IsNotFound(status) ? absl::OkStatus() : status; }

}  // namespace

absl::Status Courses::ApplyFacts(const IncomingEvent& event, const std::string& person_id,
                                 const FactsChange& change, const std::string& step) {
  bool opened = false;
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(person_id), FactsKey(event, person_id, step),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    return DecideFacts(person_id, *loaded, change, opened);
  });
  if (!outcome.ok()) return Followed(outcome.status());
  Changed(/*allocate=*/opened);
  return absl::OkStatus();
}

void Courses::ApplyFactsTogether(const std::vector<IncomingEvent>& events, const std::vector<EventFacts>& run,
                                 std::vector<absl::Status>& statuses) {
  if (run.empty()) return;
  std::vector<std::string> ids;
  for (const auto& e : run) {
    for (const auto& p : e.persons) ids.push_back(p.person_id);
  }
  // A failed read fails only the first decisions: each then runs alone.
  auto loaded = store_.LoadLearners(ids);
  std::vector<char> opened(ids.size(), 0);
  std::vector<InboxItem> items;
  items.reserve(ids.size());
  for (const auto& e : run) {
    for (const auto& p : e.persons) {
      const size_t k = items.size();
      auto decide = [&, k](const absl::StatusOr<std::optional<LoadedLearner>>& learner) -> absl::StatusOr<Decision> {
        if (!learner.ok()) return learner.status();
        bool o = false;
        auto d = DecideFacts(p.person_id, *learner, p.change, o);
        opened[k] = o;
        return d;
      };
      InboxItem& item = items.emplace_back();
      item.partition = PartitionOfId(p.person_id);
      item.key = FactsKey(events[e.event], p.person_id, "");
      item.first = [&, k, decide] {
        if (!loaded.ok()) return decide(loaded.status());
        return decide((*loaded)[k]);
      };
      item.again = [&, decide] { return decide(store_.LoadLearner(p.person_id)); };
    }
  }
  auto outcomes = RunInboxEach(store_.outbox(), items);
  bool changed = false, allocate = false;
  size_t k = 0;
  for (const auto& e : run) {
    absl::Status status;
    for (size_t n = 0; n < e.persons.size(); ++n, ++k) {
      if (outcomes[k].ok()) {
        changed = true;
        allocate = allocate || opened[k];
      } else if (status.ok()) {
        status = Followed(outcomes[k].status());
      }
    }
    statuses[e.event] = status;
  }
  if (changed) Changed(allocate);
}

std::vector<absl::Status> Courses::ApplyRegistryEvents(const std::vector<IncomingEvent>& events) {
  std::vector<absl::Status> statuses(events.size());
  std::vector<EventFacts> run;
  std::set<std::string> in_run;  // no learner twice in a run: a second change waits for the first
  auto flush = [&] {
    ApplyFactsTogether(events, run, statuses);
    run.clear();
    in_run.clear();
  };
  for (size_t i = 0; i < events.size(); ++i) {
    auto facts = FactsOf(events[i]);
    if (!facts.ok()) {
      statuses[i] = facts.status();  // unreadable: dead-lettered, nothing applied
      continue;
    }
    if (!facts->has_value()) {
      flush();  // what came before first: a partition's events apply in order
      const IdCause cause(events[i].cause);  // as the consumer opens it for one event
      statuses[i] = ApplyRegistryEvent(events[i]);
      continue;
    }
    for (const auto& p : **facts) {
      if (in_run.contains(p.person_id)) {
        flush();
        break;
      }
    }
    for (const auto& p : **facts) in_run.insert(p.person_id);
    run.push_back({i, std::move(**facts)});
  }
  flush();
  return statuses;
}

absl::Status Courses::EraseLearner(const std::string& person_id) {
  auto loaded = store_.LoadLearner(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) return absl::OkStatus();
  // First the seats the person holds (silently: no event names an erased person), then the learner.
  std::set<std::string> held;  // the courses holding a seat for the person
  for (const auto& r : (*loaded)->record.requests()) {
    if (!IsOpen(r.status())) continue;
    for (const auto& o : OpenOffers(r)) held.insert(o.course_id());
    if (!r.course_id().empty()) held.insert(r.course_id());
  }
  for (const std::string& course_id : held) {
    auto s = ApplyChange(store_.outbox(), PartitionOfId(course_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto course = store_.LoadCourse(course_id);
      if (!course.ok()) return course.status();
      if (!course->has_value()) return std::optional<Commit>();
      v1::CourseRecord record = std::move((*course)->record);
      auto* holds = record.mutable_holds();
      auto before = holds->size();
      holds->erase(std::remove_if(holds->begin(), holds->end(),
                                  [&](const v1::Hold& h) { return h.person_id() == person_id; }),
                   holds->end());
      if (holds->size() == before) return std::optional<Commit>();
      Commit c;
      c.aggregate_key = store_.CourseKey(course_id);
      c.expected_version = (*course)->version;
      c.state = record.SerializeAsString();
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
  }
  return ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto current = store_.LoadLearner(person_id);
    if (!current.ok()) return current.status();
    if (!current->has_value() || (*current)->record.erased()) return std::optional<Commit>();
    v1::LearnerRecord tombstone;
    tombstone.set_person_id(person_id);
    tombstone.set_erased(true);
    Commit c;
    c.aggregate_key = store_.LearnerKey(person_id);
    c.expected_version = (*current)->version;
    c.state = tombstone.SerializeAsString();
    c.erased_marker = true;
    c.index_ops = store_.LearnerIndex(&(*current)->record, tombstone);
    const auto& household = (*current)->record.household_id();
    if (!household.empty()) {
      c.index_ops.push_back(IndexOp::SortedRemove(store_.HouseholdKey(household), person_id));
    }
    return std::optional<Commit>(std::move(c));
  });
}

namespace {

void SetFacts(v1::LearnerRecord& l, const rv1::PersonFacts& f) {
  l.set_age_years(f.age_years());
  l.set_residence_status(f.residence_status());
  l.set_stay_prospect(f.stay_prospect());
  l.set_cefr_level(f.cefr_level());
  l.set_literate_latin(f.literate_latin());
  l.set_literate_other_script(f.literate_other_script());
  l.set_needs_childcare(f.needs().childcare());
  l.set_works_daytime(f.needs().works_daytime());
  l.set_first_permit_date(f.first_permit_date());
  l.set_obliged(f.obliged());
}

}  // namespace

// A household's facts on one member, with the children under school age as
// they are now, each keeping the Kita place it has (or was told in `placed`).
Courses::FactsChange Courses::HouseholdChange(std::shared_ptr<const rv1::HouseholdRegistered> e, int member,
                                             std::vector<v1::YoungChild> young, std::set<std::string> placed) const {
  return [this, e, member, young = std::move(young), placed = std::move(placed)](v1::LearnerRecord& l, bool) {
    SetFacts(l, e->members(member));
    l.set_household_id(e->household_id());
    l.set_municipality_ags(e->municipality_ags());
    l.set_social_area(e->social_area());
    *l.mutable_location() = e->approx_location();
    std::vector<v1::YoungChild> now = young;
    for (auto& c : now) {
      bool kita = placed.contains(c.person_id());
      for (const auto& known : l.young_children()) {
        if (known.person_id() == c.person_id()) kita = kita || known.kita_place();
      }
      c.set_kita_place(kita);
    }
    l.clear_young_children();
    for (auto& c : now) *l.add_young_children() = std::move(c);
    l.set_children_under_school_age(ChildrenNeedingCare(l, settings_.childcare_from_age));
    return absl::OkStatus();
  };
}

namespace {

bool IsRegistration(const IncomingEvent& event) {
  // HouseholdAged shares HouseholdRegistered's fields 1-6.
  return event.event_type == rv1::HouseholdRegistered::descriptor()->full_name() ||
         event.event_type == rv1::HouseholdAged::descriptor()->full_name();
}

std::vector<v1::YoungChild> YoungChildren(const rv1::HouseholdRegistered& e) {
  std::vector<v1::YoungChild> young;
  for (const auto& m : e.members()) {
    const int school_year_age = m.has_school_year_age() ? m.school_year_age() : m.age_years();
    if (m.relation() != rv1::RELATION_CHILD || school_year_age >= 6) continue;
    v1::YoungChild& c = young.emplace_back();
    c.set_person_id(m.person_id());
    c.set_age_years(m.age_years());
    c.set_school_year_age(school_year_age);
  }
  return young;
}

// A change to a learner the service already follows.
template <typename Event>
std::function<absl::Status(v1::LearnerRecord&, bool)> KnownOnly(std::shared_ptr<const Event> e,
                               void (*apply)(const Event&, v1::LearnerRecord&)) {
  return [e, apply](v1::LearnerRecord& l, bool is_new) {
    if (is_new) return absl::NotFoundError("not followed");
    apply(*e, l);
    return absl::OkStatus();
  };
}

template <typename Event>
absl::StatusOr<std::shared_ptr<const Event>> Parsed(const IncomingEvent& event) {
  auto e = std::make_shared<Event>();
  if (auto s = ParsePayload(event, *e); !s.ok()) return s;
  return std::shared_ptr<const Event>(std::move(e));
}

}  // namespace

absl::StatusOr<std::optional<std::vector<Courses::PersonFacts>>> Courses::FactsOf(const IncomingEvent& event) {
  using Facts = std::optional<std::vector<PersonFacts>>;
  // A household registered, or a date changed what its members' ages call
  // for: every member past compulsory schooling is a learner with the facts
  // as they are now. With children under school age it reads their Kita places.
  if (IsRegistration(event)) {
    auto e = Parsed<rv1::HouseholdRegistered>(event);
    if (!e.ok()) return e.status();
    if (!YoungChildren(**e).empty()) return Facts();
    std::vector<PersonFacts> persons;
    for (int m = 0; m < (*e)->members_size(); ++m) {
      const auto& member = (*e)->members(m);
      if (SchoolObliged(member.age_years(), settings_.rules.land)) continue;  // school, not courses
      persons.push_back({member.person_id(), HouseholdChange(*e, m, {}, {})});
    }
    return Facts(std::move(persons));
  }
  if (event.event_type == rv1::PersonStatusChanged::descriptor()->full_name()) {
    auto e = Parsed<rv1::PersonStatusChanged>(event);
    if (!e.ok()) return e.status();
    return Facts({{(*e)->person_id(), KnownOnly<rv1::PersonStatusChanged>(*e, [](const auto& changed, auto& l) {
                     l.set_residence_status(changed.residence_status());
                     l.set_stay_prospect(changed.stay_prospect());
                     l.set_first_permit_date(changed.first_permit_date());
                   })}});
  }
  if (event.event_type == rv1::PersonLevelRecorded::descriptor()->full_name()) {
    auto e = Parsed<rv1::PersonLevelRecorded>(event);
    if (!e.ok()) return e.status();
    return Facts({{(*e)->person_id(), KnownOnly<rv1::PersonLevelRecorded>(*e, [](const auto& recorded, auto& l) {
                     l.set_cefr_level(recorded.cefr_level());
                     l.set_literate_latin(recorded.literate_latin());
                     l.set_literate_other_script(recorded.literate_other_script());
                   })}});
  }
  // An office imposed or lifted the obligation to attend: the request ranks accordingly.
  if (event.event_type == rv1::PersonObligationChanged::descriptor()->full_name()) {
    auto e = Parsed<rv1::PersonObligationChanged>(event);
    if (!e.ok()) return e.status();
    return Facts({{(*e)->person_id(), KnownOnly<rv1::PersonObligationChanged>(
                                          *e, [](const auto& changed, auto& l) { l.set_obliged(changed.obliged()); })}});
  }
  return Facts();
}

absl::Status Courses::ApplyRegistryEvent(const IncomingEvent& event) {
  auto facts = FactsOf(event);
  if (!facts.ok()) return facts.status();
  if (facts->has_value()) {
    for (const auto& p : **facts) {
      if (auto s = ApplyFacts(event, p.person_id, p.change); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A registration with children under school age: Kita places the schools
  // service told before this event was applied, kept on each learner.
  if (IsRegistration(event)) {
    auto e = Parsed<rv1::HouseholdRegistered>(event);
    if (!e.ok()) return e.status();
    const std::vector<v1::YoungChild> young = YoungChildren(**e);
    auto placed = store_.KitaPlaces((*e)->household_id());
    if (!placed.ok()) return placed.status();
    for (int m = 0; m < (*e)->members_size(); ++m) {
      const auto& member = (*e)->members(m);
      if (SchoolObliged(member.age_years(), settings_.rules.land)) continue;  // school, not courses
      auto s = ApplyFacts(event, member.person_id(), HouseholdChange(*e, m, young, *placed));
      if (!s.ok()) return s;
    }
    // A Kita place told while this event was applied, after its first read,
    // and before the learners were there to take it: marked now.
    auto again = store_.KitaPlaces((*e)->household_id());
    if (!again.ok()) return again.status();
    std::set<std::string> late;
    std::set_difference(again->begin(), again->end(), placed->begin(), placed->end(),
                        std::inserter(late, late.end()));
    return late.empty() ? absl::OkStatus() : MarkKitaPlaces(event, (*e)->household_id(), late, "kita");
  }
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  // The household moved: each of its learners follows.
  if (event.event_type == rv1::HouseholdRelocated::descriptor()->full_name()) {
    rv1::HouseholdRelocated e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), "hh")) return absl::InvalidArgumentError("bad household id");
    auto members = store_.HouseholdMembers(e.household_id());
    if (!members.ok()) return members.status();
    for (const auto& person_id : *members) {
      auto s = ApplyFacts(event, person_id, [&](v1::LearnerRecord& l, bool is_new) {
        if (is_new) return absl::NotFoundError("not followed");
        l.set_municipality_ags(e.municipality_ags());
        l.set_social_area(e.social_area());
        *l.mutable_location() = e.approx_location();
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // The case closed: its people no longer wait for courses; their requests
  // go and the seats they held or were offered are free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    for (const auto& person_id : e.person_ids()) {
      if (!IsValidId(person_id, kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      if (auto s = EraseLearner(person_id); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    return EraseLearner(e.person_id());
  }
  return absl::OkStatus();  // an event this service does not need
}

absl::Status Courses::ApplySchoolsEvent(const IncomingEvent& event) {
  if (event.event_type != sv1::KitaPlaced::descriptor()->full_name()) return absl::OkStatus();
  sv1::KitaPlaced e;
  if (auto s = ParsePayload(event, e); !s.ok()) return s;
  if (!IsValidId(e.household_id(), "hh")) return absl::OkStatus();  // from a schools service that did not name it
  // Kept first, for learners this service has not heard of yet (the
  // registry's event of the household may come after this one).
  if (auto s = store_.AddKitaPlace(e.household_id(), e.person_id()); !s.ok()) return s;
  return MarkKitaPlaces(event, e.household_id(), {e.person_id()}, "");
}

absl::Status Courses::MarkKitaPlaces(const IncomingEvent& event, const std::string& household_id,
                                     const std::set<std::string>& children, const std::string& step) {
  auto members = store_.HouseholdMembers(household_id);
  if (!members.ok()) return members.status();
  for (const auto& person_id : *members) {
    auto s = ApplyFacts(event, person_id, [&](v1::LearnerRecord& l, bool is_new) {
      if (is_new) return absl::NotFoundError("not followed");
      for (auto& c : *l.mutable_young_children()) {
        if (children.contains(c.person_id())) c.set_kita_place(true);
      }
      l.set_children_under_school_age(ChildrenNeedingCare(l, settings_.childcare_from_age));
      return absl::OkStatus();
    }, step);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ankommen::courses
