#include "bus/backup.h"

#include <nats/nats.h>

#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "bus/bus.h"

namespace ankommen {
namespace {

using nlohmann::json;

struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
using MsgPtr = std::unique_ptr<natsMsg, MsgDeleter>;

absl::Status NatsFailed(const std::string& what, natsStatus s) {
  return absl::UnavailableError(absl::StrCat(what, ": ", natsStatus_GetText(s)));
}

// The JSON of a file, or an error that names it.
absl::StatusOr<json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(path, ": not JSON"));
  return j;
}

std::string SnapshotPath(const std::string& dir, const std::string& stream) {
  return absl::StrCat(dir, "/", stream, ".snapshot");
}
std::string MetaPath(const std::string& dir, const std::string& stream) {
  return absl::StrCat(dir, "/", stream, ".json");
}

}  // namespace

JetStreamBackup::JetStreamBackup(Bus& bus, absl::Duration timeout) : bus_(bus), timeout_(timeout) {}

absl::StatusOr<std::string> JetStreamBackup::Api(const std::string& subject, const std::string& body) {
  natsMsg* raw = nullptr;
  natsStatus s = natsConnection_Request(&raw, bus_.conn_, subject.c_str(), body.data(), static_cast<int>(body.size()),
                                        absl::ToInt64Milliseconds(timeout_));
  if (s != NATS_OK) return NatsFailed(subject, s);
  MsgPtr reply(raw);
  std::string answer(natsMsg_GetData(raw), natsMsg_GetDataLength(raw));
  json j = json::parse(answer, nullptr, false);
  if (j.is_discarded()) return absl::InternalError(absl::StrCat(subject, ": the answer is not JSON"));
  if (j.contains("error")) {
    return absl::FailedPreconditionError(
        absl::StrCat(subject, ": ", j["error"].value("description", std::string("error")), " (",
                     j["error"].value("err_code", 0), ")"));
  }
  return answer;
}

absl::StatusOr<std::vector<std::string>> JetStreamBackup::StreamNames() {
  std::vector<std::string> names;
  while (true) {
    auto answer = Api("$JS.API.STREAM.NAMES", json{{"offset", names.size()}}.dump());
    if (!answer.ok()) return answer.status();
    json j = json::parse(*answer);
    const auto& page = j["streams"];
    if (!page.is_array() || page.empty()) break;
    for (const auto& n : page) names.push_back(n.get<std::string>());
    if (names.size() >= j.value("total", size_t{0})) break;
  }
  return names;
}

absl::StatusOr<std::vector<ConsumerPosition>> JetStreamBackup::ConsumerPositions(
    const std::vector<std::string>& streams) {
  std::vector<ConsumerPosition> positions;
  for (const auto& stream : streams) {
    size_t seen = 0;
    while (true) {
      auto answer = Api(absl::StrCat("$JS.API.CONSUMER.LIST.", stream), json{{"offset", seen}}.dump());
      if (!answer.ok()) return answer.status();
      json j = json::parse(*answer);
      const auto& page = j["consumers"];
      if (!page.is_array() || page.empty()) break;
      for (const auto& c : page) {
        ++seen;
        const json& config = c["config"];
        const std::string durable = config.value("durable_name", std::string());
        if (durable.empty()) continue;  // an ephemeral reader: nothing to keep
        ConsumerPosition p;
        p.stream = stream;
        p.durable = durable;
        p.config_json = config.dump();
        p.resume_at = c["ack_floor"].value("stream_seq", uint64_t{0}) + 1;
        positions.push_back(std::move(p));
      }
      if (seen >= j.value("total", size_t{0})) break;
    }
  }
  return positions;
}

