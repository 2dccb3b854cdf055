// What an erasure leaves in Redis: every key that names a person's id, or
// whose value does, with its time to live — for the tests that check that
// nothing of an erased person is kept for good.
#pragma once

#include <string>
#include <vector>

namespace ankommen::testing {

struct Trace {
  std::string key;
  long long ttl_seconds = -1;  // -1: kept until deleted
};

// Every key of the redis-server on `port` that names `text` or holds it.
std::vector<Trace> TracesOf(int port, const std::string& text);

// Of those, the ones kept for good: neither the registry's audit log (the
// record of the erasure itself, which the law asks for) nor keys that expire
// within `expiring_within_seconds` (erased records' markers, which outlive the
// events that could bring them back: runtime/retention.h, and the records of
// events already handled). As "key (ttl N)", for messages.
std::vector<std::string> KeptForGood(const std::vector<Trace>& traces, long long expiring_within_seconds);

}  // namespace ankommen::testing
