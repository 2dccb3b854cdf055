// The channels a message can go out on, each behind one interface: e-mail
// over SMTP, SMS through an HTTP gateway, a webhook for a district's app, and
// a printable letter. Each sender has its own timeout; what a failure means
// (try again later, or never) is the sender's to say, the schedule of
// retries the dispatcher's (domain/delivery.h).
#pragma once

#include <mutex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/delivery.h"

namespace ankommen::notifications {

struct OutgoingMessage {
  std::string message_id;  // also the receiver's de-duplication key (Message-ID, Idempotency-Key)
  std::string to;          // an e-mail address, a phone number, an app user id, or a postal name and address
  std::string subject;
  std::string body;
  std::string language;
  bool right_to_left = false;
  // For letters: the German text printed after the person's (empty when the
  // message is German), and the day it is printed, in German.
  std::string german_subject;
  std::string german_body;
  std::string printed_on;
};

struct SendResult {
  enum class Outcome {
    kDelivered,  // the receiver took it
    kRetry,      // a timeout, a 5xx, a refused connection: try again later
    kRejected,   // the receiver will never take it (bad address, 4xx): next channel
  };
  Outcome outcome = Outcome::kRetry;
  std::string detail;  // for the log and the message's history; never the message text
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual Channel channel() const = 0;
  virtual SendResult Send(const OutgoingMessage& message) = 0;
  // Drops what the sender itself kept of a message (a printed letter's
  // file): the message's person was erased. Senders that keep nothing do nothing.
  virtual void Forget(const std::string& /*message_id*/) {}
};

// At most `per_second` sends on average, bursts up to `burst`: gateways and
// mail servers throttle (or block) senders that flood them.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst), tokens_(burst) {}
  // Waits until a send may go.
  void Acquire();

 private:
  std::mutex mutex_;
  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_ = absl::Now();
};

}  // namespace ankommen::notifications
