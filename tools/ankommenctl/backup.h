// `ankommenctl backup` and `restore`: the JetStream half of a backup and of
// its restore (docs/operations.md, "Back up and restore"; deploy/local/backup.sh
// and restore.sh). Redis is copied by redis-cli --rdb between the two backup
// steps; the restore reads the restored Redis to cut JetStream to it.
#pragma once

#include <string>

namespace ankommen::ctl {

// Where each durable consumer stands (DIR/consumers.json): before Redis is copied.
int BackupConsumers(const std::string& dir);

// Every stream, without consumers (DIR/<stream>.snapshot, .json, and
// DIR/streams.json): after Redis is copied.
int BackupStreams(const std::string& dir);

// Into a NATS without the streams, beside the Redis started on the backup's
// copy (ANKOMMEN_REDIS_URL): the streams restored; in each, the events
// after what Redis marks as published that Redis's outboxes do not hold are
// deleted (their commits are not in the copy); the consumers set back to
// where they stood. Before the services start.
int Restore(const std::string& dir);

}  // namespace ankommen::ctl
