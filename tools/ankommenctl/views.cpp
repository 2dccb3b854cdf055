#include "views.h"

#include <chrono>
#include <iostream>
#include <map>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "client.h"
#include "records.h"
#include "grpc/grpc_credentials.h"

namespace ankommen::ctl {

namespace {

namespace cv1 = courses::v1;
namespace hv1 = housing::v1;
namespace mv1 = mediators::v1;
namespace wv1 = casework::v1;
namespace sv1 = schools::v1;

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  Prepare(*ctx);
  return ctx;
}

int Fail(const grpc::Status& s) {
  std::cerr << "error: " << s.error_code() << " " << s.error_message() << "\n";
  return s.error_code() == grpc::INVALID_ARGUMENT ? 2 : 1;
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  std::cout << out;
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "";
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    return absl::LoadTimeZone("Europe/Berlin", &z) ? z : absl::UTCTimeZone();
  }();
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(t.seconds()), zone);
}

// "COURSE_TYPE_INTEGRATION_GENERAL" → "integration_general"
std::string Short(const std::string& full, const std::string& prefix) {
  std::string s = full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
  return absl::AsciiStrToLower(s);
}

bool ParseCourseType(const std::string& text, cv1::CourseType& type) {
  static const std::map<std::string, std::string> kShort = {
      {"general", "INTEGRATION_GENERAL"}, {"alpha", "INTEGRATION_ALPHA"}, {"parents", "INTEGRATION_PARENTS"},
      {"youth", "INTEGRATION_YOUTH"},     {"orientation", "FIRST_ORIENTATION"}, {"job", "JOB_LANGUAGE"}};
  std::string name = absl::AsciiStrToLower(text);
  name = kShort.count(name) ? kShort.at(name) : absl::AsciiStrToUpper(name);
  if (name.rfind("COURSE_TYPE_", 0) != 0) name = "COURSE_TYPE_" + name;
  return cv1::CourseType_Parse(name, &type);
}

}  // namespace

