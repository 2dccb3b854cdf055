// What the simulation reads back from the services: their events (offers,
// enrolments, placements, messages), a snapshot of waiting at each week's
// end, and at the end the report with its checks against the services' own
// state.
#include <filesystem>

#include "simulation_internal.h"

namespace ankommen::sim {

absl::Status Simulation::ReadEvents(int day) {
  for (const char* stream : {streams::kCourses, streams::kSchools, streams::kHousing}) {
    int& cursor = stream_cursor_[stream];
    auto events = bus_->ReadStream(stream, static_cast<uint64_t>(cursor) + 1, 1'000'000);
    if (!events.ok()) return events.status();
    for (const auto& e : *events) {
      cursor = static_cast<int>(e.stream_sequence);
      const std::string& type = e.event_type;
      if (type == cv1::SeatRequested::descriptor()->full_name()) {
        cv1::SeatRequested m;
        m.ParseFromString(e.payload);
        absl::CivilDay on;
        ParseIsoDate(m.requested_on(), on);
        RequestState r;
        r.person_id = m.person_id();
        r.course_type = CourseTypeName(m.course_type());
        r.social_area = m.social_area();
        r.requested_on = on;
        r.type = m.course_type();
        requests_[m.request_id()] = r;
      } else if (type == cv1::RequestChanged::descriptor()->full_name()) {
        // Another type of the family (the youth course for a young adult, say): the same place in line.
        cv1::RequestChanged m;
        m.ParseFromString(e.payload);
        if (auto it = requests_.find(m.request_id()); it != requests_.end()) {
          it->second.type = m.course_type();
          it->second.course_type = CourseTypeName(m.course_type());
        }
      } else if (type == cv1::RequestWithdrawn::descriptor()->full_name()) {
        cv1::RequestWithdrawn m;
        m.ParseFromString(e.payload);
        if (auto it = requests_.find(m.request_id()); it != requests_.end()) it->second.status = RequestState::kWithdrawn;
      } else if (type == cv1::SeatOffered::descriptor()->full_name()) {
        cv1::SeatOffered m;
        m.ParseFromString(e.payload);
        ++offers_["made"];
        auto it = requests_.find(m.request_id());
        if (it != requests_.end()) {
          // The courses' partitions interleave: an enrolment may be read before this offer.
          if (it->second.status == RequestState::kWaiting) it->second.status = RequestState::kOffered;
          ++it->second.open_offers;
        }
        open_request_of_person_[m.person_id()] = m.request_id();
        offered_request_[{m.person_id(), m.course_id()}] = m.request_id();
        expected_messages_.push_back({m.person_id(), m.meta().event_id()});
        auto course = course_index_.find(m.course_id());
        const size_t c = course != course_index_.end() ? course->second : courses_state_.size();
        const OfferAnswer answer = AnswerToOffer(m.person_id(), c);
        if (answer.kind == OfferAnswer::kAccept && it != requests_.end() && c < courses_state_.size()) {
          // Offered two courses they would take, a person takes the one that
          // starts first: the other's acceptance is not sent (its offer is
          // withdrawn when the first is accepted).
          // (Parallel classes start on the same day: the first course of
          // the plan then, whichever offer's event is read first.)
          RequestState& r = it->second;
          const int start = courses_state_[c].plan->start_day;
          const bool other_pending = !r.accepting_offer.empty() && r.accepting_answer_day > day;
          if (other_pending && std::pair(r.accepting_start_day, r.accepting_course) <= std::pair(start, c)) continue;
          if (other_pending) {
            auto [from, to] = answers_.equal_range(r.accepting_answer_day);
            for (auto a = from; a != to; ++a) {
              if (a->second.id == r.accepting_offer) {
                answers_.erase(a);
                break;
              }
            }
          }
          r.accepting_offer = m.offer_id();
          r.accepting_course = c;
          r.accepting_start_day = start;
          r.accepting_answer_day = day + answer.after_days;
        }
        if (answer.kind != OfferAnswer::kLapse) {
          answers_.insert({day + answer.after_days,
                           {0, m.offer_id(),
                            answer.kind == OfferAnswer::kAccept ? PendingAnswer::kAcceptSeat : PendingAnswer::kDeclineSeat}});
        }
      } else if (type == cv1::OfferClosed::descriptor()->full_name()) {
        cv1::OfferClosed m;
        m.ParseFromString(e.payload);
        static const std::map<cv1::OfferOutcome, std::string> kOutcome = {{cv1::OFFER_OUTCOME_ACCEPTED, "accepted"},
                                                                          {cv1::OFFER_OUTCOME_DECLINED, "declined"},
                                                                          {cv1::OFFER_OUTCOME_EXPIRED, "expired"},
                                                                          {cv1::OFFER_OUTCOME_WITHDRAWN, "withdrawn"}};
        ++offers_[kOutcome.count(m.outcome()) ? kOutcome.at(m.outcome()) : "other"];
        if (m.withdrawal_reason() == cv1::WITHDRAWAL_REASON_COURSE_FULL) ++offers_["withdrawn, course full"];
        // A lapse and a withdrawal by the district are told to the person (a
        // withdrawal for a closed request is not: nobody waits for it).
        if (m.outcome() == cv1::OFFER_OUTCOME_EXPIRED ||
            (m.outcome() == cv1::OFFER_OUTCOME_WITHDRAWN &&
             m.withdrawal_reason() != cv1::WITHDRAWAL_REASON_REQUEST_CLOSED &&
             m.withdrawal_reason() != cv1::WITHDRAWAL_REASON_ANOTHER_ACCEPTED &&
             m.withdrawal_reason() != cv1::WITHDRAWAL_REASON_UNSPECIFIED)) {
          expected_messages_.push_back({m.person_id(), m.meta().event_id()});
        }
        if (m.withdrawal_reason() == cv1::WITHDRAWAL_REASON_ANOTHER_ACCEPTED) ++offers_["withdrawn, another accepted"];
        auto it = requests_.find(m.request_id());
        if (it != requests_.end()) it->second.open_offers = std::max(0, it->second.open_offers - 1);
        if (it != requests_.end() && m.outcome() != cv1::OFFER_OUTCOME_ACCEPTED) {
          // Back in line once no other offer is open (and not enrolled meanwhile).
          if (it->second.status == RequestState::kOffered && it->second.open_offers == 0) {
            it->second.status = RequestState::kWaiting;
          }
          if (auto c = course_index_.find(m.course_id()); c != course_index_.end()) {
            // The course service's rule (NoteOfferNotTaken): a decline or a
            // second lapse passes the course; a first lapse may be offered again;
            // an offer the service withdrew passes nothing.
            const int course = static_cast<int>(c->second);
            RequestState& r = it->second;
            if (m.outcome() == cv1::OFFER_OUTCOME_DECLINED ||
                (m.outcome() == cv1::OFFER_OUTCOME_EXPIRED && r.lapsed.contains(course))) {
              r.passed.insert(course);
            } else if (m.outcome() == cv1::OFFER_OUTCOME_EXPIRED) {
              r.lapsed.insert(course);
            }
          }
        }
      } else if (type == cv1::EnrolmentStarted::descriptor()->full_name()) {
        cv1::EnrolmentStarted m;
        m.ParseFromString(e.payload);
        auto course = course_index_.find(m.course_id());
        // The request this course was offered for (a person may hold offers for two at once).
        auto offered = offered_request_.find({m.person_id(), m.course_id()});
        auto request = requests_.find(offered != offered_request_.end() ? offered->second
                                                                       : open_request_of_person_[m.person_id()]);
        if (course == course_index_.end() || request == requests_.end()) continue;
        CourseState& c = courses_state_[course->second];
        c.enrolled.push_back(m.person_id());
        expected_messages_.push_back({m.person_id(), m.meta().event_id()});
        RequestState& r = request->second;
        r.status = RequestState::kEnrolled;
        // Access time (BAMF): from the request to the course's start, or to
        // enrolment for a late entry into a running course.
        r.access_wait_days = std::max(0, std::max(c.plan->start_day, day) - DayOf(r.requested_on));
        // Waiting time (BAMF): from registering with the provider, as the course service counts it.
        r.waiting_time_days = m.waiting_time_days();
        r.course = static_cast<int>(course->second);
        r.enrolled_day = day;
        const auto& [h, m_index] = person_index_.at(m.person_id());
        const auto& home = households_[h].arrival->household.location();
        const auto& at = c.plan->course.location().coordinates();
        r.km = Km(home.lat(), home.lon(), at.lat(), at.lon());
      } else if (type == cv1::CourseCompleted::descriptor()->full_name()) {
        cv1::CourseCompleted m;
        m.ParseFromString(e.payload);
        for (const auto& result : m.results()) {
          if (auto it = requests_.find(open_request_of_person_[result.person_id()]); it != requests_.end()) {
            it->second.status = RequestState::kCompleted;
          }
        }
      } else if (type == sv1::SchoolPlaced::descriptor()->full_name()) {
        sv1::SchoolPlaced m;
        m.ParseFromString(e.payload);
        if (!pupils_.count(m.person_id())) pupils_[m.person_id()] = {m.person_id(), day, 1};
        child_placements_.emplace_back(SchoolTypeName(m.school_type()), m.social_area(), m.wait_days());
        expected_messages_.push_back(
            {m.guardian_person_id().empty() ? m.person_id() : m.guardian_person_id(), m.meta().event_id()});
      } else if (type == sv1::KitaPlaced::descriptor()->full_name()) {
        sv1::KitaPlaced m;
        m.ParseFromString(e.payload);
        kita_placed_day_.emplace(m.person_id(), day);
        child_placements_.emplace_back(AgeGroupName(m.age_group()), m.social_area(), m.wait_days());
        expected_messages_.push_back(
            {m.guardian_person_id().empty() ? m.person_id() : m.guardian_person_id(), m.meta().event_id()});
      } else if (type == hv1::HousingOffered::descriptor()->full_name()) {
        hv1::HousingOffered m;
        m.ParseFromString(e.payload);
        expected_messages_.push_back({m.contact_person_id(), m.meta().event_id()});
        Random draw = Draw({4, Who(m.contact_person_id()), static_cast<uint64_t>(++offers_to_[m.household_id()])});
        answers_.insert({day + draw.Int(1, 3),
                         {0, m.offer_id(),
                          draw.Chance(district_.behaviour.housing_confirm_share) ? PendingAnswer::kConfirmHousing
                                                              : PendingAnswer::kDeclineHousing}});
      } else if (type == hv1::HouseholdMovedIn::descriptor()->full_name()) {
        hv1::HouseholdMovedIn m;
        m.ParseFromString(e.payload);
        if (auto it = household_index_.find(m.household_id()); it != household_index_.end()) {
          if (households_[it->second].moved_in_day < 0) households_[it->second].moved_in_day = day;
        }
      } else if (type == hv1::HouseholdMovedOut::descriptor()->full_name()) {
        hv1::HouseholdMovedOut m;
        m.ParseFromString(e.payload);
        if (auto it = household_index_.find(m.household_id()); it != household_index_.end()) {
          households_[it->second].left = true;
        }
      } else if (type == hv1::LeaseTransfer::descriptor()->full_name() && e.subject == streams::kLeaseOffered) {
        hv1::LeaseTransfer m;
        m.ParseFromString(e.payload);
        expected_messages_.push_back({m.contact_person_id(), m.meta().event_id()});
        Random draw = Draw({5, household_index_.count(m.household_id()) ? household_index_[m.household_id()] : 0});
        if (draw.Chance(0.5)) answers_.insert({day + draw.Int(3, 20), {0, m.household_id(), PendingAnswer::kAcceptLease}});
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::Snapshot(int week) {
  WeekPoint w;
  w.week = week;
  std::vector<int> course_waits;
  for (const auto& [id, r] : requests_) {
    if (r.status == RequestState::kWaiting || r.status == RequestState::kOffered) {
      course_waits.push_back(today_ - DayOf(r.requested_on));
    }
  }
  w.course_waiting = static_cast<int>(course_waits.size());
  w.course_wait_median = Summarize(course_waits).median;
  std::vector<int> housing_waits;
  for (const auto& h : households_) {
    if (h.moved_in_day < 0 && !h.left) housing_waits.push_back(today_ - h.arrival->day);
  }
  w.housing_waiting = static_cast<int>(housing_waits.size());
  w.housing_wait_median = Summarize(housing_waits).median;
  sv1::GetCapacityResponse capacity;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::GetCapacity, sv1::GetCapacityRequest(), &capacity); !s.ok()) {
    return s;
  }
  for (const auto& row : capacity.areas()) {
    (row.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED ? w.school_waiting : w.kita_waiting) += row.waiting();
  }
  report_.weekly.push_back(w);
  if (options_.progress) {
    std::cerr << absl::StrFormat(
        "week %2d (%s): %4d households registered; waiting: %4d for a course (median %3.0f d), %3d for school, %3d for "
        "Kita, %4d for housing\n",
        week + 1, IsoDate(Date(today_)), households_.size(), w.course_waiting, w.course_wait_median, w.school_waiting,
        w.kita_waiting, w.housing_waiting);
  }
  return absl::OkStatus();
}

absl::Status Simulation::Finish(Report& report) {
  if (auto s = FinishMediation(report); !s.ok()) return s;
  if (auto s = FinishCasework(report); !s.ok()) return s;
  // Messages still on their way: the dispatcher sends what is due.
  std::map<std::string, std::vector<nv1::Message>> messages;
  std::set<std::string> recipients;
  for (const auto& e : expected_messages_) recipients.insert(e.person_id);
  for (const auto& [person, where] : person_index_) recipients.insert(person);
  // Wait while the backlog shrinks; give up (and report it) after 30 s without progress.
  absl::Time last_progress = absl::Now();
  size_t last_pending = SIZE_MAX;
  for (bool all_final = false; !all_final;) {
    all_final = true;
    size_t pending = 0;
    messages.clear();
    for (const auto& person : recipients) {
      nv1::GetMessagesRequest request;
      request.set_person_id(person);
      nv1::GetMessagesResponse response;
      if (auto s = Call(*notifications_, &nv1::NotificationService::Stub::GetMessages, request, &response); !s.ok()) {
        return s;
      }
      for (const auto& m : response.messages()) {
        pending += m.status() == nv1::MESSAGE_STATUS_PENDING ? 1 : 0;
        messages[person].push_back(m);
      }
    }
    all_final = pending == 0;
    if (pending < last_pending) {
      last_pending = pending;
      last_progress = absl::Now();
    }
    if (!all_final && absl::Now() - last_progress > absl::Seconds(30)) break;  // reported as not reconciled
    if (!all_final) absl::SleepFor(absl::Milliseconds(500));
  }

  // Courses.
  std::map<std::pair<std::string, std::string>, std::vector<const RequestState*>> by_row;
  for (const auto& [id, r] : requests_) by_row[{r.course_type, r.social_area}].push_back(&r);
  for (const auto& [key, rows] : by_row) {
    CourseRow row;
    row.course_type = key.first;
    row.social_area = key.second;
    std::vector<int> access, waiting_time, waited;
    double km = 0;
    for (const RequestState* r : rows) {
      ++row.requests;
      if (r->access_wait_days >= 0) {
        ++row.enrolled;
        access.push_back(r->access_wait_days);
        waiting_time.push_back(std::max(0, r->waiting_time_days));
        km += r->km;
      } else if (r->status == RequestState::kWaiting || r->status == RequestState::kOffered) {
        ++row.waiting;
        waited.push_back(today_ - DayOf(r->requested_on));
      }
    }
    row.access_wait = Summarize(access);
    row.waiting_time = Summarize(waiting_time);
    row.still_waiting_days = Summarize(waited);
    row.mean_km = row.enrolled > 0 ? km / row.enrolled : 0;
    report.courses.push_back(row);
  }
  report.offers = offers_;
  std::vector<int> all_access, all_waiting_time;
  for (const auto& [id, r] : requests_) {
    if (r.access_wait_days < 0) continue;
    all_access.push_back(r.access_wait_days);
    all_waiting_time.push_back(std::max(0, r.waiting_time_days));
  }
  report.course_access_wait = Summarize(all_access);
  report.course_waiting_time = Summarize(all_waiting_time);
  report.unused_seats = unused_seats_;
  for (const auto& u : unused_seats_) report.seats_free_while_eligible_waited += std::min(u.free_seats, u.eligible_waiting);
  CompareWithHindsight(report);
  FindGaps(report);

  // Offers reconcile with the course service's own count of open offers.
  int open_in_service = 0;
  for (const auto& c : courses_state_) {
    cv1::GetCourseRequest request;
    request.set_course_id(c.id);
    cv1::GetCourseResponse response;
    if (auto s = Call(*courses_, &cv1::CourseService::Stub::GetCourse, request, &response); !s.ok()) return s;
    open_in_service += response.course().offered();
  }
  const int closed = offers_["accepted"] + offers_["declined"] + offers_["expired"] + offers_["withdrawn"];
  report.offers["open"] = open_in_service;
  report.checks.push_back({"offers made = accepted + declined + expired + withdrawn + open", offers_["made"],
                           closed + open_in_service, "open offers as the course service counts them"});

  // Children.
  sv1::GetCapacityResponse capacity;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::GetCapacity, sv1::GetCapacityRequest(), &capacity); !s.ok()) {
    return s;
  }
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<int>, int>> children;  // waits, waiting
  for (const auto& [kind, area, wait] : child_placements_) children[{kind, area}].first.push_back(wait);
  int dazs_free = 0, kita_free = 0;
  for (const auto& row : capacity.areas()) {
    const bool school = row.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED;
    const std::string kind = school ? SchoolTypeName(row.school_type()) : AgeGroupName(row.age_group());
    children[{kind, row.social_area()}].second += row.waiting();
    (school ? dazs_free : kita_free) += row.free();
  }
  for (const auto& [key, value] : children) {
    ChildRow row;
    row.kind = key.first;
    row.social_area = key.second;
    row.placed = static_cast<int>(value.first.size());
    row.waiting = value.second;
    row.wait = Summarize(value.first);
    report.children.push_back(row);
  }

  // Housing.
  hv1::GetFiguresResponse figures;
  if (auto s = Call(*housing_, &hv1::HousingService::Stub::GetFigures, hv1::GetFiguresRequest(), &figures); !s.ok()) {
    return s;
  }
  int beds_free = 0;
  for (const auto& a : figures.areas()) {
    report.housing.push_back({a.social_area(), a.beds(), a.beds_used(), a.persons_housed(), a.share_in_flats(),
                              a.standard_violations(), a.households_waiting(), a.persons_per_social_worker()});
    beds_free += a.beds() - a.beds_used();
  }
  std::vector<int> housing_waits;
  for (const auto& h : households_) {
    if (h.moved_in_day >= 0) housing_waits.push_back(h.moved_in_day - h.arrival->day);
  }
  report.housing_wait = Summarize(housing_waits);
  static const std::map<hv1::HouseholdStatus, std::string> kStatus = {
      {hv1::HOUSEHOLD_STATUS_WAITING, "waiting"}, {hv1::HOUSEHOLD_STATUS_OFFERED, "offered"},
      {hv1::HOUSEHOLD_STATUS_HOUSED, "housed"},   {hv1::HOUSEHOLD_STATUS_TRANSFERRED, "transferred"},
      {hv1::HOUSEHOLD_STATUS_LEFT, "left"}};
  int known = 0;
  for (const auto& h : households_) {
    hv1::GetHouseholdRequest request;
    request.set_household_id(h.id);
    hv1::GetHouseholdResponse response;
    auto s = Call(*housing_, &hv1::HousingService::Stub::GetHousehold, request, &response);
    if (s.code() == absl::StatusCode::kNotFound) {
      ++report.households_by_status["unknown to housing"];
      continue;
    }
    if (!s.ok()) return s;
    ++known;
    auto it = kStatus.find(response.household().status());
    ++report.households_by_status[it != kStatus.end() ? it->second : "other"];
  }
  auto& st = report.households_by_status;
  report.checks.push_back({"households registered = housed + waiting (incl. offered) + moved on",
                           report.households_registered,
                           st["housed"] + st["waiting"] + st["offered"] + st["left"] + st["transferred"],
                           absl::StrCat(report.households_registered - known, " unknown to the housing service")});

  // Notifications: every placement and offer reached its person exactly once.
  std::map<std::string, int> delivered_per_event;
  std::map<std::string, std::vector<const nv1::Message*>> sent_for_event;  // delivered or dead
  for (const auto& [person, list] : messages) {
    for (const auto& m : list) {
      if (m.status() != nv1::MESSAGE_STATUS_PENDING) sent_for_event[absl::StrCat(person, "/", m.event_id())].push_back(&m);
      static const std::map<nv1::MessageStatus, std::string> kOutcome = {{nv1::MESSAGE_STATUS_DELIVERED, "delivered"},
                                                                         {nv1::MESSAGE_STATUS_DEAD, "dead letter"},
                                                                         {nv1::MESSAGE_STATUS_PENDING, "pending"}};
      ++report.notifications[m.language().empty() ? "?" : m.language()]
                            [kOutcome.count(m.status()) ? kOutcome.at(m.status()) : "other"];
      if (m.status() != nv1::MESSAGE_STATUS_PENDING) ++delivered_per_event[absl::StrCat(person, "/", m.event_id())];
    }
  }
  long long exactly_once = 0;
  for (const auto& e : expected_messages_) {
    if (delivered_per_event[absl::StrCat(e.person_id, "/", e.event_id)] == 1) ++exactly_once;
  }
  report.checks.push_back({"offers and placements with exactly one message delivered or dead-lettered",
                           static_cast<long long>(expected_messages_.size()), exactly_once,
                           "seat offers, lapses and withdrawals, enrolments, school and Kita places, housing and lease offers"});
  // The same, counted where the messages arrived: each delivered letter is a
  // PDF named by its message's id in the letter directory.
  if (!options_.letters_dir.empty()) {
    long long to_arrive = 0, arrived_once = 0, dead = 0, other_channel = 0;
    for (const auto& e : expected_messages_) {
      const auto it = sent_for_event.find(absl::StrCat(e.person_id, "/", e.event_id));
      if (it == sent_for_event.end()) {
        ++to_arrive;  // none sent: counts as missing
        continue;
      }
      const nv1::Message& m = *it->second.front();
      if (m.status() == nv1::MESSAGE_STATUS_DEAD) {
        ++dead;
        continue;
      }
      ++to_arrive;
      if (m.channel() != "letter") {
        ++other_channel;
        continue;
      }
      std::error_code ec;
      if (it->second.size() == 1 &&
          std::filesystem::exists(std::filesystem::path(options_.letters_dir) / (m.message_id() + ".pdf"), ec)) {
        ++arrived_once;
      }
    }
    report.checks.push_back({"offers and placements whose one letter lies in the letter directory", to_arrive,
                             arrived_once,
                             absl::StrCat("counted by the printed PDFs (named by message id), not by the service's "
                                          "records; dead-lettered apart: ", dead,
                                          other_channel > 0 ? absl::StrCat("; sent by another channel: ", other_channel)
                                                            : "")});
  }

  report.unused = {{"course seats free at course start", course_seats_unused_at_start_},
                   {"DaZ seats", dazs_free},
                   {"Kita places", kita_free},
                   {"beds", beds_free}};
  return absl::OkStatus();
}

}  // namespace ankommen::sim
