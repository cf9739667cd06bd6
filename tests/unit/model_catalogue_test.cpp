#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "model/catalogue/catalogue.hpp"

namespace escd::model::catalogue {
namespace {

int Sign(int value) {
    return (value > 0) - (value < 0);
}

TEST(ImageGuid, ParsesFortyHexCharactersInEitherCaseAndKeepsThemUpperCase) {
    const auto lower = ImageGuid::Parse("0123456789abcdef0123456789abcdef01234567");
    ASSERT_TRUE(lower);
    EXPECT_EQ(lower->text(), "0123456789ABCDEF0123456789ABCDEF01234567");

    const auto mixed = ImageGuid::Parse("0123456789AbCdEf0123456789aBcDeF01234567");
    ASSERT_TRUE(mixed);
    EXPECT_EQ(*mixed, *lower);
}

TEST(ImageGuid, RefusesOtherLengthsAndNonHexCharacters) {
    const std::string forty(40, 'A');
    EXPECT_TRUE(ImageGuid::Parse(forty));
    for (const std::string& bad :
         {std::string(), std::string(39, 'A'), std::string(41, 'A'), "G" + forty.substr(1),
          " " + forty.substr(1), forty.substr(1) + "\n", "0x" + forty.substr(2),
          forty.substr(0, 20) + "-" + forty.substr(21)}) {
        EXPECT_FALSE(ImageGuid::Parse(bad)) << "'" << bad << "'";
    }
}

TEST(ImageGuid, RandomIsFortyUpperCaseHexThatParsesBackAndDiffersEachTime) {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        const auto guid = ImageGuid::Random();
        EXPECT_EQ(guid.text().size(), 40U);
        EXPECT_EQ(guid.text().find_first_not_of("0123456789ABCDEF"), std::string::npos)
            << guid.text();
        EXPECT_EQ(ImageGuid::Parse(guid.text()), guid);
        seen.insert(guid.text());
    }
    EXPECT_EQ(seen.size(), 20U);
}

TEST(CompareVersions, ComparesDigitRunsByValueNotByText) {
    EXPECT_GT(CompareVersions("7.10", "7.9"), 0);
    EXPECT_LT(CompareVersions("7.3.2", "7.10.1"), 0);
    EXPECT_LT(CompareVersions("6.2(1)E3", "6.2(1)E10"), 0);
    EXPECT_LT(CompareVersions("15.0(2)SE5", "15.2(4)E"), 0);
}

TEST(CompareVersions, IgnoresLeadingZerosInDigitRuns) {
    EXPECT_EQ(CompareVersions("17.09.04", "17.9.4"), 0);
    EXPECT_EQ(CompareVersions("007", "7"), 0);
    EXPECT_EQ(CompareVersions("1.0", "1.000"), 0);
    EXPECT_LT(CompareVersions("17.09.04", "17.9.5"), 0);
}

TEST(CompareVersions, ComparesDigitRunsLongerThanAnyIntegerByLengthThenText) {
    EXPECT_GT(CompareVersions("1.123456789012345678901234", "1.99999999999999999999"), 0);
    EXPECT_LT(CompareVersions("1.123456789012345678901234", "1.123456789012345678901235"), 0);
    EXPECT_EQ(CompareVersions("1.000123456789012345678901234", "1.123456789012345678901234"), 0);
}

TEST(CompareVersions, ComparesOtherRunsAsTextWithoutCase) {
    EXPECT_LT(CompareVersions("1.2(a)", "1.2(b)"), 0);
    EXPECT_GT(CompareVersions("1.2(b)", "1.2(a)"), 0);
    EXPECT_EQ(CompareVersions("15.2(4)se5", "15.2(4)SE5"), 0);
    EXPECT_LT(CompareVersions("15.2(4)E5", "15.2(4)SE5"), 0);
}

TEST(CompareVersions, AVersionWithMoreRunsIsGreaterThanItsPrefix) {
    EXPECT_LT(CompareVersions("7.3.2", "7.3.2.1"), 0);
    EXPECT_GT(CompareVersions("7.3.2.1", "7.3.2"), 0);
    EXPECT_LT(CompareVersions("6.2(1)", "6.2(1)E"), 0);
    EXPECT_LT(CompareVersions("", "1"), 0);
    EXPECT_EQ(CompareVersions("", ""), 0);
    EXPECT_EQ(CompareVersions("7.3.2", "7.3.2"), 0);
}

TEST(CompareVersions, IsAntisymmetricAndTransitiveOverMixedVersions) {
    // Ascending.
    const std::vector<std::string> sorted = {
        "",           "1",        "1.2(a)",  "1.2(b)",  "6.2(1)E3",
        "6.2(1)E10",  "7.3.2",    "7.3.2.1", "7.9",     "7.10.1",
        "15.0(2)SE5", "15.2(4)E", "17.9.4",  "17.09.5", "99999999999999999999",
        "V7"};
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        for (std::size_t j = 0; j < sorted.size(); ++j) {
            const int expected = i < j ? -1 : (i > j ? 1 : 0);
            EXPECT_EQ(Sign(CompareVersions(sorted[i], sorted[j])), expected)
                << "'" << sorted[i] << "' vs '" << sorted[j] << "'";
        }
    }
}

}  // namespace
}  // namespace escd::model::catalogue
