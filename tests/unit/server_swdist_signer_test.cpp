// What the Software Distribution face signs instead of storing (server/swdist/signer.hpp), on an
// injected clock: tokens, metadata transaction ids and download codes are honoured until their
// lifetime ends and refused after; a forged or foreign one never is.

#include <gtest/gtest.h>

#include "server/swdist/signer.hpp"

namespace escd::server::swdist {
namespace {

using namespace std::chrono_literals;

class SignerTest : public ::testing::Test {
  protected:
    std::chrono::system_clock::time_point now_ =
        std::chrono::system_clock::from_time_t(1'800'000'000);
    Signer signer_{"key", [this] { return now_; }};
    Signer other_key_{"another key", [this] { return now_; }};
};

TEST_F(SignerTest, ATokenNamesItsClientUntilItsHourEnds) {
    const auto token = signer_.IssueToken("escd-c1");
    EXPECT_EQ(signer_.VerifyToken(token), "escd-c1");
    now_ += Signer::kTokenLifetime - 1s;
    EXPECT_EQ(signer_.VerifyToken(token), "escd-c1");
    now_ += 1s;
    EXPECT_FALSE(signer_.VerifyToken(token).has_value()) << "expired";
}

TEST_F(SignerTest, AForgedOrAlteredTokenIsRefused) {
    const auto token = signer_.IssueToken("escd-c1");
    EXPECT_FALSE(other_key_.VerifyToken(token).has_value());
    auto altered = token;
    altered.replace(altered.find("escd-c1"), 7, "escd-c2");
    EXPECT_FALSE(signer_.VerifyToken(altered).has_value());
    for (const char* junk : {"", "t1", "t1.a.b", "t1.a.99999999999.x", "x.y.z.w"})
        EXPECT_FALSE(signer_.VerifyToken(junk).has_value()) << junk;
}

TEST_F(SignerTest, ATransactionIdIsTwentyDigitsOfItsClientValidForAnHour) {
    const auto id = signer_.IssueTransaction("escd-c1");
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_EQ(signer_.VerifyTransaction(id, "escd-c1"), Signer::TransactionCheck::kValid);
    EXPECT_EQ(signer_.VerifyTransaction(id, "escd-c2"), Signer::TransactionCheck::kInvalid);
    EXPECT_EQ(signer_.VerifyTransaction("12345678901234567890", "escd-c1"),
              Signer::TransactionCheck::kInvalid);
    now_ += Signer::kTransactionLifetime;
    EXPECT_EQ(signer_.VerifyTransaction(id, "escd-c1"), Signer::TransactionCheck::kExpired);
}

TEST_F(SignerTest, ADownloadCodeNamesItsImageAndClientUntilItExpires) {
    const auto guid = *model::catalogue::ImageGuid::Parse(std::string(40, 'A'));
    const auto code = signer_.IssueDownload(guid, "escd-c1");
    const auto download = signer_.VerifyDownload(code);
    ASSERT_TRUE(download.has_value());
    EXPECT_EQ(download->guid, guid);
    EXPECT_EQ(download->client_id, "escd-c1");
    EXPECT_EQ(model::catalogue::CatalogueImageOf(
                  "http://127.0.0.1/software/v4.0/download/file/a.bin?dwnld_code=" + code),
              guid);
    EXPECT_FALSE(other_key_.VerifyDownload(code).has_value());
    now_ += Signer::kDownloadLifetime;
    EXPECT_FALSE(signer_.VerifyDownload(code).has_value());
}

}  // namespace
}  // namespace escd::server::swdist
