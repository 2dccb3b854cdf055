#include "duplicates.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace ankommen::registry {
namespace {

// Ukrainian and Russian Cyrillic as Ukrainian passports and English texts
// write it (Олександр -> oleksandr, Жанна -> zhanna), every other script by
// ICU's general rules, then plain ASCII.
constexpr char kFoldRules[] = "Ukrainian-Latin/BGN; Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower";

// One transliterator per thread: building one takes milliseconds, and ICU
// does not promise that one may be shared.
icu::Transliterator* Folder() {
  thread_local std::unique_ptr<icu::Transliterator> folder = [] {
    UErrorCode error = U_ZERO_ERROR;
    UParseError parse_error;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance(kFoldRules, UTRANS_FORWARD, parse_error, error));
    return U_SUCCESS(error) ? std::move(t) : nullptr;
  }();
  return folder.get();
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

bool StartsWith(std::string_view s, size_t i, std::string_view prefix) {
  return s.substr(i, prefix.size()) == prefix;
}

// The readings of the two spellings that mean different sounds in different
// traditions: "ch" (German Chalid = Khalid, English Chornenko) and "j"
// (German Jusuf = Yusuf, English Jamal).
struct Reading {
  char ch;  // 'H' or 'C'
  char j;   // 'V' (a vowel glide) or 'J'
};

// One word as sound classes: consonant classes in capitals, 'V' where vowels stand.
void AppendSounds(std::string_view w, const Reading& reading, std::string& out) {
  // A final h after a vowel is not heard (Fatemeh, Abdullah).
  if (w.size() > 1 && w.back() == 'h' && IsVowel(w[w.size() - 2])) w.remove_suffix(1);
  static const std::pair<std::string_view, char> kGroups[] = {
      {"tsch", 'C'}, {"dsch", 'J'}, {"shch", 'S'}, {"tch", 'C'}, {"dzh", 'J'}, {"sch", 'S'}, {"dj", 'J'},
      {"sh", 'S'},   {"zh", 'S'},   {"kh", 'H'},   {"gh", 'G'},  {"ph", 'F'},  {"ck", 'K'},  {"th", 'T'},
      {"ts", 'S'},   {"tz", 'S'},
  };
  for (size_t i = 0; i < w.size();) {
    bool matched = false;
    for (const auto& [group, sound] : kGroups) {
      if (StartsWith(w, i, group)) {
        out.push_back(sound);
        i += group.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (StartsWith(w, i, "ch")) {
      out.push_back(reading.ch);
      i += 2;
      continue;
    }
    char c = w[i];
    char next = i + 1 < w.size() ? w[i + 1] : '\0';
    switch (c) {
      case 'a': case 'e': case 'i': case 'o': case 'u': case 'y': out.push_back('V'); break;
      case 'j': out.push_back(reading.j); break;
      case 'b': out.push_back('B'); break;
      case 'p': out.push_back('P'); break;
      case 'd': case 't': out.push_back('T'); break;
      case 'g': out.push_back('G'); break;
      case 'h': out.push_back('H'); break;
      case 'k': case 'q': out.push_back('K'); break;
      case 'c': out.push_back(next == 'e' || next == 'i' || next == 'y' ? 'S' : 'K'); break;
      case 'x': out.append("KS"); break;
      case 's': case 'z': out.push_back('S'); break;
      case 'f': out.push_back('F'); break;
      case 'v': case 'w': out.push_back('W'); break;
      case 'l': out.push_back('L'); break;
      case 'm': out.push_back('M'); break;
      case 'n': out.push_back('N'); break;
      case 'r': out.push_back('R'); break;
      default: break;  // apostrophes and the like
    }
    ++i;
  }
}

std::string Collapse(const std::string& s, bool keep_vowels) {
  std::string out;
  for (char c : s) {
    if (!keep_vowels && c == 'V') continue;
    if (!out.empty() && out.back() == c) continue;
    out.push_back(c);
  }
  return out;
}

// The sound classes of a folded name under one reading, vowel slots kept.
std::string Sounds(std::string_view folded, const Reading& reading) {
  std::string sounds;
  for (absl::string_view word : absl::StrSplit(absl::string_view(folded.data(), folded.size()), ' ', absl::SkipEmpty())) {
    AppendSounds(std::string_view(word.data(), word.size()), reading, sounds);
  }
  return Collapse(sounds, true);
}

std::vector<Reading> ReadingsOf(std::string_view folded) {
  bool has_ch = folded.find("ch") != std::string_view::npos;
  bool has_j = folded.find('j') != std::string_view::npos;
  std::vector<Reading> readings;
  for (char ch : has_ch ? std::string_view("HC") : std::string_view("H")) {
    for (char j : has_j ? std::string_view("VJ") : std::string_view("V")) readings.push_back({ch, j});
  }
  return readings;
}

std::vector<std::string> SlotSkeletons(std::string_view folded) {
  std::vector<std::string> out;
  for (const auto& r : ReadingsOf(folded)) out.push_back(Sounds(folded, r));
  return out;
}

size_t Levenshtein(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

double EditSimilarity(std::string_view a, std::string_view b) {
  size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(Levenshtein(a, b)) / static_cast<double>(longest);
}

std::string WithoutSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

std::string FirstWord(std::string_view folded) {
  return std::string(folded.substr(0, folded.find(' ')));
}

// A folded name with what comparing it needs, worked out once.
struct Name {
  std::string folded;
  std::string plain;  // without spaces
  std::vector<std::string> slots;
  std::vector<std::string> skeletons;
  bool no_vowels = false;

  static Name Of(std::string folded_name) {
    Name n;
    n.folded = std::move(folded_name);
    n.plain = WithoutSpaces(n.folded);
    n.slots = SlotSkeletons(n.folded);
    for (const auto& slots : n.slots) {
      std::string skeleton = Collapse(slots, false);
      if (!skeleton.empty() && std::find(n.skeletons.begin(), n.skeletons.end(), skeleton) == n.skeletons.end()) {
        n.skeletons.push_back(skeleton);
      }
    }
    n.no_vowels = std::none_of(n.plain.begin(), n.plain.end(), IsVowel);
    return n;
  }
};

double Similarity(const Name& a, const Name& b) {
  if (a.plain.empty() || b.plain.empty()) return 0;
  if (a.plain == b.plain) return 1.0;
  // Karim / Karima, Popov / Popova: the feminine form is another person.
  auto feminine_of = [](const std::string& x, const std::string& y) {
    return y.size() == x.size() + 1 && y.back() == 'a' && y.compare(0, x.size(), x) == 0;
  };
  if (feminine_of(a.plain, b.plain) || feminine_of(b.plain, a.plain)) return 0.7;
  double best = EditSimilarity(a.plain, b.plain);
  // Arabic and Persian script write no short vowels (محمد -> mhmd): against
  // such a name only the consonants can be compared.
  if (a.no_vowels || b.no_vowels) {
    for (const auto& ka : a.skeletons) {
      for (const auto& kb : b.skeletons) best = std::max(best, ka == kb ? 0.9 : 0.0);
    }
  }
  // The same sounds spelled differently rank just below the same spelling;
  // sounds that differ a little rank by how much.
  for (const auto& sa : a.slots) {
    for (const auto& sb : b.slots) best = std::max(best, 0.95 * EditSimilarity(sa, sb));
  }
  return best;
}

// A person's names, prepared once for many comparisons.
struct PreparedNames {
  Name given, given_first, family;
  bool several_given = false;

  explicit PreparedNames(const PersonProfile& p)
      : given(Name::Of(FoldName(p.given_names))), family(Name::Of(FoldName(p.family_name))) {
    several_given = given.folded.find(' ') != std::string::npos;
    if (several_given) given_first = Name::Of(FirstWord(given.folded));
  }
};

// Given names: the whole, or the first name alone when one record has a
// second given name the other lacks (Mohammad Ali / Mohammad).
double GivenSimilarity(const PreparedNames& a, const PreparedNames& b) {
  double whole = Similarity(a.given, b.given);
  if (!a.several_given && !b.several_given) return whole;
  const Name& fa = a.several_given ? a.given_first : a.given;
  const Name& fb = b.several_given ? b.given_first : b.given;
  return std::max(whole, 0.95 * Similarity(fa, fb));
}

// The given name of one against the family name of the other (swapped order).
double CrossSimilarity(const PreparedNames& a, const PreparedNames& b) {
  double whole = Similarity(a.given, b.family);
  if (!a.several_given) return whole;
  return std::max(whole, 0.95 * Similarity(a.given_first, b.family));
}

std::string Hashed(std::string_view key) {
  // FNV-1a: stable across processes and versions, which std::hash is not.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

// A pair's score: 0.55 of the weaker name's similarity, 0.3 of the birth
// dates' agreement, and 0.05 for the same nationality (0.1 off for another).
constexpr double kNameWeight = 0.55;
constexpr double kDateWeight = 0.3;
constexpr double kNationalityWeight = 0.05;

struct Date {
  int year = 0, month = 0, day = 0;
};

// YYYY-MM-DD; digits read by hand, as a check reads thousands of dates.
bool ParseDate(std::string_view s, Date& d) {
  auto number = [&s](size_t from, size_t length, int& out) {
    out = 0;
    for (size_t i = from; i < from + length; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && number(0, 4, d.year) && number(5, 2, d.month) &&
         number(8, 2, d.day);
}

// How well two birth dates agree, 0..1, with the reason when `reasons` is given.
double DateAgreement(const std::string& a, const std::string& b, std::vector<std::string>* reasons) {
  Date x, y;
  if (!ParseDate(a, x) || !ParseDate(b, y)) return 0;
  auto because = [reasons](const char* reason, double agreement) {
    if (reasons != nullptr) reasons->push_back(reason);
    return agreement;
  };
  if (x.year == y.year && x.month == y.month && x.day == y.day) {
    // 1 January stands in for an unknown birthday on many papers: shared by
    // strangers far more often than any other date.
    if (x.month == 1 && x.day == 1) return because("same birth date, 1 January (often a stand-in)", 0.7);
    return because("same birth date", 1.0);
  }
  if (x.year == y.year && x.month == y.day && x.day == y.month) {
    return because("birth date with day and month swapped", 0.9);
  }
  if (std::abs(x.year - y.year) == 1 && x.month == y.month && x.day == y.day) {
    return because("birth year off by one", 0.6);
  }
  if (x.year == y.year && (x.month == y.month || x.day == y.day)) {
    return because("same birth year, one of day and month differs", 0.4);
  }
  return 0;
}

}  // namespace

std::string FoldName(std::string_view name) {
  // ASCII is already what ICU would make of it; most names on German papers
  // are, and a duplicate check folds every candidate's names.
  const bool is_ascii = std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string ascii;
  if (is_ascii) {
    ascii.assign(name);
  } else {
    icu::Transliterator* folder = Folder();
    icu::UnicodeString text =
        icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    if (folder != nullptr) folder->transliterate(text);
    text.toUTF8String(ascii);
  }
  std::string out;
  for (char c : ascii) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') out.push_back(c);
    else if ((c == ' ' || c == '-') && !out.empty() && out.back() != ' ') out.push_back(' ');
    // apostrophes (Ol'ha) and marks left by Latin-ASCII (ʿ, ǝ) are dropped
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> NameSkeletons(std::string_view folded) {
  std::vector<std::string> out;
  for (const auto& slots : SlotSkeletons(folded)) {
    std::string skeleton = Collapse(slots, false);
    if (!skeleton.empty() && std::find(out.begin(), out.end(), skeleton) == out.end()) out.push_back(skeleton);
  }
  return out;
}

double NameSimilarity(std::string_view a, std::string_view b) {
  return Similarity(Name::Of(std::string(a)), Name::Of(std::string(b)));
}

namespace {

// The skeletons of a name as written (of its first word only, for given
// names), remembered per thread: a check keys every member of the households
// it finds, and a crowded block is one name over and over. Bounded by
// forgetting everything when full, which keeps it a few MB per thread.
std::vector<std::string> SkeletonsOfWritten(const std::string& written, bool first_word) {
  thread_local std::map<std::pair<std::string, bool>, std::vector<std::string>> remembered;
  constexpr size_t kRemembered = 20000;
  auto it = remembered.find({written, first_word});
  if (it != remembered.end()) return it->second;
  if (remembered.size() >= kRemembered) remembered.clear();
  std::string folded = FoldName(written);
  if (first_word) folded = FirstWord(folded);
  return remembered.emplace(std::make_pair(written, first_word), NameSkeletons(folded)).first->second;
}

}  // namespace

std::vector<std::string> BlockingKeys(const PersonProfile& person) {
  std::string year = person.birth_date.substr(0, 4);
  std::vector<std::string> keys;
  auto add = [&keys](const std::string& raw) {
    std::string k = Hashed(raw);
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  };
  const auto given_skeletons = SkeletonsOfWritten(person.given_names, /*first_word=*/true);
  const auto family_skeletons = SkeletonsOfWritten(person.family_name, /*first_word=*/false);
  // Most selective first: both names and the whole birth date, which tells
  // apart most of a common name's crowded block (HouseholdStore reads only the
  // latest filed of a crowded key).
  for (const auto& g : given_skeletons) {
    for (const auto& f : family_skeletons) {
      add(absl::StrCat("exact:", std::min(g, f), ":", std::max(g, f), ":", person.birth_date));
    }
  }
  // Names in either field: a given name recorded as the family name meets itself.
  for (const auto& s : given_skeletons) add(absl::StrCat("name:", s, ":", year));
  for (const auto& s : family_skeletons) add(absl::StrCat("name:", s, ":", year));
  for (const auto& g : given_skeletons) {
    for (const auto& f : family_skeletons) add(absl::StrCat("pair:", std::min(g, f), ":", std::max(g, f)));
  }
  return keys;
}

namespace {

// The reasons are written only when `explain`: most pairs a check scores are
// dropped, and formatting their reasons cost more than scoring them.
PairScore Score(const PersonProfile& a, const PreparedNames& na, const PersonProfile& b, const PreparedNames& nb,
                bool explain) {
  PairScore out;
  std::vector<std::string>* reasons = explain ? &out.reasons : nullptr;
  double given = GivenSimilarity(na, nb), family = Similarity(na.family, nb.family);
  double given_x = CrossSimilarity(na, nb), family_x = Similarity(na.family, nb.given);
  bool swapped = (given_x + family_x) / 2 - 0.02 > (given + family) / 2;
  if (swapped) {
    given = given_x;
    family = family_x;
    if (explain) out.reasons.push_back("given and family name in swapped order");
  }
  if (explain) {
    out.reasons.push_back(absl::StrFormat("given names alike %.2f", given));
    out.reasons.push_back(absl::StrFormat("family names alike %.2f", family));
  }
  // The weaker name decides: a shared family name and birth date (twins,
  // or a common surname) say nothing about the given name.
  double names = std::min(given, family) - (swapped ? 0.02 : 0);
  double date = DateAgreement(a.birth_date, b.birth_date, reasons);
  // Without an agreeing birth date even equal names stay below the
  // threshold (0.6 at most): namesakes are common.
  double score = kNameWeight * names + kDateWeight * date;
  if (!a.nationality.empty() && !b.nationality.empty()) {
    if (a.nationality == b.nationality) {
      score += kNationalityWeight;
      if (explain) out.reasons.push_back("same nationality");
    } else {
      score -= 2 * kNationalityWeight;
      if (explain) out.reasons.push_back("different nationality");
    }
  }
  out.score = std::clamp(score, 0.0, 1.0);
  return out;
}

}  // namespace

PairScore ScorePair(const PersonProfile& a, const PersonProfile& b) {
  return Score(a, PreparedNames(a), b, PreparedNames(b), /*explain=*/true);
}

std::vector<Suspicion> FindSuspects(const std::vector<PersonProfile>& new_members,
                                    const std::vector<PersonProfile>& candidates, int per_person) {
  // Near misses too, for now: the household's other members may lift them.
  constexpr double kConsidered = kSuspicionThreshold - 0.1;
  struct Scored {
    size_t member;
    size_t candidate;
    double score;
    int others;  // more members of the two households alike
  };
  std::vector<PreparedNames> members;
  for (const auto& m : new_members) members.emplace_back(m);
  // Names prepared once per spelling: a crowded block's candidates share them.
  std::map<std::pair<std::string, std::string>, PreparedNames> prepared;
  auto names_of = [&prepared](const PersonProfile& p) -> const PreparedNames& {
    auto it = prepared.find({p.given_names, p.family_name});
    if (it == prepared.end()) it = prepared.emplace(std::make_pair(p.given_names, p.family_name), PreparedNames(p)).first;
    return it->second;
  };
  std::vector<Scored> scored;
  for (size_t m = 0; m < new_members.size(); ++m) {
    // A crowded block's candidates are one name and date over and over: each
    // (names, date, nationality) is scored once per member.
    using Written = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;
    absl::flat_hash_map<Written, double> scores;
    for (size_t c = 0; c < candidates.size(); ++c) {
      const PersonProfile& candidate = candidates[c];
      // Most candidates share a name's skeleton and the birth year only:
      // without agreeing dates they cannot reach the threshold, so their
      // names are not even compared.
      if (DateAgreement(new_members[m].birth_date, candidate.birth_date, nullptr) == 0 &&
          kNameWeight + kNationalityWeight < kConsidered) {
        continue;
      }
      auto [it, fresh] = scores.try_emplace(
          Written{candidate.given_names, candidate.family_name, candidate.birth_date, candidate.nationality}, 0.0);
      if (fresh) it->second = Score(new_members[m], members[m], candidate, names_of(candidate), false).score;
      if (it->second >= kConsidered) scored.push_back({m, c, it->second, 0});
    }
  }
  // Per candidate household, which new members match someone in it (a
  // household of one has no other member to).
  const bool several = new_members.size() > 1;
  absl::flat_hash_map<std::string_view, std::vector<bool>> matched_by_household;
  if (several) {
    for (const auto& s : scored) {
      auto& matched = matched_by_household[candidates[s.candidate].household_id];
      matched.resize(new_members.size());
      matched[s.member] = true;
    }
  }
  std::vector<Scored> suspected;
  for (auto& s : scored) {
    if (several) {
      const auto& matched = matched_by_household[candidates[s.candidate].household_id];
      s.others = static_cast<int>(std::count(matched.begin(), matched.end(), true)) - 1;
    }
    if (s.others > 0) s.score = std::min(1.0, s.score + 0.05 * std::min(s.others, 2));
    if (s.score >= kSuspicionThreshold) suspected.push_back(s);
  }
  // By member (in the order of their ids), the strongest first, then by id:
  // the same order on every run. Members' ids compared once, not per pair.
  std::vector<size_t> member_rank(new_members.size());
  {
    std::vector<size_t> order(new_members.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return new_members[x].person_id < new_members[y].person_id; });
    for (size_t r = 0; r < order.size(); ++r) member_rank[order[r]] = r;
  }
  std::sort(suspected.begin(), suspected.end(), [&](const Scored& x, const Scored& y) {
    if (member_rank[x.member] != member_rank[y.member]) return member_rank[x.member] < member_rank[y.member];
    if (x.score != y.score) return x.score > y.score;
    return candidates[x.candidate].person_id < candidates[y.candidate].person_id;
  });
  // Reasons only for those kept: a crowded block suspects dozens per member,
  // and its kept are one spelling over and over, explained once.
  std::vector<Suspicion> kept;
  std::map<size_t, int> kept_per_member;
  using Spelling = std::tuple<size_t, std::string_view, std::string_view, std::string_view, std::string_view>;
  absl::flat_hash_map<Spelling, std::vector<std::string>> explained;
  for (const auto& s : suspected) {
    if (kept_per_member[s.member]++ >= per_person) continue;
    const auto& other = candidates[s.candidate];
    auto [why, fresh] = explained.try_emplace(
        Spelling{s.member, other.given_names, other.family_name, other.birth_date, other.nationality});
    if (fresh) why->second = Score(new_members[s.member], members[s.member], other, names_of(other), true).reasons;
    auto reasons = why->second;
    if (s.others > 0) reasons.push_back(absl::StrCat(s.others, " more members of the two households alike"));
    kept.push_back({new_members[s.member].person_id, other.person_id, other.household_id, s.score, std::move(reasons)});
  }
  return kept;
}

}  // namespace ankommen::registry
