#include "domain/duplicates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_split.h"

namespace ankommen::registry {
namespace {

struct Variant {
  std::string field;  // given or family
  std::string a, b;
  bool same = false;
};

std::vector<Variant> Corpus(const char* path = ANKOMMEN_NAME_VARIANTS_CSV) {
  std::ifstream in(path);
  std::vector<Variant> out;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() != 4) continue;
    out.push_back({f[0], f[1], f[2], f[3] == "1"});
  }
  return out;
}

// A pair of persons differing only in the corpus name; everything else as
// the second registration of one family would give it.
std::pair<PersonProfile, PersonProfile> PersonsFor(const Variant& v, const std::string& birth_date) {
  PersonProfile a{"p_a", "hh_a", "Amal", "Haddad", birth_date, "SY"};
  PersonProfile b{"p_b", "hh_b", "Amal", "Haddad", birth_date, "SY"};
  if (v.field == "given") {
    a.given_names = v.a;
    b.given_names = v.b;
  } else {
    a.family_name = v.a;
    b.family_name = v.b;
  }
  return {a, b};
}

struct Tally {
  int true_pos = 0, false_pos = 0, false_neg = 0, true_neg = 0;
  std::vector<std::string> wrong;
  void Add(const Variant& v, bool predicted) {
    if (predicted && v.same) ++true_pos;
    if (predicted && !v.same) ++false_pos, wrong.push_back("matched but different: " + v.a + " / " + v.b);
    if (!predicted && v.same) ++false_neg, wrong.push_back("missed: " + v.a + " / " + v.b);
    if (!predicted && !v.same) ++true_neg;
  }
  double Precision() const { return true_pos == 0 ? 0 : static_cast<double>(true_pos) / (true_pos + false_pos); }
  double Recall() const { return true_pos == 0 ? 0 : static_cast<double>(true_pos) / (true_pos + false_neg); }
  void Print(const char* what) const {
    std::printf("%s: %d same, %d different; precision %.3f, recall %.3f\n", what, true_pos + false_neg,
                false_pos + true_neg, Precision(), Recall());
    for (const auto& w : wrong) std::printf("  %s\n", w.c_str());
  }
};

TEST(DuplicatesTest, FoldsEveryScriptToLowerCaseAscii) {
  EXPECT_EQ(FoldName("Şahin-Öztürk"), "sahin ozturk");
  EXPECT_EQ(FoldName("Олександр"), "oleksandr");
  EXPECT_EQ(FoldName("Жанна"), "zhanna");
  EXPECT_EQ(FoldName("محمد"), "mhmd");
  EXPECT_EQ(FoldName("  Abd   al Rahman "), "abd al rahman");
  EXPECT_EQ(FoldName("Ol'ha"), "olha");
}

TEST(DuplicatesTest, SkeletonsForgetVowelsDoublesAndSpellingConventions) {
  auto mohammed = NameSkeletons(FoldName("Mohammed"));
  EXPECT_EQ(mohammed, NameSkeletons(FoldName("Muhammad")));
  auto schewtschenko = NameSkeletons(FoldName("Schewtschenko"));
  auto shevchenko = NameSkeletons(FoldName("Shevchenko"));
  EXPECT_NE(std::find(shevchenko.begin(), shevchenko.end(), schewtschenko[0]), shevchenko.end());
  // "ch" is read both ways: Chalid meets Khalid, Chornenko meets Tschornenko.
  auto chalid = NameSkeletons(FoldName("Chalid"));
  auto khalid = NameSkeletons(FoldName("Khalid"));
  EXPECT_NE(std::find(chalid.begin(), chalid.end(), khalid[0]), chalid.end());
  auto chornenko = NameSkeletons(FoldName("Chornenko"));
  auto tschornenko = NameSkeletons(FoldName("Tschornenko"));
  EXPECT_NE(std::find(chornenko.begin(), chornenko.end(), tschornenko[0]), chornenko.end());
  EXPECT_TRUE(NameSkeletons("aya").empty());
}

