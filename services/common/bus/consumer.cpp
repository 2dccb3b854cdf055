// Durable pull consumers: a batch fetched, its partitions handled side by
// side and each partition's events in order, acknowledged, retried with
// backoff, or dead-lettered.
#include <nats/nats.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bus/bus.h"
#include "bus/bus_internal.h"
#include "observability/log.h"
#include "store/ids.h"

namespace ankommen {

using namespace bus_internal;

absl::StatusOr<std::unique_ptr<Consumer>> Bus::Consume(const ConsumerSpec& spec, EventHandler handler) {
  return StartConsumer(spec, std::move(handler), nullptr);
}

absl::StatusOr<std::unique_ptr<Consumer>> Bus::ConsumeBatches(const ConsumerSpec& spec, BatchHandler handler) {
  return StartConsumer(spec, nullptr, std::move(handler));
}

absl::StatusOr<std::unique_ptr<Consumer>> Bus::StartConsumer(const ConsumerSpec& spec, EventHandler handler,
                                                             BatchHandler batch_handler) {
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = spec.durable.c_str();
  cfg.AckPolicy = js_AckExplicit;
  cfg.DeliverPolicy = js_DeliverAll;
  cfg.AckWait = Nanos(spec.ack_wait);
  // Unlimited on the server: the consumer dead-letters by itself after
  // max_deliver, so that no event is dropped silently by the server.
  cfg.MaxDeliver = -1;
  if (!spec.filter_subject.empty()) cfg.FilterSubject = spec.filter_subject.c_str();
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  // One that exists keeps where it starts: a restore (ankommenctl restore)
  // sets a consumer to start where it stood at the backup, and a start is not
  // something an update may change.
  jsConsumerInfo* existing = nullptr;
  if (js_GetConsumerInfo(&existing, js_, spec.stream.c_str(), spec.durable.c_str(), nullptr, &jerr) == NATS_OK &&
      existing != nullptr && existing->Config != nullptr) {
    cfg.DeliverPolicy = existing->Config->DeliverPolicy;
    cfg.OptStartSeq = existing->Config->OptStartSeq;
    cfg.OptStartTime = existing->Config->OptStartTime;
  }
  if (existing != nullptr) jsConsumerInfo_Destroy(existing);
  jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &jerr);
  if (s != NATS_OK && jerr == JSConsumerNameExistErr) {
    jerr = static_cast<jsErrCode>(0);
    s = js_UpdateConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &jerr);
  }
  if (info != nullptr) jsConsumerInfo_Destroy(info);
  if (s != NATS_OK) return NatsError(absl::StrCat("consumer ", spec.durable), s, jerr);

  std::unique_ptr<Consumer> consumer(new Consumer());
  consumer->bus_ = this;
  consumer->spec_ = spec;
  consumer->handler_ = std::move(handler);
  consumer->batch_handler_ = std::move(batch_handler);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = consumer->spec_.stream.c_str();
  so.Consumer = consumer->spec_.durable.c_str();
  const char* subject = spec.filter_subject.empty() ? nullptr : consumer->spec_.filter_subject.c_str();
  s = js_PullSubscribe(&consumer->sub_, js_, subject, consumer->spec_.durable.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) return NatsError(absl::StrCat("subscribe ", spec.durable), s, jerr);
  consumer->thread_ = std::thread([c = consumer.get()] { c->Run(); });
  return consumer;
}

Consumer::~Consumer() { Stop(); }

void Consumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
    // The acknowledgements still buffered go out before the process may exit.
    natsConnection_FlushTimeout(bus_->conn_, 2000);
  }
  if (sub_ != nullptr) {
    // Destroy, not Unsubscribe: the durable consumer and its position stay.
    natsSubscription_Destroy(sub_);
    sub_ = nullptr;
  }
}

