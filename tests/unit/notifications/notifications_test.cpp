// The notification domain: every template in every language renders with
// every placeholder filled, German is the fallback, a missing value sends
// nothing, dates read in the recipient's language, one message per event and
// person, the retry schedule, and the order of channels.
#include <gtest/gtest.h>

#include <set>

#include "domain/dates.h"
#include "domain/delivery.h"
#include "domain/templates.h"
#include "template_files.h"

namespace ankommen::notifications {
namespace {

const std::vector<std::string> kLanguages = {"de", "en", "ar", "uk", "fa", "ru", "tr", "ti",
                                             "ps", "prs", "kmr", "so", "fr"};
const std::set<std::string> kRightToLeft = {"ar", "fa", "ps", "prs"};

TemplateSet Templates() {
  auto set = LoadTemplates(ANKOMMEN_TEMPLATES_DIR);
  EXPECT_TRUE(set.ok()) << set.status();
  return std::move(*set);
}

// A distinct value per placeholder, so that each can be found in the text.
Values ValuesFor(const Template& t) {
  Values v;
  for (const auto& name : t.placeholders) v[name] = "<" + name + ">";
  return v;
}

TEST(TemplatesTest, EveryKindSpeaksEveryLanguageWithEveryPlaceholderFilled) {
  TemplateSet set = Templates();
  ASSERT_GE(set.Kinds().size(), 8u);
  for (const auto& kind : set.Kinds()) {
    const Template* german = set.Find(kind, "de");
    ASSERT_NE(german, nullptr) << kind;
    EXPECT_FALSE(german->placeholders.empty()) << kind;
    // Messages to the district's staff (staff_…) are in its working language only.
    const bool staff = kind.rfind("staff_", 0) == 0;
    for (const auto& language : staff ? std::vector<std::string>{"de"} : kLanguages) {
      const Template* t = set.Find(kind, language);
      ASSERT_NE(t, nullptr) << kind << "/" << language << " is missing";
      EXPECT_EQ(t->placeholders, german->placeholders) << kind << "/" << language << " asks for other values";
      auto rendered = set.Render(kind, language, ValuesFor(*t));
      ASSERT_TRUE(rendered.ok()) << rendered.status();
      EXPECT_FALSE(rendered->fell_back);
      for (const auto& name : t->placeholders) {
        EXPECT_NE((rendered->subject + rendered->body).find("<" + name + ">"), std::string::npos)
            << kind << "/" << language << " never shows " << name;
      }
      EXPECT_EQ(rendered->body.find("{{"), std::string::npos) << kind << "/" << language << " left a placeholder";
      EXPECT_EQ(rendered->right_to_left, kRightToLeft.contains(language)) << kind << "/" << language;
      // Only German is reviewed so far; every other file says it is a draft.
      EXPECT_EQ(t->reviewed, language == "de") << kind << "/" << language;
    }
  }
}

TEST(TemplatesTest, GermanIsTheFallback) {
  TemplateSet set = Templates();
  Values v = ValuesFor(*set.Find("seat_offered", "de"));
  auto rendered = set.Render("seat_offered", "am", v);  // Amharic: no template yet
  ASSERT_TRUE(rendered.ok());
  EXPECT_TRUE(rendered->fell_back);
  EXPECT_EQ(rendered->language, "de");
  EXPECT_NE(rendered->body.find("Guten Tag"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(set.Render("no_such_kind", "de", v).status()));
}

TEST(TemplatesTest, AMissingValueSendsNothing) {
  TemplateSet set = Templates();
  Values v = ValuesFor(*set.Find("seat_offered", "ar"));
  v.erase("deadline");
  auto rendered = set.Render("seat_offered", "ar", v);
  EXPECT_TRUE(absl::IsFailedPrecondition(rendered.status()));
  EXPECT_NE(rendered.status().message().find("deadline"), std::string::npos);
}

TEST(TemplatesTest, InRightToLeftTextEveryValueIsIsolated) {
  TemplateSet set = Templates();
  Values v = ValuesFor(*set.Find("seat_offered", "ar"));
  v["course"] = "Deutsch B1 \u202E(evening)";  // an override smuggled into a value is dropped
  auto rendered = set.Render("seat_offered", "ar", v);
  ASSERT_TRUE(rendered.ok());
  EXPECT_NE(rendered->subject.find("\u2068Deutsch B1 (evening)\u2069"), std::string::npos) << rendered->subject;
  EXPECT_EQ(rendered->body.find("\u202E"), std::string::npos);
  for (const auto& [name, value] : v) {
    if (rendered->body.find(value) == std::string::npos) continue;
    EXPECT_NE(rendered->body.find("\u2068" + value + "\u2069"), std::string::npos) << name;
  }
  // Left-to-right text takes values as they are.
  auto german = set.Render("seat_offered", "de", ValuesFor(*set.Find("seat_offered", "de")));
  ASSERT_TRUE(german.ok());
  EXPECT_EQ(german->body.find("\u2068"), std::string::npos);
}

TEST(TemplatesTest, ValuesAreTextNotHtml) {
  TemplateSet set = Templates();
  Values v = ValuesFor(*set.Find("seat_offered", "de"));
  v["course"] = "Deutsch & Beruf <B1>";
  auto rendered = set.Render("seat_offered", "de", v);
  ASSERT_TRUE(rendered.ok());
  EXPECT_NE(rendered->subject.find("Deutsch & Beruf <B1>"), std::string::npos);
}

TEST(TemplatesTest, BrokenTemplatesAreRefusedWithTheReason) {
  EXPECT_TRUE(absl::IsInvalidArgument(ParseTemplate("k", "de", "subject: x\n\nno separator").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseTemplate("k", "de", "subject: x\ndirection: up\nreviewed: yes\n---\nbody").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseTemplate("k", "de", "subject: x\ndirection: ltr\nreviewed: yes\n---\n{{#open}}").status()));
  auto ok = ParseTemplate("k", "de", "subject: Hallo {{name}}\ndirection: ltr\nreviewed: yes\n---\n{{name}}, {{date}}\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->placeholders, (std::vector<std::string>{"date", "name"}));
  auto no_german = TemplateSet::Build({*ParseTemplate("k", "en", "subject: s\ndirection: ltr\nreviewed: no\n---\nb")});
  EXPECT_TRUE(absl::IsInvalidArgument(no_german.status()));
}

TEST(DatesTest, DatesReadInTheRecipientsLanguageAndTheDistrictsTimeZone) {
  // 23:30 UTC on 1 December is already 2 December in Berlin.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 12, 1, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(FormatDate(t, "de"), "2. Dezember 2026");
  EXPECT_EQ(FormatDate(t, "en"), "December 2, 2026");
  EXPECT_NE(FormatDate(t, "uk").find("грудня"), std::string::npos) << FormatDate(t, "uk");
  EXPECT_NE(FormatDate(t, "ar").find("ديسمبر"), std::string::npos) << FormatDate(t, "ar");
  EXPECT_NE(FormatDate(t, "tr").find("Aralık"), std::string::npos) << FormatDate(t, "tr");
  EXPECT_FALSE(FormatDate(t, "ti").empty());
  EXPECT_EQ(FormatDate(t, "fr"), "2 décembre 2026");
  EXPECT_NE(FormatDate(t, "so").find("2026"), std::string::npos) << FormatDate(t, "so");
  // The Gregorian day of the German papers, with the month's name as Afghanistan
  // (Dari) and Iran (Farsi) write it — not the solar calendar's 11 Qaws / Azar 1405.
  EXPECT_NE(FormatDate(t, "prs").find("دسمبر"), std::string::npos) << FormatDate(t, "prs");
  EXPECT_NE(FormatDate(t, "fa").find("دسامبر"), std::string::npos) << FormatDate(t, "fa");
  EXPECT_FALSE(FormatDate(t, "ps").empty());
  EXPECT_FALSE(FormatDate(t, "kmr").empty());
  EXPECT_EQ(FormatDate(t, "de", "UTC"), "1. Dezember 2026");
}

TEST(DeliveryTest, OneMessagePerEventAndPerson) {
  EXPECT_EQ(MessageId("ev_1", "p_1"), MessageId("ev_1", "p_1"));
  EXPECT_NE(MessageId("ev_1", "p_1"), MessageId("ev_1", "p_2"));
  EXPECT_NE(MessageId("ev_1", "p_1"), MessageId("ev_2", "p_1"));
  EXPECT_NE(MessageId("ev_1p", "_1"), MessageId("ev_1", "p_1")) << "the parts are kept apart";
  EXPECT_EQ(MessageId("ev_1", "p_1").rfind("msg_", 0), 0u);
}

TEST(DeliveryTest, RetriesBackOffExponentiallyUpToTheLastAttempt) {
  RetryPolicy policy;  // 5 attempts, 30 s, x4, at most 2 h
  EXPECT_EQ(*RetryDelay(policy, 1), absl::Seconds(30));
  EXPECT_EQ(*RetryDelay(policy, 2), absl::Seconds(120));
  EXPECT_EQ(*RetryDelay(policy, 3), absl::Seconds(480));
  EXPECT_EQ(*RetryDelay(policy, 4), absl::Seconds(1920));
  EXPECT_FALSE(RetryDelay(policy, 5).has_value()) << "after the fifth attempt: a dead letter";
  policy.max_attempts = 10;
  EXPECT_EQ(*RetryDelay(policy, 8), absl::Hours(2)) << "capped";
}

TEST(DeliveryTest, ThePreferredChannelFirstThenTheOthersThenALetter) {
  Reachability reach;
  reach.email = true;
  reach.phone = true;
  reach.preferred = Channel::kSms;
  EXPECT_EQ(ChannelOrder(reach), (std::vector<Channel>{Channel::kSms, Channel::kEmail, Channel::kLetter}));
  reach.preferred = Channel::kWebhook;  // no app: not usable
  EXPECT_EQ(ChannelOrder(reach), (std::vector<Channel>{Channel::kEmail, Channel::kSms, Channel::kLetter}));
  EXPECT_EQ(ChannelOrder(Reachability{}), (std::vector<Channel>{Channel::kLetter})) << "nobody is unreachable";
}

}  // namespace
}  // namespace ankommen::notifications
