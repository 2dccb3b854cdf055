// Loading protobuf aggregates stored by the outbox ({v, data} hashes): one,
// or all that a per-partition index (a sorted set of ids) names, by pipeline.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"

namespace ankommen {

template <typename Record>
struct Loaded {
  Record record;
  int64_t version = 0;
};

// The aggregate under `key`, or nullopt; DATA_LOSS when it does not parse.
template <typename Record>
absl::StatusOr<std::optional<Loaded<Record>>> LoadAggregate(Outbox& outbox, const std::string& key) {
  auto stored = outbox.Load(key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<Loaded<Record>>();
  Loaded<Record> loaded;
  if (!loaded.record.ParseFromString((*stored)->state)) {
    return absl::DataLossError(absl::StrCat(key, " is stored unreadably"));
  }
  loaded.version = (*stored)->version;
  return std::optional<Loaded<Record>>(std::move(loaded));
}

// The aggregates of `ids` (keys through key_of), by one pipeline, in the
// ids' order: nullopt for one that does not exist.
template <typename Record>
absl::StatusOr<std::vector<std::optional<Loaded<Record>>>> LoadEach(
    RedisPool& redis, const std::vector<std::string>& ids,
    const std::function<std::string(const std::string&)>& key_of) {
  std::vector<std::optional<Loaded<Record>>> out;
  if (ids.empty()) return out;
  std::vector<std::vector<std::string>> gets;
  gets.reserve(ids.size());
  for (const auto& id : ids) gets.push_back({"HMGET", key_of(id), "v", "data"});
  auto replies = redis.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  out.reserve(replies->size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.elements.size() < 2 || r.elements[1].is_nil()) {
      out.emplace_back();
      continue;
    }
    Loaded<Record> loaded;
    if (!loaded.record.ParseFromString(r.elements[1].str) || !absl::SimpleAtoi(r.elements[0].str, &loaded.version)) {
      return absl::DataLossError(absl::StrCat(ids[i], " is stored unreadably"));
    }
    out.emplace_back(std::move(loaded));
  }
  return out;
}

// The same without those that do not exist (removed meanwhile).
template <typename Record>
absl::StatusOr<std::vector<Loaded<Record>>> LoadAggregates(RedisPool& redis, const std::vector<std::string>& ids,
                                                           const std::function<std::string(const std::string&)>& key_of) {
  auto each = LoadEach<Record>(redis, ids, key_of);
  if (!each.ok()) return each.status();
  std::vector<Loaded<Record>> out;
  out.reserve(each->size());
  for (auto& loaded : *each) {
    if (loaded.has_value()) out.push_back(std::move(*loaded));
  }
  return out;
}

// Every aggregate named by a per-partition sorted set `index_name`, in all
// partitions; `range` is what ZRANGE is asked after the key (all by default,
// or e.g. {min, max, "BYSCORE"}). Ids become keys through key_of.
template <typename Record>
absl::StatusOr<std::vector<Loaded<Record>>> LoadIndexed(RedisPool& redis, const KeySpace& keys,
                                                        const std::string& index_name,
                                                        const std::function<std::string(const std::string&)>& key_of,
                                                        const std::vector<std::string>& range = {"0", "-1"}) {
  std::vector<std::vector<std::string>> ranges;
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<std::string> command = {"ZRANGE", keys.Key(p, index_name)};
    command.insert(command.end(), range.begin(), range.end());
    ranges.push_back(std::move(command));
  }
  auto indexes = redis.Pipeline(ranges);
  if (!indexes.ok()) return indexes.status();
  std::vector<std::string> ids;
  for (const auto& index : *indexes) {
    for (const auto& e : index.elements) ids.push_back(e.str);
  }
  return LoadAggregates<Record>(redis, ids, key_of);
}

}  // namespace ankommen
