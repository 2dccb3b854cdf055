#include "import.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "client.h"
#include "text/csv.h"
#include "grpc/grpc_credentials.h"

namespace ankommen::ctl {

namespace {

namespace cv1 = courses::v1;
namespace hv1 = housing::v1;
namespace mv1 = mediators::v1;
namespace wv1 = casework::v1;
namespace sv1 = schools::v1;

struct Rejected {
  int line;
  std::string reason;
};

struct Outcome {
  int imported = 0;
  std::vector<Rejected> rejected;
};

// A call failed as a whole (not a row): the service is down or refused the batch.
struct CallFailed {
  grpc::Status status;
};

std::string Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return absl::StrFormat("%016x", h);
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::vector<std::string> quoted;
  for (const auto& f : fields) quoted.push_back(CsvField(f));
  return absl::StrJoin(quoted, ",") + "\n";
}

class Progress {
 public:
  Progress(bool on, std::string what, size_t total) : on_(on && isatty(STDERR_FILENO)), what_(std::move(what)), total_(total) {}
  void Show(size_t done, size_t rejected) {
    if (!on_) return;
    constexpr int kWidth = 30;
    const int filled = total_ == 0 ? kWidth : static_cast<int>(kWidth * done / total_);
    std::cerr << absl::StrFormat("\r%s [%s%s] %zu/%zu rows, %zu rejected", what_, std::string(filled, '#'),
                                 std::string(kWidth - filled, '.'), done, total_, rejected)
              << std::flush;
  }
  ~Progress() {
    if (on_) std::cerr << "\n";
  }

 private:
  bool on_;
  std::string what_;
  size_t total_;
};


// Schools and accommodations: the service checks a whole table; sent in
// batches (header + rows) so that progress shows and no request grows large.
template <typename Call>
Outcome ImportInBatches(const CsvTable& table, const std::vector<std::string>& header, const std::string& kind,
                        int batch_rows, Progress& progress, const Call& call) {
  Outcome outcome;
  for (size_t from = 0; from < table.rows.size(); from += static_cast<size_t>(batch_rows)) {
    const size_t to = std::min(table.rows.size(), from + static_cast<size_t>(batch_rows));
    std::string csv = CsvLine(header);
    for (size_t r = from; r < to; ++r) csv += CsvLine(table.rows[r].fields);
    // The service numbers the batch's lines from 2 (after its header).
    std::vector<int> original_line;
    for (size_t r = from; r < to; ++r) original_line.push_back(table.rows[r].line);
    auto [imported, rejected] = call(csv, absl::StrCat("import-", kind, "-", Fnv1a(csv)));
    outcome.imported += imported;
    for (const auto& rej : rejected) {
      const size_t index = static_cast<size_t>(rej.line - 2);
      outcome.rejected.push_back({index < original_line.size() ? original_line[index] : rej.line, rej.reason});
    }
    progress.Show(to, outcome.rejected.size());
  }
  return outcome;
}

// Kitas and courses: one command per row; a row the service refuses is
// rejected with the service's reason.
Outcome ImportByRow(const CsvTable& table, Progress& progress,
                    const std::function<grpc::Status(const CsvRow&, std::string& local_error)>& create) {
  Outcome outcome;
  size_t done = 0;
  for (const auto& row : table.rows) {
    std::string local_error;
    grpc::Status s = create(row, local_error);
    if (!local_error.empty()) {
      outcome.rejected.push_back({row.line, local_error});
    } else if (s.ok()) {
      ++outcome.imported;
    } else if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
               s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
               s.error_code() == grpc::StatusCode::NOT_FOUND) {
      outcome.rejected.push_back({row.line, s.error_message()});
    } else {
      throw CallFailed{s};
    }
    progress.Show(++done, outcome.rejected.size());
  }
  return outcome;
}

