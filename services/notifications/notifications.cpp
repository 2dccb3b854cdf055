#include "notifications.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/notifications/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "bus/streams.h"
#include "store/command.h"
#include "domain/dates.h"
#include "domain/recipients.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "runtime/retention.h"
#include "store/redis.h"

namespace ankommen::notifications {

namespace cv1 = ::ankommen::courses::v1;
namespace sv1 = ::ankommen::schools::v1;
namespace hv1 = ::ankommen::housing::v1;
namespace rv1 = ::ankommen::registry::v1;

struct NotificationInstruments {
  explicit NotificationInstruments(prometheus::Registry& r)
      : sent(prometheus::BuildCounter()
                 .Name("ankommen_notifications_total")
                 .Help("Delivery attempts by channel, language and outcome (delivered, retry, rejected, dead)")
                 .Register(r)),
        latency(prometheus::BuildHistogram()
                    .Name("ankommen_notification_delivery_seconds")
                    .Help("From the event to the message delivered")
                    .Register(r)),
        dead(prometheus::BuildGauge()
                 .Name("ankommen_notifications_dead_letters")
                 .Help("Messages that every channel failed, by the last channel tried (this replica's count)")
                 .Register(r)),
        sent_vec(sent, {"channel", "language", "outcome"}),
        dead_vec(dead, {"channel"}),
        latency_histogram(latency.Add({}, prometheus::Histogram::BucketBoundaries{1, 5, 15, 60, 300, 900, 3600, 14400, 86400})) {}

