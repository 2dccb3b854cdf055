// Runs a command once per idempotency key, on optimistic concurrency: the
// decision is made on the current state and committed with its version; a
// concurrent change makes it decide again on the new state; a retry with the
// same key gets what the first call stored; the same key with a different
// request is refused.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "store/outbox.h"

namespace ankommen {

// Identifies a request independent of field order (FNV-1a over the
// deterministic serialisation). It is compared, never reversed.
std::string Fingerprint(const google::protobuf::Message& message);

// The caller the commands run on this thread are for (the token's subject),
// while it lives: the gRPC edge opens one per call. An idempotency key is then
// bound to its caller — the same key from another caller is a different
// request (refused), never a replay of someone else's answer.
class CommandCaller {
 public:
  explicit CommandCaller(const std::string& caller);  // kept by reference: it outlives this
  ~CommandCaller();
  CommandCaller(const CommandCaller&) = delete;
  CommandCaller& operator=(const CommandCaller&) = delete;

 private:
  const std::string* previous_;
};

struct Decision {
  Commit commit;       // without partition and idempotency fields
  std::string record;  // what the idempotency record keeps for a retry
  std::string answer;  // what this call answers
};

struct CommandOutcome {
  bool replayed = false;  // a retry: `record` is what the first call stored
  std::string record;
  std::string answer;     // empty when replayed
};

using Decide = std::function<absl::StatusOr<Decision>()>;

absl::StatusOr<CommandOutcome> RunCommand(Outbox& outbox, int partition, const char* scope,
                                          const google::protobuf::Message& request,
                                          const std::string& idempotency_key, const Decide& decide);

// Applies a consumed event's effect once: `key` names the event (and, when
// one event changes several aggregates, which one); a redelivery finds the
// inbox record and changes nothing (replayed). Unlike a command it does not
// look for the record first — nearly every event comes once, and the commit's
// script finds the record anyway — only when deciding fails (the event's
// effect already there may be why).
absl::StatusOr<CommandOutcome> RunInbox(Outbox& outbox, int partition, const std::string& key, const Decide& decide);

// One event's effect for RunInboxEach: RunInbox's partition, key and decision,
// the decision in two forms.
struct InboxItem {
  int partition = 0;
  std::string key;
  Decide first;  // on state the caller read for all the items together
  Decide again;  // reads for itself, as RunInbox's decide does
};

// RunInbox for several effects, the first decisions' commits in one round
// trip — each its own inbox record and version check. An item whose first
// decision fails, or whose commit conflicts (its aggregate changed since the
// read) or fails, then runs alone as RunInbox with `again`, after the others:
// items that change the same aggregate, or must apply in an order, do not
// belong in one call. One outcome per item, in order.
std::vector<absl::StatusOr<CommandOutcome>> RunInboxEach(Outbox& outbox, const std::vector<InboxItem>& items);

// An event's payload as its message; INVALID_ARGUMENT (dead-lettered at once) when it does not parse.
absl::Status ParsePayload(const IncomingEvent& event, google::protobuf::Message& message);

// An event message (with EventMeta meta) for the outbox.
template <typename Event>
OutgoingEvent ToOutgoing(const char* subject, const Event& event) {
  return {subject, event.meta().event_id(), Event::descriptor()->full_name(), event.SerializeAsString()};
}

// A change that is idempotent by its state (no record): decide returns
// nullopt when there is nothing (more) to do. Retries on concurrent changes.
using DecideChange = std::function<absl::StatusOr<std::optional<Commit>>()>;
absl::Status ApplyChange(Outbox& outbox, int partition, const DecideChange& decide);

}  // namespace ankommen
