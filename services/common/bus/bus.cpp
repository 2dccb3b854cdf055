// The bus: connection, streams, publishing and reading; consumers are in consumer.cpp.
#include "bus/bus.h"

#include <nats/nats.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "bus/bus_internal.h"
#include "runtime/config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"

namespace ankommen {

namespace {

// A URL for messages: credentials (nats://user:password@host) never leave.
std::string Redacted(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

// The event as a message: its id for JetStream's de-duplication, its type
// and the partition it comes from in headers.
natsStatus MessageOf(const OutgoingEvent& event, natsMsg** msg) {
  natsStatus s = natsMsg_Create(msg, event.subject.c_str(), nullptr, event.payload.data(),
                                static_cast<int>(event.payload.size()));
  if (s != NATS_OK) return s;
  natsMsgHeader_Set(*msg, "Nats-Msg-Id", event.event_id.c_str());
  if (!event.event_type.empty()) natsMsgHeader_Set(*msg, kEventTypeHeader, event.event_type.c_str());
  if (event.partition >= 0) natsMsgHeader_Set(*msg, kPartitionHeader, std::to_string(event.partition).c_str());
  return NATS_OK;
}

}  // namespace

namespace bus_internal {

int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

absl::Status NatsError(absl::string_view what, natsStatus s, jsErrCode jerr) {
  std::string text = absl::StrCat("nats: ", what, ": ", natsStatus_GetText(s));
  if (jerr != 0) absl::StrAppend(&text, " (JetStream error ", static_cast<int>(jerr), ")");
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last) absl::StrAppend(&text, ": ", last);
  if (s == NATS_TIMEOUT || s == NATS_NO_SERVER || s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED ||
      s == NATS_NO_RESPONDERS) {
    return absl::UnavailableError(text);
  }
  return absl::InternalError(text);
}

std::string Header(natsMsg* msg, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg, key, &value) == NATS_OK && value != nullptr) return value;
  return {};
}

int PartitionOf(natsMsg* msg) {
  int partition = -1;
  return absl::SimpleAtoi(Header(msg, kPartitionHeader), &partition) && partition >= 0 ? partition : -1;
}

IncomingEvent ToIncoming(natsMsg* msg) {
  IncomingEvent event;
  event.subject = natsMsg_GetSubject(msg);
  event.payload.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  event.event_id = Header(msg, "Nats-Msg-Id");
  event.event_type = Header(msg, kEventTypeHeader);
  event.original_subject = Header(msg, kOriginalSubjectHeader);
  event.failure = Header(msg, kFailureHeader);
  event.original_stream = Header(msg, kOriginalStreamHeader);
  if (std::string seq = Header(msg, kOriginalSequenceHeader); !seq.empty()) {
    event.original_sequence = std::strtoull(seq.c_str(), nullptr, 10);
  }
  event.partition = PartitionOf(msg);
  return event;
}

}  // namespace bus_internal

using namespace bus_internal;

StreamSpec DeadLetterStreamSpec() {
  StreamSpec spec;
  spec.name = kDeadLetterStream;
  spec.subjects = {std::string(kDeadLetterSubjectPrefix) + ">"};
  spec.max_age = DeadLetterRetention();
  return spec;
}

absl::StatusOr<std::unique_ptr<Bus>> Bus::Connect(const std::string& url, const std::string& client_name,
                                                  Metrics* metrics, absl::Duration timeout) {
  return Connect(url, client_name, metrics, Access{}, timeout);
}

