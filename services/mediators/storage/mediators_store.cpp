#include "storage/mediators_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::mediators {

namespace {

bool InOpen(v1::RequestStatus s) {
  return s == v1::REQUEST_STATUS_OPEN || s == v1::REQUEST_STATUS_PROPOSED || s == v1::REQUEST_STATUS_UNFILLED;
}
bool InCalendar(v1::RequestStatus s) {
  return s == v1::REQUEST_STATUS_BOOKED || s == v1::REQUEST_STATUS_DELIVERED || s == v1::REQUEST_STATUS_NO_SHOW;
}

}  // namespace

std::string MediatorsStore::MediatorKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "mediator:" + id);
}
std::string MediatorsStore::RequestKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "request:" + id);
}
std::string MediatorsStore::PersonKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "person:" + id);
}

absl::StatusOr<std::optional<LoadedMediator>> MediatorsStore::LoadMediator(const std::string& id) {
  return LoadAggregate<v1::MediatorRecord>(outbox_, MediatorKey(id));
}
absl::StatusOr<std::optional<LoadedRequest>> MediatorsStore::LoadRequest(const std::string& id) {
  return LoadAggregate<v1::RequestRecord>(outbox_, RequestKey(id));
}
absl::StatusOr<std::optional<LoadedPerson>> MediatorsStore::LoadPerson(const std::string& id) {
  return LoadAggregate<v1::PersonRecord>(outbox_, PersonKey(id));
}

absl::StatusOr<std::vector<LoadedMediator>> MediatorsStore::LoadPool() {
  return LoadIndexed<v1::MediatorRecord>(redis_, keys(), "pool", [this](const std::string& id) { return MediatorKey(id); });
}

absl::StatusOr<std::vector<LoadedRequest>> MediatorsStore::LoadOpen() {
  auto loaded =
      LoadIndexed<v1::RequestRecord>(redis_, keys(), "open", [this](const std::string& id) { return RequestKey(id); });
  if (!loaded.ok()) return loaded.status();
  std::stable_sort(loaded->begin(), loaded->end(), [](const LoadedRequest& a, const LoadedRequest& b) {
    const auto& x = a.record.request();
    const auto& y = b.record.request();
    if (x.start().seconds() != y.start().seconds()) return x.start().seconds() < y.start().seconds();
    return x.request_id() < y.request_id();
  });
  return loaded;
}

absl::StatusOr<std::vector<LoadedRequest>> MediatorsStore::LoadCalendar(absl::Time from, absl::Time to) {
  const std::string min = absl::StrCat(absl::ToUnixSeconds(from));
  const std::string max = to == absl::InfiniteFuture() ? "+inf" : absl::StrCat("(", absl::ToUnixSeconds(to));
  return LoadIndexed<v1::RequestRecord>(redis_, keys(), "calendar",
                                        [this](const std::string& id) { return RequestKey(id); },
                                        {min, max, "BYSCORE"});
}

IndexOp MediatorsStore::PoolIndex(const v1::MediatorRecord& record) const {
  const std::string& id = record.mediator().mediator_id();
  const std::string key = keys().Key(PartitionOfId(id), "pool");
  return record.removed() ? IndexOp::SortedRemove(key, id) : IndexOp::SortedAdd(key, id);
}

std::vector<IndexOp> MediatorsStore::RequestIndexes(const v1::RequestRecord& record) const {
  const auto& r = record.request();
  const int p = PartitionOfId(r.request_id());
  const double start = static_cast<double>(r.start().seconds());
  const std::string open = keys().Key(p, "open"), calendar = keys().Key(p, "calendar");
  return {InOpen(r.status()) && !record.past() ? IndexOp::SortedAdd(open, r.request_id(), start)
                                              : IndexOp::SortedRemove(open, r.request_id()),
          InCalendar(r.status()) ? IndexOp::SortedAdd(calendar, r.request_id(), start)
                                 : IndexOp::SortedRemove(calendar, r.request_id())};
}

std::string MediatorsStore::PersonRequestsKey(const std::string& person_id) const {
  return keys().Key(PartitionOfId(person_id), "person:" + person_id + ":requests");
}

IndexOp MediatorsStore::PersonRequestIndex(const std::string& person_id, const std::string& request_id) const {
  return IndexOp::SortedAdd(PersonRequestsKey(person_id), request_id);
}

absl::StatusOr<std::vector<std::string>> MediatorsStore::RequestsOfPerson(const std::string& person_id) {
  auto reply = redis_.Command({"ZRANGE", PersonRequestsKey(person_id), "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> ids;
  for (const auto& e : reply->elements) ids.push_back(e.str);
  return ids;
}

IndexOp MediatorsStore::AuditOp(const AuditEntry& e) const {
  return AuditAppendOp(keys(), PartitionOfId(e.subject), e);
}

absl::Status MediatorsStore::Audit(const AuditEntry& e) { return AppendAudit(redis_, keys(), PartitionOfId(e.subject), e); }

absl::StatusOr<std::vector<AuditEntry>> MediatorsStore::ReadAudit(const std::string& mediator_id) {
  return ReadAuditStream(redis_, keys(), PartitionOfId(mediator_id));
}

}  // namespace ankommen::mediators
