// Monitoring: a state-scale year of the services' events (synthetic, shaped
// as the streams hold them: serialized protobuf on their subjects) folded into
// the district's history and turned into the council's report — the district
// as a whole and then every social area — beside the floor any reader pays on
// the same input: parsing each event once. One JSON line; the target (issue
// 22) is the indicators for a state-scale year in under 10 s.
//
// With --nats-households N, the first N households' events are also
// published to a real nats-server on loopback and read back as the report
// reads them (Bus::ReadAll, an ordered consumer per stream): that reading
// timed apart, with its rate.
//
//   ankommen-monitoring-bench [--households 40000] [--areas 40] [--runs 3] [--nats-households 0]
#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ankommen/casework/v1/events.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "ankommen/notifications/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "bus/bus.h"
#include "bus/streams.h"
#include "figures.h"
#include "history_from_events.h"
#include "stream_history.h"
#include "support/servers.h"

namespace {

using namespace ankommen;
namespace reg = registry::v1;
using Day = absl::CivilDay;

struct Event {
  std::string subject;
  std::string payload;
  Day day;  // for ordering: the streams hold events in the order they happened
};

const Day kStart(2027, 1, 1);

int64_t Seconds(Day day) { return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(day) + 36000, absl::UTCTimeZone())); }

template <typename E>
Event Make(const char* subject, E e, Day day) {
  e.mutable_meta()->set_event_id(absl::StrCat("ev_", day.day(), "_", e.ByteSizeLong()));
  e.mutable_meta()->mutable_occurred_at()->set_seconds(Seconds(day));
  return {subject, e.SerializeAsString(), day};
}

