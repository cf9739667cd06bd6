// Which resource a datamodel's reference means (model/reference_resolution.hpp): internal id,
// then VIM UUID, then name; ambiguity; what a tenant may not use.
#include <gtest/gtest.h>

#include "model/reference_resolution.hpp"

namespace escd::model {
namespace {

ResourceRecord Record(const std::string& id,
                      const std::string& name,
                      const std::string& external_id = {},
                      const std::string& tenant = {},
                      ResourceState state = ResourceState::kActive) {
    ResourceRecord record;
    record.kind = ResourceKind::kNetwork;
    record.internal_id = id;
    record.name = name;
    record.external_id = external_id;
    record.tenant_id = tenant;
    record.state = state;
    return record;
}

TEST(ReferenceResolution, AUniqueNameMeansItsResource) {
    auto found = ResolveReference("uLinuxImg", "", {Record("my_image_id", "uLinuxImg")});
    EXPECT_EQ(found.internal_id, "my_image_id");
    EXPECT_TRUE(found.ambiguous.empty());
}

TEST(ReferenceResolution, TheVimUuidMeansItsResource) {
    auto found = ResolveReference("5d8e-uuid", "", {Record("img", "ubuntu", "5d8e-uuid")});
    EXPECT_EQ(found.internal_id, "img");
}

TEST(ReferenceResolution, AnInternalIdWinsOverAUuidAndANameOfOthers) {
    const std::vector<ResourceRecord> all{Record("a", "shared"), Record("b", "x", "shared"),
                                          Record("shared", "other")};
    EXPECT_EQ(ResolveReference("shared", "", all).internal_id, "shared");
}

TEST(ReferenceResolution, AUuidWinsOverANameOfAnother) {
    const std::vector<ResourceRecord> all{Record("a", "key"), Record("b", "x", "key")};
    EXPECT_EQ(ResolveReference("key", "", all).internal_id, "b");
}

TEST(ReferenceResolution, ANameOfSeveralIsAmbiguousAndNamesThemInIdOrder) {
    const std::vector<ResourceRecord> all{Record("net-b", "data"), Record("net-a", "data"),
                                          Record("net-c", "other")};
    auto found = ResolveReference("data", "ten", all);
    EXPECT_FALSE(found.Found());
    EXPECT_EQ(found.ambiguous, (std::vector<std::string>{"net-a", "net-b"}));
}

TEST(ReferenceResolution, WhatTheTenantMayNotUseIsNoCandidate) {
    const std::vector<ResourceRecord> all{
        Record("theirs", "data", {}, "other-tenant"),
        Record("going", "data", {}, "ten", ResourceState::kDeleting),
        Record("ours", "data", {}, "ten"),
    };
    EXPECT_EQ(ResolveReference("data", "ten", all).internal_id, "ours");
    // A network of no tenant (shared) is usable by all.
    EXPECT_EQ(ResolveReference("pub", "ten", {Record("public", "pub")}).internal_id, "public");
    // A deleted internal id does not hide a usable name.
    EXPECT_EQ(ResolveReference("going", "ten",
                               {Record("going", "x", {}, "ten", ResourceState::kDeleting),
                                Record("fresh", "going", {}, "ten")})
                  .internal_id,
              "fresh");
}

TEST(ReferenceResolution, NothingMatchingIsNeitherFoundNorAmbiguous) {
    auto found = ResolveReference("ghost", "", {Record("a", "b", "c")});
    EXPECT_FALSE(found.Found());
    EXPECT_TRUE(found.ambiguous.empty());
    EXPECT_FALSE(ResolveReference("", "", {Record("a", "", "")}).Found());
}

}  // namespace
}  // namespace escd::model