TEST(DuplicatesTest, NameVariantCorpusReachesItsPrecisionAndRecall) {
  auto corpus = Corpus();
  ASSERT_GE(corpus.size(), 100u);
  // Names alone, at the person-level threshold's share of the name weight.
  Tally names;
  for (const auto& v : corpus) names.Add(v, NameSimilarity(FoldName(v.a), FoldName(v.b)) >= 0.85);
  names.Print("names alone (similarity >= 0.85)");
  // As the registry decides: the same birth date and nationality, the corpus name differing.
  Tally persons;
  for (const auto& v : corpus) {
    auto [a, b] = PersonsFor(v, "1990-03-14");
    persons.Add(v, ScorePair(a, b).score >= kSuspicionThreshold);
  }
  persons.Print("persons with one birth date and nationality");
  // Blocking must not lose what scoring would find.
  int blocked_together = 0, same = 0;
  for (const auto& v : corpus) {
    if (!v.same) continue;
    ++same;
    auto [a, b] = PersonsFor(v, "1990-03-14");
    auto ka = BlockingKeys(a), kb = BlockingKeys(b);
    bool shared = std::any_of(ka.begin(), ka.end(), [&](const std::string& k) {
      return std::find(kb.begin(), kb.end(), k) != kb.end();
    });
    blocked_together += shared ? 1 : 0;
  }
  std::printf("blocking: %d of %d same pairs share a key\n", blocked_together, same);
  EXPECT_GE(persons.Precision(), 0.9);
  EXPECT_GE(persons.Recall(), 0.95);
  EXPECT_EQ(blocked_together, same);
}

// Measured apart, on names the scorer was never tuned on (Somali, Pashto and
// Dari, Tigrinya in Ethiopic and Latin script, Kurmanji, Cyrillic, Arabic
// script): its figures and every miss are printed for bench/README.md.
TEST(DuplicatesTest, HeldOutCorpusIsMeasuredApart) {
  auto corpus = Corpus(ANKOMMEN_HELD_OUT_VARIANTS_CSV);
  ASSERT_GE(corpus.size(), 100u);
  Tally names;
  for (const auto& v : corpus) names.Add(v, NameSimilarity(FoldName(v.a), FoldName(v.b)) >= 0.85);
  names.Print("held out, names alone (similarity >= 0.85)");
  Tally persons;
  int blocked_together = 0, same = 0;
  for (const auto& v : corpus) {
    auto [a, b] = PersonsFor(v, "1990-03-14");
    persons.Add(v, ScorePair(a, b).score >= kSuspicionThreshold);
    if (!v.same) continue;
    ++same;
    auto ka = BlockingKeys(a), kb = BlockingKeys(b);
    blocked_together += std::any_of(ka.begin(), ka.end(), [&](const std::string& k) {
      return std::find(kb.begin(), kb.end(), k) != kb.end();
    }) ? 1 : 0;
  }
  persons.Print("held out, persons with one birth date and nationality");
  std::printf("held out, blocking: %d of %d same pairs share a key\n", blocked_together, same);
  // Floors at the figures first measured (bench/README.md), so that a change
  // to the scorer that loses names it never saw fails here.
  // Measured 2026-12-04: precision 0.934, recall 0.671 — Somali spellings
  // (x for h, c for the ʿayn) and Arabic script against Latin are missed.
  EXPECT_GE(persons.Precision(), 0.93);
  EXPECT_GE(persons.Recall(), 0.67);
}

TEST(DuplicatesTest, DifferentBirthDatesKeepNamesakesApart) {
  PersonProfile a{"p_a", "hh_a", "Mohammed", "Haddad", "1990-03-14", "SY"};
  PersonProfile b{"p_b", "hh_b", "Muhammad", "Hadad", "1984-07-02", "SY"};
  EXPECT_LT(ScorePair(a, b).score, kSuspicionThreshold);
  b.birth_date = "1990-03-14";
  EXPECT_GE(ScorePair(a, b).score, kSuspicionThreshold);
}

TEST(DuplicatesTest, FirstOfJanuaryIsWeakEvidence) {
  // Many papers give 1 January for an unknown birthday.
  PersonProfile a{"p_a", "hh_a", "Hamid", "Ahmadi", "1990-01-01", "AF"};
  PersonProfile b{"p_b", "hh_b", "Hamed", "Ahmady", "1990-01-01", "AF"};
  EXPECT_LT(ScorePair(a, b).score, kSuspicionThreshold);
  b.given_names = "Hamid";
  b.family_name = "Ahmadi";
  EXPECT_GE(ScorePair(a, b).score, kSuspicionThreshold);
}

TEST(DuplicatesTest, DayAndMonthSwappedStillMatches) {
  PersonProfile a{"p_a", "hh_a", "Mohammed", "Haddad", "1990-03-04", "SY"};
  PersonProfile b{"p_b", "hh_b", "Muhammad", "Hadad", "1990-04-03", "SY"};
  auto s = ScorePair(a, b);
  EXPECT_GE(s.score, kSuspicionThreshold);
  EXPECT_NE(std::find(s.reasons.begin(), s.reasons.end(), "birth date with day and month swapped"), s.reasons.end());
}

