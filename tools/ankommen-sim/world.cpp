// The district's people and offices, as the simulation plays them: providers
// announce and run courses, authorities register arrivals (some twice),
// decide asylum and duplicates, people answer offers, landlords report flats,
// households move, the schools office reviews proposals. Every chance is drawn
// per person or household from the seed (Simulation::Draw), so that two runs
// differ by the policy, not by luck.
#include "simulation_internal.h"

#include <algorithm>
#include <tuple>

namespace ankommen::sim {

absl::Status Simulation::AnnounceCourses(int day) {
  for (size_t i = 0; i < plan_.size(); ++i) {
    const PlannedCourse& p = plan_[i];
    if (p.announce_day != day) continue;
    cv1::CreateCourseRequest request;
    request.set_idempotency_key(Key("course", absl::StrCat(i)));
    *request.mutable_course() = p.course;
    request.mutable_course()->set_provider_id(provider_ids_.at(p.provider));
    request.mutable_course()->set_start_date(IsoDate(Date(p.start_day)));
    cv1::CreateCourseResponse response;
    if (auto s = Call(*courses_, &cv1::CourseService::Stub::CreateCourse, request, &response); !s.ok()) return s;
    course_index_[response.course().course_id()] = courses_state_.size();
    courses_state_.push_back(
        {&p, response.course().course_id(), {}, response.course().seats(), response.course().childcare_places()});
  }
  return absl::OkStatus();
}

absl::Status Simulation::StartAndCompleteCourses(int day) {
  for (auto& c : courses_state_) {
    if (c.plan->start_day == day) {
      cv1::UpdateCourseRequest request;
      request.set_idempotency_key(Key("start", c.id));
      request.set_course_id(c.id);
      request.set_status(cv1::COURSE_STATUS_RUNNING);
      cv1::UpdateCourseResponse response;
      if (auto s = Call(*courses_, &cv1::CourseService::Stub::UpdateCourse, request, &response); !s.ok()) return s;
      course_seats_unused_at_start_ += response.course().free_seats();
      if (response.course().free_seats() > 0) {
        NoteFreeSeatsAtStart(c, response.course().free_seats(),
                             response.course().childcare_places() - response.course().childcare_in_use(), day);
      }
    }
    if (c.plan->end_day == day) {
      cv1::CompleteCourseRequest request;
      request.set_idempotency_key(Key("complete", c.id));
      request.set_course_id(c.id);
      const std::string target = c.plan->course.target_level();
      for (const auto& person : c.enrolled) {
        auto* result = request.add_results();
        result->set_person_id(person);
        // Most reach the course's goal; some one level below, a few two.
        const size_t below = Draw({6, Who(person)}).Pick({55, 33, 12});
        static const std::vector<std::string> kLevels = {"A0", "A1", "A2", "B1", "B2", "C1"};
        size_t at = 0;
        while (at < kLevels.size() && kLevels[at] != target) ++at;
        result->set_reached_level(kLevels[at >= below ? at - below : 0]);
      }
      cv1::CompleteCourseResponse response;
      if (auto s = Call(*courses_, &cv1::CourseService::Stub::CompleteCourse, request, &response); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::RegisterArrivals(int day) {
  for (size_t i = 0; i < arrivals_.size(); ++i) {
    const Arrival& a = arrivals_[i];
    if (a.day != day) continue;
    rv1::RegisterHouseholdRequest request;
    request.set_idempotency_key(Key("household", absl::StrCat(i)));
    *request.mutable_household() = a.household;
    rv1::RegisterHouseholdResponse response;
    if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RegisterHousehold, request, &response); !s.ok()) {
      return s;
    }
    if (auto s = ReviewDuplicates(response.household()); !s.ok()) return s;
    for (const auto& person : response.household().members()) {
      if (auto s = ObligeWithoutGerman(person, day); !s.ok()) return s;
    }
    Random again = Draw({11, i});
    if (again.Chance(0.03)) second_registrations_.insert({day + again.Int(1, 10), households_.size()});
    HouseholdState h;
    h.arrival = &a;
    h.id = response.household().household_id();
    for (int m = 0; m < response.household().members_size(); ++m) {
      h.person_ids.push_back(response.household().members(m).person_id());
      person_index_[h.person_ids.back()] = {households_.size(), static_cast<size_t>(m)};
    }
    // Some families want no Kita place (the district's kita_decline_share).
    for (int m = 0; m < response.household().members_size(); ++m) {
      const auto& person = response.household().members(m);
      absl::CivilDay born;
      if (person.relation() != rv1::RELATION_CHILD || !ParseIsoDate(person.birth_date(), born)) continue;
      const int64_t age = (Date(day) - born) / 365;
      const double share = district_.arrivals.kita_decline_share;
      if (age >= 1 && age < 6 && share > 0 && Draw({13, Who(person.person_id())}).Chance(share)) {
        kita_declines_.push_back(person.person_id());
      }
    }
    household_index_[h.id] = households_.size();
    households_.push_back(std::move(h));
    report_.persons_registered += response.household().members_size();
    if (auto s = AskForMediators(day, a, response.household(), i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Simulation::ReviewDuplicates(const rv1::Household& household, const HouseholdState* original) {
  for (int m = 0; m < household.members_size(); ++m) {
    const auto& person = household.members(m);
    if (person.suspected_duplicates_size() > 0) ++report_.duplicates_suspected;
    // The office compares the papers: the same person is the one at the same
    // place in the family registered before; the sim knows, the office checks.
    const std::string same = original != nullptr && m < static_cast<int>(original->person_ids.size())
                                 ? original->person_ids[static_cast<size_t>(m)]
                                 : "";
    bool merged = false;
    for (const auto& suspicion : person.suspected_duplicates()) {
      const bool is_same = !merged && suspicion.other_person_id() == same;
      rv1::ResolveDuplicateRequest request;
      request.set_idempotency_key(Key(is_same ? "merge" : "distinct",
                                      absl::StrCat(person.person_id(), "/", suspicion.other_person_id())));
      request.set_person_id(person.person_id());
      request.set_other_person_id(suspicion.other_person_id());
      request.set_resolution(is_same ? rv1::RESOLUTION_SAME_PERSON : rv1::RESOLUTION_DIFFERENT_PERSONS);
      request.set_reason(is_same ? "simulated office: the same passport" : "simulated office: another person");
      rv1::ResolveDuplicateResponse response;
      if (auto s = Call(*registry_, &rv1::RegistryService::Stub::ResolveDuplicate, request, &response); !s.ok()) {
        // Merged already: its other suspicions went with it.
        if (merged && s.code() == absl::StatusCode::kNotFound) break;
        return s;
      }
      merged = merged || is_same;
    }
    if (original != nullptr) ++(merged ? report_.duplicate_persons_merged : report_.duplicate_persons_missed);
  }
  return absl::OkStatus();
}

namespace {

// A name as another office might spell it: a doubled letter single, or the
// first consonant after a vowel doubled (Hasan / Hassan).
std::string Respell(const std::string& name) {
  for (size_t i = 1; i < name.size(); ++i) {
    if (name[i] == name[i - 1]) return name.substr(0, i) + name.substr(i + 1);
  }
  auto vowel = [](char c) { return std::string_view("aeiouAEIOU").find(c) != std::string_view::npos; };
  for (size_t i = 1; i < name.size(); ++i) {
    if (vowel(name[i - 1]) && !vowel(name[i]) && std::isalpha(static_cast<unsigned char>(name[i]))) {
      return name.substr(0, i + 1) + name[i] + name.substr(i + 1);
    }
  }
  return name + "h";
}

}  // namespace

absl::Status Simulation::RegisterAgain(int day) {
  auto [from, to] = second_registrations_.equal_range(day);
  for (auto it = from; it != to; ++it) {
    const HouseholdState original = households_[it->second];  // a copy: households_ may grow below
    rv1::RegisterHouseholdRequest request;
    request.set_idempotency_key(Key("household-again", original.id));
    *request.mutable_household() = original.arrival->household;
    for (auto& person : *request.mutable_household()->mutable_members()) {
      person.set_given_names(Respell(person.given_names()));
      person.set_family_name(Respell(person.family_name()));
    }
    rv1::RegisterHouseholdResponse response;
    if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RegisterHousehold, request, &response); !s.ok()) {
      return s;
    }
    ++report_.households_registered_twice;
    if (auto s = ReviewDuplicates(response.household(), &original); !s.ok()) return s;
    // Whoever was not recognised stays registered: for the district they are
    // a household of their own now, and the simulation follows them as one.
    rv1::GetHouseholdRequest get;
    get.set_household_id(response.household().household_id());
    get.set_purpose("simulation: does the second registration remain");
    rv1::GetHouseholdResponse remains;
    auto s = Call(*registry_, &rv1::RegistryService::Stub::GetHousehold, get, &remains);
    if (s.code() == absl::StatusCode::kNotFound) continue;
    if (!s.ok()) return s;
    HouseholdState h;
    h.arrival = original.arrival;
    h.id = remains.household().household_id();
    for (int m = 0; m < remains.household().members_size(); ++m) {
      h.person_ids.push_back(remains.household().members(m).person_id());
      person_index_[h.person_ids.back()] = {households_.size(), static_cast<size_t>(m)};
    }
    household_index_[h.id] = households_.size();
    households_.push_back(std::move(h));
    ++report_.households_registered;
    report_.persons_registered += remains.household().members_size();
  }
  return absl::OkStatus();
}

absl::Status Simulation::DecideAsylum(int day) {
  for (const auto& h : households_) {
    if (h.arrival->decision_day != day) continue;
    for (const auto& person : h.person_ids) {
      rv1::ChangeResidenceStatusRequest request;
      request.set_idempotency_key(Key("decision", person));
      request.set_person_id(person);
      request.set_residence_status(h.arrival->decision);
      rv1::ChangeResidenceStatusResponse response;
      if (auto s = Call(*registry_, &rv1::RegistryService::Stub::ChangeResidenceStatus, request, &response); !s.ok()) {
        return s;
      }
      if (auto s = ObligeWithoutGerman(response.person(), day); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::ObligeWithoutGerman(const rv1::Person& person, int day) {
  const bool titled = person.residence_status() == rv1::RESIDENCE_STATUS_PROTECTION_GRANTED ||
                      person.residence_status() == rv1::RESIDENCE_STATUS_RESIDENCE_PERMIT;
  if (!titled || person.relation() == rv1::RELATION_CHILD || person.cefr_level() != "A0" ||
      person.has_course_obligation()) {
    return absl::OkStatus();
  }
  rv1::RecordCourseObligationRequest request;
  request.set_idempotency_key(Key("obligation", person.person_id()));
  request.set_person_id(person.person_id());
  auto& o = *request.mutable_obligation();
  o.set_authority(rv1::OBLIGING_AUTHORITY_FOREIGNERS_OFFICE);
  o.set_ground(rv1::OBLIGATION_GROUND_NO_SIMPLE_GERMAN);
  o.set_decided_on(FormatIsoDate(Date(day)));
  o.set_reason("with the residence title: no simple German (§ 44a (1) no. 1 a)");
  rv1::RecordCourseObligationResponse response;
  if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RecordCourseObligation, request, &response); !s.ok()) {
    return s;
  }
  ++report_.obligations_imposed;
  return absl::OkStatus();
}

absl::Status Simulation::Answer(int day) {
  // In an order of their own, not the order their offers were read in: the
  // streams interleave the services' partitions differently on every run, and
  // one person's two answers of a day (an orientation and an integration
  // course) must not race.
  std::vector<PendingAnswer> due;
  auto [from, to] = answers_.equal_range(day);
  for (auto it = from; it != to; ++it) due.push_back(it->second);
  std::sort(due.begin(), due.end(), [](const PendingAnswer& a, const PendingAnswer& b) {
    return std::tie(a.id, a.kind) < std::tie(b.id, b.kind);
  });
  for (const PendingAnswer& a : due) {
    absl::Status s;
    switch (a.kind) {
      case PendingAnswer::kAcceptSeat: {
        cv1::AcceptOfferRequest r;
        r.set_idempotency_key(Key("accept", a.id));
        r.set_offer_id(a.id);
        cv1::AcceptOfferResponse out;
        s = Call(*courses_, &cv1::CourseService::Stub::AcceptOffer, r, &out);
        break;
      }
      case PendingAnswer::kDeclineSeat: {
        cv1::DeclineOfferRequest r;
        r.set_idempotency_key(Key("decline", a.id));
        r.set_offer_id(a.id);
        cv1::DeclineOfferResponse out;
        s = Call(*courses_, &cv1::CourseService::Stub::DeclineOffer, r, &out);
        break;
      }
      case PendingAnswer::kConfirmHousing: {
        hv1::ConfirmPlacementRequest r;
        r.set_idempotency_key(Key("confirm", a.id));
        r.set_offer_id(a.id);
        hv1::ConfirmPlacementResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::ConfirmPlacement, r, &out);
        break;
      }
      case PendingAnswer::kDeclineHousing: {
        hv1::DeclinePlacementRequest r;
        r.set_idempotency_key(Key("decline-housing", a.id));
        r.set_offer_id(a.id);
        r.set_reason(hv1::OVERRIDE_REASON_FAMILY_WISH);
        hv1::DeclinePlacementResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::DeclinePlacement, r, &out);
        break;
      }
      case PendingAnswer::kAcceptLease: {
        hv1::AcceptLeaseTransferRequest r;
        r.set_idempotency_key(Key("lease", a.id));
        r.set_household_id(a.id);
        hv1::AcceptLeaseTransferResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::AcceptLeaseTransfer, r, &out);
        break;
      }
    }
    // An offer withdrawn in the meantime (seats cut, household moved) is
    // refused; the person's answer simply comes too late.
    if (!s.ok() && s.code() != absl::StatusCode::kFailedPrecondition) return s;
  }
  answers_.erase(from, to);
  return absl::OkStatus();
}

absl::Status Simulation::ReportFlats(int day) {
  for (size_t i = 0; i < flats_.size(); ++i) {
    if (flats_[i].day != day) continue;
    hv1::CreateAccommodationRequest request;
    request.set_idempotency_key(Key("flat", absl::StrCat(i)));
    *request.mutable_accommodation() = flats_[i].accommodation;
    request.mutable_accommodation()->set_vacant_from(IsoDate(Date(day)));
    hv1::CreateAccommodationResponse response;
    if (auto s = Call(*housing_, &hv1::HousingService::Stub::CreateAccommodation, request, &response); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::WeeklyMoves(int day) {
  // Pupils move on: phase 2 after about twelve weeks, a regular class after
  // about twenty-four (which frees the DaZ seat).
  for (auto it = pupils_.begin(); it != pupils_.end();) {
    PupilState& pupil = it->second;
    const int weeks_in = (day - pupil.placed_day) / 7;
    const int next = pupil.phase == 1 && weeks_in >= 12 ? 2 : pupil.phase == 2 && weeks_in >= 24 ? 3 : 0;
    if (next == 0 || !Draw({1, Who(pupil.person_id), static_cast<uint64_t>(day)}).Chance(0.6)) {
      ++it;
      continue;
    }
    sv1::AdvancePhaseRequest request;
    request.set_idempotency_key(Key(absl::StrCat("phase", next, "-", pupil.placed_day), pupil.person_id));
    request.set_person_id(pupil.person_id);
    request.set_phase(next);
    sv1::AdvancePhaseResponse response;
    auto s = Call(*schools_, &sv1::SchoolService::Stub::AdvancePhase, request, &response);
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      // Out of the class since (the family moved, and the child waits for a
      // school near the new home): followed again from its next placement.
      it = pupils_.erase(it);
      continue;
    }
    if (!s.ok()) return s;
    pupil.phase = next;
    ++it;
  }
  // Some housed households find a flat of their own on the market.
  for (size_t i = 0; i < households_.size(); ++i) {
    const HouseholdState& h = households_[i];
    if (h.moved_in_day < 0 || h.left || day - h.moved_in_day < 56 ||
        !Draw({2, i, static_cast<uint64_t>(day)}).Chance(0.03)) {
      continue;
    }
    hv1::MoveOutRequest request;
    request.set_idempotency_key(Key("move-out", h.id));
    request.set_household_id(h.id);
    hv1::MoveOutResponse response;
    auto s = Call(*housing_, &hv1::HousingService::Stub::MoveOut, request, &response);
    if (s.code() == absl::StatusCode::kFailedPrecondition) continue;  // took over its lease meanwhile
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Simulation::DeclineKitas() {
  for (const auto& person_id : kita_declines_) {
    sv1::DeclineKitaRequest request;
    request.set_idempotency_key(Key("decline-kita", person_id));
    request.set_person_id(person_id);
    sv1::DeclineKitaResponse response;
    if (auto s = Call(*schools_, &sv1::SchoolService::Stub::DeclineKita, request, &response); !s.ok()) return s;
    ++report_.kita_declined;
  }
  kita_declines_.clear();
  return absl::OkStatus();
}

absl::Status Simulation::ReviewSchoolProposals() {
  sv1::ListProposalsResponse proposals;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::ListProposals, sv1::ListProposalsRequest(), &proposals);
      !s.ok()) {
    return s;
  }
  // The schools office confirms most proposals the same day and rejects a
  // few (the way there does not work for the family); those children wait
  // for another place in the next run.
  for (const auto& child : proposals.children()) {
    // One key per proposal: a child may be proposed the same place again after a move.
    const std::string decision = absl::StrCat(child.person_id(), "/", child.placement().place_id(), "/",
                                              child.placement().placed_at().seconds());
    // Drawn per child and proposal count, not by the place's id: ids are
    // random, and the same seed must decide the same.
    Random draw = Draw({7, Who(child.person_id()), static_cast<uint64_t>(++proposals_to_[child.person_id()])});
    if (draw.Chance(0.03)) {
      sv1::RejectPlacementRequest request;
      request.set_idempotency_key(Key("reject", decision));
      request.set_person_id(child.person_id());
      request.set_reason(sv1::OVERRIDE_REASON_TRANSPORT);
      sv1::RejectPlacementResponse response;
      if (auto s = Call(*schools_, &sv1::SchoolService::Stub::RejectPlacement, request, &response); !s.ok()) return s;
      ++report_.school_proposals_rejected;
    } else {
      sv1::ConfirmPlacementRequest request;
      request.set_idempotency_key(Key("confirm", decision));
      request.set_person_id(child.person_id());
      sv1::ConfirmPlacementResponse response;
      if (auto s = Call(*schools_, &sv1::SchoolService::Stub::ConfirmPlacement, request, &response); !s.ok()) return s;
      ++report_.school_proposals_confirmed;
    }
  }
  return absl::OkStatus();
}

}  // namespace ankommen::sim
