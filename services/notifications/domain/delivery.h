// How a message gets to a person: one message per event and recipient
// (whatever JetStream redelivers), channels in the order the person prefers
// with a fallback when one fails, and retries with exponential backoff until
// the channel's last attempt makes the message a dead letter. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace ankommen::notifications {

enum class Channel { kEmail, kSms, kWebhook, kLetter };
const char* ChannelName(Channel channel);

// The same event for the same person is always the same message.
std::string MessageId(const std::string& event_id, const std::string& recipient_id);

struct RetryPolicy {
  int max_attempts = 5;
  absl::Duration first_delay = absl::Seconds(30);
  double factor = 4;
  absl::Duration max_delay = absl::Hours(2);
};

// The wait before attempt `attempt` (2, 3, …) after a failed one; nullopt
// after the last attempt (the message becomes a dead letter on this channel).
std::optional<absl::Duration> RetryDelay(const RetryPolicy& policy, int failed_attempts);

struct Reachability {
  bool email = false;     // has an e-mail address
  bool phone = false;     // has a mobile number
  bool app = false;       // uses the district's app (webhook)
  Channel preferred = Channel::kEmail;
};

// Channels to try in order: the preferred one if usable, then the others
// that are, ending with a printed letter, which always works.
std::vector<Channel> ChannelOrder(const Reachability& reach);

}  // namespace ankommen::notifications