TEST(DuplicatesTest, SwappedNameOrderIsFound) {
  PersonProfile a{"p_a", "hh_a", "Ahmad", "Rahimi", "1995-01-20", "AF"};
  PersonProfile b{"p_b", "hh_b", "Rahimy", "Ahmed", "1995-01-20", "AF"};
  auto s = ScorePair(a, b);
  EXPECT_GE(s.score, kSuspicionThreshold);
  EXPECT_EQ(s.reasons.front(), "given and family name in swapped order");
}

TEST(DuplicatesTest, TwinsAreNotOnePerson) {
  PersonProfile a{"p_a", "hh_a", "Ali", "Haddad", "2012-05-01", "SY"};
  PersonProfile b{"p_b", "hh_b", "Omar", "Haddad", "2012-05-01", "SY"};
  EXPECT_LT(ScorePair(a, b).score, kSuspicionThreshold);
}

TEST(DuplicatesTest, DifferentNationalityWeighsAgainst) {
  PersonProfile a{"p_a", "hh_a", "Hamid", "Ahmadi", "1990-03-14", "AF"};
  PersonProfile b = a;
  b.person_id = "p_b";
  double same = ScorePair(a, b).score;
  b.nationality = "IR";
  EXPECT_LT(ScorePair(a, b).score, same);
}

TEST(DuplicatesTest, AFamilyRegisteredTwiceMatchesMemberByMemberWithOverlap) {
  std::vector<PersonProfile> old_family = {
      {"p_1", "hh_old", "Mohammed", "Al-Hassan", "1985-02-10", "SY"},
      {"p_2", "hh_old", "Fatima", "Al-Hassan", "1988-11-30", "SY"},
      {"p_3", "hh_old", "Yusuf", "Al-Hassan", "2015-06-01", "SY"},
      {"p_9", "hh_other", "Omar", "Kassem", "1985-02-10", "SY"},
  };
  std::vector<PersonProfile> new_family = {
      {"p_4", "hh_new", "Muhammad", "Alhassan", "1985-02-10", "SY"},
      {"p_5", "hh_new", "Fatemeh", "Alhassan", "1988-11-30", "SY"},
      {"p_6", "hh_new", "Jusuf", "Alhassan", "2015-01-06", "SY"},
  };
  auto found = FindSuspects(new_family, old_family);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].person_id, "p_4");
  EXPECT_EQ(found[0].other_person_id, "p_1");
  EXPECT_EQ(found[1].other_person_id, "p_2");
  EXPECT_EQ(found[2].other_person_id, "p_3");
  for (const auto& s : found) {
    EXPECT_EQ(s.other_household_id, "hh_old");
    EXPECT_EQ(s.reasons.back(), "2 more members of the two households alike");
    for (const auto& r : s.reasons) {
      // Reasons go to reviewers and may be logged: figures only, no names.
      EXPECT_EQ(r.find("ammad"), std::string::npos) << r;
      EXPECT_EQ(r.find("assan"), std::string::npos) << r;
    }
  }
}

TEST(DuplicatesTest, BlockingKeysAreHashedAndShareAYearOrBothNames) {
  PersonProfile a{"p_a", "hh_a", "Mohammed Ali", "Haddad", "1990-03-14", "SY"};
  auto keys = BlockingKeys(a);
  ASSERT_FALSE(keys.empty());
  for (const auto& k : keys) EXPECT_EQ(k.size(), 16u) << k;
  // A wrong birth year still meets the other record through both names.
  PersonProfile b{"p_b", "hh_b", "Muhammad", "Hadad", "1991-03-14", "SY"};
  auto kb = BlockingKeys(b);
  EXPECT_TRUE(std::any_of(keys.begin(), keys.end(),
                          [&](const std::string& k) { return std::find(kb.begin(), kb.end(), k) != kb.end(); }));
  // A stranger of the same year shares none.
  PersonProfile c{"p_c", "hh_c", "Olena", "Bondarenko", "1990-03-14", "UA"};
  auto kc = BlockingKeys(c);
  EXPECT_FALSE(std::any_of(keys.begin(), keys.end(),
                           [&](const std::string& k) { return std::find(kc.begin(), kc.end(), k) != kc.end(); }));
}

}  // namespace
}  // namespace ankommen::registry
