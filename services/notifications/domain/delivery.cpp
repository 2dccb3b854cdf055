#include "domain/delivery.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"

namespace ankommen::notifications {

const char* ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kEmail: return "email";
    case Channel::kSms: return "sms";
    case Channel::kWebhook: return "webhook";
    case Channel::kLetter: return "letter";
  }
  return "unknown";
}

std::string MessageId(const std::string& event_id, const std::string& recipient_id) {
  // FNV-1a over both ids: stable, short, and not reversible to anything personal.
  uint64_t h = 14695981039346656037ull;
  for (const std::string* part : {&event_id, &recipient_id}) {
    for (unsigned char c : *part) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separates the parts
    h *= 1099511628211ull;
  }
  return absl::StrCat("msg_", absl::Hex(h, absl::kZeroPad16));
}

std::optional<absl::Duration> RetryDelay(const RetryPolicy& policy, int failed_attempts) {
  if (failed_attempts >= policy.max_attempts) return std::nullopt;
  const double seconds =
      absl::ToDoubleSeconds(policy.first_delay) * std::pow(policy.factor, std::max(0, failed_attempts - 1));
  return std::min(absl::Seconds(seconds), policy.max_delay);
}

std::vector<Channel> ChannelOrder(const Reachability& reach) {
  auto usable = [&](Channel c) {
    switch (c) {
      case Channel::kEmail: return reach.email;
      case Channel::kSms: return reach.phone;
      case Channel::kWebhook: return reach.app;
      case Channel::kLetter: return true;
    }
    return false;
  };
  std::vector<Channel> order;
  if (usable(reach.preferred)) order.push_back(reach.preferred);
  for (Channel c : {Channel::kWebhook, Channel::kEmail, Channel::kSms, Channel::kLetter}) {
    if (usable(c) && std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
  }
  return order;
}

}  // namespace ankommen::notifications
