// The operator's everyday questions, answered as tables for people (or JSON
// for scripts): who waits for which course, what a person was offered, where
// places are missing, and an allocation run now.
#pragma once

#include <string>

namespace ankommen::ctl {

struct Addresses {
  std::string courses, schools, housing, mediators, casework;
};

// course_type: general, alpha, parents, youth, orientation, job, volunteer (or the enum name).
int ShowWaitingList(const Addresses& at, const std::string& course_type, const std::string& area, bool json);
int ShowOffers(const Addresses& at, const std::string& person_id, bool json);
int ShowGaps(const Addresses& at, const std::string& area, bool json);
// The schools office's work list: school and Kita proposals waiting for a decision.
int ShowProposals(const Addresses& at, const std::string& area, bool json);
// decision: confirm, reject or place (by hand, at place_id); reason: an
// override reason's short name (siblings, special_needs, transport,
// family_wish, safeguarding, other).
int DecideSchoolPlacement(const Addresses& at, const std::string& decision, const std::string& person_id,
                          const std::string& place_id, const std::string& reason, const std::string& note, bool json);
// The coordinating office's work list: requests for a mediator not yet booked, oldest first.
int ShowMediation(const Addresses& at, const std::string& language, const std::string& area, bool json);
// Social work's caseloads: persons per worker by programme and area against the district's target.
int ShowCaseloads(const Addresses& at, const std::string& area, bool json);
// service: courses, schools, housing or mediators; policy for courses and mediators: "", optimal or fcfs.
int AllocateNow(const Addresses& at, const std::string& service, const std::string& policy, bool json);

}  // namespace ankommen::ctl
