// The history from the services' events, and the report written from it: the
// same figures in JSON, CSV and the council's PDF (read back with poppler's
// pdftotext).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ankommen/casework/v1/events.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "ankommen/notifications/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "bus/streams.h"
#include "figures.h"
#include "history_from_events.h"
#include "report/report.h"

namespace ankommen::monitoring {
namespace {

namespace reg = ankommen::registry::v1;
using D = absl::CivilDay;

int64_t Noon(D day) { return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, absl::UTCTimeZone())); }

template <typename Event>
std::string At(Event e, D day) {
  e.mutable_meta()->set_event_id("ev_test");
  e.mutable_meta()->mutable_occurred_at()->set_seconds(Noon(day));
  return e.SerializeAsString();
}

class ReportTest : public ::testing::Test {
 protected:
  void Apply(const char* subject, const std::string& payload) { ASSERT_TRUE(builder_.Apply(subject, payload).ok()); }

  void Register(const std::string& household, D day, const std::vector<std::pair<std::string, int>>& members,
                reg::BenefitRegime benefits = reg::BENEFIT_REGIME_ASYLBLG) {
    reg::HouseholdRegistered e;
    e.set_household_id(household);
    e.set_social_area("Riesa");
    for (const auto& [id, age] : members) {
      reg::PersonFacts* m = e.add_members();
      m->set_person_id(id);
      m->set_age_years(age);
      m->set_school_year_age(age);
      m->set_cefr_level("A1");
      m->set_benefit_regime(benefits);
    }
    Apply(streams::kHouseholdRegistered, At(e, day));
  }

  History history_;
  HistoryBuilder builder_{history_, absl::UTCTimeZone()};
};

TEST_F(ReportTest, CaseworksEventsMakeTheCaseloadFromTheStaffList) {
  namespace cwk = ankommen::casework::v1;
  Register("hh_1", D(2027, 1, 4), {{"p_1", 30}, {"p_2", 6}});
  Register("hh_2", D(2027, 1, 4), {{"p_3", 45}});
  auto worker = [&](const std::string& id, cwk::Program program, bool removed, D day) {
    cwk::WorkerChanged e;
    e.set_worker_id(id);
    e.set_program(program);
    e.set_social_area("Riesa");
    e.set_capacity(150);
    e.set_removed(removed);
    Apply(streams::kWorkerChanged, At(e, day));
  };
  auto assigned = [&](const std::string& household, const std::string& worker_id, int persons, bool ended, D day) {
    cwk::CaseAssigned e;
    e.set_household_id(household);
    e.set_program(cwk::PROGRAM_REFUGEE_SOCIAL_WORK);
    e.set_social_area("Riesa");
    e.set_worker_id(worker_id);
    e.set_persons(persons);
    e.set_ended(ended);
    Apply(streams::kCaseAssigned, At(e, day));
  };
  worker("wrk_1", cwk::PROGRAM_REFUGEE_SOCIAL_WORK, false, D(2027, 1, 1));
  worker("wrk_2", cwk::PROGRAM_REFUGEE_SOCIAL_WORK, false, D(2027, 1, 1));
  worker("wrk_3", cwk::PROGRAM_MIGRATION_COUNSELLING, false, D(2027, 1, 1));
  assigned("hh_1", "wrk_1", 2, false, D(2027, 1, 4));
  assigned("hh_2", "wrk_2", 1, false, D(2027, 1, 4));
  worker("wrk_2", cwk::PROGRAM_REFUGEE_SOCIAL_WORK, true, D(2027, 2, 1));
  assigned("hh_2", "wrk_1", 1, false, D(2027, 2, 1));  // handed over when wrk_2 left
  assigned("hh_1", "wrk_1", 2, true, D(2027, 3, 1));   // the case ended

  auto caseload = [&](D to) {
    for (Figure& x : ComputeFigures(history_, {D(2027, 1, 1), to, "Riesa", D(2028, 1, 1)}, AgeBands{})) {
      if (x.indicator == "caseload_per_social_worker") return x;
    }
    return Figure{};
  };
  EXPECT_EQ(caseload(D(2027, 1, 31)).numerator, 3);
  EXPECT_EQ(caseload(D(2027, 1, 31)).denominator, 2);
  EXPECT_EQ(caseload(D(2027, 2, 28)).numerator, 3);
  EXPECT_EQ(caseload(D(2027, 2, 28)).denominator, 1);
  EXPECT_EQ(caseload(D(2027, 3, 31)).numerator, 1);
}

