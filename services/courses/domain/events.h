// The course service's events, built in one place: pseudonymous (person and
// request ids, never personal data), each with its subject (streams.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/courses/v1/state.pb.h"
#include "bus/bus.h"
#include "domain/learner_rules.h"

namespace ankommen::courses {

ankommen::common::v1::EventMeta EventMeta(std::string event_id, absl::Time now, std::string correlation_id);

OutgoingEvent SeatRequestedEvent(const v1::SeatRequest& request, const std::string& social_area,
                                 ankommen::common::v1::EventMeta meta);
OutgoingEvent RequestWithdrawnEvent(const v1::SeatRequest& request, ankommen::common::v1::EventMeta meta);
OutgoingEvent RequestChangedEvent(const v1::SeatRequest& request, v1::CourseType previous,
                                  ankommen::common::v1::EventMeta meta);
// What reconciling a learner's requests tells: requests opened, withdrawn and
// changed, each event with a fresh meta from `meta`.
std::vector<OutgoingEvent> RequestChangeEvents(const RequestChanges& changes, const std::string& social_area,
                                               const std::function<ankommen::common::v1::EventMeta()>& meta);
// `beside_other_offers`: the person holds offers of other courses too.
OutgoingEvent SeatOfferedEvent(const v1::Hold& hold, const v1::Course& course, ankommen::common::v1::EventMeta meta,
                              bool beside_other_offers = false);
// Accepted, declined, expired or withdrawn, each on its own subject.
OutgoingEvent OfferClosedEvent(const v1::Hold& hold, const v1::Course& course, v1::OfferOutcome outcome,
                               ankommen::common::v1::EventMeta meta);
// Withdrawn by the district, saying why (the notification service tells the
// person unless the request itself was closed).
OutgoingEvent OfferWithdrawnEvent(const v1::Hold& hold, const v1::Course& course, v1::WithdrawalReason reason,
                                  ankommen::common::v1::EventMeta meta);

}  // namespace ankommen::courses