// A year of a state's arrivals and what the services do for them.
std::vector<Event> Year(int households, int areas, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  std::vector<Event> events;
  // Casework's staff list: three refugee social workers and a migration counsellor per area.
  for (int a = 0; a < areas; ++a) {
    for (int w = 0; w < 4; ++w) {
      casework::v1::WorkerChanged worker;
      worker.set_worker_id(absl::StrCat("wrk_", a, "_", w));
      worker.set_program(w < 3 ? casework::v1::PROGRAM_REFUGEE_SOCIAL_WORK : casework::v1::PROGRAM_MIGRATION_COUNSELLING);
      worker.set_social_area(absl::StrCat("area", a));
      worker.set_capacity(150);
      events.push_back(Make(streams::kWorkerChanged, worker, kStart));
    }
  }
  int place = 0;
  for (int h = 0; h < households; ++h) {
    const Day arrived = kStart + uniform(0, 364);
    const std::string hid = absl::StrCat("h_", h), area = absl::StrCat("area", uniform(0, areas - 1));
    reg::HouseholdRegistered r;
    r.set_household_id(hid);
    r.set_social_area(area);
    const int members = uniform(1, 5);
    std::vector<std::pair<std::string, int>> people;
    for (int m = 0; m < members; ++m) {
      const int age = m < 2 ? uniform(19, 55) : uniform(0, 17);
      reg::PersonFacts* p = r.add_members();
      p->set_person_id(absl::StrCat("p_", h, "_", m));
      p->set_age_years(age);
      p->set_school_year_age(age);
      p->set_cefr_level(chance(0.2) ? "A1" : "");
      p->set_benefit_regime(reg::BENEFIT_REGIME_ASYLBLG);
      people.push_back({p->person_id(), age});
    }
    events.push_back(Make(streams::kHouseholdRegistered, r, arrived));
    // A birthday in the year, announced as the registry does (the household again).
    reg::HouseholdAged aged;
    aged.set_household_id(hid);
    aged.set_social_area(area);
    *aged.mutable_members() = r.members();
    aged.mutable_members(0)->set_age_years(r.members(0).age_years() + 1);
    aged.add_aged_person_ids(r.members(0).person_id());
    events.push_back(Make(streams::kHouseholdAged, aged, arrived + uniform(1, 364)));
    // Housing: shared accommodation first, a flat later for some.
    const std::string shared = absl::StrCat("acc_gu_", place++ % (households / 40 + 1));
    housing::v1::HouseholdMovedIn in;
    in.set_household_id(hid);
    in.set_accommodation_id(shared);
    in.set_social_area(area);
    in.set_kind(housing::v1::KIND_SHARED);
    in.set_persons(members);
    in.set_square_metres(400);
    in.set_standard_square_metres_per_person(6);
    events.push_back(Make(streams::kHouseholdMovedIn, in, arrived + uniform(0, 3)));
    // Casework: refugee social work from the arrival; migration counselling after a move to a flat.
    casework::v1::CaseAssigned assigned;
    assigned.set_household_id(hid);
    assigned.set_program(casework::v1::PROGRAM_REFUGEE_SOCIAL_WORK);
    assigned.set_social_area(area);
    assigned.set_worker_id(absl::StrCat("wrk_", area.substr(4), "_", h % 3));
    assigned.set_persons(members);
    events.push_back(Make(streams::kCaseAssigned, assigned, arrived));
    if (chance(0.3)) {
      const Day moved = arrived + uniform(30, 300);
      assigned.set_program(casework::v1::PROGRAM_MIGRATION_COUNSELLING);
      assigned.set_previous_worker_id(assigned.worker_id());
      assigned.set_worker_id(absl::StrCat("wrk_", area.substr(4), "_3"));
      events.push_back(Make(streams::kCaseAssigned, assigned, moved));
      housing::v1::HouseholdMovedOut out;
      out.set_household_id(hid);
      out.set_accommodation_id(shared);
      events.push_back(Make(streams::kHouseholdMovedOut, out, moved));
      in.set_accommodation_id(absl::StrCat("acc_flat_", h));
      in.set_kind(housing::v1::KIND_FLAT);
      in.set_square_metres(60);
      events.push_back(Make(streams::kHouseholdMovedIn, in, moved));
    }
    for (const auto& [id, age] : people) {
      if (age >= 18) {
        courses::v1::EnrolmentStarted e;
        e.set_person_id(id);
        e.set_waiting_time_days(uniform(0, 40));
        e.set_access_time_days(uniform(0, 120));
        if (chance(0.7)) events.push_back(Make(streams::kEnrolmentStarted, e, arrived + uniform(5, 120)));
        reg::PersonLevelRecorded level;
        level.set_person_id(id);
        level.set_household_id(hid);
        level.set_cefr_level(chance(0.5) ? "A2" : "B1");
        if (chance(0.6)) events.push_back(Make(streams::kPersonLevelRecorded, level, arrived + uniform(120, 600)));
        reg::PersonStatusChanged status;
        status.set_person_id(id);
        status.set_household_id(hid);
        status.set_benefit_regime(reg::BENEFIT_REGIME_SGB_II);
        if (chance(0.3)) events.push_back(Make(streams::kPersonStatusChanged, status, arrived + uniform(60, 364)));
      } else if (age >= 6) {
        schools::v1::SchoolPlaced s;
        s.set_person_id(id);
        events.push_back(Make(streams::kSchoolPlaced, s, arrived + uniform(3, 40)));
      } else if (age >= 1 && chance(0.7)) {
        schools::v1::KitaPlaced k;
        k.set_person_id(id);
        events.push_back(Make(streams::kKitaPlaced, k, arrived + uniform(10, 200)));
      }
    }
    for (int m = 0; m < 5; ++m) {
      notifications::v1::MessageSettled msg;
      msg.set_message_id(absl::StrCat("msg_", h, "_", m));
      msg.set_recipient(people[0].first);
      msg.set_delivered(!chance(0.02));
      const Day made = arrived + uniform(0, 120);
      msg.mutable_created_at()->set_seconds(Seconds(made));
      events.push_back(Make(streams::kMessageSettled, msg, made));
    }
    mediators::v1::MediationRequested asked;
    asked.set_request_id(absl::StrCat("mreq_", h));
    asked.set_social_area(area);
    const Day appointment = arrived + uniform(3, 30);
    asked.mutable_start()->set_seconds(Seconds(appointment));
    events.push_back(Make(streams::kMediationRequested, asked, arrived));
    mediators::v1::MediatorBooked booked;
    booked.set_request_id(asked.request_id());
    if (chance(0.85)) events.push_back(Make(streams::kMediatorBooked, booked, arrived + 1));
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.day < b.day; });
  return events;
}

// Parsing each event once into its message: what any reader of the streams pays.
long long ParseOnly(const std::vector<Event>& events) {
  reg::HouseholdRegistered registered;
  reg::HouseholdAged aged;
  reg::PersonLevelRecorded level;
  reg::PersonStatusChanged status;
  housing::v1::HouseholdMovedIn moved_in;
  housing::v1::HouseholdMovedOut moved_out;
  courses::v1::EnrolmentStarted enrolled;
  schools::v1::SchoolPlaced school;
  schools::v1::KitaPlaced kita;
  notifications::v1::MessageSettled settled;
  mediators::v1::MediationRequested asked;
  mediators::v1::MediatorBooked booked;
  casework::v1::WorkerChanged worker;
  casework::v1::CaseAssigned assigned;
  const std::map<std::string, google::protobuf::Message*> by_subject = {
      {streams::kWorkerChanged, &worker},           {streams::kCaseAssigned, &assigned},
      {streams::kHouseholdRegistered, &registered}, {streams::kHouseholdAged, &aged},
      {streams::kPersonLevelRecorded, &level},      {streams::kPersonStatusChanged, &status},
      {streams::kHouseholdMovedIn, &moved_in},      {streams::kHouseholdMovedOut, &moved_out},
      {streams::kEnrolmentStarted, &enrolled},      {streams::kSchoolPlaced, &school},
      {streams::kKitaPlaced, &kita},                {streams::kMessageSettled, &settled},
      {streams::kMediationRequested, &asked},       {streams::kMediatorBooked, &booked}};
  long long bytes = 0;
  for (const Event& e : events) {
    google::protobuf::Message* m = by_subject.at(e.subject);
    if (!m->ParseFromString(e.payload)) return -1;
    bytes += static_cast<long long>(m->ByteSizeLong());
  }
  return bytes;
}

