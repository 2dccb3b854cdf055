#include "store/outbox.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "store/redis.h"

namespace ankommen {
namespace {

// KEYS: aggregate, idempotency record, outbox stream, then index keys.
// An empty fingerprint means no idempotency record (KEYS[2] is then unused).
// ARGV: expected version, state, idempotency ttl (s), fingerprint, response,
//       event count, then subject/id/type/payload per event,
//       index op count, then kind/key number/member/score per op, then the
//       seconds an erased record's marker lasts ('0': the aggregate is no marker).
// Everything is read and checked before the first write: Redis does not roll
// back a script that fails half-way.
const LuaScript kCommitScript{"commit", R"lua(
local keyed = ARGV[4] ~= ''
if keyed then
  local prior = redis.call('HMGET', KEYS[2], 'fp', 'resp')
  if prior[1] then
    -- A write all the same (the record's window starts again), so that a
    -- WAIT after it (RedisPool::EvalDurable) counts the replicas that have
    -- the first answer's commit too: the replication stream is in order.
    redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
    return {'replay', prior[1], prior[2]}
  end
end
local version = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if version ~= tonumber(ARGV[1]) then return {'conflict', tostring(version)} end
local n_events = tonumber(ARGV[6])
local at = 7 + 4 * n_events
local n_ops = tonumber(ARGV[at])
local ops = {}
for i = 1, n_ops do
  local base = at + 1 + 4 * (i - 1)
  local key = KEYS[tonumber(ARGV[base + 1])]
  if not key then return redis.error_reply('CHECK: index op names a key that was not passed') end
  ops[i] = {ARGV[base], key, ARGV[base + 2], ARGV[base + 3]}
end
local marker_ttl = tonumber(ARGV[at + 1 + 4 * n_ops])
version = version + 1
redis.call('HSET', KEYS[1], 'v', version, 'data', ARGV[2])
if marker_ttl > 0 then redis.call('EXPIRE', KEYS[1], marker_ttl) end
for i = 1, n_events do
  local b = 7 + 4 * (i - 1)
  redis.call('XADD', KEYS[3], '*', 'subject', ARGV[b], 'id', ARGV[b + 1], 'type', ARGV[b + 2], 'payload', ARGV[b + 3])
end
for _, op in ipairs(ops) do
  if op[1] == 'set' then redis.call('SET', op[2], op[3])
  elseif op[1] == 'setex' then redis.call('SET', op[2], op[3], 'EX', tonumber(op[4]))
  elseif op[1] == 'del' then redis.call('DEL', op[2])
  elseif op[1] == 'zadd' then redis.call('ZADD', op[2], op[4], op[3])
  elseif op[1] == 'zrem' then redis.call('ZREM', op[2], op[3])
  elseif op[1] == 'xadd' then
    local fields = {}
    for part in string.gmatch(op[3], '([^\31]*)\31') do fields[#fields + 1] = part end
    redis.call('XADD', op[2], '*', unpack(fields))
  end
end
if keyed then
  redis.call('HSET', KEYS[2], 'fp', ARGV[4], 'resp', ARGV[5])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
end
return {'ok', tostring(version)}
)lua"};

const char* KindName(IndexOp::Kind kind) {
  switch (kind) {
    case IndexOp::Kind::kSet: return "set";
    case IndexOp::Kind::kSetExpiring: return "setex";
    case IndexOp::Kind::kDelete: return "del";
    case IndexOp::Kind::kSortedAdd: return "zadd";
    case IndexOp::Kind::kSortedRemove: return "zrem";
    case IndexOp::Kind::kStreamAppend: return "xadd";
  }
  return "";
}

// Entries a pass takes from a partition at most.
constexpr int kPage = 100;

// KEYS: outbox stream, published marks. ARGV: entry id, stream, sequence.
// The entry goes and its stream's mark moves in one step, so a copy of Redis
// (a backup) either still holds the event or marks it as published: a restore
// cuts JetStream at the marks and the outbox publishes the rest again.
// ARGV: (entry id, stream, sequence) for each event published, in order.
const LuaScript kPublishedScript{"published", R"lua(
for i = 1, #ARGV, 3 do
  redis.call('XDEL', KEYS[1], ARGV[i])
  local mark = tonumber(redis.call('HGET', KEYS[2], ARGV[i + 1]) or '0')
  if tonumber(ARGV[i + 2]) > mark then redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2]) end
end
return 1
)lua"};

}  // namespace

IndexOp IndexOp::StreamAppend(std::string key, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string packed;
  auto append = [&packed](const std::string& text) {
    for (char c : text) packed.push_back(c == '\x1f' ? ' ' : c);
    packed.push_back('\x1f');
  };
  for (const auto& [field, value] : fields) {
    append(field);
    append(value);
  }
  return {Kind::kStreamAppend, std::move(key), std::move(packed)};
}

namespace {

// The commit script's keys and arguments for a commit (kCommitScript).
absl::StatusOr<RedisPool::ScriptCall> CommitCall(const KeySpace& keys, const Commit& commit) {
  if (commit.idempotency_key.empty() != commit.fingerprint.empty()) {
    return absl::InternalError("a commit needs both an idempotency key and a fingerprint, or neither");
  }
  const std::string& record = commit.idempotency_key.empty() ? commit.aggregate_key : commit.idempotency_key;
  RedisPool::ScriptCall call;
  call.keys = {commit.aggregate_key, record, keys.Outbox(commit.partition)};
  call.args = {std::to_string(commit.expected_version), commit.state,
               std::to_string(absl::ToInt64Seconds(commit.idempotency_ttl)),
               commit.fingerprint, commit.response, std::to_string(commit.events.size())};
  for (const auto& e : commit.events) {
    call.args.insert(call.args.end(), {e.subject, e.event_id, e.event_type, e.payload});
  }
  call.args.push_back(std::to_string(commit.index_ops.size()));
  for (const auto& op : commit.index_ops) {
    call.keys.push_back(op.key);
    call.args.insert(call.args.end(),
                     {KindName(op.kind), std::to_string(call.keys.size()), op.member, absl::StrFormat("%.17g", op.score)});
  }
  call.args.push_back(commit.erased_marker ? std::to_string(absl::ToInt64Seconds(ErasureMarkerTtl())) : "0");
  return call;
}

absl::StatusOr<CommitResult> CommitOutcome(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() < 2) {
    return absl::InternalError("commit script gave an unexpected reply");
  }
  const std::string& tag = reply.elements[0].str;
  CommitResult result;
  if (tag == "replay") {
    result.outcome = CommitResult::Outcome::kReplayed;
    result.prior = {reply.elements[1].str, reply.elements.size() > 2 ? reply.elements[2].str : ""};
    return result;
  }
  if (!absl::SimpleAtoi(reply.elements[1].str, &result.version)) {
    return absl::InternalError("commit script gave a bad version");
  }
  if (tag == "conflict") result.outcome = CommitResult::Outcome::kConflict;
  return result;
}

bool PublishesEvents(const Commit& commit, const absl::StatusOr<CommitResult>& result) {
  return !commit.events.empty() && result.ok() && result->outcome == CommitResult::Outcome::kCommitted;
}

}  // namespace

