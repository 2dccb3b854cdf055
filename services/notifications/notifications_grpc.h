// The notification service's gRPC API: each method parses, authorises and
// hands over to Notifications on the worker pool.
#pragma once

#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "grpc/grpc_edge.h"
#include "notifications.h"

namespace ankommen::notifications {

using RawNotificationService = v1::NotificationService::WithRawCallbackMethod_GetMessages<
    v1::NotificationService::WithRawCallbackMethod_Resend<v1::NotificationService::Service>>;

class NotificationGrpcService final : public RawNotificationService {
 public:
  NotificationGrpcService(Notifications& notifications, Edge& edge) : notifications_(notifications), edge_(edge) {}

  grpc::ServerUnaryReactor* GetMessages(grpc::CallbackServerContext* c, const grpc::ByteBuffer* in,
                                        grpc::ByteBuffer* out) override {
    return edge_.Unary<v1::GetMessagesRequest, v1::GetMessagesResponse>(
        c, in, out, "GetMessages",
        [this](const auto& req, auto& resp, const RequestContext& rc) { return notifications_.GetMessages(req, resp, rc); });
  }
  grpc::ServerUnaryReactor* Resend(grpc::CallbackServerContext* c, const grpc::ByteBuffer* in,
                                   grpc::ByteBuffer* out) override {
    return edge_.Unary<v1::ResendRequest, v1::ResendResponse>(
        c, in, out, "Resend",
        [this](const auto& req, auto& resp, const RequestContext& rc) { return notifications_.Resend(req, resp, rc); });
  }

 private:
  Notifications& notifications_;
  Edge& edge_;
};

}  // namespace ankommen::notifications