namespace {

// The options of a connection to `url` as `access` says. `reconnect`: whether
// the client reconnects by itself (and meanwhile buffers what is published).
absl::StatusOr<natsOptions*> OptionsFor(const std::string& url, const std::string& client_name,
                                        const Bus::Access& access, bool reconnect) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  if (!access.user.empty()) {
    natsOptions_SetUserInfo(opts, access.user.c_str(), access.password.c_str());
    // Replies (JetStream's answers, pulled messages) to an inbox of this user's
    // own, which only it may subscribe to (k8s/base/nats/authorization.conf).
    natsOptions_SetCustomInboxPrefix(opts, InboxPrefix(access.user).c_str());
  }
  if (!access.tls_ca_file.empty()) {
    natsStatus tls = natsOptions_SetSecure(opts, true);
    if (tls == NATS_OK) tls = natsOptions_LoadCATrustedCertificates(opts, access.tls_ca_file.c_str());
    if (tls == NATS_OK && !access.tls_cert_file.empty()) {
      tls = natsOptions_LoadCertificatesChain(opts, access.tls_cert_file.c_str(), access.tls_key_file.c_str());
    }
    if (tls != NATS_OK) {
      natsOptions_Destroy(opts);
      return absl::FailedPreconditionError(
          absl::StrCat("NATS TLS: cannot load the CA or client certificate (", natsStatus_GetText(tls), ")"));
    }
  }
  natsOptions_SetName(opts, client_name.c_str());
  if (reconnect) {
    natsOptions_SetMaxReconnect(opts, -1);  // keep trying: the relay and consumers wait it out
    natsOptions_SetReconnectWait(opts, 500);
  } else {
    natsOptions_SetAllowReconnect(opts, false);
  }
  return opts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Bus>> Bus::Connect(const std::string& url, const std::string& client_name,
                                                  Metrics* metrics, const Access& access, absl::Duration timeout) {
  std::unique_ptr<Bus> bus(new Bus());
  bus->url_ = url;
  bus->client_name_ = client_name;
  bus->access_ = access;
  if (!access.user.empty()) bus->inbox_prefix_ = InboxPrefix(access.user);
  auto opts = OptionsFor(url, client_name, access, /*reconnect=*/true);
  if (!opts.ok()) return opts.status();
  absl::Time deadline = absl::Now() + timeout;
  natsStatus s = NATS_OK;
  while (true) {
    s = natsConnection_Connect(&bus->conn_, *opts);
    if (s == NATS_OK || absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  natsOptions_Destroy(*opts);
  if (s != NATS_OK) return NatsError(absl::StrCat("connect ", Redacted(url)), s);
  if (s = natsConnection_JetStream(&bus->js_, bus->conn_, nullptr); s != NATS_OK) return NatsError("jetstream", s);
  static Metrics unregistered;  // a bus without metrics still counts, unexposed
  bus->instruments_ = std::make_unique<BusInstruments>(metrics ? metrics->registry() : unregistered.registry());
  if (auto publishing = bus->OpenPublishingConnection(); !publishing.ok()) return publishing;
  return bus;
}

absl::Status Bus::OpenPublishingConnection() {
  if (async_js_ != nullptr && !natsConnection_IsClosed(publish_conn_)) return absl::OkStatus();
  if (async_js_ != nullptr) jsCtx_Destroy(async_js_);
  async_js_ = nullptr;
  if (publish_conn_ != nullptr) natsConnection_Destroy(publish_conn_);
  publish_conn_ = nullptr;
  auto opts = OptionsFor(url_, client_name_ + "-publishing", access_, /*reconnect=*/false);
  if (!opts.ok()) return opts.status();
  natsStatus s = natsConnection_Connect(&publish_conn_, *opts);
  natsOptions_Destroy(*opts);
  if (s != NATS_OK) return NatsError(absl::StrCat("connect ", Redacted(url_), " to publish"), s);
  jsOptions async_options;
  jsOptions_Init(&async_options);
  async_options.PublishAsync.AckHandler = &Bus::OnAsyncAnswer;
  async_options.PublishAsync.AckHandlerClosure = this;
  if (s = natsConnection_JetStream(&async_js_, publish_conn_, &async_options); s != NATS_OK) {
    return NatsError("jetstream", s);
  }
  return absl::OkStatus();
}

Bus::~Bus() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (async_js_ != nullptr) jsCtx_Destroy(async_js_);
  for (natsConnection* c : {publish_conn_, conn_}) {
    if (c == nullptr) continue;
    natsConnection_Close(c);
    natsConnection_Destroy(c);
  }
}

absl::StatusOr<std::unique_ptr<Bus>> Bus::Connect(const ServiceConfig& config, const std::string& client_name,
                                                  Metrics* metrics) {
  Access access{config.nats_user, "", config.nats_tls_ca_file, config.nats_tls_cert_file, config.nats_tls_key_file};
  if (!config.nats_password_file.empty()) {
    auto password = ReadSecretFile("ANKOMMEN_NATS_PASSWORD_FILE", config.nats_password_file);
    if (!password.ok()) return password.status();
    access.password = *password;
  }
  return Connect(config.nats_url, client_name, metrics, access);
}

absl::Status Bus::EnsureStream(const StreamSpec& spec) {
  std::vector<const char*> subjects;
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Storage = js_FileStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.MaxAge = Nanos(spec.max_age);
  cfg.Duplicates = Nanos(spec.duplicate_window);
  cfg.Replicas = spec.replicas;
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &jerr);
  if (s != NATS_OK && jerr == JSStreamNameExistErr) {
    jerr = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&info, js_, &cfg, nullptr, &jerr);
  }
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (s != NATS_OK) return NatsError(absl::StrCat("stream ", spec.name), s, jerr);
  return absl::OkStatus();
}

