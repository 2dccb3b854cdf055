// Mediators: a month of a district's appointment requests matched to its pool
// (services/mediators/domain/matching.h), wave by wave through the placement
// engine, beside today's practice on the same input: first come, first served
// — each request in the order it came to the nearest mediator free then.
// Synthetic: languages in the shares of the seeds' arrivals, homes and
// appointments over Landkreis Meißen, most mediators on weekdays, a fifth of
// appointments by phone. One JSON line; the target is under 1 s for 5,000
// requests against 500 mediators.
//
//   ankommen-mediators-bench [--requests 5000] [--mediators 500] [--runs 3]
#include <algorithm>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "matching.h"

namespace {

using namespace ankommen::mediators;
using ankommen::placement::GeoPoint;

// Shares of the languages newcomers speak (of 100).
const std::vector<std::pair<std::string, int>> kLanguages = {
    {"ar", 28}, {"uk", 20}, {"fa", 8}, {"prs", 8}, {"ps", 5}, {"ru", 6},
    {"tr", 6},  {"ti", 6},  {"so", 4}, {"kmr", 5}, {"ckb", 2}, {"sq", 2}};
const std::vector<std::string> kAreas = {"Riesa", "Großenhain", "Meißen", "Radebeul"};

struct Draw {
  std::mt19937_64 rng;
  double Uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  int Int(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); }
  bool Chance(double p) { return Uniform(0, 1) < p; }
  std::string Language() {
    int x = Int(0, 99);
    for (const auto& [code, share] : kLanguages) {
      if ((x -= share) < 0) return code;
    }
    return "ar";
  }
  GeoPoint Point() { return {Uniform(51.05, 51.45), Uniform(13.15, 13.75)}; }
};

// The district's four areas as its quadrants.
std::string AreaOf(const GeoPoint& p) {
  return kAreas[static_cast<size_t>((p.lat > 51.25 ? 0 : 2) + (p.lon > 13.45 ? 1 : 0))];
}

std::vector<Mediator> Pool(Draw& d, int n) {
  std::vector<Mediator> pool;
  for (int i = 0; i < n; ++i) {
    Mediator m;
    m.id = absl::StrFormat("med_%04d", i);
    m.skills = {{d.Language(), ""}};
    if (d.Chance(0.4)) {
      std::string second = d.Language();
      if (second != m.skills[0].language) m.skills.push_back({second, ""});
    }
    m.qualification = d.Chance(0.5) ? Qualification::kVolunteer : d.Chance(0.6) ? Qualification::kTrained : Qualification::kCertified;
    m.gender = d.Chance(0.5) ? Gender::kFemale : Gender::kMale;
    m.home = d.Point();
    m.areas = {AreaOf(m.home)};
    if (d.Chance(0.5)) m.areas.push_back(kAreas[static_cast<size_t>(d.Int(0, 3))]);
    m.max_km = d.Uniform(15, 40);
    m.remote = d.Chance(0.3);
    const bool mornings = d.Chance(0.3);
    for (auto day : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday, absl::Weekday::thursday,
                     absl::Weekday::friday}) {
      if (d.Chance(0.8)) m.windows.push_back({day, 8 * 60, mornings ? 12 * 60 : 16 * 60});
    }
    if (m.windows.empty()) m.windows.push_back({absl::Weekday::monday, 8 * 60, 16 * 60});
    m.monthly_hours_cap = d.Int(20, 60);
    pool.push_back(std::move(m));
  }
  return pool;
}

std::vector<AppointmentRequest> Requests(Draw& d, int n, absl::CivilDay first_monday, absl::TimeZone zone, absl::Time now) {
  std::vector<AppointmentRequest> out;
  for (int i = 0; i < n; ++i) {
    AppointmentRequest r;
    r.id = absl::StrFormat("req_%05d", i);
    r.language = d.Language();
    r.remote = d.Chance(0.2);
    r.place = d.Point();
    r.area = AreaOf(r.place);
    const absl::CivilDay day = first_monday + (d.Int(0, 19) / 5) * 7 + d.Int(0, 4);
    r.start = absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), d.Int(8, 14), 15 * d.Int(0, 3), 0), zone);
    r.duration = absl::Minutes(30 * d.Int(1, 3));
    r.topic = static_cast<Topic>(d.Int(0, 4));
    r.gender_wish = d.Chance(0.1) ? Gender::kFemale : Gender::kUnspecified;
    r.urgent = d.Chance(0.05);
    r.requested_at = now - absl::Hours(d.Int(0, 24 * 14));
    out.push_back(std::move(r));
  }
  return out;
}

