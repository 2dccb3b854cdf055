#include "contacts.h"

#include "runtime/config.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "grpc/grpc_credentials.h"

namespace ankommen::notifications {
namespace {

class RegistryContactBook final : public ContactBook {
 public:
  explicit RegistryContactBook(const std::string& addr)
      : stub_(registry::v1::RegistryService::NewStub(grpc::CreateChannel(addr, ChannelCredentialsOrExit()))) {}

  absl::StatusOr<Contact> Lookup(const std::string& person_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("x-ankommen-actor", "notifications");
    if (const std::string token = CallerToken(); !token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    registry::v1::GetContactRequest req;
    req.set_person_id(person_id);
    req.set_purpose("notification: an offer or placement for the person");
    registry::v1::GetContactResponse resp;
    grpc::Status s = stub_->GetContact(&ctx, req, &resp);
    if (s.error_code() == grpc::NOT_FOUND) return absl::NotFoundError(s.error_message());
    if (!s.ok()) return absl::UnavailableError(absl::StrCat("registry: ", s.error_message()));
    Contact c;
    c.name = absl::StrCat(resp.given_names(), " ", resp.family_name());
    c.street = resp.postal_address().street();
    c.postal_code = resp.postal_address().postal_code();
    c.city = resp.postal_address().city();
    c.email = resp.contact().email();
    c.phone = resp.contact().phone();
    c.language = resp.preferred_language();
    c.uses_app = resp.contact().uses_app();
    switch (resp.contact().preferred_channel()) {
      case registry::v1::CHANNEL_EMAIL: c.prefers = Contact::Prefers::kEmail; break;
      case registry::v1::CHANNEL_SMS: c.prefers = Contact::Prefers::kSms; break;
      case registry::v1::CHANNEL_LETTER: c.prefers = Contact::Prefers::kLetter; break;
      case registry::v1::CHANNEL_APP: c.prefers = Contact::Prefers::kApp; break;
      default: break;
    }
    return c;
  }

 private:
  std::unique_ptr<registry::v1::RegistryService::Stub> stub_;
};

class MediatorContactBook final : public ContactBook {
 public:
  explicit MediatorContactBook(const std::string& addr)
      : stub_(mediators::v1::MediatorService::NewStub(grpc::CreateChannel(addr, ChannelCredentialsOrExit()))) {}

  absl::StatusOr<Contact> Lookup(const std::string& mediator_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("x-ankommen-actor", "notifications");
    if (const std::string token = CallerToken(); !token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    mediators::v1::GetMediatorContactRequest req;
    req.set_mediator_id(mediator_id);
    req.set_purpose("notification: a booking for the mediator");
    mediators::v1::GetMediatorContactResponse resp;
    grpc::Status s = stub_->GetMediatorContact(&ctx, req, &resp);
    if (s.error_code() == grpc::NOT_FOUND) return absl::NotFoundError(s.error_message());
    if (!s.ok()) return absl::UnavailableError(absl::StrCat("mediators: ", s.error_message()));
    Contact c;
    c.name = absl::StrCat(resp.contact().given_names(), " ", resp.contact().family_name());
    c.email = resp.contact().email();
    c.phone = resp.contact().phone();
    return c;
  }

 private:
  std::unique_ptr<mediators::v1::MediatorService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ContactBook> MakeMediatorContactBook(const std::string& mediators_addr) {
  return std::make_unique<MediatorContactBook>(mediators_addr);
}

std::unique_ptr<ContactBook> MakeRegistryContactBook(const std::string& registry_addr) {
  return std::make_unique<RegistryContactBook>(registry_addr);
}

}  // namespace ankommen::notifications