absl::StatusOr<Published> Bus::Publish(const OutgoingEvent& event) {
  natsMsg* msg = nullptr;
  natsStatus s = MessageOf(event, &msg);
  if (s != NATS_OK) return NatsError("message", s);
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, js_, msg, nullptr, &jerr);
  natsMsg_Destroy(msg);
  std::string result = "error";
  if (s == NATS_OK) result = (ack != nullptr && ack->Duplicate) ? "duplicate" : "ok";
  Published published;
  if (ack != nullptr) {
    published = {ack->Stream != nullptr ? ack->Stream : "", ack->Sequence};
    jsPubAck_Destroy(ack);
  }
  instruments_->published.With({event.subject, result}).Increment();
  if (s != NATS_OK) return NatsError(absl::StrCat("publish ", event.subject), s, jerr);
  return published;
}

// The answers to one PublishAll, by the events' ids.
struct AsyncBatch {
  std::map<std::string, std::vector<size_t>> waiting;  // event id -> positions not yet answered
  std::vector<absl::StatusOr<Published>> results;
  std::vector<bool> duplicate;
};

void Bus::OnAsyncAnswer(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure) {
  auto* bus = static_cast<Bus*>(closure);
  {
    std::lock_guard lock(bus->async_mutex_);
    const char* id = nullptr;
    if (bus->async_ != nullptr && natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
      if (auto it = bus->async_->waiting.find(id); it != bus->async_->waiting.end() && !it->second.empty()) {
        const size_t at = it->second.front();
        it->second.erase(it->second.begin());
        if (ack != nullptr) {
          bus->async_->results[at] = Published{ack->Stream != nullptr ? ack->Stream : "", ack->Sequence};
          bus->async_->duplicate[at] = ack->Duplicate;
        } else {
          bus->async_->results[at] =
              NatsError(absl::StrCat("publish ", natsMsg_GetSubject(msg)), err != nullptr ? err->Err : NATS_ERR,
                        err != nullptr ? err->ErrCode : static_cast<jsErrCode>(0));
        }
      }
    }
  }
  natsMsg_Destroy(msg);
}

std::vector<absl::StatusOr<Published>> Bus::PublishAll(const std::vector<OutgoingEvent>& events,
                                                      absl::Duration timeout) {
  std::lock_guard one_at_a_time(publish_all_mutex_);  // the answers' table is the bus's
  // On a connection of its own that does not reconnect by itself: what
  // reaches JetStream of a batch is then always its beginning. A client that
  // reconnects would send after reconnecting what was published meanwhile,
  // and an event lost with the old connection would be stored after events
  // that followed it — out of order for the partition's consumers.
  if (auto open = OpenPublishingConnection(); !open.ok()) {
    for (const auto& event : events) instruments_->published.With({event.subject, "error"}).Increment();
    return std::vector<absl::StatusOr<Published>>(events.size(), open);
  }
  AsyncBatch batch;
  batch.results.assign(events.size(), absl::DeadlineExceededError("no answer from JetStream in time"));
  batch.duplicate.assign(events.size(), false);
  for (size_t i = 0; i < events.size(); ++i) batch.waiting[events[i].event_id].push_back(i);
  {
    std::lock_guard lock(async_mutex_);
    async_ = &batch;
  }
  size_t sent = 0;
  for (; sent < events.size(); ++sent) {
    const OutgoingEvent& event = events[sent];
    natsMsg* msg = nullptr;
    natsStatus s = MessageOf(event, &msg);
    if (s == NATS_OK) s = js_PublishMsgAsync(async_js_, &msg, nullptr);
    natsMsg_Destroy(msg);  // nothing when the library took it
    if (s != NATS_OK) {
      std::lock_guard lock(async_mutex_);
      batch.results[sent] = NatsError(absl::StrCat("publish ", event.subject), s);
      // The rest stay unsent: their order must not pass this one.
      for (size_t later = sent + 1; later < events.size(); ++later) {
        batch.results[later] = absl::UnavailableError("not sent: an event before it in the batch failed");
      }
      break;
    }
  }
  // Until every answer is in, the time is up, or the connection is gone
  // (then no answer comes).
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = std::max<int64_t>(1, std::min<int64_t>(100, absl::ToInt64Milliseconds(deadline - absl::Now())));
    if (js_PublishAsyncComplete(async_js_, &wait) == NATS_OK) break;
    if (natsConnection_IsClosed(publish_conn_) || absl::Now() >= deadline) break;
  }
  // What JetStream did not answer in time the library keeps waiting for, and
  // on a connection still open the answer may never come (a stream's leader
  // lost holding the message): every later batch would then wait its whole
  // timeout. (A connection that closed is replaced with its table.) Those events are reported as not stored (the relay
  // sends them again; JetStream drops a copy by its Nats-Msg-Id), so their
  // messages are taken back and dropped.
  natsMsgList unanswered{nullptr, 0};
  if (js_PublishAsyncGetPendingList(&unanswered, async_js_) == NATS_OK) natsMsgList_Destroy(&unanswered);
  std::lock_guard lock(async_mutex_);
  async_ = nullptr;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& r = batch.results[i];
    const char* result = !r.ok() ? "error" : batch.duplicate[i] ? "duplicate" : "ok";
    instruments_->published.With({events[i].subject, result}).Increment();
  }
  return std::move(batch.results);
}

