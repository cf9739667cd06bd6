#include <gtest/gtest.h>

#include "common/error.hpp"
#include "model/xml/resource_spec_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "tests/unit/error_code_of.hpp"

namespace escd::model::xml {
namespace {

using escd::test::CodeOf;

// What a workflow reads is what the accept stored: each spec here comes from the accept path.
std::string Stored(ResourceKind kind, std::string_view body, std::string_view id) {
    return ParseResourceRequest(*FindKindXml(kind), body, "t", id).spec;
}

TEST(ResourceSpec, ASubnetReadsWithItsDefaultsFilledIn) {
    const auto spec = SubnetSpecFromStored(
        Stored(ResourceKind::kSubnet,
               "<subnet><name>s</name><internal_network_id>n</internal_network_id>"
               "<cidr>10.1.0.0/24</cidr><gateway_ip>10.1.0.1</gateway_ip></subnet>",
               "s1"));
    EXPECT_EQ(spec.cidr, "10.1.0.0/24");
    EXPECT_EQ(spec.gateway_ip, "10.1.0.1");
    EXPECT_TRUE(spec.enable_dhcp);
    ASSERT_EQ(spec.pools.size(), 1u);
    EXPECT_EQ(spec.pools[0], std::make_pair(std::string("10.1.0.2"), std::string("10.1.0.254")));
}

TEST(ResourceSpec, ImagesFlavorsVolumesAndRoutersRead) {
    const auto image = ImageSpecFromStored(
        Stored(ResourceKind::kImage,
               "<image><name>i</name><file_locator><file_server_id>fs1</file_server_id>"
               "<remote_path>/vnf.qcow2</remote_path></file_locator></image>",
               "i1"));
    EXPECT_EQ(image.src, "");
    EXPECT_EQ(image.file_server_id, "fs1");
    EXPECT_EQ(image.remote_path, "/vnf.qcow2");
    EXPECT_EQ(image.disk_format, "qcow2");

    const auto flavor = FlavorSpecFromStored(
        Stored(ResourceKind::kFlavor,
               "<flavor><name>f</name><vcpus>2</vcpus><memory_mb>2048</memory_mb></flavor>", "f1"));
    EXPECT_EQ(flavor.vcpus, 2);
    EXPECT_EQ(flavor.memory_mb, 2048);
    EXPECT_EQ(flavor.root_disk_mb, 0);

    const auto volume = VolumeSpecFromStored(
        Stored(ResourceKind::kVolume, "<volume><name>v</name><size>3</size></volume>", "v1"));
    EXPECT_EQ(volume.Bytes(), 3ULL << 30);

    const auto router = RouterSpecFromStored(
        Stored(ResourceKind::kRouter,
               "<router><name>r</name><interface><subnetId>s1</subnetId></interface>"
               "<interface><subnetId>s2</subnetId></interface></router>",
               "r1"));
    EXPECT_TRUE(router.admin_state);
    EXPECT_EQ(router.subnets, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(NameFromStored(
                  Stored(ResourceKind::kNetwork, "<network><name>net-a</name></network>", "n1")),
              "net-a");
}

TEST(ResourceSpec, AVolumeTakesTheSizeTheVimGaveItInMiB) {
    const auto stored =
        Stored(ResourceKind::kVolume, "<volume><name>v</name><size>1</size></volume>", "v1");
    const auto resized = VolumeSpecFromStored(VolumeSpecWithSize(stored, (5ULL << 20) + 1));
    EXPECT_EQ(resized.size, 6u);
    EXPECT_EQ(resized.size_unit, "MiB");
    EXPECT_EQ(NameFromStored(VolumeSpecWithSize(stored, 1)), "v");
}

// A stored spec is escd's own writing: one that does not read is an internal error.
TEST(ResourceSpec, AnUnreadableStoredSpecIsAnInternalError) {
    EXPECT_EQ(CodeOf([] { SubnetSpecFromStored("<subnet"); }), ErrorCode::kInternal);
    EXPECT_EQ(CodeOf([] { FlavorSpecFromStored("<flavor><vcpus>two</vcpus></flavor>"); }),
              ErrorCode::kInternal);
}

}  // namespace
}  // namespace escd::model::xml
