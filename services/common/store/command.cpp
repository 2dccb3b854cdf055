#include "store/command.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wrappers.pb.h>

#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "store/ids.h"

namespace ankommen {
namespace {

// Enough for heavy contention on one aggregate (many people accepting seats
// of one course at once); more means something is looping.
constexpr int kMaxAttempts = 30;

// After a lost race: a short random pause, so the losers do not collide again in step.
void BackOff(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  int max_us = 200 * std::min(attempt + 1, 10);
  std::this_thread::sleep_for(std::chrono::microseconds(random() % static_cast<unsigned>(max_us)));
}

}  // namespace

std::string Fingerprint(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return absl::StrCat(absl::Hex(Fnv1a64(bytes), absl::kZeroPad16));
}

namespace {

thread_local const std::string* current_caller = nullptr;

}  // namespace

CommandCaller::CommandCaller(const std::string& caller) : previous_(current_caller) { current_caller = &caller; }
CommandCaller::~CommandCaller() { current_caller = previous_; }

namespace {

// Bound to the caller: another caller's request under the same key is a
// different request, refused, and never answered with the first one's answer.
std::string CallersFingerprint(const google::protobuf::Message& request) {
  return current_caller == nullptr || current_caller->empty()
             ? Fingerprint(request)
             : absl::StrCat(Fingerprint(request), "/", absl::Hex(Fnv1a64(*current_caller), absl::kZeroPad16));
}

absl::StatusOr<CommandOutcome> Replay(const PriorAnswer& prior, const std::string& fingerprint) {
  if (prior.fingerprint != fingerprint) {
    return absl::FailedPreconditionError("idempotency_key was already used for a different request");
  }
  return CommandOutcome{true, prior.response, ""};
}

// An inbox key is the whole request: a record under it always matches.
google::protobuf::StringValue InboxRequest(const std::string& key) {
  google::protobuf::StringValue request;
  request.set_value(key);
  return request;
}

// `look_first`: read the idempotency record before deciding (a command), or
// only when deciding fails (an event: the commit's script checks it anyway).
absl::StatusOr<CommandOutcome> Run(Outbox& outbox, int partition, const char* scope,
                                   const google::protobuf::Message& request, const std::string& idempotency_key,
                                   const Decide& decide, bool look_first) {
  const std::string key = outbox.keys().Idempotency(partition, scope, idempotency_key);
  const std::string fingerprint = CallersFingerprint(request);
  auto replay = [&](const PriorAnswer& prior) { return Replay(prior, fingerprint); };
  if (look_first) {
    auto prior = outbox.FindPrior(key);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) return replay(**prior);
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const IdCause cause(key);  // every attempt mints the same ids
    auto decision = decide();
    if (!decision.ok()) {
      if (!look_first) {
        auto prior = outbox.FindPrior(key);
        if (!prior.ok()) return prior.status();
        if (prior->has_value()) return replay(**prior);
      }
      return decision.status();
    }
    Commit& commit = decision->commit;
    commit.partition = partition;
    commit.idempotency_key = key;
    commit.fingerprint = fingerprint;
    commit.response = decision->record;
    auto result = outbox.Apply(commit);
    if (!result.ok()) return result.status();
    switch (result->outcome) {
      case CommitResult::Outcome::kCommitted:
        return CommandOutcome{false, std::move(decision->record), std::move(decision->answer)};
      case CommitResult::Outcome::kReplayed: return replay(result->prior);
      case CommitResult::Outcome::kConflict: BackOff(attempt); continue;  // changed meanwhile: decide again
    }
  }
  return absl::AbortedError("the data changed concurrently too often; retry the request");
}

}  // namespace

absl::StatusOr<CommandOutcome> RunCommand(Outbox& outbox, int partition, const char* scope,
                                          const google::protobuf::Message& request,
                                          const std::string& idempotency_key, const Decide& decide) {
  return Run(outbox, partition, scope, request, idempotency_key, decide, /*look_first=*/true);
}

absl::StatusOr<CommandOutcome> RunInbox(Outbox& outbox, int partition, const std::string& key, const Decide& decide) {
  return Run(outbox, partition, "inbox", InboxRequest(key), key, decide, /*look_first=*/false);
}

std::vector<absl::StatusOr<CommandOutcome>> RunInboxEach(Outbox& outbox, const std::vector<InboxItem>& items) {
  std::vector<absl::StatusOr<CommandOutcome>> outcomes(items.size(), absl::UnknownError("not run"));
  std::vector<bool> alone(items.size(), true);  // to run again by itself, as RunInbox
  std::vector<Commit> commits;
  std::vector<size_t> committing;  // the item of each commit
  std::vector<Decision> decisions;
  for (size_t i = 0; i < items.size(); ++i) {
    const InboxItem& item = items[i];
    const std::string key = outbox.keys().Idempotency(item.partition, "inbox", item.key);
    const IdCause cause(key);  // as RunInbox's attempts: the same ids
    auto decision = item.first();
    if (!decision.ok()) continue;  // alone: it also looks for the effect already there
    Commit& commit = commits.emplace_back(std::move(decision->commit));
    commit.partition = item.partition;
    commit.idempotency_key = key;
    commit.fingerprint = CallersFingerprint(InboxRequest(item.key));
    commit.response = decision->record;
    committing.push_back(i);
    decisions.push_back(std::move(*decision));
  }
  if (!commits.empty()) {
    auto results = outbox.ApplyEach(commits);
    // Lost with the connection: each alone finds what was applied by its record.
    for (size_t c = 0; results.ok() && c < committing.size(); ++c) {
      const size_t i = committing[c];
      const auto& result = (*results)[c];
      if (!result.ok() || result->outcome == CommitResult::Outcome::kConflict) continue;
      alone[i] = false;
      outcomes[i] = result->outcome == CommitResult::Outcome::kReplayed
                        ? Replay(result->prior, commits[c].fingerprint)
                        : CommandOutcome{false, std::move(decisions[c].record), std::move(decisions[c].answer)};
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (alone[i]) outcomes[i] = RunInbox(outbox, items[i].partition, items[i].key, items[i].again);
  }
  return outcomes;
}

absl::Status ParsePayload(const IncomingEvent& event, google::protobuf::Message& message) {
  if (!message.ParseFromString(event.payload)) {
    return absl::InvalidArgumentError(absl::StrCat("unreadable ", event.event_type, " payload"));
  }
  return absl::OkStatus();
}

absl::Status ApplyChange(Outbox& outbox, int partition, const DecideChange& decide) {
  const std::string change = ChildCause("change");
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const IdCause cause(change);  // every attempt mints the same ids
    auto commit = decide();
    if (!commit.ok()) return commit.status();
    if (!commit->has_value()) return absl::OkStatus();
    (*commit)->partition = partition;
    auto result = outbox.Apply(**commit);
    if (!result.ok()) return result.status();
    if (result->outcome != CommitResult::Outcome::kConflict) return absl::OkStatus();
    BackOff(attempt);
  }
  return absl::AbortedError("the data changed concurrently too often; retry");
}

}  // namespace ankommen
