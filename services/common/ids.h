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

namespace ankommen {

inline constexpr int kPartitions = 16;

// A new random id in the given partition, e.g. NewId("hh", 7) -> "hh_7f3a…".
std::string NewId(std::string_view prefix, int partition);

// True when id is "<prefix>_" followed by 16 lower-case hex digits.
bool IsValidId(std::string_view id, std::string_view prefix);

// The partition an id lives in (the id must be valid).
int PartitionOfId(std::string_view id);

// A stable partition for a string that is not an id, e.g. an idempotency key.
int PartitionOfKey(std::string_view key);

// Builds keys "ankommen:<service>:{<service>:p<N>}:<suffix>".
class KeySpace {
 public:
  explicit KeySpace(std::string service) : service_(std::move(service)) {}
  const std::string& service() const { return service_; }
  std::string Key(int partition, std::string_view suffix) const;
  std::string Outbox(int partition) const { return Key(partition, "outbox"); }
  std::string Idempotency(int partition, std::string_view scope, std::string_view key) const;
  // The inbox record of an event applied by a consumer: an idempotency record
  // whose key is the event id.
  std::string Inbox(int partition, std::string_view consumer, std::string_view event_id) const;

 private:
  std::string service_;
};

}  // namespace ankommen
