// The mediators' store against a real redis-server: which index a request
// sits in follows its status (open list, calendar by start, off the open list
// once its appointment began without a booking), the pool follows who is in
// it, a person's requests are listed in the person's partition, and the audit
// stream keeps every read of contact data.
#include "storage/mediators_store.h"

#include <gtest/gtest.h>

#include "store/redis.h"
#include "support/servers.h"

namespace ankommen::mediators {
namespace {

const absl::Time kMonday = absl::FromUnixSeconds(1'803'884'400);  // 2027-03-01 08:00 in Saxony

class MediatorsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    outbox_ = std::make_unique<Outbox>(*pool_, KeySpace("mediators"));
    store_ = std::make_unique<MediatorsStore>(*outbox_, *pool_);
  }

  // Writes the request as it is now (a new one at version 0).
  void Save(const v1::RequestRecord& record, int64_t expected_version) {
    Commit c;
    c.partition = PartitionOfId(record.request().request_id());
    c.aggregate_key = store_->RequestKey(record.request().request_id());
    c.expected_version = expected_version;
    c.state = record.SerializeAsString();
    c.index_ops = store_->RequestIndexes(record);
    auto result = outbox_->Apply(c);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->outcome, CommitResult::Outcome::kCommitted);
  }

  static v1::RequestRecord Request(const std::string& id, int hours_from_monday, v1::RequestStatus status) {
    v1::RequestRecord r;
    r.mutable_request()->set_request_id(id);
    r.mutable_request()->mutable_start()->set_seconds(absl::ToUnixSeconds(kMonday + absl::Hours(hours_from_monday)));
    r.mutable_request()->set_status(status);
    return r;
  }

  static std::vector<std::string> Ids(const std::vector<LoadedRequest>& loaded) {
    std::vector<std::string> ids;
    for (const auto& l : loaded) ids.push_back(l.record.request().request_id());
    return ids;
  }

  testing::RedisServer redis_;
  std::unique_ptr<RedisPool> pool_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<MediatorsStore> store_;
};

TEST_F(MediatorsStoreTest, ARequestSitsWhereItsStatusSays) {
  // In three partitions, out of start order.
  Save(Request("mreq_3000000000000003", 30, v1::REQUEST_STATUS_OPEN), 0);
  Save(Request("mreq_1000000000000001", 2, v1::REQUEST_STATUS_UNFILLED), 0);
  Save(Request("mreq_a00000000000000a", 26, v1::REQUEST_STATUS_BOOKED), 0);
  Save(Request("mreq_b00000000000000b", 200, v1::REQUEST_STATUS_DELIVERED), 0);

  auto open = store_->LoadOpen();
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(Ids(*open), (std::vector<std::string>{"mreq_1000000000000001", "mreq_3000000000000003"})) << "by start";
  auto tuesday = store_->LoadCalendar(kMonday + absl::Hours(24), kMonday + absl::Hours(48));
  ASSERT_TRUE(tuesday.ok()) << tuesday.status();
  EXPECT_EQ(Ids(*tuesday), (std::vector<std::string>{"mreq_a00000000000000a"})) << "only bookings, only that day";
  auto from_tuesday = store_->LoadCalendar(kMonday + absl::Hours(24), absl::InfiniteFuture());
  ASSERT_TRUE(from_tuesday.ok());
  EXPECT_EQ(from_tuesday->size(), 2u);

  // Booked: off the open list, into the calendar.
  auto booked = Request("mreq_3000000000000003", 30, v1::REQUEST_STATUS_BOOKED);
  Save(booked, 1);
  open = store_->LoadOpen();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(Ids(*open), (std::vector<std::string>{"mreq_1000000000000001"}));
  tuesday = store_->LoadCalendar(kMonday + absl::Hours(24), kMonday + absl::Hours(48));
  ASSERT_TRUE(tuesday.ok());
  EXPECT_EQ(tuesday->size(), 2u);

  // Its appointment began without a booking: off the open list, its status kept.
  auto past = Request("mreq_1000000000000001", 2, v1::REQUEST_STATUS_UNFILLED);
  past.set_past(true);
  Save(past, 1);
  open = store_->LoadOpen();
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->empty());
  auto kept = store_->LoadRequest("mreq_1000000000000001");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->record.request().status(), v1::REQUEST_STATUS_UNFILLED);
  EXPECT_EQ((*kept)->version, 2);
}

TEST_F(MediatorsStoreTest, ThePoolListsWhoIsInItAndAPersonsRequestsAreFoundInTheirPartition) {
  for (const char* id : {"med_2000000000000002", "med_f00000000000000f"}) {
    v1::MediatorRecord m;
    m.mutable_mediator()->set_mediator_id(id);
    m.mutable_contact()->set_family_name("Nasser");
    Commit c;
    c.partition = PartitionOfId(id);
    c.aggregate_key = store_->MediatorKey(id);
    c.state = m.SerializeAsString();
    c.index_ops = {store_->PoolIndex(m)};
    ASSERT_TRUE(outbox_->Apply(c).ok());
  }
  v1::MediatorRecord removed;
  removed.mutable_mediator()->set_mediator_id("med_f00000000000000f");
  removed.set_removed(true);
  Commit c;
  c.partition = 15;
  c.aggregate_key = store_->MediatorKey("med_f00000000000000f");
  c.expected_version = 1;
  c.state = removed.SerializeAsString();
  c.index_ops = {store_->PoolIndex(removed)};
  ASSERT_TRUE(outbox_->Apply(c).ok());
  auto pool = store_->LoadPool();
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_EQ(pool->size(), 1u);
  EXPECT_EQ(pool->front().record.mediator().mediator_id(), "med_2000000000000002");

  // A person's request lives in the person's partition, listed under them.
  Commit r;
  r.partition = 7;
  r.aggregate_key = store_->RequestKey("mreq_7000000000000001");
  r.state = Request("mreq_7000000000000001", 3, v1::REQUEST_STATUS_OPEN).SerializeAsString();
  r.index_ops = {store_->PersonRequestIndex("p_7000000000000abc", "mreq_7000000000000001")};
  ASSERT_TRUE(outbox_->Apply(r).ok());
  auto of_person = store_->RequestsOfPerson("p_7000000000000abc");
  ASSERT_TRUE(of_person.ok());
  EXPECT_EQ(*of_person, (std::vector<std::string>{"mreq_7000000000000001"}));
  EXPECT_EQ(redis_.Keys("ankommen:mediators:{mediators:p7}:person:p_7000000000000abc:requests").size(), 1u);
}

TEST_F(MediatorsStoreTest, EveryReadOfContactDataIsInTheAuditStreamWithItsPurpose) {
  ASSERT_TRUE(store_->Audit({"amt-riesa", "GetMediatorContact", "med_2000000000000002", "ein Termin", "c1"}).ok());
  Commit c;
  c.partition = 2;
  c.aggregate_key = store_->MediatorKey("med_2000000000000002");
  c.state = "x";
  c.index_ops = {store_->AuditOp({"servicestelle", "RemoveMediator", "med_2000000000000002", "verzogen", "c2"})};
  ASSERT_TRUE(outbox_->Apply(c).ok());
  auto entries = store_->ReadAudit("med_2000000000000002");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].actor, "amt-riesa");
  EXPECT_EQ((*entries)[0].purpose, "ein Termin");
  EXPECT_EQ((*entries)[1].action, "RemoveMediator");
  EXPECT_EQ((*entries)[1].correlation_id, "c2");
}

}  // namespace
}  // namespace ankommen::mediators