absl::StatusOr<SnapshotFacts> JetStreamBackup::Snapshot(const std::string& stream, const std::string& dir) {
  natsInbox* nuid = nullptr;
  if (natsStatus s = natsInbox_Create(&nuid); s != NATS_OK) return NatsFailed("inbox", s);
  // natsInbox_Create gives "_INBOX.<nuid>": the same under this user's prefix.
  std::string inbox = nuid;
  natsInbox_Destroy(nuid);
  inbox = absl::StrCat(bus_.inbox_prefix_, inbox.substr(inbox.find('.')));

  natsSubscription* sub = nullptr;
  if (natsStatus s = natsConnection_SubscribeSync(&sub, bus_.conn_, inbox.c_str()); s != NATS_OK) {
    return NatsFailed("subscribe", s);
  }
  std::unique_ptr<natsSubscription, void (*)(natsSubscription*)> owned(sub, natsSubscription_Destroy);
  natsSubscription_SetPendingLimits(sub, -1, -1);

  auto answer = Api(absl::StrCat("$JS.API.STREAM.SNAPSHOT.", stream),
                    json{{"deliver_subject", inbox}, {"no_consumers", true}, {"chunk_size", 128 * 1024}}.dump());
  if (!answer.ok()) return answer.status();
  json started = json::parse(*answer);
  SnapshotFacts facts;
  facts.stream = stream;
  facts.messages = started["state"].value("messages", uint64_t{0});
  facts.last_sequence = started["state"].value("last_seq", uint64_t{0});

  const std::string data_path = SnapshotPath(dir, stream);
  std::ofstream out(data_path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::FailedPreconditionError(absl::StrCat("cannot write ", data_path));
  while (true) {
    natsMsg* raw = nullptr;
    natsStatus s = natsSubscription_NextMsg(&raw, sub, absl::ToInt64Milliseconds(timeout_));
    if (s != NATS_OK) return NatsFailed(absl::StrCat("snapshot of ", stream), s);
    MsgPtr chunk(raw);
    const int length = natsMsg_GetDataLength(raw);
    if (length == 0) {
      // The end, or the server's error as a status header.
      const char* status = nullptr;
      if (natsMsgHeader_Get(raw, "Status", &status) == NATS_OK && status != nullptr && *status != '\0') {
        const char* why = nullptr;
        natsMsgHeader_Get(raw, "Description", &why);
        return absl::InternalError(absl::StrCat("snapshot of ", stream, " failed: ", status, " ", why ? why : ""));
      }
      break;
    }
    out.write(natsMsg_GetData(raw), length);
    facts.bytes_written += static_cast<uint64_t>(length);
    // Flow control: the server sends on once a chunk is answered.
    if (const char* reply = natsMsg_GetReply(raw); reply != nullptr && *reply != '\0') {
      if (natsStatus p = natsConnection_Publish(bus_.conn_, reply, nullptr, 0); p != NATS_OK) {
        return NatsFailed("snapshot acknowledgement", p);
      }
    }
  }
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("writing ", data_path));

  std::ofstream meta(MetaPath(dir, stream), std::ios::trunc);
  meta << json{{"config", started["config"]}, {"state", started["state"]}}.dump(2) << "\n";
  if (!meta) return absl::DataLossError(absl::StrCat("writing ", MetaPath(dir, stream)));
  return facts;
}

absl::StatusOr<SnapshotFacts> JetStreamBackup::Restore(const std::string& stream, const std::string& dir) {
  auto meta = ReadJson(MetaPath(dir, stream));
  if (!meta.ok()) return meta.status();
  std::ifstream in(SnapshotPath(dir, stream), std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", SnapshotPath(dir, stream)));

  auto answer = Api(absl::StrCat("$JS.API.STREAM.RESTORE.", stream),
                    json{{"config", (*meta)["config"]}, {"state", (*meta)["state"]}}.dump());
  if (!answer.ok()) return answer.status();
  const std::string deliver = json::parse(*answer).value("deliver_subject", std::string());
  if (deliver.empty()) return absl::InternalError("restore: the server named no subject for the data");

  // Each chunk is a request the server answers once it has it; then an empty one to finish.
  auto send = [&](const char* data, int length, absl::Duration wait) -> absl::StatusOr<std::string> {
    natsMsg* raw = nullptr;
    natsStatus s = natsConnection_Request(&raw, bus_.conn_, deliver.c_str(), data, length,
                                          absl::ToInt64Milliseconds(wait));
    if (s != NATS_OK) return NatsFailed(absl::StrCat("restore of ", stream), s);
    MsgPtr reply(raw);
    std::string body(natsMsg_GetData(raw), natsMsg_GetDataLength(raw));
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
      return absl::FailedPreconditionError(absl::StrCat("restore of ", stream, ": ",
                                                        j["error"].value("description", std::string("error"))));
    }
    return body;
  };
  std::vector<char> chunk(128 * 1024);
  SnapshotFacts facts;
  facts.stream = stream;
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    const auto n = static_cast<int>(in.gcount());
    if (auto sent = send(chunk.data(), n, timeout_); !sent.ok()) return sent.status();
    facts.bytes_written += static_cast<uint64_t>(n);
  }
  // The server rebuilds the stream now: as long as it takes.
  auto done = send(nullptr, 0, std::max(timeout_, absl::Minutes(10)));
  if (!done.ok()) return done.status();
  json created = json::parse(*done, nullptr, false);
  if (created.is_discarded() || !created.contains("state")) {
    return absl::InternalError(absl::StrCat("restore of ", stream, ": no stream in the answer"));
  }
  facts.messages = created["state"].value("messages", uint64_t{0});
  facts.last_sequence = created["state"].value("last_seq", uint64_t{0});
  return facts;
}

absl::Status JetStreamBackup::DeleteMessage(const std::string& stream, uint64_t sequence) {
  return Api(absl::StrCat("$JS.API.STREAM.MSG.DELETE.", stream), json{{"seq", sequence}, {"no_erase", true}}.dump())
      .status();
}

absl::Status JetStreamBackup::CreateConsumerAt(const ConsumerPosition& position, uint64_t start) {
  json config = json::parse(position.config_json, nullptr, false);
  if (config.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(position.durable, ": bad configuration"));
  config["deliver_policy"] = "by_start_sequence";
  config["opt_start_seq"] = start;
  config.erase("opt_start_time");
  return Api(absl::StrCat("$JS.API.CONSUMER.DURABLE.CREATE.", position.stream, ".", position.durable),
             json{{"stream_name", position.stream}, {"config", config}}.dump())
      .status();
}

}  // namespace ankommen
