// The mediators' domain: the pool and requests validated field by field, a
// mediator's week, and the matching through the placement engine.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "convert.h"
#include "grpc/status.h"
#include "matching.h"
#include "pool.h"
#include "pool_csv.h"

namespace ankommen::mediators {
namespace {

const absl::TimeZone kBerlin = [] {
  absl::TimeZone z;
  absl::LoadTimeZone("Europe/Berlin", &z);
  return z;
}();

// Monday 7 December 2026 at hh:mm in Berlin.
absl::Time Monday(int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(2026, 12, 7, hour, minute, 0), kBerlin);
}
const absl::Time kNow = Monday(8) - absl::Hours(24 * 3);  // the Friday before

constexpr placement::GeoPoint kRiesa{51.3078, 13.2939};
constexpr placement::GeoPoint kMeissen{51.1636, 13.4775};
constexpr placement::GeoPoint kGrossenhain{51.2891, 13.5246};

Mediator Arabic(std::string id, placement::GeoPoint home = kRiesa) {
  Mediator m;
  m.id = std::move(id);
  m.skills = {{"ar", "apc"}, {"de", ""}};
  m.qualification = Qualification::kTrained;
  m.gender = Gender::kFemale;
  m.areas = {"Riesa", "Meißen"};
  m.home = home;
  m.max_km = 40;
  for (auto day : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday}) {
    m.windows.push_back({day, 8 * 60, 16 * 60});
  }
  m.monthly_hours_cap = 40;
  return m;
}

AppointmentRequest At(std::string id, absl::Time start, absl::Duration duration = absl::Hours(1)) {
  AppointmentRequest r;
  r.id = std::move(id);
  r.language = "ar";
  r.place = kRiesa;
  r.area = "Riesa";
  r.start = start;
  r.duration = duration;
  r.topic = Topic::kSchool;
  r.requested_at = kNow - absl::Hours(24);
  return r;
}

MatchSettings Settings() {
  MatchSettings s;
  s.zone = kBerlin;
  return s;
}

MatchResult MatchOrDie(const std::vector<Mediator>& pool, const std::vector<AppointmentRequest>& requests,
                       const std::vector<Booking>& booked = {}) {
  auto result = Match(pool, booked, requests, kNow, Settings());
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : MatchResult{};
}

std::string MediatorOf(const MatchResult& result, size_t request) {
  for (const auto& p : result.proposals) {
    if (p.request == request) return p.mediator_id;
  }
  return "";
}