TEST_F(ReportTest, TheServicesEventsMakeTheHistoryTheFiguresAreCountedFrom) {
  Register("h_1", D(2027, 1, 4), {{"p_1", 30}, {"p_2", 8}, {"p_3", 3}});
  Register("h_2", D(2027, 1, 6), {{"p_4", 25}});
  reg::PersonLevelRecorded level;
  level.set_person_id("p_1");
  level.set_household_id("h_1");
  level.set_cefr_level("A2");
  Apply(streams::kPersonLevelRecorded, At(level, D(2027, 6, 1)));
  ankommen::schools::v1::SchoolPlaced school;
  school.set_person_id("p_2");
  Apply(streams::kSchoolPlaced, At(school, D(2027, 1, 12)));
  ankommen::schools::v1::KitaPlaced kita;
  kita.set_person_id("p_3");
  Apply(streams::kKitaPlaced, At(kita, D(2027, 2, 1)));
  ankommen::courses::v1::EnrolmentStarted enrolled;
  enrolled.set_person_id("p_4");
  enrolled.set_waiting_time_days(12);
  enrolled.set_access_time_days(30);
  Apply(streams::kEnrolmentStarted, At(enrolled, D(2027, 2, 5)));
  ankommen::housing::v1::HouseholdMovedIn moved;
  moved.set_household_id("h_1");
  moved.set_accommodation_id("acc_1");
  moved.set_social_area("Riesa");
  moved.set_kind(ankommen::housing::v1::KIND_SHARED);
  moved.set_persons(3);
  moved.set_square_metres(15);
  moved.set_standard_square_metres_per_person(6);
  Apply(streams::kHouseholdMovedIn, At(moved, D(2027, 1, 5)));
  ankommen::notifications::v1::MessageSettled dead;
  dead.set_message_id("msg_1");
  dead.set_recipient("p_4");
  dead.mutable_created_at()->set_seconds(Noon(D(2027, 2, 5)));
  Apply(streams::kMessageSettled, At(dead, D(2027, 2, 6)));
  dead.set_delivered(true);  // sent again by the office, and delivered: the message counts once, delivered
  Apply(streams::kMessageSettled, At(dead, D(2027, 2, 9)));
  ankommen::notifications::v1::MessageSettled lost;
  lost.set_message_id("msg_2");
  lost.set_recipient("p_1");
  lost.mutable_created_at()->set_seconds(Noon(D(2027, 3, 1)));
  Apply(streams::kMessageSettled, At(lost, D(2027, 3, 2)));
  ankommen::mediators::v1::MediationRequested asked;
  asked.set_request_id("mreq_1");
  asked.set_social_area("Riesa");
  asked.mutable_start()->set_seconds(Noon(D(2027, 2, 10)));
  Apply(streams::kMediationRequested, At(asked, D(2027, 2, 1)));
  ankommen::mediators::v1::MediatorBooked booked;
  booked.set_request_id("mreq_1");
  Apply(streams::kMediatorBooked, At(booked, D(2027, 2, 2)));
  reg::HouseholdCaseClosed closed;
  closed.set_household_id("h_2");
  closed.add_person_ids("p_4");
  Apply(streams::kHouseholdCaseClosed, At(closed, D(2027, 3, 15)));
  // A subject the indicators do not need is passed over; a payload that is not its event is refused.
  EXPECT_TRUE(builder_.Apply(streams::kVacancyReported, "anything").ok());
  EXPECT_EQ(builder_.Apply(streams::kHouseholdRegistered, "\xff\xff").code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(builder_.first_day(), D(2027, 1, 4));
  EXPECT_EQ(history_.last_event, D(2027, 6, 1));
  const Scope q1{D(2027, 1, 1), D(2027, 3, 31), "", D(2028, 6, 30)};
  std::map<std::string, Figure> f;
  for (Figure& x : ComputeFigures(history_, q1, AgeBands{})) f[x.indicator] = x;
  EXPECT_EQ(f["language_a2_within_12_months"].numerator, 1);    // p_1; p_4 left (case closed) without A2
  EXPECT_EQ(f["language_a2_within_12_months"].denominator, 1);
  EXPECT_DOUBLE_EQ(*f["daz_class_within_14_days"].value, 100);  // p_2 after 8 days
  EXPECT_DOUBLE_EQ(*f["kita_share_ages_1_to_6"].value, 100);    // p_3
  EXPECT_DOUBLE_EQ(*f["course_access_time_days"].value, 30);
  EXPECT_DOUBLE_EQ(*f["places_below_standard"].value, 1);       // 3 persons in 15 m² at 6 m² each
  EXPECT_DOUBLE_EQ(*f["households_in_flats"].value, 0);
  EXPECT_EQ(f["messages_not_delivered"].numerator, 1);          // msg_2
  EXPECT_EQ(f["messages_not_delivered"].denominator, 2);
  EXPECT_DOUBLE_EQ(*f["mediator_requests_filled"].value, 100);

  // The report: the same figures as JSON, CSV and in the PDF's text.
  std::vector<Target> targets = {{"course_access_time_days", "", std::nullopt, 42, D(2027, 1, 1), D(2027, 12, 31)},
                                 {"messages_not_delivered", "", 5.0, 2, D(2027, 1, 1), D(2027, 12, 31)}};
  const auto rows = BuildReport(history_, q1, AgeBands{}, targets);
  const ReportHeader header{"Landkreis Meißen", q1, builder_.first_day(), builder_.applied()};
  const nlohmann::json json = ReportJson(header, rows);
  EXPECT_EQ(json["district"], "Landkreis Meißen");
  EXPECT_EQ(json["from"], "2027-01-01");
  ASSERT_EQ(json["indicators"].size(), Catalogue().size());
  for (const auto& r : json["indicators"]) {
    if (r["indicator"] == "course_access_time_days") {
      EXPECT_EQ(r["value"], 30.0);
      EXPECT_EQ(r["status"], "green");
      EXPECT_EQ(r["trend"].size(), 3u);
    }
    if (r["indicator"] == "messages_not_delivered") {
      EXPECT_EQ(r["status"], "red");  // 50 % against 2 %
    }
  }
  const std::string csv = ReportCsv(rows);
  EXPECT_NE(csv.find("course_access_time_days,language,days,30,0,1,yes,42,2027-01-01,2027-12-31,green\n"),
            std::string::npos)
      << csv;

  const std::string pdf = (std::filesystem::temp_directory_path() / "ankommen_report_test.pdf").string();
  ASSERT_TRUE(WriteReportPdf(header, rows, pdf).ok());
  const std::string txt = pdf + ".txt";
  ASSERT_EQ(std::system(("pdftotext -enc UTF-8 '" + pdf + "' '" + txt + "'").c_str()), 0)
      << "pdftotext (poppler-utils) could not read the report";
  std::ifstream in(txt);
  std::stringstream text;
  text << in.rdbuf();
  const std::string t = text.str();
  for (const char* expected : {"Integrationsmonitoring", "Bericht an den Kreistag", "Landkreis Meißen",
                               "Zeitraum: 01.01.2027 bis 31.03.2027", "Sprache und Integrationskurse", "Kita und Schule",
                               "Wohnen", "Soziale Arbeit", "Kommunikation und Sprachmittlung",
                               "Zugangszeit zum Kurs (BAMF)", "Ist: 30 Tage", "Soll: 42 Tage", "grün", "rot",
                               "Ist: 50 % (1 von 2)", "Ausgangswert: 5 %"}) {
    EXPECT_NE(t.find(expected), std::string::npos) << "missing in the PDF: " << expected;
  }
  if (!HasFailure()) {
    std::filesystem::remove(pdf);
  }
  std::filesystem::remove(txt);
}

}  // namespace
}  // namespace ankommen::monitoring
