// The operator's everyday questions, answered as tables for people (or JSON
// for scripts): who waits for which course, what a person was offered, where
// places are missing, and an allocation run now.
#pragma once

#include <string>

namespace ankommen::ctl {

struct Addresses {
  std::string courses, schools, housing;
};

// course_type: general, alpha, parents, youth, orientation, job, volunteer (or the enum name).
int ShowWaitingList(const Addresses& at, const std::string& course_type, const std::string& area, bool json);
int ShowOffers(const Addresses& at, const std::string& person_id, bool json);
int ShowGaps(const Addresses& at, const std::string& area, bool json);
// service: courses, schools or housing; policy for courses: "", optimal or fcfs.
int AllocateNow(const Addresses& at, const std::string& service, const std::string& policy, bool json);

}  // namespace ankommen::ctl