struct Figures {
  double seconds = 0;
  int filled = 0;
  double mean_km = 0;
  int no_one_speaks = 0, no_one_free = 0, others_first = 0, urgent_unfilled = 0;
};

Figures Run(const std::vector<Mediator>& pool, const std::vector<AppointmentRequest>& requests, absl::Time now,
            const MatchSettings& settings, int runs) {
  std::vector<double> seconds;
  Figures f;
  for (int run = 0; run < runs; ++run) {
    const absl::Time start = absl::Now();
    auto result = Match(pool, {}, requests, now, settings);
    seconds.push_back(absl::ToDoubleSeconds(absl::Now() - start));
    if (!result.ok()) {
      std::cerr << result.status() << "\n";
      std::exit(1);
    }
    f = Figures{};
    f.filled = static_cast<int>(result->proposals.size());
    double km = 0;
    for (const auto& p : result->proposals) km += p.km;
    f.mean_km = f.filled ? km / f.filled : 0;
    for (const auto& [r, why] : result->unfilled) {
      if (why == Unfilled::kNoOneSpeaksIt) ++f.no_one_speaks;
      if (why == Unfilled::kNoOneFree) ++f.no_one_free;
      if (why == Unfilled::kOthersFirst) ++f.others_first;
      if (requests[r].urgent) ++f.urgent_unfilled;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  f.seconds = seconds[seconds.size() / 2];
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int n_requests = 5000, n_mediators = 500, runs = 3;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--requests") n_requests = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--mediators") n_mediators = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--runs") runs = std::stoi(argv[i + 1]);
  }
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Berlin", &zone);
  const absl::CivilDay first_monday(2027, 3, 1);
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2027, 2, 26, 12, 0, 0), zone);
  Draw d{std::mt19937_64(1)};
  const auto pool = Pool(d, n_mediators);
  const auto requests = Requests(d, n_requests, first_monday, zone, now);
  MatchSettings optimal;
  optimal.zone = zone;
  MatchSettings fcfs = optimal;
  fcfs.policy = "fcfs";
  const Figures engine = Run(pool, requests, now, optimal, runs);
  const Figures today = Run(pool, requests, now, fcfs, runs);
  std::cout << absl::StrFormat(
      "{\"case\": \"mediators_month\", \"requests\": %d, \"mediators\": %d, \"seconds\": %.3f, \"filled\": %d, "
      "\"mean_km\": %.1f, \"unfilled_no_one_speaks\": %d, \"unfilled_no_one_free\": %d, \"unfilled_others_first\": %d, "
      "\"urgent_unfilled\": %d, \"baseline\": \"fcfs\", \"baseline_seconds\": %.3f, \"baseline_filled\": %d, "
      "\"baseline_mean_km\": %.1f, \"baseline_urgent_unfilled\": %d, \"target_seconds\": 1, \"cores\": %u}\n",
      n_requests, n_mediators, engine.seconds, engine.filled, engine.mean_km, engine.no_one_speaks, engine.no_one_free,
      engine.others_first, engine.urgent_unfilled, today.seconds, today.filled, today.mean_km, today.urgent_unfilled,
      std::thread::hardware_concurrency());
  std::cout << absl::StrFormat(
      "\npolicy   seconds   filled   mean km   urgent unfilled\n"
      "engine  %8.3f %8d %9.1f %17d   (target < 1 s)\n"
      "fcfs    %8.3f %8d %9.1f %17d\n"
      "engine's unfilled: %d no one speaks it, %d no one free then, %d others ranked first\n",
      engine.seconds, engine.filled, engine.mean_km, engine.urgent_unfilled, today.seconds, today.filled, today.mean_km,
      today.urgent_unfilled, engine.no_one_speaks, engine.no_one_free, engine.others_first);
  return 0;
}
