// Names, birth dates and family sizes as a district's arrivals have them, for
// the benchmarks that register people (api_bench, duplicates_bench): given and
// family names from the duplicate corpora's languages (Arabic, Dari/Farsi,
// Ukrainian, Tigrinya), so that common names (Mohammed, Olena) make crowded
// duplicate blocks as they do in a district, and 1 January for an unknown
// birthday on 15 % of papers. Seeded: the same seed draws the same people.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace ankommen::bench {

inline const std::vector<std::string> kGivenNames = {
    "Mohammed", "Muhammad", "Ahmad", "Ali", "Hussein", "Hassan", "Omar", "Yusuf", "Khaled", "Abdullah", "Mahmoud",
    "Karim", "Said", "Jamal", "Hamid", "Reza", "Mehdi", "Farid", "Amir", "Bilal", "Fatima", "Amina", "Zainab",
    "Mariam", "Aisha", "Nour", "Layla", "Rania", "Samira", "Yasmin", "Zahra", "Shirin", "Fatemeh", "Maryam",
    "Oleksandr", "Andriy", "Dmytro", "Serhii", "Ivan", "Mykola", "Olena", "Iryna", "Natalia", "Yuliia", "Olga",
    "Tetiana", "Oksana", "Tesfaye", "Haile", "Mehret", "Yonas", "Selam", "Dawit", "Senait", "Abraham", "Ruta"};
inline const std::vector<std::string> kFamilyRoots = {
    "Haddad", "Al-Hassan", "Kassem", "Rahimi", "Ahmadi", "Hosseini", "Karimi", "Mohammadi", "Yousefi", "Sultani",
    "Noori", "Haidari", "Qureshi", "Abdelaziz", "Khatib", "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko",
    "Kuznetsov", "Popov", "Melnyk", "Boyko", "Kravchenko", "Tesfamariam", "Gebremedhin", "Kidane", "Habte",
    "Berhane", "Tekle", "Osman", "Ibrahim", "Mustafa", "Saleh", "Darwish", "Nasser", "Hamdan", "Mansour"};
inline const std::vector<std::string> kFamilySuffixes = {"", "i", "ov", "enko", "zada", "yar", "an", "ani", "o", "uk"};
inline const std::vector<std::string> kNationalities = {"SY", "AF", "UA", "ER", "IQ", "TR"};

struct PersonDraw {
  std::string given, family, birth_date, nationality;
};

class NameDraw {
 public:
  explicit NameDraw(uint64_t seed) : rng_(seed) {}

  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[rng_() % v.size()]; }
  uint64_t Next() { return rng_(); }

  // A birth date between the years, 1 January on 15 % of papers.
  std::string Date(int from_year, int to_year) {
    int year = from_year + static_cast<int>(rng_() % static_cast<uint64_t>(to_year - from_year + 1));
    if (rng_() % 100 < 15) return absl::StrFormat("%04d-01-01", year);
    return absl::StrFormat("%04d-%02d-%02d", year, 1 + rng_() % 12, 1 + rng_() % 28);
  }
  std::string Family() { return Pick(kFamilyRoots) + Pick(kFamilySuffixes); }
  // 1 to `largest` people: two adults at most, children after them.
  std::vector<PersonDraw> Family(int largest) {
    std::vector<PersonDraw> people;
    const std::string family = Family();
    const std::string nationality = Pick(kNationalities);
    const int size = 1 + static_cast<int>(rng_() % static_cast<uint64_t>(largest));
    for (int m = 0; m < size; ++m) {
      people.push_back({Pick(kGivenNames), family, m < 2 ? Date(1950, 2004) : Date(2008, 2025), nationality});
    }
    return people;
  }
  // The n-th of 221,616 family names no other n has: a root and three
  // made-up syllables, as many as the registry may see distinct names.
  static std::string UniqueFamily(int n) {
    static const std::vector<std::string> kSyllables = {"ba", "ke", "lo", "mi", "nu", "ra", "si", "to", "we", "za",
                                                        "dar", "fen", "gul", "hok", "jin", "mar", "nor", "pel"};
    const size_t roots = kFamilyRoots.size(), s = kSyllables.size();
    size_t rest = static_cast<size_t>(n) / roots;
    return kFamilyRoots[static_cast<size_t>(n) % roots] + kSyllables[rest % s] + kSyllables[rest / s % s] +
           kSyllables[rest / s / s % s];
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace ankommen::bench