absl::StatusOr<CommitResult> Outbox::Apply(const Commit& commit) {
  auto call = CommitCall(keys_, commit);
  if (!call.ok()) return call.status();
  // A commit is what callers are told is done: durable as configured (WAIT).
  auto reply = redis_.EvalDurable(kCommitScript, std::move(call->keys), std::move(call->args));
  if (!reply.ok()) return reply.status();
  auto result = CommitOutcome(*reply);
  if (PublishesEvents(commit, result) && wake_) wake_(commit.partition);
  return result;
}

absl::StatusOr<std::vector<absl::StatusOr<CommitResult>>> Outbox::ApplyEach(const std::vector<Commit>& commits) {
  std::vector<RedisPool::ScriptCall> calls;
  calls.reserve(commits.size());
  for (const auto& commit : commits) {
    auto call = CommitCall(keys_, commit);
    if (!call.ok()) return call.status();
    calls.push_back(std::move(*call));
  }
  auto replies = redis_.EvalEachDurable(kCommitScript, calls);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<CommitResult>> results;
  results.reserve(commits.size());
  for (size_t i = 0; i < commits.size(); ++i) {
    const auto& reply = (*replies)[i];
    results.push_back(reply.ok() ? CommitOutcome(*reply) : absl::StatusOr<CommitResult>(reply.status()));
    if (PublishesEvents(commits[i], results.back()) && wake_) wake_(commits[i].partition);
  }
  return results;
}

