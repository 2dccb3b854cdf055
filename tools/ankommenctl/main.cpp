// ankommenctl: the operator's command line, speaking gRPC to the services.
//
//   ankommenctl registry register --file household.json [--idempotency-key K]
//   ankommenctl registry get-household ID --purpose "why"
//   ankommenctl registry get-person ID --purpose "why"
//   ankommenctl registry list --area Riesa [--page-size N] [--page-token T]
//   ankommenctl health [--service NAME]
//   ankommenctl call courses RequestSeat --json '{"person_id": "p_…", "course_type": "COURSE_TYPE_VOLUNTEER"}'
//   ankommenctl import schools|kitas|courses|accommodations|mediators|workers FILE.csv [--json]
//   ankommenctl waiting general [--area Riesa] [--json]     who waits for a course, in line order
//   ankommenctl offers PERSON_ID [--json]                   a person's course requests and offers
//   ankommenctl gaps [--area Riesa] [--json]                missing DaZ seats, Kita places, housing
//   ankommenctl allocate courses|schools|housing|mediators [--policy fcfs]
//   ankommenctl mediation [--language ar] [--area Riesa] [--json]   requests waiting for a mediator, oldest first
//   ankommenctl caseloads [--area Riesa] [--json]           social work: persons per worker against the target
//   ankommenctl report --from 2027-01-01 --to 2027-06-30 [--area Riesa] [--targets targets.csv]
//       the council's report: indicators against targets as PDF, JSON and CSV, from the events on NATS
//
// `call` reaches any method of any service by name (registry, courses, schools, housing, notifications,
// mediators, casework): the
// request as JSON (--json or --file), an empty idempotency_key filled with a
// random one. Addresses come from ANKOMMEN_<SERVICE>_ADDR or the default ports.
//
// Requests and answers are protobuf JSON, so scripts can use them as they are.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <future>
#include <optional>

#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "client.h"
#include "grpc/grpc_credentials.h"
#include "backup.h"
#include "import.h"
#include "report.h"
#include "views.h"

namespace {

namespace v1 = ankommen::registry::v1;

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

int Fail(const grpc::Status& s) {
  std::cerr << "error: " << s.error_code() << " " << s.error_message() << "\n";
  return s.error_code() == grpc::INVALID_ARGUMENT ? 2 : 1;
}

std::string RandomKey() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd() << rd() << rd();
  return out.str();
}

// The whole file, or nullopt (with a message) when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WithMetadata(grpc::ClientContext& ctx) { ankommen::ctl::Prepare(ctx, std::chrono::seconds(10)); }

struct ServiceAddress {
  const char* name;
  const char* full_name;
  const char* env;
  const char* default_addr;
};

constexpr ServiceAddress kServices[] = {
    {"registry", "ankommen.registry.v1.RegistryService", "ANKOMMEN_REGISTRY_ADDR", "127.0.0.1:50051"},
    {"courses", "ankommen.courses.v1.CourseService", "ANKOMMEN_COURSES_ADDR", "127.0.0.1:50052"},
    {"schools", "ankommen.schools.v1.SchoolService", "ANKOMMEN_SCHOOLS_ADDR", "127.0.0.1:50053"},
    {"housing", "ankommen.housing.v1.HousingService", "ANKOMMEN_HOUSING_ADDR", "127.0.0.1:50054"},
    {"notifications", "ankommen.notifications.v1.NotificationService", "ANKOMMEN_NOTIFICATIONS_ADDR", "127.0.0.1:50055"},
    {"mediators", "ankommen.mediators.v1.MediatorService", "ANKOMMEN_MEDIATORS_ADDR", "127.0.0.1:50056"},
    {"casework", "ankommen.casework.v1.CaseworkService", "ANKOMMEN_CASEWORK_ADDR", "127.0.0.1:50058"},
};

