// What bus.cpp and consumer.cpp share: the bus's metrics and nats.c helpers.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bus/bus.h"
#include "observability/metrics.h"

namespace ankommen {

struct BusInstruments {
  explicit BusInstruments(prometheus::Registry& registry)
      : published(prometheus::BuildCounter()
                      .Name("ankommen_events_published_total")
                      .Help("Events published to JetStream, by subject and result (ok, duplicate, error)")
                      .Register(registry),
                  {"subject", "result"}),
        consumed(prometheus::BuildCounter()
                     .Name("ankommen_events_consumed_total")
                     .Help("Event deliveries handled, by consumer, subject and result (ack, retry, dead_letter)")
                     .Register(registry),
                 {"consumer", "subject", "result"}),
        backlog(prometheus::BuildGauge()
                    .Name("ankommen_consumer_backlog_messages")
                    .Help("Events not yet delivered to a consumer (JetStream num_pending)")
                    .Register(registry),
                {"consumer"}),
        unacked(prometheus::BuildGauge()
                    .Name("ankommen_consumer_unacked_messages")
                    .Help("Events delivered to a consumer and not yet acknowledged")
                    .Register(registry),
                {"consumer"}),
        handle_seconds(prometheus::BuildHistogram()
                           .Name("ankommen_event_handle_duration_seconds")
                           .Help("Time to handle one event delivery, by consumer (events handled together: their time shared among them)")
                           .Register(registry),
                       {"consumer"}) {}

  MetricVec<prometheus::Counter> published;
  MetricVec<prometheus::Counter> consumed;
  MetricVec<prometheus::Gauge> backlog;
  MetricVec<prometheus::Gauge> unacked;
  MetricVec<prometheus::Histogram> handle_seconds;
};

namespace bus_internal {

int64_t Nanos(absl::Duration d);
// UNAVAILABLE for what passes (a timeout, no server), INTERNAL otherwise.
absl::Status NatsError(absl::string_view what, natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0));
// A header's value, empty when the message has none.
std::string Header(natsMsg* msg, const char* key);
// The partition it was published from (kPartitionHeader), -1 when none.
int PartitionOf(natsMsg* msg);
IncomingEvent ToIncoming(natsMsg* msg);

}  // namespace bus_internal
}  // namespace ankommen
