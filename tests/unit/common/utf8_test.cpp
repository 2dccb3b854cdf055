#include "text/utf8.h"

#include <gtest/gtest.h>

namespace ankommen {
namespace {

TEST(Utf8Test, AcceptsTheScriptsOfTheDistrictsLanguages) {
  EXPECT_TRUE(IsValidUtf8("Großenhain"));
  EXPECT_TRUE(IsValidUtf8("محمد"));        // Arabic
  EXPECT_TRUE(IsValidUtf8("Олександр"));   // Ukrainian
  EXPECT_TRUE(IsValidUtf8("ሰላም"));         // Tigrinya
  EXPECT_TRUE(IsValidUtf8("😀"));
  EXPECT_EQ(Utf8Length("محمد"), 4u);
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("abc\xc3"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));         // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));     // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x28\xa1"));
}

TEST(Utf8Test, BoundCutsOnACodePointAndSaysSo) {
  EXPECT_EQ(BoundUtf8("Meißen", 20), "Meißen");
  EXPECT_EQ(BoundUtf8("Meißen", 4), "Mei…");  // ß is two bytes: not split
  EXPECT_EQ(BoundUtf8("Meißen", 5), "Meiß…");
  EXPECT_TRUE(IsValidUtf8(BoundUtf8(std::string(1000, 'a') + "ü", 1000)));
  EXPECT_EQ(BoundUtf8(std::string(300'000, 'x'), 128).size(), 128u + 3);
}

}  // namespace
}  // namespace ankommen
