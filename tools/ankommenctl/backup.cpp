#include "backup.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/events.pb.h"
#include "bus/backup.h"
#include "bus/bus.h"
#include "runtime/config.h"
#include "runtime/redis_endpoint.h"
#include "store/redis.h"

namespace ankommen::ctl {
namespace {

using nlohmann::json;

int Fail(const std::string& what, const absl::Status& status, int code = 1) {
  std::cerr << "error: " << what << ": " << status.message() << "\n";
  return code;
}

absl::StatusOr<std::unique_ptr<Bus>> ConnectNats(ServiceConfig& config) {
  if (auto s = ApplyEnvironment(config, std::getenv); !s.ok()) return s;
  return Bus::Connect(config, "ankommenctl-backup", nullptr);
}

bool WriteJson(const std::string& path, const json& j) {
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

// Every key matching the pattern (SCAN: the restored Redis serves nobody yet).
absl::StatusOr<std::vector<std::string>> Scan(RedisPool& redis, const std::string& pattern) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto reply = redis.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    if (reply->elements.size() < 2) return absl::InternalError("SCAN: unexpected answer");
    cursor = reply->elements[0].str;
    for (const auto& k : reply->elements[1].elements) keys.push_back(k.str);
  } while (cursor != "0");
  return keys;
}

// What the restored Redis says of JetStream: per stream, the last sequence
// its relays marked as published, and the ids of the events its outboxes
// still hold (published again once the services start).
struct RedisView {
  std::map<std::string, uint64_t> published;
  std::set<std::string> in_outboxes;
};

absl::StatusOr<RedisView> ReadRedisView(RedisPool& redis) {
  RedisView view;
  auto marks = Scan(redis, "ankommen:*:published");
  if (!marks.ok()) return marks.status();
  for (const auto& key : *marks) {
    auto fields = redis.Command({"HGETALL", key});
    if (!fields.ok()) return fields.status();
    for (size_t i = 0; i + 1 < fields->elements.size(); i += 2) {
      uint64_t& mark = view.published[fields->elements[i].str];
      mark = std::max<uint64_t>(mark, std::strtoull(fields->elements[i + 1].str.c_str(), nullptr, 10));
    }
  }
  auto outboxes = Scan(redis, "ankommen:*:outbox");
  if (!outboxes.ok()) return outboxes.status();
  for (const auto& key : *outboxes) {
    auto entries = redis.Command({"XRANGE", key, "-", "+"});
    if (!entries.ok()) return entries.status();
    for (const auto& entry : entries->elements) {
      if (entry.elements.size() < 2) continue;
      const auto& fields = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == "id") view.in_outboxes.insert(fields[i + 1].str);
      }
    }
  }
  return view;
}

// A backup step into `dir`, on the NATS that ANKOMMEN_NATS_* name, over every stream there.
int BackupStep(const std::string& dir,
               const std::function<int(JetStreamBackup&, const std::vector<std::string>&)>& step) {
  std::filesystem::create_directories(dir);
  ServiceConfig config = DefaultConfig("backup");
  auto bus = ConnectNats(config);
  if (!bus.ok()) return Fail(absl::StrCat("NATS at ", config.nats_url), bus.status());
  JetStreamBackup backup(**bus);
  auto streams = backup.StreamNames();
  if (!streams.ok()) return Fail("streams", streams.status());
  return step(backup, *streams);
}

}  // namespace

int BackupConsumers(const std::string& dir) {
  return BackupStep(dir, [&](JetStreamBackup& backup, const std::vector<std::string>& streams) {
    auto positions = backup.ConsumerPositions(streams);
    if (!positions.ok()) return Fail("consumers", positions.status());
    json list = json::array();
    for (const auto& p : *positions) {
      list.push_back({{"stream", p.stream}, {"durable", p.durable}, {"resume_at", p.resume_at},
                      {"config", json::parse(p.config_json)}});
    }
    if (!WriteJson(dir + "/consumers.json", {{"taken_at", absl::FormatTime(absl::Now())}, {"consumers", list}})) {
      return Fail("writing", absl::DataLossError(dir + "/consumers.json"));
    }
    std::cout << "consumers: " << positions->size() << " durable consumers of " << streams.size()
              << " streams, positions in " << dir << "/consumers.json\n";
    return 0;
  });
}

int BackupStreams(const std::string& dir) {
  return BackupStep(dir, [&](JetStreamBackup& backup, const std::vector<std::string>& streams) {
    json list = json::array();
    for (const auto& name : streams) {
      auto facts = backup.Snapshot(name, dir);
      if (!facts.ok()) return Fail(absl::StrCat("snapshot of ", name), facts.status());
      list.push_back({{"name", name}, {"messages", facts->messages}, {"last_seq", facts->last_sequence},
                      {"bytes", facts->bytes_written}});
      std::cout << "stream " << name << ": " << facts->messages << " events to sequence " << facts->last_sequence
                << ", " << facts->bytes_written << " bytes\n";
    }
    if (!WriteJson(dir + "/streams.json", {{"taken_at", absl::FormatTime(absl::Now())}, {"streams", list}})) {
      return Fail("writing", absl::DataLossError(dir + "/streams.json"));
    }
    return 0;
  });
}

