// Likely duplicate registrations: the same person registered twice, by two
// offices or with a name transliterated two ways (Mohammed / Muhammad,
// Олександр / Oleksandr / Aleksandr). Pure functions; the registry decides
// what to do with a suspicion (it holds the household until a person
// resolves it).
//
// Names are first folded to lower-case ASCII by ICU ("Any-Latin; Latin-ASCII"),
// so Cyrillic and Arabic script meet their Latin spellings. Two keys are then
// derived from a name:
// - a consonant skeleton, which forgets vowels, doubled letters and the usual
//   spelling choices (kh/ch/h, sh/sch/zh/s, j/y/dj, w/v, ph/f, d/t at the end,
//   q/ck/c/k, x/ks): the blocking key, so that a new registration is compared
//   only with persons that share one — never with the whole registry;
// - a vowel-slot skeleton (the same, with one mark where vowels stood), which
//   keeps Mahmoud (m_hm_d) apart from Mohammed (m_h_m_d) when scoring.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ankommen::registry {

// Lower-case ASCII words of a name in any script: "Şahin-Öztürk" -> "sahin ozturk".
std::string FoldName(std::string_view name);

// The consonant skeletons of a name (of all its words run together), one per
// reading of an ambiguous spelling ("ch" as in Chalid or as in Chornenko).
// Empty for a name without consonants.
std::vector<std::string> NameSkeletons(std::string_view folded);

// How alike two names (folded) are, 0..1: 1 for the same spelling, about 0.9
// and more for transliteration variants, less for different names.
double NameSimilarity(std::string_view folded_a, std::string_view folded_b);

// What duplicate detection knows of a person. Lives only inside the registry.
struct PersonProfile {
  std::string person_id;
  std::string household_id;
  std::string given_names;
  std::string family_name;
  std::string birth_date;  // YYYY-MM-DD
  std::string nationality;
};

// The keys under which a person is filed for blocking, most selective first:
// both names' skeletons with the whole birth date, each name's skeleton with
// the birth year, and both names' skeletons together (for a wrong year).
// Hashed, so that no name can be read from a key.
std::vector<std::string> BlockingKeys(const PersonProfile& person);

struct PairScore {
  double score = 0;  // 0..1
  std::vector<std::string> reasons;  // for the reviewer; ids and figures, never a name
};

// How likely two persons are one. Household overlap is added by
// FindSuspects, which sees both households.
PairScore ScorePair(const PersonProfile& a, const PersonProfile& b);

// A new person and an existing one that are likely the same.
struct Suspicion {
  std::string person_id;        // the new registration's member
  std::string other_person_id;  // the person registered before
  std::string other_household_id;
  double score = 0;
  std::vector<std::string> reasons;
};

inline constexpr double kSuspicionThreshold = 0.8;

// The new household's members against candidates found by blocking: each pair
// at or above the threshold, with the number of other members of the two
// households that match too as an extra reason (a family registered twice
// matches member by member). Candidates of the new household itself and
// pairs marked distinct before are skipped by the caller. Sorted by person,
// then by score, highest first; at most `per_person` for each new member.
std::vector<Suspicion> FindSuspects(const std::vector<PersonProfile>& new_members,
                                    const std::vector<PersonProfile>& candidates, int per_person = 5);

}  // namespace ankommen::registry
