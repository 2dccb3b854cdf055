// The event bus on NATS JetStream: streams created or updated at start,
// publishing with the event id as Nats-Msg-Id (the server drops duplicates),
// durable pull consumers with explicit acks, redelivery with backoff, and a
// dead-letter stream for events that keep failing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/retention.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;
struct __natsMsg;
struct jsPubAck;
struct jsPubAckErr;

namespace ankommen {

class Metrics;
struct ServiceConfig;
struct BusInstruments;

inline constexpr char kDeadLetterStream[] = "DEAD_LETTERS";
inline constexpr char kDeadLetterSubjectPrefix[] = "ankommen.dlq.";
inline constexpr char kEventTypeHeader[] = "Ankommen-Event-Type";
inline constexpr char kOriginalSubjectHeader[] = "Ankommen-Original-Subject";
inline constexpr char kFailureHeader[] = "Ankommen-Failure";
// A dead letter names the event it stands for (its stream and sequence there)
// and carries no copy of it: what an erasure must reach stays in one place.
inline constexpr char kOriginalStreamHeader[] = "Ankommen-Original-Stream";
inline constexpr char kOriginalSequenceHeader[] = "Ankommen-Original-Sequence";
// The outbox partition an event was published from (store/ids.h): one
// aggregate's events share it and come in order; different ones never had an
// order between them, so consumers may apply them side by side.
inline constexpr char kPartitionHeader[] = "Ankommen-Partition";

// The inbox prefix of a NATS user: its replies come only there.
inline std::string InboxPrefix(const std::string& user) { return "_INBOX_" + user; }

struct StreamSpec {
  std::string name;                   // no '.' allowed
  std::vector<std::string> subjects;  // e.g. "ankommen.registry.>"
  absl::Duration max_age = EventRetention();
  // JetStream drops a second message with the same Nats-Msg-Id within this window.
  absl::Duration duplicate_window = absl::Minutes(2);
  int replicas = 1;
};

// The stream where events that failed max_deliver times are kept for people to look at.
StreamSpec DeadLetterStreamSpec();

struct OutgoingEvent {
  std::string subject;
  std::string event_id;
  std::string event_type;  // full protobuf message name
  std::string payload;     // serialized protobuf
  int partition = -1;      // the outbox partition it comes from; -1: none (kPartitionHeader)
};

// Where JetStream stored a published event.
struct Published {
  std::string stream;
  uint64_t sequence = 0;
};

struct IncomingEvent {
  std::string subject;
  std::string event_id;
  std::string event_type;
  std::string payload;
  uint64_t stream_sequence = 0;
  uint64_t delivery = 1;  // 1 on the first delivery
  int partition = -1;     // as published (OutgoingEvent::partition)
  std::string original_subject;  // dead letters only
  std::string failure;           // dead letters only
  std::string original_stream;   // dead letters only: where the event is,
  uint64_t original_sequence = 0;  // and at which sequence
  // What the ids minted while handling it derive from (store/ids.h, IdCause):
  // the consumer and the event id. A handler of several at once opens it per event.
  std::string cause;
};

struct ConsumerSpec {
  std::string stream;
  std::string durable;         // no '.' allowed
  std::string filter_subject;  // empty: the whole stream
  // After this many failed deliveries the event goes to the dead-letter stream.
  int max_deliver = 5;
  // Delay before redelivery n (the last one repeats).
  std::vector<absl::Duration> backoff = {absl::Seconds(1), absl::Seconds(5), absl::Seconds(30), absl::Minutes(2)};
  absl::Duration ack_wait = absl::Seconds(30);
  int batch = 64;
  // Threads that handle a fetched batch: the events of one partition in order
  // on one thread, different partitions side by side. A batch holding an
  // event without a partition is handled in order on one thread. The handler
  // must then be safe to call from several threads at once.
  int workers = 1;
};

// OK acks the event. INVALID_ARGUMENT (it can never succeed) dead-letters it at
// once. Any other error redelivers it after a backoff, and dead-letters it
// after max_deliver deliveries.
using EventHandler = std::function<absl::Status(const IncomingEvent&)>;

// Several events at once: a lane's — one or more partitions' events in the
// order they came — so that a handler can read and write for them in fewer
// round trips. One status per event, in order, each meaning what
// EventHandler's does; each event is acknowledged, retried or dead-lettered by
// its own. The consumer opens no IdCause here: the handler opens, while it
// decides for an event, the event's `cause` or one of the event's own (its
// inbox key), so that the ids minted are those of the event handled alone.
using BatchHandler = std::function<std::vector<absl::Status>(const std::vector<IncomingEvent>&)>;

class Consumer {
 public:
  ~Consumer();
  // Asks the consumer to stop after its current fetch (up to half a second);
  // Stop() waits for that. Asking all first stops many in the time of one.
  void RequestStop() { stopping_ = true; }
  void Stop();

 private:
  friend class Bus;
  Consumer() = default;
  void Run();
  void Handle(void* msg);
  void HandleLane(const std::vector<void*>& msgs);
  void HandleBatch(void** msgs, int count);
  // The event of a message, or nullopt when it was dead-lettered for being
  // delivered too often (the handler crashed the process on it).
  std::optional<IncomingEvent> Receive(void* msg);
  void Answer(void* msg, const IncomingEvent& event, const absl::Status& status);
  void DeadLetter(void* msg, const IncomingEvent& event, const std::string& reason);
  void UpdateBacklog();