std::optional<Unfilled> WhyUnfilled(const MatchResult& result, size_t request) {
  for (const auto& [r, why] : result.unfilled) {
    if (r == request) return why;
  }
  return std::nullopt;
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

bool Names(const absl::Status& s, const std::string& field) {
  auto fields = Fields(s);
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

TEST(MediatorsTest, LanguagesAreIso639WithDialectsUnderTheirLanguage) {
  EXPECT_TRUE(IsKnownLanguage("ar"));
  EXPECT_TRUE(IsKnownLanguage("prs"));  // Dari
  EXPECT_TRUE(IsKnownLanguage("kmr"));  // Kurmanji
  EXPECT_FALSE(IsKnownLanguage("xx"));
  EXPECT_EQ(LanguageOfDialect("apc"), "ar");
  EXPECT_EQ(LanguageOfDialect("prs"), "");
}

TEST(MediatorsTest, AGoodMediatorPassesAndEachMistakeIsNamed) {
  EXPECT_TRUE(ValidateMediator(Arabic("med_1")).ok());
  Mediator m = Arabic("med_1");
  m.skills = {{"xx", ""}, {"ar", "kmr"}, {"apc", ""}};
  m.windows.push_back({absl::Weekday::monday, 15 * 60, 17 * 60});  // overlaps Monday 8–16
  m.windows.push_back({absl::Weekday::friday, 12 * 60, 9 * 60});    // ends before it starts
  m.absences = {{absl::CivilDay(2026, 12, 20), absl::CivilDay(2027, 1, 3)},
                {absl::CivilDay(2027, 1, 2), absl::CivilDay(2027, 1, 10)}};
  m.monthly_hours_cap = 0;
  m.home = {0, 0};
  auto s = ValidateMediator(m);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(s, "mediator.skills[0].language")) << s;  // unknown
  EXPECT_TRUE(Names(s, "mediator.skills[1].dialect")) << s;   // a Kurdish code is no Arabic dialect
  EXPECT_TRUE(Names(s, "mediator.skills[2].language")) << s;  // a dialect given as the language
  EXPECT_TRUE(Names(s, "mediator.windows[3]")) << s;
  EXPECT_TRUE(Names(s, "mediator.windows[4].to_minute")) << s;
  EXPECT_TRUE(Names(s, "mediator.absences[1]")) << s;
  EXPECT_TRUE(Names(s, "mediator.monthly_hours_cap")) << s;
  EXPECT_TRUE(Names(s, "mediator.home")) << s;
}

TEST(MediatorsTest, ARequestInThePastOfNoTimeOrLongerThanADayIsRefused) {
  EXPECT_TRUE(ValidateRequest(At("r1", Monday(9)), kNow).ok());
  auto past = At("r1", kNow - absl::Hours(1), absl::ZeroDuration());
  past.language = "tlh";
  auto s = ValidateRequest(past, kNow);
  EXPECT_TRUE(Names(s, "request.start")) << s;
  EXPECT_TRUE(Names(s, "request.duration_minutes")) << s;
  EXPECT_TRUE(Names(s, "request.language")) << s;
  EXPECT_TRUE(Names(ValidateRequest(At("r2", Monday(9), absl::Hours(25)), kNow), "request.duration_minutes"));
  auto german = At("r3", Monday(9));
  german.language = "de";
  EXPECT_TRUE(Names(ValidateRequest(german, kNow), "request.language"));
  auto nowhere = At("r4", Monday(9));
  nowhere.place = {0, 0};
  EXPECT_TRUE(Names(ValidateRequest(nowhere, kNow), "request.location"));
  nowhere.remote = true;  // by phone: no place needed
  EXPECT_TRUE(ValidateRequest(nowhere, kNow).ok());
}

TEST(MediatorsTest, AMediatorIsAvailableInsideAWindowAndNotOnADayOff) {
  Mediator m = Arabic("med_1");
  EXPECT_TRUE(Available(m, Monday(8), absl::Hours(8), kBerlin));
  EXPECT_FALSE(Available(m, Monday(15, 30), absl::Hours(1), kBerlin));  // past the window's end
  EXPECT_FALSE(Available(m, Monday(7, 30), absl::Hours(1), kBerlin));
  EXPECT_FALSE(Available(m, Monday(9) + absl::Hours(24 * 3), absl::Hours(1), kBerlin));  // Thursday
  m.absences = {{absl::CivilDay(2026, 12, 7), absl::CivilDay(2026, 12, 7)}};
  EXPECT_FALSE(Available(m, Monday(9), absl::Hours(1), kBerlin));
  EXPECT_TRUE(Available(m, Monday(9) + absl::Hours(24), absl::Hours(1), kBerlin));
}

TEST(MediatorsTest, OverlappingAppointmentsGoToDifferentMediatorsOthersMayShareOne) {
  const std::vector<Mediator> pool = {Arabic("med_a"), Arabic("med_b")};
  // 9–10 and 9:30–10:30 overlap; 12–13 is free for either again.
  auto result = MatchOrDie(pool, {At("r1", Monday(9)), At("r2", Monday(9, 30)), At("r3", Monday(12))});
  ASSERT_EQ(result.proposals.size(), 3u);
  EXPECT_NE(MediatorOf(result, 0), MediatorOf(result, 1));
  // r3 is free for either again (one hour each this month, both in Riesa).
  EXPECT_FALSE(MediatorOf(result, 2).empty());
}

TEST(MediatorsTest, AppointmentsInPersonLeaveTimeToTravel) {
  const std::vector<Mediator> pool = {Arabic("med_a")};
  // 9–10 in Riesa, then 10:15 in Meißen: no time to get there.
  auto second = At("r2", Monday(10, 15));
  second.place = kMeissen;
  second.area = "Meißen";
  auto result = MatchOrDie(pool, {At("r1", Monday(9)), second});
  EXPECT_EQ(MediatorOf(result, 0), "med_a");
  EXPECT_EQ(WhyUnfilled(result, 1), Unfilled::kNoOneFree);
  // By phone, back to back, is fine for a mediator who works remotely.
  std::vector<Mediator> remote_pool = {Arabic("med_a")};
  remote_pool[0].remote = true;
  auto a = At("r1", Monday(9)), b = At("r2", Monday(10));
  a.remote = b.remote = true;
  result = MatchOrDie(remote_pool, {a, b});
  EXPECT_EQ(result.proposals.size(), 2u);
}

TEST(MediatorsTest, LanguageFirstThenReachThenNoRelativeEver) {
  Mediator dari = Arabic("med_dari");
  dari.skills = {{"prs", ""}};
  Mediator far = Arabic("med_far", kGrossenhain);
  far.max_km = 5;  // Großenhain to Riesa is about 16 km
  Mediator relative = Arabic("med_relative");
  relative.related_household_ids = {"hh_1"};
  auto r = At("r1", Monday(9));
  r.household_id = "hh_1";
  auto result = MatchOrDie({dari, far, relative}, {r});
  EXPECT_TRUE(result.proposals.empty());
  EXPECT_EQ(WhyUnfilled(result, 0), Unfilled::kNoOneFree);
  auto tigrinya = At("r2", Monday(9));
  tigrinya.language = "ti";
  result = MatchOrDie({dari, far, relative}, {tigrinya});
  EXPECT_EQ(WhyUnfilled(result, 0), Unfilled::kNoOneSpeaksIt);
}

TEST(MediatorsTest, UrgentFirstWhenOneMediatorIsFreeForTwo) {
  auto routine = At("r1", Monday(9));
  routine.requested_at = kNow - absl::Hours(24 * 10);  // waited longer
  auto urgent = At("r2", Monday(9));
  urgent.urgent = true;
  auto result = MatchOrDie({Arabic("med_a")}, {routine, urgent});
  EXPECT_EQ(MediatorOf(result, 1), "med_a");
  // Urgent requests are matched first, so by then the mediator is booked.
  EXPECT_EQ(WhyUnfilled(result, 0), Unfilled::kNoOneFree);
  // Within one part, a longer wait ranks first.
  auto later = At("r3", Monday(9));
  auto result2 = MatchOrDie({Arabic("med_a")}, {later, routine});
  EXPECT_EQ(MediatorOf(result2, 1), "med_a");
  EXPECT_EQ(WhyUnfilled(result2, 0), Unfilled::kOthersFirst);
}

TEST(MediatorsTest, WishesAndDialectsArePreferredAndHoursShared) {
  Mediator woman = Arabic("med_w", kGrossenhain);  // farther
  Mediator man = Arabic("med_m");
  man.gender = Gender::kMale;
  auto r = At("r1", Monday(9));
  r.gender_wish = Gender::kFemale;
  r.topic = Topic::kHealth;
  auto result = MatchOrDie({woman, man}, {r});
  EXPECT_EQ(MediatorOf(result, 0), "med_w");
  ASSERT_EQ(result.proposals.size(), 1u);
  EXPECT_TRUE(result.proposals[0].gender_met);
  // Without the wish, the nearer man.
  r.gender_wish = Gender::kUnspecified;
  EXPECT_EQ(MediatorOf(MatchOrDie({woman, man}, {r}), 0), "med_m");
  // A dialect asked for: a speaker of it first, though 5 km farther (a miss
  // weighs 10 km); but not from 16 km.
  Mediator iraqi = man;
  iraqi.id = "med_iraqi";
  iraqi.skills = {{"ar", "acm"}};
  Mediator levantine = Arabic("med_levantine", {51.35, 13.30});
  r.dialect = "apc";
  EXPECT_EQ(MediatorOf(MatchOrDie({iraqi, levantine}, {r}), 0), "med_levantine");
  EXPECT_EQ(MediatorOf(MatchOrDie({iraqi, woman}, {r}), 0), "med_iraqi");
  // Hours shared: two equal mediators, one with 20 hours this month already.
  r.dialect.clear();
  Mediator busy = Arabic("med_busy"), idle = Arabic("med_idle");
  std::vector<Booking> booked;
  for (int d = 1; d <= 5; ++d) {
    booked.push_back({"med_busy", absl::FromCivil(absl::CivilSecond(2026, 12, d, 8, 0, 0), kBerlin), absl::Hours(4)});
  }
  EXPECT_EQ(MediatorOf(MatchOrDie({busy, idle}, {r}, booked), 0), "med_idle");
}

// Today's phone list takes the first free mediator for the first caller; the
// engine sees both appointments at once and fills both.
TEST(MediatorsTest, FirstComeFirstServedLeavesOneOutWhereTheEngineFillsBoth) {
  Mediator both = Arabic("med_a");
  both.skills = {{"ar", ""}, {"fa", ""}};
  Mediator arabic = Arabic("med_b");
  auto first = At("r1", Monday(9));
  first.requested_at = kNow - absl::Hours(48);
  auto farsi = At("r2", Monday(9));
  farsi.language = "fa";
  MatchSettings fcfs = Settings();
  fcfs.policy = "fcfs";
  auto today = Match({both, arabic}, {}, {first, farsi}, kNow, fcfs);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(MediatorOf(*today, 0), "med_a");
  EXPECT_EQ(WhyUnfilled(*today, 1), Unfilled::kNoOneFree);
  auto engine = MatchOrDie({both, arabic}, {first, farsi});
  EXPECT_EQ(MediatorOf(engine, 0), "med_b");
  EXPECT_EQ(MediatorOf(engine, 1), "med_a");
}

TEST(MediatorsTest, TheMonthlyCapIsNeverExceeded) {
  Mediator m = Arabic("med_a");
  m.monthly_hours_cap = 3;
  auto result = MatchOrDie({m}, {At("r1", Monday(9), absl::Hours(2)), At("r2", Monday(13), absl::Hours(2))});
  EXPECT_EQ(MediatorOf(result, 0), "med_a");
  EXPECT_EQ(WhyUnfilled(result, 1), Unfilled::kNoOneFree);
}

TEST(MediatorsTest, TheSameInputGivesTheSameProposals) {
  std::vector<Mediator> pool;
  for (int i = 0; i < 6; ++i) pool.push_back(Arabic("med_" + std::to_string(i), i % 2 ? kRiesa : kMeissen));
  std::vector<AppointmentRequest> requests;
  for (int i = 0; i < 20; ++i) {
    auto r = At("r" + std::to_string(i), Monday(8 + i % 7, (i * 17) % 60));
    r.place = i % 3 ? kRiesa : kMeissen;
    r.area = i % 3 ? "Riesa" : "Meißen";
    requests.push_back(r);
  }
  auto a = MatchOrDie(pool, requests), b = MatchOrDie(pool, requests);
  ASSERT_EQ(a.proposals.size(), b.proposals.size());
  for (size_t i = 0; i < a.proposals.size(); ++i) {
    EXPECT_EQ(a.proposals[i].request, b.proposals[i].request);
    EXPECT_EQ(a.proposals[i].mediator_id, b.proposals[i].mediator_id);
  }
  // And no mediator is at two overlapping appointments (with travel time).
  for (const auto& p : a.proposals) {
    for (const auto& q : a.proposals) {
      if (&p == &q || p.mediator_id != q.mediator_id) continue;
      const auto& x = requests[p.request];
      const auto& y = requests[q.request];
      EXPECT_FALSE(x.start < y.start + y.duration + absl::Minutes(30) && y.start < x.start + x.duration + absl::Minutes(30))
          << x.id << " and " << y.id << " both with " << p.mediator_id;
    }
  }
}

// From the API's messages: what cannot be read and what the rules refuse
// come back together, each field named as the API spells it.
TEST(MediatorsTest, TheApisMessagesAreReadAndCheckedTogether) {
  v1::Mediator m;
  m.set_mediator_id("med_1");
  auto* skill = m.add_skills();
  skill->set_language("prs");
  m.set_direction(v1::DIRECTION_BOTH);
  m.set_qualification(v1::QUALIFICATION_TRAINED);
  m.add_social_areas("Riesa");
  m.mutable_home()->set_lat(kRiesa.lat);
  m.mutable_home()->set_lon(kRiesa.lon);
  m.set_max_km(25);
  auto* w = m.add_windows();
  w->set_day(v1::WEEKDAY_TUESDAY);
  w->set_from_minute(9 * 60);
  w->set_to_minute(13 * 60);
  m.set_monthly_hours_cap(30);
  auto read = MediatorFromProto(m);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->windows[0].day, absl::Weekday::tuesday);
  EXPECT_EQ(read->skills[0].language, "prs");

  m.set_qualification(v1::QUALIFICATION_UNSPECIFIED);
  m.mutable_windows(0)->set_day(v1::WEEKDAY_UNSPECIFIED);
  auto* absence = m.add_absences();
  absence->set_from("2026-12-24");
  absence->set_to("24.12.2026");
  m.set_monthly_hours_cap(0);
  auto bad = MediatorFromProto(m);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(bad.status(), "mediator.qualification")) << bad.status();
  EXPECT_TRUE(Names(bad.status(), "mediator.windows[0].day")) << bad.status();
  EXPECT_TRUE(Names(bad.status(), "mediator.absences[0].to")) << bad.status();
  EXPECT_TRUE(Names(bad.status(), "mediator.monthly_hours_cap")) << bad.status();  // from ValidateMediator

  v1::MediationRequest r;
  r.set_request_id("mreq_1");
  r.set_language("ar");
  r.set_remote(true);
  r.mutable_start()->set_seconds(absl::ToUnixSeconds(Monday(10)));
  r.set_duration_minutes(45);
  r.set_topic(v1::TOPIC_HEALTH);
  auto request = RequestFromProto(r, "hh_1", kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->duration, absl::Minutes(45));
  EXPECT_EQ(request->household_id, "hh_1");
  EXPECT_EQ(request->requested_at, kNow);
  r.clear_start();
  r.set_duration_minutes(0);
  r.set_topic(v1::TOPIC_UNSPECIFIED);
  auto refused = RequestFromProto(r, "", kNow);
  EXPECT_TRUE(Names(refused.status(), "request.start")) << refused.status();
  EXPECT_TRUE(Names(refused.status(), "request.topic")) << refused.status();
  EXPECT_TRUE(Names(refused.status(), "request.duration_minutes")) << refused.status();
}

