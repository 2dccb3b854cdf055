#include "grpc/grpc_edge.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "store/ids.h"
#include "grpc/status.h"
#include "text/utf8.h"

namespace ankommen {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Walks the wire form of a message that failed to parse and names the first
// string field whose bytes are not UTF-8 (proto3 rejects those on parse).
bool FindInvalidUtf8(const UnknownFieldSet& fields, const Descriptor& descriptor, const std::string& prefix,
                     std::string& path) {
  std::map<int, int> index_of_number;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const FieldDescriptor* fd = descriptor.FindFieldByNumber(field.number());
    if (fd == nullptr || field.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string name = absl::StrCat(prefix, fd->name());
    if (fd->is_repeated()) absl::StrAppend(&name, "[", index_of_number[field.number()]++, "]");
    if (fd->type() == FieldDescriptor::TYPE_STRING && !IsValidUtf8(field.length_delimited())) {
      path = name;
      return true;
    }
    if (fd->type() == FieldDescriptor::TYPE_MESSAGE) {
      UnknownFieldSet nested;
      if (nested.ParseFromString(field.length_delimited()) &&
          FindInvalidUtf8(nested, *fd->message_type(), name + ".", path)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  // Bounded whatever a handler put in it: a message that echoes a huge value
  // would exceed what a client accepts in trailers and stall its channel.
  const std::string message = BoundUtf8(std::string(status.message()), kMaxStatusMessageBytes);
  auto bad_request = status.GetPayload(kBadRequestTypeUrl);
  if (!bad_request.has_value()) return grpc::Status(code, message);
  google::rpc::BadRequest violations;
  if (!violations.ParseFromString(std::string(*bad_request))) return grpc::Status(code, message);
  for (auto& v : *violations.mutable_field_violations()) {
    v.set_field(BoundUtf8(v.field(), kMaxStatusMessageBytes));
    v.set_description(BoundUtf8(v.description(), kMaxStatusMessageBytes));
  }
  // As many violations as fit beside the message.
  while (violations.ByteSizeLong() > kMaxStatusDetailsBytes && violations.field_violations_size() > 1) {
    violations.mutable_field_violations()->RemoveLast();
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(kBadRequestTypeUrl);
  any->set_value(violations.SerializeAsString());
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message& message) {
  grpc::Slice slice;
  std::string bytes;
  if (buffer.TrySingleSlice(&slice).ok()) {
    bytes.assign(reinterpret_cast<const char*>(slice.begin()), slice.size());
  } else {
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok()) return absl::InvalidArgumentError("request could not be read");
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (message.ParseFromString(bytes)) return absl::OkStatus();
  UnknownFieldSet wire;
  std::string path;
  if (wire.ParseFromString(bytes) && FindInvalidUtf8(wire, *message.GetDescriptor(), "", path)) {
    return InvalidFields({{path, "is not valid UTF-8 text"}});
  }
  return absl::InvalidArgumentError(
      absl::StrCat("request is not a valid ", message.GetDescriptor()->full_name(), " message"));
}

grpc::Status SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer& out) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) return grpc::Status(grpc::INTERNAL, "response could not be serialized");
  grpc::Slice slice(bytes);
  out = grpc::ByteBuffer(&slice, 1);
  return grpc::Status::OK;
}

size_t MaxRequestBytes(std::string_view method) {
  return method == "ImportSchools" || method == "ImportAccommodations" ? kMaxImportBytes : kMaxCallBytes;
}

RequestContext MakeRequestContext(const grpc::ServerContextBase& context, std::string method) {
  RequestContext rc;
  rc.method = std::move(method);
  const auto& md = context.client_metadata();
  auto value = [&](const char* key, size_t max) -> std::string {
    auto it = md.find(key);
    if (it == md.end()) return {};
    std::string v(it->second.data(), std::min(it->second.size(), max));
    return IsValidUtf8(v) ? v : std::string();
  };
  rc.correlation_id = value("x-correlation-id", 128);
  if (rc.correlation_id.empty()) rc.correlation_id = NewRandomId("corr", PartitionOfKey(rc.method));
  rc.actor = value("x-ankommen-actor", 128);
  if (rc.actor.empty()) rc.actor = "anonymous";
  return rc;
}

}  // namespace ankommen
