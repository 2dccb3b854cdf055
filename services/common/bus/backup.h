// Backing up and restoring JetStream for a restore drill (ankommenctl backup,
// restore): streams through JetStream's own snapshot and restore API
// ($JS.API.STREAM.SNAPSHOT / RESTORE, what `nats stream backup` uses; nats.c
// has no call for it), and the services' durable consumers as positions: the
// sequence below which each has acknowledged everything.
//
// Why positions and not the consumers' own state: a consumer acknowledges an
// event only after its effect is committed in Redis. Positions taken before
// Redis is copied therefore name events whose effects the copy holds; a
// consumer set back to its position after a restore is handed again what the
// copy may lack, and its inbox (in the copy) skips what it already has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ankommen {

class Bus;

// A durable consumer at a backup: its configuration as JetStream gives it
// (JSON) and the first stream sequence it may not have acknowledged.
struct ConsumerPosition {
  std::string stream;
  std::string durable;
  std::string config_json;
  uint64_t resume_at = 1;
};

// What a snapshot holds: the stream's messages and its last sequence.
struct SnapshotFacts {
  std::string stream;
  uint64_t messages = 0;
  uint64_t last_sequence = 0;
  uint64_t bytes_written = 0;
};

class JetStreamBackup {
 public:
  explicit JetStreamBackup(Bus& bus, absl::Duration timeout = absl::Seconds(30));

  absl::StatusOr<std::vector<std::string>> StreamNames();

  // Every durable consumer of the streams and where it stands.
  absl::StatusOr<std::vector<ConsumerPosition>> ConsumerPositions(const std::vector<std::string>& streams);

  // The stream without its consumers into <dir>/<stream>.snapshot (the server's
  // archive, as it sends it) and <dir>/<stream>.json (its configuration and
  // state, which a restore needs).
  absl::StatusOr<SnapshotFacts> Snapshot(const std::string& stream, const std::string& dir);

  // The stream as the snapshot in `dir` holds it, with its sequences and
  // times (so its retention runs on); it must not exist.
  absl::StatusOr<SnapshotFacts> Restore(const std::string& stream, const std::string& dir);

  absl::Status DeleteMessage(const std::string& stream, uint64_t sequence);

  // The consumer as it was, to deliver from `start` on.
  absl::Status CreateConsumerAt(const ConsumerPosition& position, uint64_t start);

 private:
  // A JetStream API request; the answer's JSON, or its error as a status.
  absl::StatusOr<std::string> Api(const std::string& subject, const std::string& body);

  Bus& bus_;
  absl::Duration timeout_;
};

}  // namespace ankommen