int Restore(const std::string& dir) {
  std::ifstream streams_file(dir + "/streams.json"), consumers_file(dir + "/consumers.json");
  json streams = json::parse(streams_file, nullptr, false), consumers = json::parse(consumers_file, nullptr, false);
  if (streams.is_discarded() || consumers.is_discarded()) {
    std::cerr << "error: " << dir << " holds no backup (streams.json and consumers.json)\n";
    return 2;
  }
  ServiceConfig config = DefaultConfig("backup");
  auto bus = ConnectNats(config);
  if (!bus.ok()) return Fail(absl::StrCat("NATS at ", config.nats_url), bus.status());
  auto endpoint = RedisEndpointOf(config);
  if (!endpoint.ok()) return Fail("Redis settings", endpoint.status(), 2);
  auto redis = RedisPool::Connect(*endpoint, 1);
  if (!redis.ok()) return Fail(absl::StrCat("Redis at ", config.redis_url), redis.status());
  auto view = ReadRedisView(**redis);
  if (!view.ok()) return Fail("reading the restored Redis", view.status());

  JetStreamBackup backup(**bus);
  // Into a NATS without these streams, or not at all: nothing is changed when one is there.
  auto existing = backup.StreamNames();
  if (!existing.ok()) return Fail("streams", existing.status());
  for (const auto& s : streams["streams"]) {
    const std::string name = s.value("name", std::string());
    if (std::find(existing->begin(), existing->end(), name) != existing->end()) {
      std::cerr << "error: NATS already has the stream " << name
                << ": restore into a NATS whose JetStream store is empty (nothing was changed)\n";
      return 2;
    }
  }
  std::set<std::string> restored;
  std::vector<std::string> erase_again;
  for (const auto& s : streams["streams"]) {
    const std::string name = s.value("name", std::string());
    auto facts = backup.Restore(name, dir);
    if (!facts.ok()) return Fail(absl::StrCat("restore of ", name), facts.status());
    restored.insert(name);
    // After the mark: an event Redis still holds is published again (or its
    // copy dropped by the inbox); one it does not hold came from a commit
    // after the copy, and goes.
    int cut = 0;
    const auto mark = view->published.find(name);
    if (mark != view->published.end() && mark->second < facts->last_sequence) {
      auto after = (*bus)->ReadStream(name, mark->second + 1, facts->last_sequence - mark->second);
      if (!after.ok()) return Fail(absl::StrCat("reading ", name), after.status());
      for (const auto& e : *after) {
        if (view->in_outboxes.contains(e.event_id)) continue;
        if (auto d = backup.DeleteMessage(name, e.stream_sequence); !d.ok()) return Fail("delete", d);
        ++cut;
        // An erasure after the recovery point is undone by the restore: say whom to erase again.
        registry::v1::PersonErased erased;
        if (e.event_type == registry::v1::PersonErased::descriptor()->full_name() &&
            erased.ParseFromString(e.payload)) {
          erase_again.push_back(erased.person_id());
        }
      }
    }
    std::cout << "stream " << name << ": " << facts->messages << " events to sequence " << facts->last_sequence;
    if (mark != view->published.end()) {
      std::cout << "; Redis marks " << mark->second << " published, " << cut << " later events without a commit cut";
    } else {
      std::cout << "; Redis marks nothing published here (kept whole: no events from an outbox, or a backup "
                   "from before the marks)";
    }
    std::cout << "\n";
  }
  int set_back = 0;
  for (const auto& c : consumers["consumers"]) {
    ConsumerPosition p{c.value("stream", std::string()), c.value("durable", std::string()), c["config"].dump(),
                       c.value("resume_at", uint64_t{1})};
    if (!restored.contains(p.stream)) continue;
    if (auto s = backup.CreateConsumerAt(p, p.resume_at); !s.ok()) return Fail(absl::StrCat("consumer ", p.durable), s);
    ++set_back;
  }
  std::cout << "consumers: " << set_back << " set back to where they stood; " << view->in_outboxes.size()
            << " events wait in the outboxes to be published when the services start\n";
  if (!erase_again.empty()) {
    std::cout << "erased after the recovery point, back with the restore: erase them again "
                 "(ankommenctl call registry ErasePerson):\n";
    for (const auto& person : erase_again) std::cout << "  " << person << "\n";
  }
  std::cout << "erasures made after the backup was taken are not in it: repeat them from the "
               "district's register of erasures\n";
  return 0;
}

}  // namespace ankommen::ctl
