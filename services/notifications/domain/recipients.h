// Whom a message goes to: a person (the registry's "p_…", contact data from
// the registry at sending), or the district's own staff, who are not in the
// registry — a social area's social-work team ("team:Riesa", its address from
// ANKOMMEN_NOTIFICATIONS_TEAMS), a language mediator of the pool
// ("mediator:med_…", contact data from the mediators service at sending) or
// the office that asked for one ("office:<its token subject>", its address
// from ANKOMMEN_NOTIFICATIONS_OFFICES). Pure.
#pragma once

#include <string>
#include <string_view>

namespace ankommen::notifications {

inline constexpr char kTeamPrefix[] = "team:";
inline constexpr char kMediatorPrefix[] = "mediator:";
inline constexpr char kOfficePrefix[] = "office:";

inline bool IsStaff(std::string_view recipient) {
  return recipient.starts_with(kTeamPrefix) || recipient.starts_with(kMediatorPrefix) ||
         recipient.starts_with(kOfficePrefix);
}

}  // namespace ankommen::notifications
