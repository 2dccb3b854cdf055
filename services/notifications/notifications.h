// The notification service's use cases: events that concern a person become
// messages (one per event and person, whatever is redelivered), and the
// dispatcher sends what is due — contact data read from the registry at that
// moment, the text rendered in the person's language, the channels tried in
// the person's order with retries and fallback, a dead letter at the end.
//
// A message is claimed for an attempt by writing its next attempt time ahead
// (optimistic, per message), so replicas never send one message at the same
// time; a process that dies mid-attempt leaves the claim to expire, and the
// retry carries the same message id, by which the receivers drop a copy.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/aggregates.h"
#include "ankommen/notifications/v1/notifications.pb.h"
#include "ankommen/notifications/v1/state.pb.h"
#include "bus/bus.h"
#include "channels/channel.h"
#include "runtime/clock.h"
#include "contacts.h"
#include "domain/delivery.h"
#include "domain/templates.h"
#include "store/outbox.h"
#include "grpc/request_context.h"

namespace ankommen {
class Metrics;
class RedisPool;
}  // namespace ankommen

namespace ankommen::notifications {

struct NotificationSettings {
  RetryPolicy retry;
  // Sends per second and channel: mail servers and SMS gateways throttle
  // floods; printed letters are files for the print room.
  std::map<Channel, double> per_second = {
      {Channel::kEmail, 20}, {Channel::kSms, 10}, {Channel::kWebhook, 50}, {Channel::kLetter, 500}};
  absl::Duration claim = absl::Minutes(2);  // an attempt taking longer is presumed lost
  // Each social area's social-work team (its office address, not a person's):
  // they hear of capacity gaps in their area. Areas not listed are not told.
  std::map<std::string, std::string> team_emails;
  // The offices that ask for language mediators, by their token's subject
  // (ANKOMMEN_NOTIFICATIONS_OFFICES): they hear when one is booked. Offices not listed are not told.
  std::map<std::string, std::string> office_emails;
  std::string time_zone = "Europe/Berlin";
};

struct NotificationInstruments;

class Notifications {
 public:
  Notifications(Outbox& outbox, RedisPool& redis, ContactBook& contacts, TemplateSet templates,
                std::map<Channel, std::unique_ptr<Sender>> senders, NotificationSettings settings, const Clock& clock,
                Metrics& metrics);
  ~Notifications();

  // Events of courses, schools, housing and the mediators service: the
  // messages they call for (event_messages.cpp). The
  // registry's erasures (and merges): the person's messages go, and no new
  // one is made for them.
  absl::Status ApplyEvent(const IncomingEvent& event);

  // Sends what is due now, up to `limit` messages; returns how many were attempted.
  absl::StatusOr<int> DispatchDue(int limit = 100);

  absl::Status GetMessages(const v1::GetMessagesRequest& request, v1::GetMessagesResponse& response,
                           const RequestContext& rc);
  absl::Status Resend(const v1::ResendRequest& request, v1::ResendResponse& response, const RequestContext& rc);

  void set_on_new(std::function<void()> fn) { on_new_ = std::move(fn); }
  // Where mediators' contact data comes from (the mediators service); without
  // one, messages to mediators wait (UNAVAILABLE) as for an absent registry.
  void set_mediator_contacts(ContactBook* book) { mediator_contacts_ = book; }

 private:
  struct Draft {
    std::string person_id;
    std::string kind;
    std::map<std::string, std::string> values;
    std::map<std::string, int64_t> dates;
  };
  absl::Status Create(const IncomingEvent& event, int64_t event_time, const Draft& draft);
  // A booked mediator: the person, the mediator and the office that asked are told.
  absl::Status MediatorBooked(const IncomingEvent& event);
  // A booking the office cancelled: the mediator is told.
  absl::Status BookingCancelled(const IncomingEvent& event);
  std::string TimeOfDay(int64_t unix_seconds) const;
  // Deletes the person's messages and leaves a marker that expires with the inbox records.
  absl::Status ErasePerson(const std::string& person_id);
  absl::StatusOr<bool> IsErased(const std::string& person_id);
  absl::Status DeleteMessages(const std::string& person_id, const std::vector<std::string>& message_ids);
  // The district's staff (domain/recipients.h): a team's or an office's
  // address from the settings, a mediator's contact from the mediators service.
  absl::StatusOr<Contact> StaffContact(const std::string& recipient) const;
  // One attempt of one message; false when another replica has it.
  absl::StatusOr<bool> Attempt(const std::string& message_id);
  absl::StatusOr<std::optional<Loaded<v1::MessageRecord>>> Load(const std::string& message_id);
  std::string MessageKey(const std::string& message_id) const;
  std::string DueKey(int partition) const;
  std::string PersonKey(const std::string& person_id) const;
  std::string ErasedKey(const std::string& person_id) const;

  Outbox& outbox_;
  RedisPool& redis_;
  ContactBook& contacts_;
  ContactBook* mediator_contacts_ = nullptr;
  TemplateSet templates_;
  std::map<Channel, std::unique_ptr<Sender>> senders_;
  std::map<Channel, std::unique_ptr<RateLimiter>> limiters_;
  NotificationSettings settings_;
  const Clock& clock_;
  std::unique_ptr<NotificationInstruments> instruments_;
  std::function<void()> on_new_;
};

}  // namespace ankommen::notifications
