// What the pool delivers: the monthly hours for billing, the figures per
// language and area (the gap a district recruits for), and the gauges.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpc/status.h"
#include "mediators.h"
#include "mediators_internal.h"
#include "text/field_checks.h"

namespace ankommen::mediators {
namespace {

// The q-quantile of xs (sorted here), or 0 for none.
double Quantile(std::vector<double> xs, double q) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  return xs[std::min(xs.size() - 1, static_cast<size_t>(q * static_cast<double>(xs.size())))];
}

// A field for CSV: quoted when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

absl::Status Mediators::ExportHours(const v1::ExportHoursRequest& request, v1::ExportHoursResponse& response,
                                    const RequestContext&) {
  absl::CivilDay first;
  if (request.month().size() != 7 || !ParseIsoDate(request.month() + "-01", first)) {
    return InvalidFields({{"month", "must be a month YYYY-MM"}});
  }
  const absl::TimeZone zone = settings_.match.zone;
  const absl::CivilMonth month(first);
  auto calendar = store_.LoadCalendar(absl::FromCivil(month, zone), absl::FromCivil(month + 1, zone));
  if (!calendar.ok()) return calendar.status();
  struct Line {
    int appointments = 0, minutes = 0, no_shows_person = 0, no_shows_mediator = 0;
  };
  std::map<std::pair<std::string, std::string>, Line> lines;  // office, mediator
  for (const auto& c : *calendar) {
    const auto& r = c.record.request();
    if (r.status() != v1::REQUEST_STATUS_DELIVERED && r.status() != v1::REQUEST_STATUS_NO_SHOW) continue;
    Line& line = lines[{r.office(), r.booked_mediator_id()}];
    line.appointments += 1;
    line.minutes += r.minutes_delivered();
    if (r.status() == v1::REQUEST_STATUS_NO_SHOW) {
      (r.reason() == "no_show_mediator" ? line.no_shows_mediator : line.no_shows_person) += 1;
    }
  }
  std::string csv = "office,mediator_id,appointments,minutes_delivered,no_shows_person,no_shows_mediator\n";
  for (const auto& [key, l] : lines) {
    absl::StrAppend(&csv, CsvField(key.first), ",", key.second, ",", l.appointments, ",", l.minutes, ",",
                    l.no_shows_person, ",", l.no_shows_mediator, "\n");
  }
  response.set_csv(std::move(csv));
  return absl::OkStatus();
}

absl::Status Mediators::GetFigures(const v1::GetFiguresRequest&, v1::GetFiguresResponse& response,
                                   const RequestContext&) {
  auto open = store_.LoadOpen();
  if (!open.ok()) return open.status();
  const absl::TimeZone zone = settings_.match.zone;
  const absl::CivilMonth month(absl::ToCivilSecond(clock_.Now(), zone));
  // Bookings of appointments from this month on: the hours to fill, and who filled them.
  auto calendar = store_.LoadCalendar(absl::FromCivil(month, zone), absl::InfiniteFuture());
  if (!calendar.ok()) return calendar.status();
  struct Tally {
    int open = 0, unfilled = 0;
    std::vector<double> hours_to_fill;
  };
  std::map<std::pair<std::string, std::string>, Tally> by;  // language, area
  for (const auto& l : *open) {
    const auto& r = l.record.request();
    Tally& t = by[{r.language(), r.social_area()}];
    if (r.status() == v1::REQUEST_STATUS_UNFILLED) t.unfilled += 1;
    else t.open += 1;
  }
  int booked = 0, trained = 0;
  for (const auto& c : *calendar) {
    const auto& r = c.record.request();
    if (c.record.booked_at() == 0) continue;
    by[{r.language(), r.social_area()}].hours_to_fill.push_back(
        static_cast<double>(c.record.booked_at() - r.requested_at().seconds()) / 3600.0);
    booked += 1;
    const auto q = c.record.booked_qualification();
    if (q == v1::QUALIFICATION_TRAINED || q == v1::QUALIFICATION_CERTIFIED) trained += 1;
  }
  for (const auto& [key, t] : by) {
    auto* f = response.add_by_language();
    f->set_language(key.first);
    f->set_social_area(key.second);
    f->set_open(t.open);
    f->set_unfilled(t.unfilled);
    f->set_hours_to_fill_median(Quantile(t.hours_to_fill, 0.5));
    f->set_hours_to_fill_p90(Quantile(t.hours_to_fill, 0.9));
  }
  response.set_share_filled_by_trained(booked == 0 ? 0 : static_cast<double>(trained) / booked);
  return absl::OkStatus();
}

absl::Status Mediators::RefreshGauges() {
  auto open = store_.LoadOpen();
  if (!open.ok()) return open.status();
  const absl::Time now = clock_.Now();
  std::map<std::vector<std::string>, double> waiting, unfilled;
  double oldest_urgent = 0;
  for (const auto& l : *open) {
    const auto& r = l.record.request();
    const std::string area = r.social_area().empty() ? "remote" : r.social_area();
    if (r.status() == v1::REQUEST_STATUS_UNFILLED) unfilled[{r.language(), area}] += 1;
    else waiting[{r.language()}] += 1;
    if (r.urgent() && absl::FromUnixSeconds(r.start().seconds()) > now) {
      oldest_urgent = std::max(oldest_urgent, absl::ToDoubleSeconds(now - absl::FromUnixSeconds(r.requested_at().seconds())));
    }
  }
  instruments_->open_table.Publish(waiting);
  instruments_->unfilled_table.Publish(unfilled);
  instruments_->oldest_urgent_gauge.Set(oldest_urgent);

  // Utilisation this month: booked hours against each mediator's cap, in bands.
  auto pool = store_.LoadPool();
  if (!pool.ok()) return pool.status();
  const absl::TimeZone zone = settings_.match.zone;
  const absl::CivilMonth month(absl::ToCivilSecond(now, zone));
  auto calendar = store_.LoadCalendar(absl::FromCivil(month, zone), absl::FromCivil(month + 1, zone));
  if (!calendar.ok()) return calendar.status();
  std::map<std::string, double> minutes;
  for (const auto& c : *calendar) {
    const auto& r = c.record.request();
    if (r.status() == v1::REQUEST_STATUS_BOOKED || r.status() == v1::REQUEST_STATUS_DELIVERED) {
      minutes[r.booked_mediator_id()] += r.duration_minutes();
    }
  }
  std::map<std::vector<std::string>, double> bands = {{{"0-25%"}, 0}, {{"25-50%"}, 0}, {{"50-75%"}, 0}, {{"75-100%"}, 0}};
  for (const auto& m : *pool) {
    const int cap = m.record.mediator().monthly_hours_cap();
    const double share = cap > 0 ? minutes[m.record.mediator().mediator_id()] / (60.0 * cap) : 0;
    const char* band = share < 0.25 ? "0-25%" : share < 0.5 ? "25-50%" : share < 0.75 ? "50-75%" : "75-100%";
    bands[{band}] += 1;
  }
  instruments_->utilisation_table.Publish(bands);
  return absl::OkStatus();
}

}  // namespace ankommen::mediators
