// The mediators' requests and pool entries as the API receives them, read
// and checked (convert.h), and — when a request passes — matched against a
// small pool made from the same bytes, so the matching meets whatever the
// checks let through; and the pool's spreadsheet import (pool_csv.h), each
// row read and checked as ImportMediators does.
#include "convert.h"
#include "fuzz_input.h"
#include "matching.h"
#include "pool_csv.h"

namespace v1 = ankommen::mediators::v1;
using namespace ankommen::mediators;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  static const absl::Time now = absl::FromUnixSeconds(1'796'000'000);  // December 2026
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/Berlin", &z);
    return z;
  }();
  switch (in.selector % 4) {
    case 0: {
      v1::UpsertMediatorRequest r;
      if (ParseAs(in, r)) (void)MediatorFromProto(r.mediator());
      break;
    }
    case 1: {
      v1::RequestMediatorRequest r;
      if (ParseAs(in, r)) (void)RequestFromProto(r.request(), "hh_fuzz", now);
      break;
    }
    case 3: {
      v1::ImportMediatorsRequest r;
      if (!ParseAs(in, r)) break;
      const ankommen::CsvTable table = ankommen::ParseCsv(r.csv());
      for (const auto& row : table.rows) {
        auto read = PoolRowOf(table, row);
        if (!read.ok()) continue;
        read->mediator.set_mediator_id("med_fuzz");
        (void)MediatorFromProto(read->mediator);
        (void)ValidateContact(read->contact);
      }
      break;
    }
    default: {
      // A pool entry and a request together: matched when both pass.
      v1::RequestMediatorRequest r;
      v1::UpsertMediatorRequest m;
      if (!ParseAs(in, r)) break;
      m.ParseFromString(r.idempotency_key());  // the key's bytes carry the mediator
      auto request = RequestFromProto(r.request(), "hh_fuzz", now);
      auto mediator = MediatorFromProto(m.mediator());
      if (!request.ok() || !mediator.ok()) break;
      MatchSettings settings;
      settings.zone = zone;
      for (const char* policy : {"optimal", "fcfs"}) {
        settings.policy = policy;
        (void)Match({*mediator}, {}, {*request, *request}, now, settings);
      }
      break;
    }
  }
  return 0;
}
