#include "common/crypto.hpp"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace escd {
namespace {

TEST(NewUuid, HasCanonicalVersion4Format) {
    static const std::regex kPattern(
        "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    for (int i = 0; i < 100; ++i) {
        std::string uuid = NewUuid();
        ASSERT_EQ(uuid.size(), 36u);
        EXPECT_EQ(uuid[14], '4') << uuid;                                          // version nibble
        EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos) << uuid;  // variant 10xx
        EXPECT_TRUE(std::regex_match(uuid, kPattern)) << uuid;
    }
}

TEST(NewUuid, IsUnique) {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) seen.insert(NewUuid());
    EXPECT_EQ(seen.size(), 10000u);
}

TEST(RandomHex, HasRequestedLengthAndLowerCaseHexDigits) {
    EXPECT_EQ(RandomHex(0), "");
    std::string hex = RandomHex(16);
    EXPECT_EQ(hex.size(), 32u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST(RandomPassword, HasRequestedLengthAndAlphanumericCharacters) {
    EXPECT_EQ(RandomPassword().size(), 20u);
    EXPECT_EQ(RandomPassword(0), "");
    std::string password = RandomPassword(500);
    EXPECT_EQ(password.size(), 500u);
    EXPECT_EQ(password.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              std::string::npos);
    EXPECT_NE(RandomPassword(), RandomPassword());
}

TEST(Base64, EncodesRfc4648TestVectors) {
    EXPECT_EQ(Base64Encode(""), "");
    EXPECT_EQ(Base64Encode("f"), "Zg==");
    EXPECT_EQ(Base64Encode("fo"), "Zm8=");
    EXPECT_EQ(Base64Encode("foo"), "Zm9v");
    EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
    EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesRfc4648TestVectors) {
    EXPECT_EQ(Base64Decode(""), "");
    EXPECT_EQ(Base64Decode("Zg=="), "f");
    EXPECT_EQ(Base64Decode("Zm8="), "fo");
    EXPECT_EQ(Base64Decode("Zm9v"), "foo");
    EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
    EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
    EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
    EXPECT_EQ(Base64Decode("YWRtaW46c2VjcmV0"), "admin:secret");
}

TEST(Base64, RoundTripsAllByteValuesAndLengths) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t length = 0; length <= all.size(); ++length) {
        std::string data = all.substr(all.size() - length);
        std::string encoded = Base64Encode(data);
        EXPECT_EQ(encoded.size() % 4, 0u);
        EXPECT_EQ(Base64Decode(encoded), data) << length;
    }
    EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RejectsInvalidInput) {
    EXPECT_FALSE(Base64Decode("Zg"));      // missing padding
    EXPECT_FALSE(Base64Decode("Zg="));     // length not a multiple of 4
    EXPECT_FALSE(Base64Decode("Zm9v\n"));  // whitespace
    EXPECT_FALSE(Base64Decode("Zm 9"));    // inner space
    EXPECT_FALSE(Base64Decode("Zm9-"));    // URL-safe alphabet
    EXPECT_FALSE(Base64Decode("Zm9_"));
    EXPECT_FALSE(Base64Decode("Z=9v"));      // padding in the middle
    EXPECT_FALSE(Base64Decode("Zg==Zm9v"));  // padding before more data
    EXPECT_FALSE(Base64Decode("Zm=v"));      // '=' followed by data in one group
    EXPECT_FALSE(Base64Decode("===="));
    EXPECT_FALSE(Base64Decode("Z==="));
    EXPECT_FALSE(Base64Decode("Zh=="));  // non-zero pad bits (not canonical "Zg==")
    EXPECT_FALSE(Base64Decode("Zm9=x"));
    EXPECT_FALSE(Base64Decode(std::string_view("Zm9\0", 4)));
}

TEST(PasswordHash, HasSelfDescribingFormat) {
    std::string hash = HashPassword("secret", 1000);
    static const std::regex kPattern("^pbkdf2-sha256\\$1000\\$[0-9a-f]{32}\\$[0-9a-f]{64}$");
    EXPECT_TRUE(std::regex_match(hash, kPattern)) << hash;
}

TEST(PasswordHash, DefaultIterationsAre100000) {
    std::string hash = HashPassword("secret");
    EXPECT_EQ(hash.rfind("pbkdf2-sha256$100000$", 0), 0u) << hash;
    EXPECT_TRUE(VerifyPassword("secret", hash));
}

TEST(PasswordHash, VerifyAcceptsRightPassword) {
    std::string hash = HashPassword("correct horse", 1000);
    EXPECT_TRUE(VerifyPassword("correct horse", hash));
    EXPECT_TRUE(VerifyPassword("", HashPassword("", 1000)));
}

TEST(PasswordHash, VerifyRejectsWrongPassword) {
    std::string hash = HashPassword("correct horse", 1000);
    EXPECT_FALSE(VerifyPassword("correct horsf", hash));
    EXPECT_FALSE(VerifyPassword("", hash));
    EXPECT_FALSE(VerifyPassword("correct horse ", hash));
}

TEST(PasswordHash, SaltMakesHashesDiffer) {
    EXPECT_NE(HashPassword("same", 1000), HashPassword("same", 1000));
}

TEST(PasswordHash, VerifyMatchesKnownPbkdf2Vector) {
    // RFC 7914 §11 PBKDF2-HMAC-SHA256 vector: P="passwd", S="salt", c=1, first 32 bytes.
    EXPECT_TRUE(VerifyPassword("passwd",
                               "pbkdf2-sha256$1$73616c74$"
                               "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"));
    EXPECT_FALSE(
        VerifyPassword("passwd",
                       "pbkdf2-sha256$2$73616c74$"
                       "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"));
}

TEST(PasswordHash, VerifyRejectsMalformedHash) {
    std::string good = HashPassword("pw", 1000);
    auto first = good.find('$');
    auto second = good.find('$', first + 1);
    auto third = good.find('$', second + 1);
    std::string salt = good.substr(second + 1, third - second - 1);
    std::string hash = good.substr(third + 1);
    for (const std::string& bad : {
             std::string(""),
             std::string("pw"),
             "pbkdf2-sha1$1000$" + salt + "$" + hash,  // other scheme
             "pbkdf2-sha256$$" + salt + "$" + hash,    // no iterations
             "pbkdf2-sha256$0$" + salt + "$" + hash,   // zero iterations
             "pbkdf2-sha256$-5$" + salt + "$" + hash,
             "pbkdf2-sha256$1000x$" + salt + "$" + hash,
             "pbkdf2-sha256$99999999999$" + salt + "$" + hash,     // absurd work factor
             "pbkdf2-sha256$1000$$" + hash,                        // no salt
             "pbkdf2-sha256$1000$" + salt + "$",                   // no hash
             "pbkdf2-sha256$1000$" + salt + "$" + hash.substr(1),  // odd hex length
             "pbkdf2-sha256$1000$zz" + salt + "$" + hash,          // not hex
             "pbkdf2-sha256$1000$" + salt + "$" + hash + "$extra",
             "pbkdf2-sha256$1000$" + salt,
         }) {
        EXPECT_FALSE(VerifyPassword("pw", bad)) << bad;
    }
    EXPECT_TRUE(VerifyPassword("pw", good));
}

}  // namespace
}  // namespace escd