void Consumer::Run() {
  absl::Time next_backlog_update = absl::InfinitePast();
  while (!stopping_) {
    if (absl::Now() >= next_backlog_update) {
      UpdateBacklog();
      next_backlog_update = absl::Now() + absl::Seconds(2);
    }
    natsMsgList list{nullptr, 0};
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = natsSubscription_Fetch(&list, sub_, spec_.batch, 500, &jerr);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      log::Warn("consumer_fetch_failed", {{"consumer", spec_.durable}, {"error", natsStatus_GetText(s)}});
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    HandleBatch(reinterpret_cast<void**>(list.Msgs), list.Count);
    natsMsgList_Destroy(&list);
  }
}

void Consumer::UpdateBacklog() {
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&info, bus_->js_, spec_.stream.c_str(), spec_.durable.c_str(), nullptr, &jerr);
  if (s != NATS_OK || info == nullptr) {
    log::Debug("consumer_info_failed", {{"consumer", spec_.durable}, {"error", natsStatus_GetText(s)}});
    return;
  }
  bus_->instruments_->backlog.With({spec_.durable}).Set(static_cast<double>(info->NumPending));
  bus_->instruments_->unacked.With({spec_.durable}).Set(static_cast<double>(info->NumAckPending));
  jsConsumerInfo_Destroy(info);
}

void Consumer::HandleBatch(void** msgs, int count) {
  // Each partition's events on one lane, in the order they came; the lanes
  // side by side. Each event is acknowledged and answered as alone; a batch
  // handler gets its lane's events together.
  const size_t workers = static_cast<size_t>(std::max(1, spec_.workers));
  std::vector<std::vector<void*>> lanes(workers);
  for (int i = 0; i < count && workers > 1; ++i) {
    const int partition = PartitionOf(static_cast<natsMsg*>(msgs[i]));
    if (partition < 0) {
      lanes.assign(1, {});  // an event of no partition: the whole batch in order
      break;
    }
    lanes[static_cast<size_t>(partition) % workers].push_back(msgs[i]);
  }
  if (lanes.size() <= 1) {
    HandleLane(std::vector<void*>(msgs, msgs + count));
    return;
  }
  std::vector<std::thread> side;
  for (size_t w = 1; w < lanes.size(); ++w) {
    if (lanes[w].empty()) continue;
    side.emplace_back([this, lane = &lanes[w]] { HandleLane(*lane); });
  }
  HandleLane(lanes[0]);
  for (auto& t : side) t.join();
}

void Consumer::HandleLane(const std::vector<void*>& msgs) {
  if (!batch_handler_) {
    for (void* m : msgs) Handle(m);
    return;
  }
  std::vector<void*> received;
  std::vector<IncomingEvent> events;
  for (void* m : msgs) {
    auto event = Receive(m);
    if (!event.has_value()) continue;
    received.push_back(m);
    events.push_back(std::move(*event));
  }
  if (events.empty()) return;
  absl::Time start = absl::Now();
  std::vector<absl::Status> statuses;
  try {
    statuses = batch_handler_(events);
  } catch (const std::exception& e) {
    statuses.assign(events.size(), absl::InternalError(absl::StrCat("handler threw: ", e.what())));
  }
  if (statuses.size() != events.size()) {
    statuses.assign(events.size(), absl::InternalError("handler answered for a different number of events"));
  }
  // The time per event, as the handler of one at a time is timed.
  const double each = absl::ToDoubleSeconds(absl::Now() - start) / static_cast<double>(events.size());
  auto& handle_seconds = bus_->instruments_->handle_seconds.With({spec_.durable}, LatencyBuckets());
  for (size_t i = 0; i < events.size(); ++i) {
    handle_seconds.Observe(each);
    Answer(received[i], events[i], statuses[i]);
  }
}

std::optional<IncomingEvent> Consumer::Receive(void* raw) {
  auto* msg = static_cast<natsMsg*>(raw);
  IncomingEvent event = ToIncoming(msg);
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta != nullptr) {
    event.delivery = meta->NumDelivered;
    event.stream_sequence = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
  }
  event.cause = absl::StrCat(spec_.durable, "<", event.event_id);  // the ids it mints, where they derive
  // A delivery past max_deliver means the handler crashed the process on it
  // before: do not run it again.
  if (event.delivery > static_cast<uint64_t>(spec_.max_deliver)) {
    DeadLetter(msg, event, "delivered too often without an answer (handler crash or timeout)");
    return std::nullopt;
  }
  return event;
}

