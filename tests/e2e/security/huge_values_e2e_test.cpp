// A value of any size gets a bounded answer and stalls nothing: every method
// of every service (read from the service descriptors) is sent a request
// whose string fields hold 300,000 characters, and then a valid call on the
// same channel. Each answer comes quickly with a status message of at most
// 512 bytes (and "…"), and the channel stays usable (issue 27: a message that
// echoed the value made trailers too large for a client, which then hung
// every later call on that channel).
#include <future>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "grpc/grpc_edge.h"
#include "support/servers.h"

namespace ankommen {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Every string field (and those of nested messages, two levels down) holds `value`.
void FillStrings(Message& m, const std::string& value, int depth = 0) {
  const Descriptor* d = m.GetDescriptor();
  const auto* reflection = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        reflection->AddString(&m, f, value);
      } else {
        reflection->SetString(&m, f, value);
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE && depth < 2 && !f->is_map()) {
      Message* nested = f->is_repeated() ? reflection->AddMessage(&m, f) : reflection->MutableMessage(&m, f);
      FillStrings(*nested, value, depth + 1);
    }
  }
}

grpc::Status Call(grpc::GenericStub& stub, const std::string& method, const std::string& bytes, int deadline_ms) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

TEST(HugeValuesE2ETest, EveryMethodAnswersBoundedAndTheChannelStaysUsable) {
  testing::NatsServer nats;
  testing::RedisServer redis;
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis);
  const std::map<std::string, std::string> env = {{"ANKOMMEN_REGISTRY_ADDR", registry.grpc_addr()}};
  testing::ServiceProcess courses(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats, redis, env);
  testing::ServiceProcess schools(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats, redis, env);
  testing::ServiceProcess housing(ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", nats, redis, env);
  testing::ServiceProcess notifications(ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService",
                                        nats, redis, env);
  // Each service by a message of its file (which links the file's descriptors in).
  const std::vector<std::tuple<const testing::ServiceProcess*, std::string, const Descriptor*>> services = {
      {&registry, "ankommen.registry.v1.RegistryService", registry::v1::RegisterHouseholdRequest::descriptor()},
      {&courses, "ankommen.courses.v1.CourseService", courses::v1::CreateCourseRequest::descriptor()},
      {&schools, "ankommen.schools.v1.SchoolService", schools::v1::GetCapacityRequest::descriptor()},
      {&housing, "ankommen.housing.v1.HousingService", housing::v1::GetFiguresRequest::descriptor()},
      {&notifications, "ankommen.notifications.v1.NotificationService",
       notifications::v1::GetMessagesRequest::descriptor()}};

  const std::string huge(300'000, 'x');
  google::protobuf::DynamicMessageFactory factory;
  int methods = 0;
  for (const auto& [process, name, in_file] : services) {
    const auto* service = in_file->file()->pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    // One channel per service, shared by every call to it, as a gateway would.
    auto channel = grpc::CreateChannel(process->grpc_addr(), grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* method = service->method(i);
      std::unique_ptr<Message> request(factory.GetPrototype(method->input_type())->New());
      FillStrings(*request, huge);
      const std::string path = absl::StrCat("/", name, "/", method->name());
      const absl::Time sent = absl::Now();
      grpc::Status answer = Call(stub, path, request->SerializeAsString(), 5000);
      const absl::Duration took = absl::Now() - sent;
      EXPECT_NE(answer.error_code(), grpc::DEADLINE_EXCEEDED) << path;
      EXPECT_LT(took, absl::Seconds(2)) << path;  // a second on an idle machine; ctest runs two at once
      EXPECT_LE(answer.error_message().size(), kMaxStatusMessageBytes + 3) << path;
      EXPECT_LE(answer.error_details().size(), kMaxStatusDetailsBytes + kMaxStatusMessageBytes + 64) << path;
      // The same channel still serves: a health check.
      grpc::health::v1::HealthCheckRequest health;
      health.set_service(name);
      grpc::Status after = Call(stub, "/grpc.health.v1.Health/Check", health.SerializeAsString(), 5000);
      EXPECT_TRUE(after.ok()) << "after " << path << ": " << after.error_message();
      ++methods;
    }
  }
  EXPECT_GT(methods, 40) << "every method of the five services";
}

}  // namespace
}  // namespace ankommen