  prometheus::Family<prometheus::Counter>& sent;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Family<prometheus::Gauge>& dead;
  MetricVec<prometheus::Counter> sent_vec;
  MetricVec<prometheus::Gauge> dead_vec;
  prometheus::Histogram& latency_histogram;
};

namespace {


// The address block of a letter: the name, the street, the postal code and town.
std::string LetterAddress(const Contact& c) {
  std::string block = c.name;
  if (!c.street.empty()) absl::StrAppend(&block, "\n", c.street);
  if (!c.postal_code.empty() || !c.city.empty()) absl::StrAppend(&block, "\n", c.postal_code, " ", c.city);
  return block;
}



std::string PartitionedMessageId(const std::string& event_id, const std::string& person_id) {
  std::string id = MessageId(event_id, person_id);
  const char* kHex = "0123456789abcdef";
  id[4] = kHex[PartitionOfId(person_id)];
  return id;
}

google::protobuf::Timestamp At(int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}

// What became of a message, for the district's figures: ids and the kind, no text, no address.
OutgoingEvent Settled(const v1::Message& msg, int64_t now) {
  v1::MessageSettled e;
  e.mutable_meta()->set_event_id(NewId("ev", 0));
  *e.mutable_meta()->mutable_occurred_at() = At(now);
  e.mutable_meta()->set_producer("notifications");
  e.set_message_id(msg.message_id());
  e.set_kind(msg.kind());
  e.set_recipient(msg.person_id());
  e.set_delivered(msg.status() == v1::MESSAGE_STATUS_DELIVERED);
  e.set_channel(msg.channel());
  *e.mutable_created_at() = msg.created_at();
  return ToOutgoing(streams::kMessageSettled, e);
}


}  // namespace

Notifications::Notifications(Outbox& outbox, RedisPool& redis, ContactBook& contacts, TemplateSet templates,
                             std::map<Channel, std::unique_ptr<Sender>> senders, NotificationSettings settings,
                             const Clock& clock, Metrics& metrics)
    : outbox_(outbox),
      redis_(redis),
      contacts_(contacts),
      templates_(std::move(templates)),
      senders_(std::move(senders)),
      settings_(std::move(settings)),
      clock_(clock),
      instruments_(std::make_unique<NotificationInstruments>(metrics.registry())) {
  for (const auto& [channel, sender] : senders_) {
    auto rate = settings_.per_second.find(channel);
    const double per_second = rate != settings_.per_second.end() ? rate->second : 20;
    limiters_[channel] = std::make_unique<RateLimiter>(per_second, per_second);
  }
}

Notifications::~Notifications() = default;

std::string Notifications::MessageKey(const std::string& id) const {
  return outbox_.keys().Key(PartitionOfId(id), "message:" + id);
}
std::string Notifications::DueKey(int partition) const { return outbox_.keys().Key(partition, "due"); }
std::string Notifications::ErasedKey(const std::string& person_id) const {
  return outbox_.keys().Key(PartitionOfId(person_id), "erased:" + person_id);
}

std::string Notifications::PersonKey(const std::string& person_id) const {
  return outbox_.keys().Key(PartitionOfId(person_id), "person:" + person_id);
}

absl::StatusOr<std::optional<Loaded<v1::MessageRecord>>> Notifications::Load(const std::string& id) {
  return LoadAggregate<v1::MessageRecord>(outbox_, MessageKey(id));
}

absl::StatusOr<Contact> Notifications::StaffContact(const std::string& recipient) const {
  Contact c;
  c.language = kFallbackLanguage;  // the district's working language
  if (absl::StartsWith(recipient, kMediatorPrefix)) {
    // From the mediators service at sending (audited there), not kept here.
    if (mediator_contacts_ == nullptr) return absl::UnavailableError("no mediators service configured (ANKOMMEN_MEDIATORS_ADDR)");
    auto found = mediator_contacts_->Lookup(recipient.substr(strlen(kMediatorPrefix)));
    if (!found.ok()) return found.status();
    c = *found;
    c.language = kFallbackLanguage;
    return c;
  }
  const bool team = absl::StartsWith(recipient, kTeamPrefix);
  const std::string name = recipient.substr(team ? strlen(kTeamPrefix) : strlen(kOfficePrefix));
  const auto& addresses = team ? settings_.team_emails : settings_.office_emails;
  auto it = addresses.find(name);
  if (it == addresses.end()) return absl::NotFoundError(absl::StrCat("no address for ", recipient));
  c.name = team ? absl::StrCat("Sozialarbeit ", name) : name;
  c.email = it->second;
  c.prefers = Contact::Prefers::kEmail;
  return c;
}

absl::Status Notifications::ErasePerson(const std::string& person_id) {
  // The marker first, so that a message made meanwhile is not made, or is
  // deleted when it comes to be sent (Attempt). It outlives the events that
  // could ask for one, as the other services' markers of erased records do.
  const std::string ttl = std::to_string(absl::ToInt64Seconds(ErasureMarkerTtl()));
  auto marked = redis_.Command({"SET", ErasedKey(person_id), "1", "EX", ttl});
  if (!marked.ok()) return marked.status();
  auto ids = redis_.Command({"ZRANGE", PersonKey(person_id), "0", "-1"});
  if (!ids.ok()) return ids.status();
  std::vector<std::string> message_ids;
  for (const auto& e : ids->elements) message_ids.push_back(e.str);
  if (auto s = DeleteMessages(person_id, message_ids); !s.ok()) return s;
  auto dropped = redis_.Command({"DEL", PersonKey(person_id)});
  if (!dropped.ok()) return dropped.status();
  log::Info("person_messages_erased", {{"messages", static_cast<int64_t>(message_ids.size())}});
  return absl::OkStatus();
}

absl::StatusOr<bool> Notifications::IsErased(const std::string& person_id) {
  auto found = redis_.Command({"EXISTS", ErasedKey(person_id)});
  if (!found.ok()) return found.status();
  return found->integer > 0;
}

absl::Status Notifications::DeleteMessages(const std::string& person_id, const std::vector<std::string>& message_ids) {
  std::vector<std::vector<std::string>> commands;
  for (const auto& id : message_ids) {
    // A letter printed for her and not yet taken to the post goes too.
    for (const auto& [channel, sender] : senders_) sender->Forget(id);
    commands.push_back({"DEL", MessageKey(id)});
    commands.push_back({"ZREM", DueKey(PartitionOfId(id)), id});
    commands.push_back({"ZREM", PersonKey(person_id), id});
  }
  if (commands.empty()) return absl::OkStatus();
  auto done = redis_.Pipeline(commands);
  return done.ok() ? absl::OkStatus() : done.status();
}

absl::Status Notifications::Create(const IncomingEvent& event, int64_t event_time, const Draft& draft) {
  if (!IsStaff(draft.person_id)) {
    auto erased = IsErased(draft.person_id);
    if (!erased.ok()) return erased.status();
    if (*erased) {
      log::Info("message_for_erased_person", {{"event_id", event.event_id}, {"kind", draft.kind}});
      return absl::OkStatus();
    }
  }
  const std::string id = PartitionedMessageId(event.event_id, draft.person_id);
  const int partition = PartitionOfId(id);
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto outcome = RunInbox(outbox_, partition, id, [&]() -> absl::StatusOr<Decision> {
    auto existing = Load(id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return absl::AlreadyExistsError("made already");
    v1::MessageRecord record;
    v1::Message& m = *record.mutable_message();
    m.set_message_id(id);
    m.set_event_id(event.event_id);
    m.set_kind(draft.kind);
    m.set_person_id(draft.person_id);
    m.set_status(v1::MESSAGE_STATUS_PENDING);
    *m.mutable_created_at() = At(now);
    for (const auto& [k, v] : draft.values) (*record.mutable_values())[k] = v;
    for (const auto& [k, v] : draft.dates) (*record.mutable_dates())[k] = v;
    record.set_next_attempt_at(now);
    record.set_event_time(event_time);
    Decision d;
    d.commit.aggregate_key = MessageKey(id);
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(DueKey(partition), id, static_cast<double>(now)),
                          IndexOp::SortedAdd(PersonKey(draft.person_id), id, static_cast<double>(now))};
    d.record = id;
    return d;
  });
  if (!outcome.ok() && !absl::IsAlreadyExists(outcome.status())) return outcome.status();
  if (outcome.ok() && !outcome->replayed && on_new_) on_new_();
  return absl::OkStatus();
}

// ---------------------------------------------------------------- sending

absl::StatusOr<int> Notifications::DispatchDue(int limit) {
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  std::vector<std::vector<std::string>> queries;
  for (int p = 0; p < kPartitions; ++p) {
    queries.push_back({"ZRANGEBYSCORE", DueKey(p), "-inf", std::to_string(now), "LIMIT", "0", std::to_string(limit)});
  }
  auto due = redis_.Pipeline(queries);
  if (!due.ok()) return due.status();
  int attempted = 0;
  for (const auto& partition : *due) {
    for (const auto& entry : partition.elements) {
      if (attempted >= limit) return attempted;
      auto done = Attempt(entry.str);
      if (!done.ok()) {
        log::Warn("notification_attempt_failed", {{"message_id", entry.str}, {"error", done.status().message()}});
        continue;
      }
      attempted += *done ? 1 : 0;
    }
  }
  return attempted;
}

absl::StatusOr<bool> Notifications::Attempt(const std::string& id) {
  const int partition = PartitionOfId(id);
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  // 1. Claim: the next attempt time moves ahead by the claim; a concurrent claim loses the race.
  v1::MessageRecord claimed;
  bool ours = false;
  auto s = ApplyChange(outbox_, partition, [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = Load(id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::MessageRecord record = std::move((*loaded)->record);
    if (record.message().status() != v1::MESSAGE_STATUS_PENDING || record.next_attempt_at() > now) {
      return std::optional<Commit>();
    }
    const int64_t until = now + absl::ToInt64Seconds(settings_.claim);
    record.set_next_attempt_at(until);
    Commit c;
    c.aggregate_key = MessageKey(id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = {IndexOp::SortedAdd(DueKey(partition), id, static_cast<double>(until))};
    claimed = record;
    ours = true;
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  if (!ours) return false;

  // 2. Who and how: contact data now, from the registry, not kept.
  const v1::Message& m = claimed.message();
  std::string outcome_name, detail, channel_name, language;
  std::optional<int64_t> next_at;  // set: try again then; unset: final (delivered or dead)
  bool delivered = false, dead = false, next_channel = false;
  auto contact = IsStaff(m.person_id()) ? StaffContact(m.person_id()) : contacts_.Lookup(m.person_id());
  if (absl::IsNotFound(contact.status())) {
    // Erased in the registry. Once this service has heard of it, the message
    // goes with the person's others; until then it stays, dead, saying why.
    auto erased = IsErased(m.person_id());
    if (!erased.ok()) return erased.status();
    if (*erased) {
      if (auto gone = DeleteMessages(m.person_id(), {id}); !gone.ok()) return gone;
      log::Info("message_for_erased_person", {{"message_id", id}, {"kind", m.kind()}});
      return true;
    }
    dead = true;
    detail = IsStaff(m.person_id()) ? "the recipient is not known (any more): nothing is sent"
                                    : "the person was erased: nothing is sent";
  } else if (!contact.ok()) {
    next_at = now + 30;  // the registry is away: no attempt is counted
    detail = std::string(contact.status().message());
    log::Warn("contact_lookup_failed", {{"message_id", id}, {"error", detail}});
  } else {
    const std::string wanted = contact->language.empty() ? kFallbackLanguage : contact->language;
    language = templates_.Find(m.kind(), wanted) != nullptr ? wanted : kFallbackLanguage;
    Values values(claimed.values().begin(), claimed.values().end());
    for (const auto& [k, unix] : claimed.dates()) {
      if (unix > 0) values[k] = FormatDate(absl::FromUnixSeconds(unix), language, settings_.time_zone);
    }
    auto rendered = templates_.Render(m.kind(), language, values);
    Reachability reach;
    reach.email = !contact->email.empty() && senders_.contains(Channel::kEmail);
    reach.phone = !contact->phone.empty() && senders_.contains(Channel::kSms);
    reach.app = contact->uses_app && senders_.contains(Channel::kWebhook);
    switch (contact->prefers) {
      case Contact::Prefers::kEmail: reach.preferred = Channel::kEmail; break;
      case Contact::Prefers::kSms: reach.preferred = Channel::kSms; break;
      case Contact::Prefers::kLetter: reach.preferred = Channel::kLetter; break;
      case Contact::Prefers::kApp: reach.preferred = Channel::kWebhook; break;
      case Contact::Prefers::kAny: reach.preferred = reach.email ? Channel::kEmail : Channel::kSms; break;
    }
    std::vector<Channel> order;
    for (Channel c : ChannelOrder(reach)) {
      if (senders_.contains(c)) order.push_back(c);
    }
    if (!rendered.ok()) {
      dead = true;
      detail = std::string(rendered.status().message());
      log::Error("notification_unrenderable", {{"message_id", id}, {"kind", m.kind()}, {"error", detail}});
    } else if (claimed.channel_index() >= static_cast<int>(order.size())) {
      dead = true;
      detail = "no channel left";
    } else {
      const Channel channel = order[static_cast<size_t>(claimed.channel_index())];
      channel_name = ChannelName(channel);
      OutgoingMessage out;
      out.message_id = id;
      // The app knows its users by their pseudonymous person id; a letter needs the name and address.
      out.to = channel == Channel::kEmail     ? contact->email
               : channel == Channel::kSms     ? contact->phone
               : channel == Channel::kWebhook ? m.person_id()
                                              : LetterAddress(*contact);
      out.subject = rendered->subject;
      out.body = rendered->body;
      out.language = rendered->language;
      out.right_to_left = rendered->right_to_left;
      if (channel == Channel::kLetter) {
        // The German text after the person's, for whoever helps them read it.
        if (language != kFallbackLanguage) {
          Values german = values;
          for (const auto& [k, unix] : claimed.dates()) {
            if (unix > 0) german[k] = FormatDate(absl::FromUnixSeconds(unix), kFallbackLanguage, settings_.time_zone);
          }
          if (auto de = templates_.Render(m.kind(), kFallbackLanguage, german); de.ok()) {
            out.german_subject = de->subject;
            out.german_body = de->body;
          }
        }
        out.printed_on = FormatDate(clock_.Now(), kFallbackLanguage, settings_.time_zone);
      }
      limiters_[channel]->Acquire();
      SendResult result = senders_[channel]->Send(out);
      detail = result.detail;
      switch (result.outcome) {
        case SendResult::Outcome::kDelivered:
          delivered = true;
          outcome_name = "delivered";
          break;
        case SendResult::Outcome::kRetry:
          outcome_name = "retry";
          if (auto delay = RetryDelay(settings_.retry, claimed.attempts_on_channel() + 1)) {
            next_at = now + std::max<int64_t>(1, absl::ToInt64Seconds(*delay));
          } else {
            next_channel = true;
          }
          break;
        case SendResult::Outcome::kRejected:
          outcome_name = "rejected";
          next_channel = true;
          break;
      }
      if (next_channel && claimed.channel_index() + 1 >= static_cast<int>(order.size())) {
        dead = true;
        next_channel = false;
      }
      instruments_->sent_vec.With({channel_name, rendered->language, outcome_name}).Increment();
    }
  }

  // 3. The outcome, on the message as claimed (nobody else touches it while claimed).
  s = ApplyChange(outbox_, partition, [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = Load(id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::MessageRecord record = std::move((*loaded)->record);
    v1::Message& msg = *record.mutable_message();
    if (!channel_name.empty()) {
      v1::Attempt* a = msg.add_attempts();
      a->set_channel(channel_name);
      *a->mutable_at() = At(now);
      a->set_outcome(outcome_name);
      a->set_detail(detail);
      msg.set_channel(channel_name);
    }
    if (!language.empty()) msg.set_language(language);
    Commit c;
    c.aggregate_key = MessageKey(id);
    c.expected_version = (*loaded)->version;
    if (delivered) {
      msg.set_status(v1::MESSAGE_STATUS_DELIVERED);
      *msg.mutable_delivered_at() = At(now);
      c.index_ops = {IndexOp::SortedRemove(DueKey(partition), id)};
      c.events.push_back(Settled(msg, now));
    } else if (dead) {
      msg.set_status(v1::MESSAGE_STATUS_DEAD);
      msg.set_reason(detail);
      c.index_ops = {IndexOp::SortedRemove(DueKey(partition), id)};
      c.events.push_back(Settled(msg, now));
    } else {
      if (next_channel) {
        record.set_channel_index(record.channel_index() + 1);
        record.set_attempts_on_channel(0);
        record.set_next_attempt_at(now);
      } else {
        if (!channel_name.empty()) record.set_attempts_on_channel(record.attempts_on_channel() + 1);
        record.set_next_attempt_at(next_at.value_or(now + 30));
      }
      c.index_ops = {IndexOp::SortedAdd(DueKey(partition), id, static_cast<double>(record.next_attempt_at()))};
    }
    c.state = record.SerializeAsString();
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  if (delivered) {
    instruments_->latency_histogram.Observe(static_cast<double>(std::max<int64_t>(0, now - claimed.event_time())));
  }
  if (dead) {
    instruments_->dead_vec.With({channel_name.empty() ? "none" : channel_name}).Increment();
    if (channel_name.empty()) instruments_->sent_vec.With({"none", language.empty() ? "none" : language, "dead"}).Increment();
    log::Warn("notification_dead_letter", {{"message_id", id}, {"kind", m.kind()}, {"reason", detail}});
  }
  return true;
}

// ---------------------------------------------------------------- queries

absl::Status Notifications::GetMessages(const v1::GetMessagesRequest& request, v1::GetMessagesResponse& response,
                                        const RequestContext&) {
  if (!IsValidId(request.person_id(), "p") && !IsStaff(request.person_id())) {
    Violations v;
    v.Add("person_id", "is not a p_… id");
    return v.ToStatus();
  }
  auto ids = redis_.Command({"ZRANGE", PersonKey(request.person_id()), "0", "-1"});
  if (!ids.ok()) return ids.status();
  for (const auto& e : ids->elements) {
    auto loaded = Load(e.str);
    if (!loaded.ok()) return loaded.status();
    if (loaded->has_value()) *response.add_messages() = (*loaded)->record.message();
  }
  return absl::OkStatus();
}

absl::Status Notifications::Resend(const v1::ResendRequest& request, v1::ResendResponse& response,
                                   const RequestContext&) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.message_id(), "msg")) v.Add("message_id", "is not a msg_… id");
  if (!v.empty()) return v.ToStatus();
  const std::string& id = request.message_id();
  const int partition = PartitionOfId(id);
  bool was_dead = false;
  std::string last_channel;
  auto outcome = RunCommand(outbox_, partition, "resend", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = Load(id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("message ", id, " not found"));
    v1::MessageRecord record = std::move((*loaded)->record);
    if (record.message().status() == v1::MESSAGE_STATUS_PENDING) {
      return absl::FailedPreconditionError("the message is still being sent");
    }
    was_dead = record.message().status() == v1::MESSAGE_STATUS_DEAD;
    last_channel = record.message().channel();
    const int64_t now = absl::ToUnixSeconds(clock_.Now());
    record.mutable_message()->set_status(v1::MESSAGE_STATUS_PENDING);
    record.mutable_message()->clear_reason();
    record.set_channel_index(0);
    record.set_attempts_on_channel(0);
    record.set_next_attempt_at(now);
    Decision d;
    d.commit.aggregate_key = MessageKey(id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(DueKey(partition), id, static_cast<double>(now))};
    d.record = id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) {
    if (was_dead) instruments_->dead_vec.With({last_channel.empty() ? "none" : last_channel}).Decrement();
    if (on_new_) on_new_();
  }
  auto loaded = Load(id);
  if (!loaded.ok()) return loaded.status();
  if (loaded->has_value()) *response.mutable_message() = (*loaded)->record.message();
  return absl::OkStatus();
}

}  // namespace ankommen::notifications
