// Names that go into letters (issue 23, item 14): plain, bounded, no link.
#include "text/field_checks.h"

#include <gtest/gtest.h>

namespace ankommen {
namespace {

TEST(PlainNameTest, KeepsNamesInAnyScriptAndDropsEverythingElse) {
  EXPECT_EQ(PlainName("Integrationskurs Riesa-Mitte (Abend)", 80), "Integrationskurs Riesa-Mitte (Abend)");
  EXPECT_EQ(PlainName("دورة الاندماج ١", 80), "دورة الاندماج ١");
  EXPECT_EQ(PlainName("Курс B1: Мейсен", 80), "Курс B1: Мейсен");
  EXPECT_EQ(PlainName("Kurs\n\nBitte zahlen Sie 50 € an", 80), "Kurs Bitte zahlen Sie 50 € an");
  EXPECT_EQ(PlainName("<b>Kurs</b> {{deadline}}", 80), "b Kurs /b deadline");
  EXPECT_EQ(PlainName("Kurs \xE2\x80\xAEtxt.exe", 80), "Kurs txt.exe") << "a bidirectional override is gone";
  EXPECT_EQ(PlainName("„Kurs“", 80), "Kurs") << "quotes are the letter's, not the title's";
  EXPECT_EQ(PlainName("Kurs\xC2\xA0\xC2\xA0Riesa", 80), "Kurs Riesa");
  EXPECT_EQ(PlainName("äöü ÄÖÜ ß", 80), "äöü ÄÖÜ ß");
  EXPECT_EQ(PlainName(std::string(100, 'a'), 80), std::string(80, 'a'));
  EXPECT_EQ(PlainName("ззззз", 3), "ззз") << "cut on a character's boundary";
  EXPECT_EQ(PlainName("  ", 80), "");
}

TEST(CheckNameTest, RefusesWordingMarkupAndLinks) {
  auto check = [](const std::string& title) {
    Violations v;
    CheckName(v, "course.title", title, false, 80);
    return v.list().empty() ? std::string() : v.list()[0].description;
  };
  EXPECT_EQ(check("Integrationskurs Riesa-Mitte"), "");
  EXPECT_EQ(check(""), "");
  EXPECT_NE(check("Kurs\nBitte überweisen Sie"), "");
  EXPECT_NE(check("Kurs <a href=x>hier</a>"), "");
  EXPECT_NE(check("Kurs  Riesa"), "") << "single-spaced";
  EXPECT_NE(check("Anmeldung www.example.org"), "");
  EXPECT_NE(check("Anmeldung: https://example.org"), "");
  EXPECT_NE(check(std::string(81, 'a')), "");
}

TEST(SocialAreaTest, OnlyTheDistrictsOnceTheyAreKnown) {
  auto problems = [](const std::string& area) {
    Violations v;
    CheckSocialArea(v, "social_area", area);
    return v.list().size();
  };
  EXPECT_EQ(problems("Anywhere"), 0u) << "none configured: any well-formed name";
  EXPECT_EQ(problems("a:b"), 1u);
  SetDistrictSocialAreas({"Riesa", "Meißen"});
  EXPECT_EQ(problems("Riesa"), 0u);
  EXPECT_EQ(problems("Meißen"), 0u);
  EXPECT_EQ(problems("Anywhere"), 1u) << "it would become a metric label and a key";
  SetDistrictSocialAreas({});
}

}  // namespace
}  // namespace ankommen
