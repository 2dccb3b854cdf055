#include "grpc/status.h"

#include <gtest/gtest.h>

#include "ankommen/registry/v1/registry.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/grpc_edge.h"

namespace ankommen {
namespace {

TEST(StatusTest, ViolationsBecomeInvalidArgumentNamingEveryField) {
  Violations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("a.b", "is required");
  v.Add("c", "is too long");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("a.b: is required"), std::string::npos);
  auto back = FieldViolationsOf(s);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].field, "c");
}

TEST(StatusTest, GrpcStatusCarriesBadRequestDetails) {
  grpc::Status g = ToGrpcStatus(InvalidFields({{"household.members[0].birth_date", "is in the future"}}));
  EXPECT_EQ(g.error_code(), grpc::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "household.members[0].birth_date");
}

TEST(StatusTest, WhatACallerIsSentIsBoundedWhateverAHandlerPutInIt) {
  const std::string huge(300'000, 'x');
  grpc::Status plain = ToGrpcStatus(absl::InvalidArgumentError("policy: not \"" + huge + "\""));
  EXPECT_LE(plain.error_message().size(), kMaxStatusMessageBytes + 3);
  EXPECT_TRUE(plain.error_message().ends_with("…"));

  std::vector<FieldViolation> many;
  for (int i = 0; i < 100; ++i) many.push_back({"household.members[" + std::to_string(i) + "].given_names", huge});
  grpc::Status fields = ToGrpcStatus(InvalidFields(many));
  EXPECT_LE(fields.error_message().size(), kMaxStatusMessageBytes + 3);
  EXPECT_LE(fields.error_details().size(), kMaxStatusDetailsBytes + kMaxStatusMessageBytes + 64);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(fields.error_details()));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_GE(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "household.members[0].given_names");
  EXPECT_LE(bad.field_violations(0).description().size(), kMaxStatusMessageBytes + 3);
}

TEST(StatusTest, CodesMapOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x")).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::AlreadyExistsError("x")).error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(), grpc::UNAVAILABLE);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST(ParseRequestTest, InvalidUtf8IsNamedByItsFieldPath) {
  ankommen::registry::v1::RegisterHouseholdRequest request;
  request.set_idempotency_key("k");
  request.mutable_household()->add_members()->set_given_names("Amina");
  request.mutable_household()->add_members()->set_family_name("QQQQ");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("QQQQ"), 4, "\xff\xfe\xfd\xfc");
  ankommen::registry::v1::RegisterHouseholdRequest parsed;
  absl::Status s = ParseRequest(Buffer(bytes), parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  auto fields = FieldViolationsOf(s);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].field, "household.members[1].family_name");
}

TEST(ParseRequestTest, GarbageIsInvalidArgument) {
  ankommen::registry::v1::RegisterHouseholdRequest parsed;
  absl::Status s = ParseRequest(Buffer("\x0a\xff\xff\xff\xff\x0f"), parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseRequestTest, ValidRequestParses) {
  ankommen::registry::v1::GetPersonRequest request;
  request.set_person_id("p_0123456789abcdef");
  ankommen::registry::v1::GetPersonRequest parsed;
  ASSERT_TRUE(ParseRequest(Buffer(request.SerializeAsString()), parsed).ok());
  EXPECT_EQ(parsed.person_id(), "p_0123456789abcdef");
}

}  // namespace
}  // namespace ankommen