absl::StatusOr<std::optional<PriorAnswer>> Outbox::FindPrior(const std::string& idempotency_key) {
  auto reply = redis_.Command({"HMGET", idempotency_key, "fp", "resp"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() < 2 || reply->elements[0].is_nil()) return std::optional<PriorAnswer>();
  return std::optional<PriorAnswer>(PriorAnswer{reply->elements[0].str, reply->elements[1].str});
}

absl::StatusOr<std::optional<StoredAggregate>> Outbox::Load(const std::string& aggregate_key) {
  auto reply = redis_.Command({"HMGET", aggregate_key, "v", "data"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() < 2 || reply->elements[0].is_nil()) return std::optional<StoredAggregate>();
  StoredAggregate stored;
  if (!absl::SimpleAtoi(reply->elements[0].str, &stored.version)) {
    return absl::InternalError(absl::StrCat("stored aggregate has a bad version"));
  }
  stored.state = reply->elements[1].str;
  return std::optional<StoredAggregate>(std::move(stored));
}

struct OutboxInstruments {
  explicit OutboxInstruments(prometheus::Registry& registry)
      : pending(prometheus::BuildGauge()
                    .Name("ankommen_outbox_pending_events")
                    .Help("Events written with their state and not yet published")
                    .Register(registry)
                    .Add({})),
        relayed(prometheus::BuildCounter()
                    .Name("ankommen_outbox_relayed_total")
                    .Help("Events moved from the outbox to JetStream")
                    .Register(registry)
                    .Add({})),
        failures(prometheus::BuildCounter()
                     .Name("ankommen_outbox_relay_failures_total")
                     .Help("Relay passes that stopped on an error (NATS or Redis unavailable)")
                     .Register(registry)
                     .Add({})) {}
  prometheus::Gauge& pending;
  prometheus::Counter& relayed;
  prometheus::Counter& failures;
};

OutboxRelay::OutboxRelay(RedisPool& redis, Bus& bus, KeySpace keys, Metrics* metrics)
    : redis_(redis), bus_(bus), keys_(std::move(keys)) {
  static Metrics unregistered;
  instruments_ = std::make_unique<OutboxInstruments>(metrics ? metrics->registry() : unregistered.registry());
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start(absl::Duration poll_interval) {
  thread_ = std::thread([this, poll_interval] { Run(poll_interval); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Wake(int partition) {
  {
    std::lock_guard lock(mutex_);
    due_ |= (partition >= 0 && partition < kPartitions) ? Partitions{1} << partition : kEveryPartition;
  }
  wake_.notify_all();
}

void OutboxRelay::Run(absl::Duration poll_interval) {
  absl::Duration backoff = absl::ZeroDuration();
  // Every partition at the start and at each poll: what a crash or another
  // replica left. In between only those committed to, so a commit costs
  // Redis the read of its own partition, not of all sixteen.
  Partitions to_read = kEveryPartition;
  while (!stopping_) {
    auto drained = Drain(to_read);
    Partitions carried = 0;
    if (drained.ok()) {
      backoff = absl::ZeroDuration();
      carried = drained->more;
    } else {
      instruments_->failures.Increment();
      backoff = std::min(absl::Seconds(10), std::max(absl::Milliseconds(200), backoff * 2));
      log::Warn("outbox_relay_failed", {{"error", drained.status().message()},
                                        {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
      carried = kEveryPartition;  // after the backoff, whichever partition failed
    }
    std::unique_lock lock(mutex_);
    // Commits made during the pass woke it already (due_): no wait for them.
    const bool woken =
        (drained.ok() && carried != 0) ||
        wake_.wait_for(lock, absl::ToChronoMilliseconds(backoff > absl::ZeroDuration() ? backoff : poll_interval),
                       [&] { return due_ != 0 || stopping_.load(); });
    to_read = woken ? (due_ | carried) : kEveryPartition;
    due_ = 0;
  }
  // Publish what the last requests wrote before the process goes.
  (void)DrainOnce();
}

absl::StatusOr<int> OutboxRelay::DrainOnce() {
  auto pass = Drain(kEveryPartition);
  if (!pass.ok()) return pass.status();
  return pass->published;
}

absl::StatusOr<OutboxRelay::Pass> OutboxRelay::Drain(Partitions partitions) {
  std::lock_guard drain_lock(drain_mutex_);
  // The partitions' first entries and lengths in one round trip.
  std::vector<int> read;
  std::vector<std::vector<std::string>> reads;
  for (int p = 0; p < kPartitions; ++p) {
    if ((partitions & (Partitions{1} << p)) == 0) continue;
    read.push_back(p);
    reads.push_back({"XRANGE", keys_.Outbox(p), "-", "+", "COUNT", absl::StrCat(kPage)});
    reads.push_back({"XLEN", keys_.Outbox(p)});
  }
  auto replies = redis_.Pipeline(reads);
  if (!replies.ok()) return replies.status();
  Pass pass;
  // A partition whose entry fails holds back only its own: the others are
  // drained in the same pass, and the first failure is reported after them.
  absl::Status first_failure;
  for (size_t r = 0; r < read.size(); ++r) {
    const int p = read[r];
    const std::string stream = keys_.Outbox(p);
    const RedisReply& entries = (*replies)[2 * r];
    pending_[static_cast<size_t>(p)] = (*replies)[2 * r + 1].integer;
    if (entries.elements.size() >= static_cast<size_t>(kPage)) pass.more |= Partitions{1} << p;
    std::vector<std::string> entry_ids;
    std::vector<OutgoingEvent> events;
    for (const auto& entry : entries.elements) {
      if (entry.elements.size() < 2) continue;
      entry_ids.push_back(entry.elements[0].str);
      OutgoingEvent& event = events.emplace_back();
      event.partition = p;
      const auto& fields = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string& name = fields[i].str;
        const std::string& value = fields[i + 1].str;
        if (name == "subject") event.subject = value;
        else if (name == "id") event.event_id = value;
        else if (name == "type") event.event_type = value;
        else if (name == "payload") event.payload = value;
      }
    }
    if (events.empty()) continue;
    // The partition's entries in one go, in order; then those stored, up to
    // the first that was not, leave the outbox in one script. A crash before
    // that publishes them again, and JetStream drops the copies by their
    // Nats-Msg-Id; the rest stay for the next pass, behind nothing of theirs.
    const auto stored = bus_.PublishAll(events);
    std::vector<std::string> done;
    for (size_t i = 0; i < stored.size() && stored[i].ok(); ++i) {
      done.insert(done.end(), {entry_ids[i], stored[i]->stream, absl::StrCat(stored[i]->sequence)});
    }
    const int published = static_cast<int>(done.size() / 3);
    if (!done.empty()) {
      auto marked = redis_.Eval(kPublishedScript, {stream, keys_.Published(p)}, done);
      if (!marked.ok()) return marked.status();  // Redis is gone: so is every other partition
      instruments_->relayed.Increment(published);
      pass.published += published;
      pending_[static_cast<size_t>(p)] -= published;
    }
    if (static_cast<size_t>(published) < stored.size() && first_failure.ok()) {
      const absl::Status& failed = stored[static_cast<size_t>(published)].status();
      first_failure = absl::Status(failed.code(), absl::StrCat("partition ", p, ": ", failed.message()));
    }
  }
  // As of each partition's last read: one committed since is counted at the
  // next, which its commit wakes.
  int64_t pending = 0;
  for (int64_t n : pending_) pending += std::max<int64_t>(n, 0);
  instruments_->pending.Set(static_cast<double>(pending));
  if (!first_failure.ok()) return first_failure;
  return pass;
}

absl::StatusOr<int64_t> OutboxRelay::Pending() {
  std::vector<std::vector<std::string>> commands;
  for (int p = 0; p < kPartitions; ++p) commands.push_back({"XLEN", keys_.Outbox(p)});
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  int64_t total = 0;
  for (const auto& r : *replies) total += r.integer;
  return total;
}

}  // namespace ankommen
