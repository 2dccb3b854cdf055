// The events of one type waiting in a service's outbox (no relay runs in an
// integration test), in commit order within each partition.
#pragma once

#include <vector>

#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"

namespace ankommen::testing {

template <typename Event>
std::vector<Event> OutboxEvents(RedisPool& redis, const KeySpace& keys) {
  std::vector<Event> out;
  for (int p = 0; p < kPartitions; ++p) {
    auto r = redis.Command({"XRANGE", keys.Outbox(p), "-", "+"});
    if (!r.ok()) continue;
    for (const auto& entry : r->elements) {
      const auto& fields = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == "type" && fields[i + 1].str != Event::descriptor()->full_name()) break;
        if (fields[i].str != "payload") continue;
        out.emplace_back().ParseFromString(fields[i + 1].str);
      }
    }
  }
  return out;
}

}  // namespace ankommen::testing
