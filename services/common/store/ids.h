// Pseudonymous ids and the Redis key space.
//
// Every aggregate lives in one of kPartitions partitions; its keys, its outbox
// and its idempotency records share the partition's hash tag, so one Lua script
// can change state and append events atomically, also on Redis Cluster. An id
// carries its partition: "<prefix>_<16 hex digits>", the first digit is the
// partition. The partition count is therefore part of the data format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ankommen {

inline constexpr int kPartitions = 16;

// A new id in the given partition, e.g. NewId("hh", 7) -> "hh_7f3a…": random,
// or, once DeriveIds() was called, derived from the IdCause open on this
// thread and the ids minted under it before.
std::string NewId(std::string_view prefix, int partition);

// FNV-1a, 64 bits, over `text` from `h` (the standard offset basis unless given):
// a hash that is the same on every machine and run, unlike std::hash.
uint64_t Fnv1a64(std::string_view text, uint64_t h = 14695981039346656037ull);

// Always random: for what only traces a call (correlation ids, replica
// names), never for state.
std::string NewRandomId(std::string_view prefix, int partition);

// Ids from their causes, not at random: for a simulated district only, whose
// runs must repeat byte for byte although events are handled concurrently.
// Called once at start, before any id is minted; `salt` tells this process's
// ids from those of an earlier start of the same service (a restart mints
// under the same causes again: calls counted from zero).
void DeriveIds(std::string salt);
// Back to random ids (tests).
void DrawIdsAtRandom();

// While alive, the ids this thread mints derive from `cause` (an idempotency
// key, an event id) and their order under it: a command or event handled on
// any thread, in any order, gives the same ids. Nests; a cause's children are
// numbered by ChildCause in the order the code under it asks for them.
class IdCause {
 public:
  explicit IdCause(std::string cause);
  ~IdCause();
  IdCause(const IdCause&) = delete;
  IdCause& operator=(const IdCause&) = delete;
};

// A cause under the open one, e.g. one per optimistic attempt's decision, so
// that a retried decision mints the ids the first attempt minted. With none
// open (a gRPC call), the label numbered by its own count: "RunAllocation@3".
std::string ChildCause(std::string_view label);

// True when id is "<prefix>_" followed by 16 lower-case hex digits.
bool IsValidId(std::string_view id, std::string_view prefix);

// The partition an id lives in (the id must be valid).
int PartitionOfId(std::string_view id);

// A stable partition for a string that is not an id, e.g. an idempotency key.
int PartitionOfKey(std::string_view key);

// Builds keys "ankommen:<service>:{<service>:p<N>}:<suffix>".
class KeySpace {
 public:
  explicit KeySpace(std::string service);
  const std::string& service() const { return service_; }
  std::string Key(int partition, std::string_view suffix) const;
  // Key(partition, kind + name), made in one allocation: a check makes dozens.
  std::string Key(int partition, std::string_view kind, std::string_view name) const;
  std::string Outbox(int partition) const { return Key(partition, "outbox"); }
  // Per stream, the highest sequence of an event the partition's relay
  // published and removed from its outbox (with the removal, in one script):
  // what a backup of Redis has already handed to JetStream (ankommenctl restore).
  std::string Published(int partition) const { return Key(partition, "published"); }
  std::string Idempotency(int partition, std::string_view scope, std::string_view key) const;
  // The inbox record of an event applied by a consumer: an idempotency record
  // whose key is the event id.
  std::string Inbox(int partition, std::string_view consumer, std::string_view event_id) const;

 private:
  std::string service_;
  std::vector<std::string> prefixes_;  // each partition's "ankommen:<service>:{<service>:p<n>}:"
};

}  // namespace ankommen