int ShowWaitingList(const Addresses& at, const std::string& course_type, const std::string& area, bool json) {
  cv1::CourseType type;
  if (!ParseCourseType(course_type, type)) {
    std::cerr << "error: unknown course type '" << course_type
              << "' (general, alpha, parents, youth, orientation, job, volunteer)\n";
    return 2;
  }
  auto stub = cv1::CourseService::NewStub(grpc::CreateChannel(at.courses, ChannelCredentialsOrExit()));
  cv1::ListWaitingListResponse all;
  cv1::ListWaitingListRequest request;
  request.set_course_type(type);
  request.set_social_area(area);
  request.set_page_size(500);
  do {
    cv1::ListWaitingListResponse page;
    if (auto s = stub->ListWaitingList(Context().get(), request, &page); !s.ok()) return Fail(s);
    for (const auto& r : page.requests()) *all.add_requests() = r;
    all.set_total(page.total());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (json) {
    PrintJson(all);
    return 0;
  }
  std::cout << absl::StrFormat("%d waiting for %s%s\n", all.total(), Short(cv1::CourseType_Name(type), "COURSE_TYPE_"),
                               area.empty() ? "" : " in " + area);
  std::cout << absl::StrFormat("%5s  %-20s %-10s %-8s %-9s %-8s %-12s %s\n", "place", "person", "asked on", "obliged",
                               "childcare", "evening", "status", "seat expected");
  for (const auto& r : all.requests()) {
    std::cout << absl::StrFormat("%5d  %-20s %-10s %-8s %-9d %-8s %-12s %s\n", r.place_in_line(), r.person_id(),
                                 r.requested_on(), r.obliged() ? "yes" : "", r.childcare_children(),
                                 r.evening_only() ? "yes" : "", Short(cv1::RequestStatus_Name(r.status()), "REQUEST_STATUS_"),
                                 r.estimated_seat_date().empty() ? "not in the planned courses" : r.estimated_seat_date());
  }
  return 0;
}

int ShowOffers(const Addresses& at, const std::string& person_id, bool json) {
  auto stub = cv1::CourseService::NewStub(grpc::CreateChannel(at.courses, ChannelCredentialsOrExit()));
  cv1::GetLearnerRequest request;
  request.set_person_id(person_id);
  cv1::GetLearnerResponse learner;
  if (auto s = stub->GetLearner(Context().get(), request, &learner); !s.ok()) return Fail(s);
  if (json) {
    PrintJson(learner);
    return 0;
  }
  std::cout << absl::StrFormat("%s (%s): %d course request(s)\n", learner.person_id(), learner.social_area(),
                               learner.requests_size());
  for (const auto& r : learner.requests()) {
    std::cout << absl::StrFormat("  %-22s %-10s since %s", Short(cv1::CourseType_Name(r.course_type()), "COURSE_TYPE_"),
                                 Short(cv1::RequestStatus_Name(r.status()), "REQUEST_STATUS_"), r.requested_on());
    if (r.has_offer()) {
      std::cout << absl::StrFormat("  offer %s for course %s, answer by %s", r.offer().offer_id(), r.offer().course_id(),
                                   Time(r.offer().deadline()));
      for (const auto& o : r.other_offers()) {  // offered at the same time: the person takes one
        std::cout << absl::StrFormat("; or offer %s for course %s, answer by %s", o.offer_id(), o.course_id(),
                                     Time(o.deadline()));
      }
    } else if (!r.course_id().empty()) {
      std::cout << "  course " << r.course_id() << (r.reached_level().empty() ? "" : ", reached " + r.reached_level());
    } else if (r.place_in_line() > 0) {
      std::cout << absl::StrFormat("  place %d in line, seat expected %s", r.place_in_line(),
                                   r.estimated_seat_date().empty() ? "beyond the planned courses" : r.estimated_seat_date());
    }
    std::cout << "\n";
    if (!r.reason().empty()) std::cout << "    " << r.reason() << "\n";
  }
  return 0;
}

int ShowGaps(const Addresses& at, const std::string& area, bool json) {
  auto schools = sv1::SchoolService::NewStub(grpc::CreateChannel(at.schools, ChannelCredentialsOrExit()));
  auto housing = hv1::HousingService::NewStub(grpc::CreateChannel(at.housing, ChannelCredentialsOrExit()));
  sv1::GetCapacityRequest capacity_request;
  capacity_request.set_social_area(area);
  sv1::GetCapacityResponse capacity;
  if (auto s = schools->GetCapacity(Context().get(), capacity_request, &capacity); !s.ok()) return Fail(s);
  hv1::GetFiguresRequest figures_request;
  figures_request.set_social_area(area);
  hv1::GetFiguresResponse figures;
  if (auto s = housing->GetFigures(Context().get(), figures_request, &figures); !s.ok()) return Fail(s);
  if (json) {
    std::cout << "{\"schools\": ";
    PrintJson(capacity);
    std::cout << ", \"housing\": ";
    PrintJson(figures);
    std::cout << "}\n";
    return 0;
  }
  std::cout << "DaZ seats and Kita places\n";
  std::cout << absl::StrFormat("  %-12s %-16s %6s %6s %6s %8s %9s\n", "area", "place", "seats", "used", "free", "waiting",
                               "short by");
  for (const auto& row : capacity.areas()) {
    const std::string kind = row.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED
                                 ? Short(sv1::SchoolType_Name(row.school_type()), "SCHOOL_TYPE_")
                                 : "kita " + Short(sv1::AgeGroup_Name(row.age_group()), "AGE_GROUP_");
    std::cout << absl::StrFormat("  %-12s %-16s %6d %6d %6d %8d %9s\n", row.social_area(), kind, row.seats(), row.used(),
                                 row.free(), row.waiting(), row.short_by() > 0 ? std::to_string(row.short_by()) : "");
  }
  std::cout << "Housing\n";
  std::cout << absl::StrFormat("  %-12s %6s %6s %9s %10s %17s\n", "area", "beds", "used", "waiting", "below std",
                               "per social worker");
  for (const auto& a : figures.areas()) {
    std::cout << absl::StrFormat("  %-12s %6d %6d %9d %10d %17.0f\n", a.social_area(), a.beds(), a.beds_used(),
                                 a.households_waiting(), a.standard_violations(), a.persons_per_social_worker());
  }
  return 0;
}

int ShowProposals(const Addresses& at, const std::string& area, bool json) {
  auto schools = sv1::SchoolService::NewStub(grpc::CreateChannel(at.schools, ChannelCredentialsOrExit()));
  sv1::ListProposalsRequest request;
  request.set_social_area(area);
  sv1::ListProposalsResponse response;
  if (auto s = schools->ListProposals(Context().get(), request, &response); !s.ok()) return Fail(s);
  if (json) {
    PrintJson(response);
    return 0;
  }
  std::cout << absl::StrFormat("%-20s %-12s %-14s %-22s %6s  %-16s  %s\n", "child", "area", "for", "proposed place",
                               "km", "proposed at", "why");
  for (const auto& c : response.children()) {
    const std::string kind = c.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED
                                 ? Short(sv1::SchoolType_Name(c.school_type()), "SCHOOL_TYPE_")
                                 : "kita " + Short(sv1::AgeGroup_Name(c.age_group()), "AGE_GROUP_");
    std::cout << absl::StrFormat("%-20s %-12s %-14s %-22s %6.1f  %-16s  %s\n", c.person_id(), c.social_area(), kind,
                                 c.placement().place_id(), c.placement().km(), Time(c.placement().placed_at()),
                                 c.placement().reason());
  }
  if (response.children().empty()) std::cout << "(none waiting)\n";
  return 0;
}

int ShowMediation(const Addresses& at, const std::string& language, const std::string& area, bool json) {
  auto stub = mv1::MediatorService::NewStub(grpc::CreateChannel(at.mediators, ChannelCredentialsOrExit()));
  mv1::ListOpenRequestsRequest request;
  request.set_language(language);
  request.set_social_area(area);
  request.set_page_size(500);
  mv1::ListOpenRequestsResponse all;
  do {
    mv1::ListOpenRequestsResponse page;
    if (auto s = stub->ListOpenRequests(Context().get(), request, &page); !s.ok()) return Fail(s);
    for (auto& r : *page.mutable_requests()) *all.add_requests() = std::move(r);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (json) {
    PrintJson(all);
    return 0;
  }
  std::cout << absl::StrFormat("%-22s %-8s %-12s %-16s %5s %-6s %-10s %-22s %s\n", "request", "language", "area",
                               "appointment", "min", "urgent", "status", "proposed", "why");
  for (const auto& r : all.requests()) {
    std::cout << absl::StrFormat(
        "%-22s %-8s %-12s %-16s %5d %-6s %-10s %-22s %s\n", r.request_id(), r.language(),
        r.remote() ? "remote" : r.social_area(), Time(r.start()), r.duration_minutes(), r.urgent() ? "yes" : "",
        Short(mv1::RequestStatus_Name(r.status()), "REQUEST_STATUS_"), r.proposed_mediator_id(),
        r.status() == mv1::REQUEST_STATUS_UNFILLED ? Short(mv1::UnfilledReason_Name(r.unfilled_reason()), "UNFILLED_REASON_")
                                                  : r.reason());
  }
  if (all.requests().empty()) std::cout << "(none waiting)\n";
  return 0;
}

int ShowCaseloads(const Addresses& at, const std::string& area, bool json) {
  auto stub = wv1::CaseworkService::NewStub(grpc::CreateChannel(at.casework, ChannelCredentialsOrExit()));
  wv1::GetCaseloadsRequest request;
  request.set_social_area(area);
  wv1::GetCaseloadsResponse loads;
  if (auto s = stub->GetCaseloads(Context().get(), request, &loads); !s.ok()) return Fail(s);
  if (json) {
    PrintJson(loads);
    return 0;
  }
  std::cout << absl::StrFormat("%-8s %-22s %7s %8s %7s %10s %9s %s\n", "program", "area", "workers", "capacity",
                               "persons", "per worker", "waiting", "(households without a worker)");
  for (const auto& c : loads.caseloads()) {
    const std::string per = c.workers() > 0 ? absl::StrFormat("%.1f", c.persons_per_worker()) : "-";
    const bool above = c.workers() > 0 && c.persons_per_worker() > loads.target_persons_per_worker();
    std::cout << absl::StrFormat("%-8s %-22s %7d %8d %7d %10s %9d%s\n", casework::ProgramLabel(c.program()),
                                 c.social_area(), c.workers(),
                                 c.capacity(), c.persons(), per, c.households_unassigned(),
                                 above ? "  above the target" : "");
  }
  if (loads.caseloads().empty()) std::cout << "(no social workers and no households yet)\n";
  std::cout << absl::StrFormat("target: %.0f persons per worker\n", loads.target_persons_per_worker());
  return 0;
}

int DecideSchoolPlacement(const Addresses& at, const std::string& decision, const std::string& person_id,
                          const std::string& place_id, const std::string& reason, const std::string& note, bool json) {
  auto schools = sv1::SchoolService::NewStub(grpc::CreateChannel(at.schools, ChannelCredentialsOrExit()));
  sv1::OverrideReason why = sv1::OVERRIDE_REASON_UNSPECIFIED;
  if (!reason.empty() && !sv1::OverrideReason_Parse("OVERRIDE_REASON_" + absl::AsciiStrToUpper(reason), &why)) {
    std::cerr << "error: unknown reason " << reason
              << " (siblings, special_needs, transport, family_wish, safeguarding, other)\n";
    return 2;
  }
  const std::string key = absl::StrCat(decision, "-", person_id, "-", absl::ToUnixNanos(absl::Now()));
  sv1::Child child;
  grpc::Status s;
  if (decision == "confirm") {
    sv1::ConfirmPlacementRequest request;
    request.set_idempotency_key(key);
    request.set_person_id(person_id);
    sv1::ConfirmPlacementResponse response;
    s = schools->ConfirmPlacement(Context().get(), request, &response);
    child = response.child();
  } else if (decision == "reject") {
    sv1::RejectPlacementRequest request;
    request.set_idempotency_key(key);
    request.set_person_id(person_id);
    request.set_reason(why);
    request.set_note(note);
    sv1::RejectPlacementResponse response;
    s = schools->RejectPlacement(Context().get(), request, &response);
    child = response.child();
  } else {
    sv1::PlaceManuallyRequest request;
    request.set_idempotency_key(key);
    request.set_person_id(person_id);
    request.set_place_id(place_id);
    request.set_reason(why);
    request.set_note(note);
    sv1::PlaceManuallyResponse response;
    s = schools->PlaceManually(Context().get(), request, &response);
    child = response.child();
  }
  if (!s.ok()) return Fail(s);
  if (json) {
    PrintJson(child);
    return 0;
  }
  std::cout << absl::StrFormat("%s: %s %s\n", child.person_id(),
                               Short(sv1::ChildStatus_Name(child.placement().status()), "CHILD_STATUS_"),
                               child.placement().place_id());
  return 0;
}

int AllocateNow(const Addresses& at, const std::string& service, const std::string& policy, bool json) {
  if (service == "courses") {
    auto stub = cv1::CourseService::NewStub(grpc::CreateChannel(at.courses, ChannelCredentialsOrExit()));
    cv1::RunAllocationRequest request;
    request.set_policy(policy);
    cv1::RunAllocationResponse r;
    if (auto s = stub->RunAllocation(Context().get(), request, &r); !s.ok()) return Fail(s);
    if (json) {
      PrintJson(r);
    } else {
      std::cout << absl::StrFormat("courses (%s): %d waiting, %d offers made (%.1f km in all), %d offers expired\n",
                                   r.solver(), r.waiting(), r.offers_made(), r.total_km(), r.offers_expired());
    }
  } else if (service == "schools") {
    auto stub = sv1::SchoolService::NewStub(grpc::CreateChannel(at.schools, ChannelCredentialsOrExit()));
    sv1::RunPlacementResponse r;
    if (auto s = stub->RunPlacement(Context().get(), sv1::RunPlacementRequest(), &r); !s.ok()) return Fail(s);
    if (json) {
      PrintJson(r);
    } else {
      std::cout << absl::StrFormat("schools (%s): %d open, %d placed, %d still waiting\n", r.solver(), r.open(),
                                   r.placed(), r.still_waiting());
    }
  } else if (service == "mediators") {
    auto stub = mv1::MediatorService::NewStub(grpc::CreateChannel(at.mediators, ChannelCredentialsOrExit()));
    mv1::RunMatchingRequest request;
    request.set_policy(policy);
    mv1::RunMatchingResponse r;
    if (auto s = stub->RunMatching(Context().get(), request, &r); !s.ok()) return Fail(s);
    if (json) {
      PrintJson(r);
    } else {
      std::cout << absl::StrFormat("mediators (%s): %d proposed, %d no one could take, %d begun without one\n",
                                   r.solver(), r.proposed(), r.unfilled(), r.past());
    }
  } else {
    auto stub = hv1::HousingService::NewStub(grpc::CreateChannel(at.housing, ChannelCredentialsOrExit()));
    hv1::RunAllocationResponse r;
    if (auto s = stub->RunAllocation(Context().get(), hv1::RunAllocationRequest(), &r); !s.ok()) return Fail(s);
    if (json) {
      PrintJson(r);
    } else {
      std::cout << absl::StrFormat("housing (%s): %d households waiting, %d offers made\n", r.solver(), r.waiting(),
                                   r.offers_made());
    }
  }
  return 0;
}

}  // namespace ankommen::ctl