bool Number(const CsvTable& t, const CsvRow& row, const char* column, double& out, std::string& error) {
  const std::string text = t.Get(row, column);
  if (text.empty() || !absl::SimpleAtod(text, &out)) {
    error = absl::StrCat(column, ": expected a number, got '", text, "'");
    return false;
  }
  return true;
}

bool Integer(const CsvTable& t, const CsvRow& row, const char* column, int& out, std::string& error, bool optional = false) {
  const std::string text = t.Get(row, column);
  if (optional && text.empty()) return true;
  if (!absl::SimpleAtoi(text, &out)) {
    error = absl::StrCat(column, ": expected a whole number, got '", text, "'");
    return false;
  }
  return true;
}

template <typename Enum>
bool EnumValue(const std::string& text, const std::string& prefix, bool (*parse)(const std::string&, Enum*),
               const std::map<std::string, std::string>& short_names, Enum& out) {
  std::string name = absl::AsciiStrToLower(text);
  if (auto it = short_names.find(name); it != short_names.end()) name = it->second;
  name = absl::AsciiStrToUpper(name);
  if (name.rfind(prefix, 0) != 0) name = prefix + name;
  return parse(name, &out);
}

}  // namespace

int RunImport(const ImportOptions& options) {
  std::ifstream in(options.file);
  if (!in) {
    std::cerr << "error: cannot read " << options.file << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  const CsvTable table = ParseCsv(text.str());
  std::vector<std::string> header(table.columns.size());
  for (const auto& [name, index] : table.columns) header[index] = name;

  auto channel = grpc::CreateChannel(options.addr, ChannelCredentialsOrExit());
  Progress progress(options.progress, absl::StrCat("importing ", options.kind), table.rows.size());
  Outcome outcome;
  try {
    if (options.kind == "schools") {
      auto stub = sv1::SchoolService::NewStub(channel);
      outcome = ImportInBatches(table, header, options.kind, options.batch_rows, progress,
                                [&](const std::string& csv, const std::string& key) {
                                  sv1::ImportSchoolsRequest request;
                                  request.set_idempotency_key(key);
                                  request.set_csv(csv);
                                  sv1::ImportSchoolsResponse response;
                                  grpc::ClientContext ctx;
                                  Prepare(ctx);
                                  if (auto s = stub->ImportSchools(&ctx, request, &response); !s.ok()) throw CallFailed{s};
                                  std::vector<Rejected> rejected;
                                  for (const auto& r : response.rejected()) rejected.push_back({r.line(), r.reason()});
                                  return std::make_pair(response.imported(), rejected);
                                });
    } else if (options.kind == "accommodations") {
      auto stub = hv1::HousingService::NewStub(channel);
      outcome = ImportInBatches(table, header, options.kind, options.batch_rows, progress,
                                [&](const std::string& csv, const std::string& key) {
                                  hv1::ImportAccommodationsRequest request;
                                  request.set_idempotency_key(key);
                                  request.set_csv(csv);
                                  hv1::ImportAccommodationsResponse response;
                                  grpc::ClientContext ctx;
                                  Prepare(ctx);
                                  if (auto s = stub->ImportAccommodations(&ctx, request, &response); !s.ok()) {
                                    throw CallFailed{s};
                                  }
                                  std::vector<Rejected> rejected;
                                  for (const auto& r : response.rejected()) rejected.push_back({r.line(), r.reason()});
                                  return std::make_pair(response.imported(), rejected);
                                });
    } else if (options.kind == "mediators") {
      auto stub = mv1::MediatorService::NewStub(channel);
      outcome = ImportInBatches(table, header, options.kind, options.batch_rows, progress,
                                [&](const std::string& csv, const std::string& key) {
                                  mv1::ImportMediatorsRequest request;
                                  request.set_idempotency_key(key);
                                  request.set_csv(csv);
                                  mv1::ImportMediatorsResponse response;
                                  grpc::ClientContext ctx;
                                  Prepare(ctx);
                                  if (auto s = stub->ImportMediators(&ctx, request, &response); !s.ok()) {
                                    throw CallFailed{s};
                                  }
                                  std::vector<Rejected> rejected;
                                  for (const auto& r : response.rejected()) rejected.push_back({r.line(), r.reason()});
                                  return std::make_pair(response.imported(), rejected);
                                });
    } else if (options.kind == "workers") {
      auto stub = wv1::CaseworkService::NewStub(channel);
      outcome = ImportInBatches(table, header, options.kind, options.batch_rows, progress,
                                [&](const std::string& csv, const std::string& key) {
                                  wv1::ImportWorkersRequest request;
                                  request.set_idempotency_key(key);
                                  request.set_csv(csv);
                                  wv1::ImportWorkersResponse response;
                                  grpc::ClientContext ctx;
                                  Prepare(ctx);
                                  if (auto s = stub->ImportWorkers(&ctx, request, &response); !s.ok()) {
                                    throw CallFailed{s};
                                  }
                                  std::vector<Rejected> rejected;
                                  for (const auto& r : response.rejected()) rejected.push_back({r.line(), r.reason()});
                                  return std::make_pair(response.imported(), rejected);
                                });
    } else if (options.kind == "kitas") {
      if (auto missing = table.Missing({"name", "municipality_ags", "social_area", "lat", "lon", "places_under_3",
                                        "places_3_to_school"});
          !missing.empty()) {
        std::cerr << "error: " << options.file << ": missing columns " << absl::StrJoin(missing, ", ") << "\n";
        return 2;
      }
      auto stub = sv1::SchoolService::NewStub(channel);
      outcome = ImportByRow(table, progress, [&](const CsvRow& row, std::string& error) {
        sv1::CreateKitaRequest request;
        sv1::Kita& k = *request.mutable_kita();
        k.set_name(table.Get(row, "name"));
        k.mutable_location()->set_municipality_ags(table.Get(row, "municipality_ags"));
        k.mutable_location()->set_social_area(table.Get(row, "social_area"));
        double lat = 0, lon = 0;
        int under_3 = 0, over_3 = 0, hours = 0;
        if (!Number(table, row, "lat", lat, error) || !Number(table, row, "lon", lon, error) ||
            !Integer(table, row, "places_under_3", under_3, error) ||
            !Integer(table, row, "places_3_to_school", over_3, error) ||
            !Integer(table, row, "hours_per_day", hours, error, true)) {
          return grpc::Status::OK;
        }
        k.mutable_location()->mutable_coordinates()->set_lat(lat);
        k.mutable_location()->mutable_coordinates()->set_lon(lon);
        k.set_places_under_3(under_3);
        k.set_places_3_to_school(over_3);
        k.set_hours_per_day(hours);
        request.set_idempotency_key(absl::StrCat("import-kitas-", Fnv1a(CsvLine(row.fields))));
        sv1::CreateKitaResponse response;
        grpc::ClientContext ctx;
        Prepare(ctx);
        return stub->CreateKita(&ctx, request, &response);
      });
    } else if (options.kind == "courses") {
      if (auto missing = table.Missing({"provider", "title", "course_type", "municipality_ags", "social_area", "lat",
                                        "lon", "start_date", "schedule"});
          !missing.empty()) {
        std::cerr << "error: " << options.file << ": missing columns " << absl::StrJoin(missing, ", ") << "\n";
        return 2;
      }
      auto stub = cv1::CourseService::NewStub(channel);
      std::map<std::string, std::string> provider_ids;
      outcome = ImportByRow(table, progress, [&](const CsvRow& row, std::string& error) {
        const std::string provider = table.Get(row, "provider");
        if (provider.empty()) {
          error = "provider: required";
          return grpc::Status::OK;
        }
        if (!provider_ids.count(provider)) {
          // One provider per name, the same on every import.
          cv1::CreateProviderRequest request;
          request.set_idempotency_key(absl::StrCat("import-provider-", Fnv1a(provider)));
          request.mutable_provider()->set_name(provider);
          request.mutable_provider()->set_bamf_number(table.Get(row, "bamf_number"));
          cv1::CreateProviderResponse response;
          grpc::ClientContext ctx;
          Prepare(ctx);
          if (auto s = stub->CreateProvider(&ctx, request, &response); !s.ok()) return s;
          provider_ids[provider] = response.provider().provider_id();
        }
        cv1::CreateCourseRequest request;
        cv1::Course& c = *request.mutable_course();
        c.set_provider_id(provider_ids[provider]);
        c.set_title(table.Get(row, "title"));
        static const std::map<std::string, std::string> kTypes = {
            {"general", "integration_general"}, {"alpha", "integration_alpha"}, {"parents", "integration_parents"},
            {"youth", "integration_youth"},     {"orientation", "first_orientation"}, {"job", "job_language"}};
        cv1::CourseType type;
        if (!EnumValue(table.Get(row, "course_type"), "COURSE_TYPE_", &cv1::CourseType_Parse, kTypes, type)) {
          error = absl::StrCat("course_type: unknown '", table.Get(row, "course_type"),
                               "' (general, alpha, parents, youth, orientation, job, volunteer)");
          return grpc::Status::OK;
        }
        c.set_course_type(type);
        cv1::Schedule schedule;
        if (!EnumValue(table.Get(row, "schedule"), "SCHEDULE_", &cv1::Schedule_Parse, {}, schedule)) {
          error = absl::StrCat("schedule: unknown '", table.Get(row, "schedule"), "' (morning, afternoon, evening)");
          return grpc::Status::OK;
        }
        c.set_schedule(schedule);
        c.mutable_location()->set_municipality_ags(table.Get(row, "municipality_ags"));
        c.mutable_location()->set_social_area(table.Get(row, "social_area"));
        double lat = 0, lon = 0;
        int seats = 0, childcare = 0;
        if (!Number(table, row, "lat", lat, error) || !Number(table, row, "lon", lon, error) ||
            !Integer(table, row, "seats", seats, error, true) ||
            !Integer(table, row, "childcare_places", childcare, error, true)) {
          return grpc::Status::OK;
        }
        c.mutable_location()->mutable_coordinates()->set_lat(lat);
        c.mutable_location()->mutable_coordinates()->set_lon(lon);
        if (!table.Get(row, "seats").empty()) c.set_seats(seats);
        c.set_childcare_places(childcare);
        c.set_start_date(table.Get(row, "start_date"));
        c.set_target_level(table.Get(row, "target_level"));
        request.set_idempotency_key(absl::StrCat("import-courses-", Fnv1a(CsvLine(row.fields))));
        cv1::CreateCourseResponse response;
        grpc::ClientContext ctx;
        Prepare(ctx);
        return stub->CreateCourse(&ctx, request, &response);
      });
    } else {
      std::cerr << "error: unknown table " << options.kind << " (schools, kitas, courses, accommodations, mediators, workers)\n";
      return 2;
    }
  } catch (const CallFailed& failed) {
    std::cerr << "\nerror: " << failed.status.error_code() << " " << failed.status.error_message()
              << " (rows before this batch are imported; run the same import again to continue)\n";
    return 1;
  }

  if (options.json) {
    nlohmann::json j = {{"file", options.file}, {"kind", options.kind}, {"rows", table.rows.size()},
                        {"imported", outcome.imported}, {"rejected", nlohmann::json::array()}};
    for (const auto& r : outcome.rejected) j["rejected"].push_back({{"line", r.line}, {"reason", r.reason}});
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << absl::StrFormat("%s: imported %d of %zu rows from %s\n", options.kind, outcome.imported,
                                 table.rows.size(), options.file);
    for (const auto& r : outcome.rejected) std::cout << absl::StrFormat("  rejected line %d: %s\n", r.line, r.reason);
  }
  return outcome.rejected.empty() ? 0 : 3;
}

}  // namespace ankommen::ctl