// Calls SERVICE.METHOD with a JSON request, printing the JSON answer.
int Call(const std::string& service, const std::string& method, const std::string& json, std::string addr) {
  const ServiceAddress* known = nullptr;
  for (const auto& s : kServices) {
    if (service == s.name) known = &s;
  }
  if (known == nullptr) {
    std::cerr << "error: unknown service " << service << " (registry, courses, schools, housing, notifications, mediators, casework)\n";
    return 2;
  }
  // Touch each API's generated code so the linker keeps its descriptors.
  (void)ankommen::registry::v1::ResidenceStatus_descriptor();
  (void)ankommen::courses::v1::CourseType_descriptor();
  (void)ankommen::schools::v1::SchoolType_descriptor();
  (void)ankommen::housing::v1::Kind_descriptor();
  (void)ankommen::notifications::v1::MessageStatus_descriptor();
  (void)ankommen::mediators::v1::Topic_descriptor();
  (void)ankommen::casework::v1::Program_descriptor();
  const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(known->full_name);
  const auto* m = descriptor ? descriptor->FindMethodByName(method) : nullptr;
  if (m == nullptr) {
    std::cerr << "error: " << known->full_name << " has no method " << method << "\n";
    return 2;
  }
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> request(factory->GetPrototype(m->input_type())->New());
  std::unique_ptr<google::protobuf::Message> response(factory->GetPrototype(m->output_type())->New());
  if (auto parsed = google::protobuf::util::JsonStringToMessage(json.empty() ? "{}" : json, request.get());
      !parsed.ok()) {
    std::cerr << "error: request: " << parsed.message() << "\n";
    return 2;
  }
  if (const auto* key = m->input_type()->FindFieldByName("idempotency_key");
      key != nullptr && request->GetReflection()->GetString(*request, key).empty()) {
    request->GetReflection()->SetString(request.get(), key, RandomKey());
  }
  if (addr.empty()) addr = std::getenv(known->env) ? std::getenv(known->env) : known->default_addr;
  grpc::GenericStub stub(grpc::CreateChannel(addr, ankommen::ChannelCredentialsOrExit()));
  grpc::ClientContext ctx;
  WithMetadata(ctx);
  grpc::ByteBuffer in, out;
  bool own = false;
  if (auto s = grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::Message>(*request, &in, &own);
      !s.ok()) {
    return Fail(s);
  }
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/" + std::string(known->full_name) + "/" + method, grpc::StubOptions(), &in, &out,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return Fail(status);
  if (auto s = grpc::GenericDeserialize<grpc::ProtoBufferReader, google::protobuf::Message>(&out, response.get());
      !s.ok()) {
    return Fail(s);
  }
  std::cout << ToJson(*response);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ankommenctl: operate an ankommen district"};
  app.require_subcommand(1);
  std::string registry_addr = "127.0.0.1:50051";
  if (const char* env = std::getenv("ANKOMMEN_REGISTRY_ADDR")) registry_addr = env;
  app.add_option("--registry", registry_addr, "registry gRPC address (ANKOMMEN_REGISTRY_ADDR)");

  auto* registry = app.add_subcommand("registry", "households and persons");
  registry->require_subcommand(1);
  std::string file, key, id, purpose = "operator lookup", area, token;
  int page_size = 0;
  auto* reg = registry->add_subcommand("register", "register a household from a JSON file");
  reg->add_option("--file", file, "RegisterHouseholdRequest or Household as JSON")->required();
  reg->add_option("--idempotency-key", key, "retry-safe key (default: random)");
  auto* get_h = registry->add_subcommand("get-household", "show a household");
  get_h->add_option("id", id)->required();
  get_h->add_option("--purpose", purpose, "why you read personal data (audited)");
  auto* get_p = registry->add_subcommand("get-person", "show a person");
  get_p->add_option("id", id)->required();
  get_p->add_option("--purpose", purpose, "why you read personal data (audited)");
  auto* list = registry->add_subcommand("list", "list households of a social area");
  list->add_option("--area", area)->required();
  list->add_option("--page-size", page_size);
  list->add_option("--page-token", token);
  list->add_option("--purpose", purpose, "why you read personal data (audited)");

  auto* dups = registry->add_subcommand("duplicates", "suspected duplicates waiting for a decision, oldest first");
  dups->add_option("--page-size", page_size);
  dups->add_option("--page-token", token);
  bool dups_json = false;
  dups->add_flag("--json", dups_json, "JSON instead of a table");
  auto* resolve = registry->add_subcommand("resolve", "decide a suspected duplicate (audited with your reason)");
  std::string other_id, resolution, reason;
  resolve->add_option("person_id", id, "the held person")->required();
  resolve->add_option("other_person_id", other_id, "the person registered before")->required();
  resolve->add_option("decision", resolution, "same (merge into the earlier record) or different")
      ->required()
      ->check(CLI::IsMember({"same", "different"}));
  resolve->add_option("--reason", reason, "why, for the audit log")->required();
  resolve->add_option("--idempotency-key", key, "retry-safe key (default: random)");
  auto* close_case = registry->add_subcommand("close-case", "the district's care for a household ends (audited)");
  std::string closure, note;
  close_case->add_option("household_id", id)->required();
  close_case->add_option("--closure", closure, "moved_away, left_germany, care_ended or other")
      ->required()
      ->check(CLI::IsMember({"moved_away", "left_germany", "care_ended", "other"}));
  close_case->add_option("--note", note, "required for other");
  close_case->add_option("--idempotency-key", key, "retry-safe key (default: random)");
  auto* retention = registry->add_subcommand("retention", "run the retention job now: what it erased");
  bool dry_run = false, retention_json = false;
  retention->add_flag("--dry-run", dry_run, "only say what is due");
  retention->add_flag("--json", retention_json, "JSON instead of a table");
  auto* ages = registry->add_subcommand(
      "age-changes", "tell the services today's birthdays and school years now (the daily job): how many households");
  auto* health = app.add_subcommand("health", "check a service's grpc.health.v1 status");
  std::string health_addr = registry_addr, health_service;
  health->add_option("--addr", health_addr);
  health->add_option("--service", health_service, "e.g. ankommen.registry.v1.RegistryService");

  auto* call = app.add_subcommand("call", "call any method of a service with a JSON request");
  std::string call_service, call_method, call_json, call_addr;
  call->add_option("service", call_service, "registry, courses, schools, housing or notifications")->required();
  call->add_option("method", call_method, "e.g. GetLearner")->required();
  call->add_option("--json", call_json, "the request as JSON");
  call->add_option("--file", file, "the request as a JSON file");
  call->add_option("--addr", call_addr, "host:port (default: ANKOMMEN_<SERVICE>_ADDR or the service's port)");

  auto* import = app.add_subcommand("import", "a table from CSV: a progress bar, and a line per rejected row saying why");
  ankommen::ctl::ImportOptions import_options;
  import->add_option("table", import_options.kind, "schools, kitas, courses, accommodations, mediators or workers")
      ->required()
      ->check(CLI::IsMember({"schools", "kitas", "courses", "accommodations", "mediators", "workers"}));
  import->add_option("file", import_options.file, "the CSV file")->required();
  import->add_option("--addr", import_options.addr, "host:port (default: the owning service's ANKOMMEN_<SERVICE>_ADDR)");
  import->add_option("--batch", import_options.batch_rows, "rows per request (schools, accommodations, mediators)")
      ->check(CLI::Range(1, 10000));
  import->add_flag("--json", import_options.json, "the result as JSON");
  bool no_progress = false;
  import->add_flag("--no-progress", no_progress, "no progress bar");

  bool json = false;
  std::string view_arg, view_area, policy;
  auto* waiting = app.add_subcommand("waiting", "the waiting list of a course type, in line order");
  waiting->add_option("course_type", view_arg, "general, alpha, parents, youth, orientation, job, volunteer")->required();
  waiting->add_option("--area", view_area, "one social area (default: the district)");
  auto* offers = app.add_subcommand("offers", "a person's course requests, offers and deadlines");
  offers->add_option("person_id", view_arg)->required();
  auto* gaps = app.add_subcommand("gaps", "DaZ seats, Kita places and housing: free, waiting, missing");
  gaps->add_option("--area", view_area, "one social area (default: all)");
  auto* proposals = app.add_subcommand("proposals", "school and Kita proposals waiting for the schools office");
  proposals->add_option("--area", view_area, "one social area (default: all)");
  auto* decide = app.add_subcommand("decide", "the schools office decides on a proposal (or places by hand)");
  std::string decision, decide_place, decide_reason, decide_note;
  decide->add_option("decision", decision, "confirm, reject or place")
      ->required()
      ->check(CLI::IsMember({"confirm", "reject", "place"}));
  decide->add_option("person_id", view_arg, "the child")->required();
  decide->add_option("place_id", decide_place, "place: the school or Kita");
  decide->add_option("--reason", decide_reason,
                     "reject and place: siblings, special_needs, transport, family_wish, safeguarding or other");
  decide->add_option("--note", decide_note, "what the reason does not say (required for other)");
  auto* allocate = app.add_subcommand("allocate", "run an allocation now");
  allocate->add_option("service", view_arg, "courses, schools, housing or mediators")
      ->required()
      ->check(CLI::IsMember({"courses", "schools", "housing", "mediators"}));
  auto* caseloads = app.add_subcommand("caseloads", "social work: persons per worker by programme and area, against the target");
  caseloads->add_option("--area", view_area, "one social area (default: all)");
  auto* mediation = app.add_subcommand("mediation", "requests waiting for a language mediator, oldest first");
  std::string view_language;
  mediation->add_option("--language", view_language, "one language (ISO 639 code)");
  mediation->add_option("--area", view_area, "one social area (default: all)");
  allocate->add_option("--policy", policy, "courses: optimal or fcfs (default: the service's setting)");
  auto* report = app.add_subcommand(
      "report", "the council's report: indicators against targets, as PDF, JSON and CSV (read from the events on NATS)");
  ankommen::ctl::ReportOptions report_options;
  report->add_option("--from", report_options.from, "first day, YYYY-MM-DD")->required();
  report->add_option("--to", report_options.to, "last day, YYYY-MM-DD")->required();
  report->add_option("--area", report_options.area, "one social area (default: the whole district)");
  report->add_option("--targets", report_options.targets_file,
                     "the district's targets: indicator,social_area,baseline,target,from,to (docs/indicators.md)");
  report->add_option("--district", report_options.district, "the name on the cover, e.g. \"Landkreis Meißen\"");
  report->add_option("--social-workers", report_options.social_workers,
                     "refugee social workers per area, e.g. \"Riesa=2,Meißen=3\" (ANKOMMEN_HOUSING_SOCIAL_WORKERS); "
                     "used only where casework keeps no staff list")
      ->envname("ANKOMMEN_HOUSING_SOCIAL_WORKERS");
  report->add_option("--out", report_options.out_dir, "directory for the files (default: here)");
  // Back up and restore (docs/operations.md): NATS as ANKOMMEN_NATS_*, the restored Redis as ANKOMMEN_REDIS_*.
  std::string backup_dir;
  auto* backup = app.add_subcommand("backup", "one step of a backup while the district runs (deploy/local/backup.sh)");
  backup->require_subcommand(1);
  auto* backup_consumers =
      backup->add_subcommand("consumers", "where each durable consumer stands: first, before Redis is copied");
  auto* backup_streams =
      backup->add_subcommand("streams", "every stream through JetStream's snapshot: after Redis is copied");
  for (auto* step : {backup_consumers, backup_streams}) step->add_option("dir", backup_dir, "the backup's directory")->required();
  auto* restore = app.add_subcommand(
      "restore", "JetStream from a backup into a fresh NATS, cut to the restored Redis, consumers set back; before "
                 "the services start (deploy/local/restore.sh)");
  restore->add_option("dir", backup_dir, "the backup's directory")->required();
  for (auto* view : {waiting, offers, gaps, allocate, proposals, decide, mediation, caseloads, report}) {
    view->add_flag("--json", json, "JSON instead of a table");
  }

  CLI11_PARSE(app, argc, argv);

  auto address_of = [](const char* service) -> std::string {
    for (const auto& s : kServices) {
      if (std::string(service) == s.name) return std::getenv(s.env) ? std::getenv(s.env) : s.default_addr;
    }
    return "";
  };
  const ankommen::ctl::Addresses at{address_of("courses"), address_of("schools"), address_of("housing"),
                                    address_of("mediators"), address_of("casework")};
  if (backup_consumers->parsed()) return ankommen::ctl::BackupConsumers(backup_dir);
  if (backup_streams->parsed()) return ankommen::ctl::BackupStreams(backup_dir);
  if (restore->parsed()) return ankommen::ctl::Restore(backup_dir);
  if (report->parsed()) {
    report_options.json = json;
    return ankommen::ctl::WriteReport(report_options);
  }
  if (waiting->parsed()) return ankommen::ctl::ShowWaitingList(at, view_arg, view_area, json);
  if (offers->parsed()) return ankommen::ctl::ShowOffers(at, view_arg, json);
  if (gaps->parsed()) return ankommen::ctl::ShowGaps(at, view_area, json);
  if (proposals->parsed()) return ankommen::ctl::ShowProposals(at, view_area, json);
  if (mediation->parsed()) return ankommen::ctl::ShowMediation(at, view_language, view_area, json);
  if (caseloads->parsed()) return ankommen::ctl::ShowCaseloads(at, view_area, json);
  if (decide->parsed()) {
    if (decision == "place" && decide_place.empty()) {
      std::cerr << "error: place needs the school or Kita id\n";
      return 2;
    }
    return ankommen::ctl::DecideSchoolPlacement(at, decision, view_arg, decide_place, decide_reason, decide_note, json);
  }
  if (allocate->parsed()) return ankommen::ctl::AllocateNow(at, view_arg, policy, json);

  if (import->parsed()) {
    if (import_options.addr.empty()) {
      import_options.addr = import_options.kind == "courses"          ? at.courses
                            : import_options.kind == "accommodations" ? at.housing
                            : import_options.kind == "mediators"      ? at.mediators
                            : import_options.kind == "workers"        ? at.casework
                                                                      : at.schools;
    }
    import_options.progress = !no_progress;
    return ankommen::ctl::RunImport(import_options);
  }

  if (call->parsed()) {
    if (!file.empty()) {
      auto text = ReadFile(file);
      if (!text) return 2;
      call_json = *text;
    }
    return Call(call_service, call_method, call_json, call_addr);
  }

  if (health->parsed()) {
    auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(health_addr, ankommen::ChannelCredentialsOrExit()));
    grpc::ClientContext ctx;
    WithMetadata(ctx);
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(health_service);
    grpc::health::v1::HealthCheckResponse resp;
    auto s = stub->Check(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
    return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
  }

  auto stub = v1::RegistryService::NewStub(grpc::CreateChannel(registry_addr, ankommen::ChannelCredentialsOrExit()));
  grpc::ClientContext ctx;
  WithMetadata(ctx);
  if (reg->parsed()) {
    auto text = ReadFile(file);
    if (!text) return 2;
    v1::RegisterHouseholdRequest req;
    if (!google::protobuf::util::JsonStringToMessage(*text, &req).ok() || !req.has_household()) {
      req.Clear();
      auto parsed = google::protobuf::util::JsonStringToMessage(*text, req.mutable_household());
      if (!parsed.ok()) {
        std::cerr << "error: " << file << ": " << parsed.message() << "\n";
        return 2;
      }
    }
    if (!key.empty()) req.set_idempotency_key(key);
    if (req.idempotency_key().empty()) req.set_idempotency_key(RandomKey());
    v1::RegisterHouseholdResponse resp;
    auto s = stub->RegisterHousehold(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (get_h->parsed()) {
    v1::GetHouseholdRequest req;
    req.set_household_id(id);
    req.set_purpose(purpose);
    v1::GetHouseholdResponse resp;
    auto s = stub->GetHousehold(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (get_p->parsed()) {
    v1::GetPersonRequest req;
    req.set_person_id(id);
    req.set_purpose(purpose);
    v1::GetPersonResponse resp;
    auto s = stub->GetPerson(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (dups->parsed()) {
    v1::ListSuspectedDuplicatesRequest req;
    req.set_page_size(page_size);
    req.set_page_token(token);
    v1::ListSuspectedDuplicatesResponse resp;
    auto s = stub->ListSuspectedDuplicates(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    if (dups_json) {
      std::cout << ToJson(resp);
      return 0;
    }
    std::printf("%-24s %-24s %5s  %s\n", "held person", "registered before", "score", "why");
    for (const auto& d : resp.duplicates()) {
      std::string why;
      for (const auto& r : d.suspicion().reasons()) why += (why.empty() ? "" : "; ") + r;
      std::printf("%-24s %-24s %5.2f  %s\n", d.person_id().c_str(), d.suspicion().other_person_id().c_str(),
                  d.suspicion().score(), why.c_str());
    }
    if (resp.duplicates().empty()) std::printf("(none)\n");
    if (!resp.next_page_token().empty()) std::printf("more: --page-token %s\n", resp.next_page_token().c_str());
  } else if (resolve->parsed()) {
    v1::ResolveDuplicateRequest req;
    req.set_idempotency_key(key.empty() ? RandomKey() : key);
    req.set_person_id(id);
    req.set_other_person_id(other_id);
    req.set_resolution(resolution == "same" ? v1::RESOLUTION_SAME_PERSON : v1::RESOLUTION_DIFFERENT_PERSONS);
    req.set_reason(reason);
    v1::ResolveDuplicateResponse resp;
    auto s = stub->ResolveDuplicate(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (close_case->parsed()) {
    v1::CloseCaseRequest req;
    req.set_idempotency_key(key.empty() ? RandomKey() : key);
    req.set_household_id(id);
    v1::CaseClosure c = v1::CASE_CLOSURE_UNSPECIFIED;
    (void)v1::CaseClosure_Parse("CASE_CLOSURE_" + absl::AsciiStrToUpper(closure), &c);
    req.set_closure(c);
    req.set_note(note);
    v1::CloseCaseResponse resp;
    auto s = stub->CloseCase(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (retention->parsed()) {
    v1::RunRetentionRequest req;
    req.set_dry_run(dry_run);
    v1::RunRetentionResponse resp;
    auto s = stub->RunRetention(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    if (retention_json) {
      std::cout << ToJson(resp);
      return 0;
    }
    std::printf("%-8s %-22s %8s  %s\n", "kind", "id", "count", "rule");
    for (const auto& item : resp.items()) {
      std::printf("%-8s %-22s %8lld  %s\n", item.kind().c_str(), item.id().c_str(),
                  static_cast<long long>(item.count()), item.rule().c_str());
    }
    std::printf("%s: %d persons erased, %lld audit entries removed\n", dry_run ? "dry run (nothing erased)" : "done",
                resp.persons_erased(), static_cast<long long>(resp.audit_entries_removed()));
  } else if (ages->parsed()) {
    v1::RunAgeChangesResponse resp;
    auto s = stub->RunAgeChanges(&ctx, v1::RunAgeChangesRequest(), &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  } else if (list->parsed()) {
    v1::ListHouseholdsRequest req;
    req.set_social_area(area);
    req.set_page_size(page_size);
    req.set_page_token(token);
    req.set_purpose(purpose);
    v1::ListHouseholdsResponse resp;
    auto s = stub->ListHouseholds(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    std::cout << ToJson(resp);
  }
  return 0;
}