absl::StatusOr<StreamState> Bus::GetStreamState(const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK) {
    if (jerr == JSStreamNotFoundErr) return absl::NotFoundError(absl::StrCat("stream ", stream, " not found"));
    return NatsError(absl::StrCat("stream info ", stream), s, jerr);
  }
  StreamState state{info->State.Msgs, info->State.FirstSeq, info->State.LastSeq};
  jsStreamInfo_Destroy(info);
  return state;
}

absl::StatusOr<int64_t> Bus::Unfinished(const std::string& stream) {
  jsConsumerInfoList* list = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_Consumers(&list, js_, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) return 0;  // no consumers yet
  if (s != NATS_OK) return NatsError(absl::StrCat("consumers of ", stream), s, jerr);
  int64_t unfinished = 0;
  for (int i = 0; list != nullptr && i < list->Count; ++i) {
    unfinished += static_cast<int64_t>(list->List[i]->NumPending) + list->List[i]->NumAckPending;
  }
  jsConsumerInfoList_Destroy(list);
  return unfinished;
}

absl::StatusOr<int> Bus::DeleteConsumers(const std::string& stream) {
  jsConsumerNamesList* names = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_ConsumerNames(&names, js_, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) return 0;
  if (s != NATS_OK) return NatsError(absl::StrCat("consumers of ", stream), s, jerr);
  int deleted = 0;
  for (int i = 0; names != nullptr && i < names->Count; ++i) {
    s = js_DeleteConsumer(js_, stream.c_str(), names->List[i], nullptr, &jerr);
    if (s != NATS_OK) {
      jsConsumerNamesList_Destroy(names);
      return NatsError(absl::StrCat("delete consumer of ", stream), s, jerr);
    }
    ++deleted;
  }
  jsConsumerNamesList_Destroy(names);
  return deleted;
}

absl::Status Bus::ReadAll(const std::string& stream, const std::string& subjects, uint64_t from_sequence,
                         const std::function<absl::Status(const IncomingEvent&)>& handler) {
  auto state = GetStreamState(stream);
  if (!state.ok()) return state.status();
  const uint64_t first = std::max({from_sequence, state->first_sequence, uint64_t{1}});
  if (state->messages == 0 || first > state->last_sequence) return absl::OkStatus();
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = first;
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_SubscribeSync(&sub, js_, subjects.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) return NatsError(absl::StrCat("read ", stream), s, jerr);
  // The server pushes faster than a reader applies: room for 256 MB waiting
  // (flow control holds it there) instead of the default 65,536 messages.
  natsSubscription_SetPendingLimits(sub, -1, 256 * 1024 * 1024);
  absl::Status result = absl::OkStatus();
  // Up to the last message there was when reading began (later ones are the next reading's).
  for (uint64_t seq = first - 1; seq < state->last_sequence && result.ok();) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, 10000);
    if (s != NATS_OK) {
      result = NatsError(absl::StrCat("read ", stream, " after ", seq), s);
      break;
    }
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta != nullptr) {
      seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    IncomingEvent event = ToIncoming(msg);
    event.stream_sequence = seq;
    natsMsg_Destroy(msg);
    result = handler(event);
  }
  // Destroyed, not unsubscribed: the server drops the ephemeral consumer
  // once no one listens (a reader may not delete consumers: they are others' too).
  natsSubscription_Destroy(sub);
  return result;
}

absl::StatusOr<std::vector<IncomingEvent>> Bus::ReadStream(const std::string& stream, uint64_t from_sequence,
                                                           size_t max_messages) {
  auto state = GetStreamState(stream);
  if (!state.ok()) return state.status();
  std::vector<IncomingEvent> out;
  for (uint64_t seq = std::max<uint64_t>(from_sequence, 1); seq <= state->last_sequence && out.size() < max_messages;
       ++seq) {
    natsMsg* msg = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetMsg(&msg, js_, stream.c_str(), seq, nullptr, &jerr);
    if (s == NATS_NOT_FOUND || (s != NATS_OK && jerr != 0)) continue;  // deleted or expired
    if (s != NATS_OK) return NatsError("get message", s, jerr);
    IncomingEvent event = ToIncoming(msg);
    event.stream_sequence = seq;
    out.push_back(std::move(event));
    natsMsg_Destroy(msg);
  }
  return out;
}

}  // namespace ankommen