TEST(MediatorsTest, APoolRowFromASpreadsheetReadsIntoTheApisMediatorAndContact) {
  const CsvTable table = ParseCsv(
      "given_names,family_name,phone,email,languages,qualification,gender,social_areas,lat,lon,max_km,remote,windows,"
      "monthly_hours_cap\n"
      "Samira,Nasser,+4935251000001,,AR:apc; fr,Trained,female,Riesa;Meißen,51.31,13.29,30,yes,mon 08:00-18:00;sun 09:30-24:00,40\n"
      "Karim,Aziz,,k@example.org,ar:apc:x,expert,other,Riesa,north,13.1,far,maybe,monday 8-18,ten\n");
  auto good = PoolRowOf(table, table.rows[0]);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->contact.family_name(), "Nasser");
  EXPECT_EQ(good->contact.phone(), "+4935251000001");
  const v1::Mediator& m = good->mediator;
  ASSERT_EQ(m.skills_size(), 2);
  EXPECT_EQ(m.skills(0).language(), "ar");
  EXPECT_EQ(m.skills(0).dialect(), "apc");
  EXPECT_EQ(m.skills(1).language(), "fr");
  EXPECT_EQ(m.direction(), v1::DIRECTION_BOTH);
  EXPECT_EQ(m.qualification(), v1::QUALIFICATION_TRAINED);
  EXPECT_EQ(m.social_areas_size(), 2);
  EXPECT_TRUE(m.remote());
  ASSERT_EQ(m.windows_size(), 2);
  EXPECT_EQ(m.windows(1).day(), v1::WEEKDAY_SUNDAY);
  EXPECT_EQ(m.windows(1).from_minute(), 570);
  EXPECT_EQ(m.windows(1).to_minute(), 1440);
  EXPECT_EQ(m.monthly_hours_cap(), 40);
  v1::Mediator with_id = m;
  with_id.set_mediator_id("med_1");
  EXPECT_TRUE(MediatorFromProto(with_id).ok()) << "and the rules take it: " << MediatorFromProto(with_id).status();

  auto bad = PoolRowOf(table, table.rows[1]);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* column : {"languages", "qualification", "gender", "lat,lon", "max_km", "remote", "windows",
                             "monthly_hours_cap"}) {
    EXPECT_TRUE(Names(bad.status(), column)) << column << ": " << bad.status();
  }
}

}  // namespace
}  // namespace ankommen::mediators