void Consumer::Handle(void* raw) {
  auto event = Receive(raw);
  if (!event.has_value()) return;
  absl::Time start = absl::Now();
  absl::Status status;
  try {
    const IdCause cause(event->cause);
    status = handler_(*event);
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("handler threw: ", e.what()));
  }
  bus_->instruments_->handle_seconds.With({spec_.durable}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(absl::Now() - start));
  Answer(raw, *event, status);
}

void Consumer::Answer(void* raw, const IncomingEvent& event, const absl::Status& status) {
  auto* msg = static_cast<natsMsg*>(raw);
  auto& instruments = *bus_->instruments_;
  if (status.ok()) {
    // Not waited for: the connection sends a batch's acknowledgements
    // together. One lost (a crash before it leaves) is a redelivery, which
    // the handler's inbox answers as done.
    natsMsg_Ack(msg, nullptr);
    instruments.consumed.With({spec_.durable, event.subject, "ack"}).Increment();
    return;
  }
  if (status.code() == absl::StatusCode::kInvalidArgument ||
      event.delivery >= static_cast<uint64_t>(spec_.max_deliver)) {
    DeadLetter(msg, event, std::string(status.message()));
    return;
  }
  size_t step = std::min<size_t>(event.delivery - 1, spec_.backoff.empty() ? 0 : spec_.backoff.size() - 1);
  absl::Duration delay = spec_.backoff.empty() ? absl::Seconds(1) : spec_.backoff[step];
  // Unlike the config durations, this delay is in milliseconds.
  natsMsg_NakWithDelay(msg, absl::ToInt64Milliseconds(delay), nullptr);
  instruments.consumed.With({spec_.durable, event.subject, "retry"}).Increment();
  log::Warn("event_retry", {{"consumer", spec_.durable}, {"event_id", event.event_id},
                            {"delivery", event.delivery}, {"error", status.message()}});
}

void Consumer::DeadLetter(void* raw, const IncomingEvent& event, const std::string& reason) {
  auto* msg = static_cast<natsMsg*>(raw);
  natsMsg* dead = nullptr;
  std::string subject = absl::StrCat(kDeadLetterSubjectPrefix, spec_.durable);
  natsMsg_Create(&dead, subject.c_str(), nullptr, nullptr, 0);
  std::string dead_id = absl::StrCat(spec_.durable, ":", event.event_id);
  natsMsgHeader_Set(dead, "Nats-Msg-Id", dead_id.c_str());
  natsMsgHeader_Set(dead, kEventTypeHeader, event.event_type.c_str());
  natsMsgHeader_Set(dead, kOriginalSubjectHeader, event.subject.c_str());
  natsMsgHeader_Set(dead, kFailureHeader, reason.c_str());
  natsMsgHeader_Set(dead, kOriginalStreamHeader, spec_.stream.c_str());
  natsMsgHeader_Set(dead, kOriginalSequenceHeader, std::to_string(event.stream_sequence).c_str());
  jsPubAck* ack = nullptr;
  natsStatus s = js_PublishMsg(&ack, bus_->js_, dead, nullptr, nullptr);
  natsMsg_Destroy(dead);
  if (ack != nullptr) jsPubAck_Destroy(ack);
  if (s != NATS_OK) {
    // Keep the event: it is redelivered and dead-lettered on a later try.
    natsMsg_NakWithDelay(msg, 5000, nullptr);  // milliseconds
    log::Error("dead_letter_failed", {{"consumer", spec_.durable}, {"event_id", event.event_id}});
    return;
  }
  natsMsg_Term(msg, nullptr);
  bus_->instruments_->consumed.With({spec_.durable, event.subject, "dead_letter"}).Increment();
  log::Error("event_dead_lettered", {{"consumer", spec_.durable}, {"event_id", event.event_id},
                                     {"subject", event.subject}, {"delivery", event.delivery}, {"reason", reason}});
}

}  // namespace ankommen