  class Bus* bus_ = nullptr;
  ConsumerSpec spec_;
  EventHandler handler_;       // one of the two
  BatchHandler batch_handler_;
  __natsSubscription* sub_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

struct StreamState {
  uint64_t messages = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

class Bus {
 public:
  // Connects, retrying until `timeout`; reconnects by itself afterwards.
  static absl::StatusOr<std::unique_ptr<Bus>> Connect(const std::string& url, const std::string& client_name,
                                                      Metrics* metrics, absl::Duration timeout = absl::Seconds(10));
  // How a service connects beyond the URL: as its own NATS user (with the
  // service's permissions) instead of whoever the URL names, and over TLS when
  // a CA is given (with a client certificate: mutual TLS).
  // A user's replies come to "_INBOX_<user>." (InboxPrefix), which NATS
  // authorization lets only that user subscribe to.
  struct Access {
    std::string user, password;
    std::string tls_ca_file, tls_cert_file, tls_key_file;
  };
  static absl::StatusOr<std::unique_ptr<Bus>> Connect(const std::string& url, const std::string& client_name,
                                                      Metrics* metrics, const Access& access,
                                                      absl::Duration timeout = absl::Seconds(10));
  // Connects as the configuration says: URL, NATS user and password file, TLS
  // (ANKOMMEN_NATS_*; runtime/config.h).
  static absl::StatusOr<std::unique_ptr<Bus>> Connect(const ServiceConfig& config,
                                                      const std::string& client_name, Metrics* metrics);
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Creates the stream, or updates it to the spec if it exists.
  absl::Status EnsureStream(const StreamSpec& spec);

  // Publishes and waits for JetStream's acknowledgement: where the event is
  // stored. A duplicate within the window counts as success (the first
  // copy's place).
  absl::StatusOr<Published> Publish(const OutgoingEvent& event);

  // Publishes the events in order without waiting for each answer, then waits
  // (up to `timeout`) for JetStream's answers to all: per event where it is
  // stored, or why not — one wait for the lot where Publish waits for each.
  // The server stores a connection's messages in the order sent, and the
  // connection does not reconnect within a batch: of the events, those stored
  // are always the first ones (an event not stored has none stored after it,
  // unless JetStream refused that one event itself, e.g. its subject).
  std::vector<absl::StatusOr<Published>> PublishAll(const std::vector<OutgoingEvent>& events,
                                                    absl::Duration timeout = absl::Seconds(5));

  // Creates or updates the durable consumer and starts pulling on a thread.
  absl::StatusOr<std::unique_ptr<Consumer>> Consume(const ConsumerSpec& spec, EventHandler handler);
  // The same with a handler of a lane's events at once.
  absl::StatusOr<std::unique_ptr<Consumer>> ConsumeBatches(const ConsumerSpec& spec, BatchHandler handler);

  absl::StatusOr<StreamState> GetStreamState(const std::string& stream);

  // Deliveries of the stream its durable consumers have not finished (not yet
  // delivered, or delivered and not acknowledged), summed over the consumers:
  // 0 when every consumer has handled everything published so far.
  absl::StatusOr<int64_t> Unfinished(const std::string& stream);

  // Deletes every durable consumer of the stream; returns how many. For
  // tests and tools: a consumer created anew replays the stream from its start.
  absl::StatusOr<int> DeleteConsumers(const std::string& stream);

  // Every stored message of the stream from `from_sequence` to its last one
  // now, in order, through an ordered consumer of its own (ephemeral, no
  // acknowledgements: nothing of any service's consumers changes) — a
  // thousand times fewer round trips than ReadStream. `subjects` is what the
  // stream holds (e.g. "ankommen.registry.>"). Stops at the handler's first error.
  absl::Status ReadAll(const std::string& stream, const std::string& subjects, uint64_t from_sequence,
                       const std::function<absl::Status(const IncomingEvent&)>& handler);

  // Reads stored messages by sequence (no consumer involved): for tests,
  // tools and the inspection of dead letters.
  absl::StatusOr<std::vector<IncomingEvent>> ReadStream(const std::string& stream, uint64_t from_sequence,
                                                        size_t max_messages);

 private:
  friend class Consumer;
  friend class JetStreamBackup;
  Bus() = default;

  absl::StatusOr<std::unique_ptr<Consumer>> StartConsumer(const ConsumerSpec& spec, EventHandler handler,
                                                         BatchHandler batch_handler);
  // Opens the connection PublishAll uses, unless it is open.
  absl::Status OpenPublishingConnection();

  std::string url_, client_name_;
  Access access_;
  __natsConnection* conn_ = nullptr;
  __jsCtx* js_ = nullptr;
  // For PublishAll: a connection that does not reconnect by itself (opened
  // again by the next PublishAll), and on it a context whose answers come to
  // OnAsyncAnswer, for the one PublishAll in progress (`async_` under `async_mutex_`).
  __natsConnection* publish_conn_ = nullptr;
  __jsCtx* async_js_ = nullptr;
  std::mutex publish_all_mutex_;  // one PublishAll at a time
  std::mutex async_mutex_;
  struct AsyncBatch* async_ = nullptr;
  static void OnAsyncAnswer(__jsCtx* js, struct __natsMsg* msg, struct jsPubAck* ack, struct jsPubAckErr* err,
                            void* closure);
  std::string inbox_prefix_ = "_INBOX";  // where this connection's replies may come
  std::unique_ptr<BusInstruments> instruments_;
};

}  // namespace ankommen
