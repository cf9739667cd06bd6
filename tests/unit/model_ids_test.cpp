#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "model/ids.hpp"

namespace escd::model {
namespace {

TEST(InternalId, AcceptsUnreservedCharactersUpTo72) {
    EXPECT_TRUE(IsValidInternalId("tentest"));
    EXPECT_TRUE(IsValidInternalId("A-z_0.9"));
    EXPECT_TRUE(IsValidInternalId(std::string(72, 'a')));
}

TEST(InternalId, RefusesEmptyTooLongTildeAndReservedCharacters) {
    EXPECT_FALSE(IsValidInternalId(""));
    EXPECT_FALSE(IsValidInternalId(std::string(73, 'a')));
    for (std::string bad : {"a~b", "a b", "a/b", "a%20", "a?b", "a#b", "ü", "a:b", "a@b"}) {
        EXPECT_FALSE(IsValidInternalId(bad)) << bad;
    }
}

TEST(InternalId, ValidateThrowsBadRequestNamingTheField) {
    try {
        ValidateInternalId("bad~id", "internal_tenant_id");
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
        EXPECT_NE(std::string(e.what()).find("internal_tenant_id"), std::string::npos);
    }
}

TEST(Name, EnforcesLengthAndRefusesControlCharacters) {
    EXPECT_NO_THROW(ValidateName(std::string(64, 'n'), kMaxTenantNameLength, "tenant name"));
    EXPECT_THROW(ValidateName(std::string(65, 'n'), kMaxTenantNameLength, "tenant name"), Error);
    EXPECT_THROW(ValidateName("", kMaxTenantNameLength, "tenant name"), Error);
    EXPECT_THROW(ValidateName("a\nb", kMaxTenantNameLength, "tenant name"), Error);
    EXPECT_NO_THROW(ValidateName("émile tenant", kMaxTenantNameLength, "tenant name"));
}

}  // namespace
}  // namespace escd::model