// The events put on a real JetStream and read back as the report does;
// seconds of the reading, or -1.
double ReadFromNats(const std::vector<Event>& events, long long& read_events) {
  testing::NatsServer nats;
  auto bus = Bus::Connect(nats.url(), "monitoring-bench", nullptr);
  if (!bus.ok()) {
    std::cerr << bus.status() << "\n";
    return -1;
  }
  for (const StreamSpec& spec : {streams::Registry(), streams::Courses(), streams::Schools(), streams::Housing(),
                                 streams::Mediators(), streams::Notifications(), streams::Casework()}) {
    if (!(*bus)->EnsureStream(spec).ok()) return -1;
  }
  long long published = 0;
  for (const Event& e : events) {
    OutgoingEvent out{e.subject, absl::StrCat("ev_bench_", ++published), "", e.payload};
    if (auto s = (*bus)->Publish(out); !s.ok()) {
      std::cerr << "publishing event " << published << ": " << s.status() << "\n";
      return -1;
    }
  }
  monitoring::History history;
  const absl::Time t0 = absl::Now();
  auto read = monitoring::ReadHistory(**bus, absl::UTCTimeZone(), history);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  if (!read.ok()) {
    std::cerr << read.status() << "\n";
    return -1;
  }
  read_events = read->events;
  return seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[(v.size() + 1) / 2 - 1];
}

}  // namespace

int main(int argc, char** argv) {
  int households = 40000, areas = 40, runs = 3, nats_households = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--households") households = value;
    else if (flag == "--areas") areas = value;
    else if (flag == "--runs") runs = value;
    else if (flag == "--nats-households") nats_households = value;
    else {
      std::cerr << "usage: ankommen-monitoring-bench [--households 40000] [--areas 40] [--runs 3] [--nats-households 0]\n";
      return 2;
    }
  }
  const std::vector<Event> events = Year(households, areas, 7);
  const monitoring::Scope year{kStart, Day(2027, 12, 31), "", Day(2028, 12, 31)};
  const monitoring::AgeBands ages;
  std::vector<double> parse_s, fold_s, district_s, areas_s;
  size_t persons = 0;
  long long checksum = 0;
  for (int run = 0; run < runs; ++run) {
    absl::Time t0 = absl::Now();
    checksum += ParseOnly(events);
    parse_s.push_back(absl::ToDoubleSeconds(absl::Now() - t0));

    t0 = absl::Now();
    monitoring::History history;
    monitoring::HistoryBuilder builder(history, absl::UTCTimeZone());
    for (const Event& e : events) {
      if (!builder.Apply(e.subject, e.payload).ok()) return 1;
    }
    fold_s.push_back(absl::ToDoubleSeconds(absl::Now() - t0));
    persons = history.persons.size();

    t0 = absl::Now();
    const monitoring::HistoryIndex index(history);
    const auto district = monitoring::BuildReport(index, year, ages, {});
    district_s.push_back(absl::ToDoubleSeconds(absl::Now() - t0));
    checksum += district[0].figure.denominator;

    t0 = absl::Now();
    for (int a = 0; a < areas; ++a) {
      monitoring::Scope area = year;
      area.social_area = absl::StrCat("area", a);
      checksum += monitoring::BuildReport(index, area, ages, {})[0].figure.denominator;
    }
    areas_s.push_back(absl::ToDoubleSeconds(absl::Now() - t0));
  }
  double nats_read_s = 0;
  long long nats_events = 0;
  if (nats_households > 0) {
    nats_read_s = ReadFromNats(Year(nats_households, areas, 7), nats_events);
    if (nats_read_s < 0) return 1;
  }
  const double fold = Median(fold_s), parse = Median(parse_s), district = Median(district_s), per_area = Median(areas_s);
  std::cout << absl::StrFormat(
                   "{\"bench\":\"monitoring\",\"households\":%d,\"persons\":%d,\"events\":%d,\"areas\":%d,\"runs\":%d,"
                   "\"baseline_parse_only_s\":%.3f,\"fold_s\":%.3f,\"fold_over_parse\":%.2f,"
                   "\"report_district_s\":%.3f,\"report_every_area_s\":%.3f,\"year_total_s\":%.3f,"
                   "\"target_s\":10,\"nats_events\":%d,\"nats_read_s\":%.3f,\"nats_events_per_s\":%.0f,"
                   "\"checksum\":%d}",
                   households, persons, events.size(), areas, runs, parse, fold, fold / parse, district, per_area,
                   fold + district + per_area, nats_events, nats_read_s,
                   nats_read_s > 0 ? static_cast<double>(nats_events) / nats_read_s : 0.0, checksum)
            << "\n";
  return 0;
}
