#include <gtest/gtest.h>

#include <sstream>

#include <pugixml.hpp>

#include "vim/libvirt/domain_xml.hpp"

namespace escd {
namespace {

vim::VmRequest Vnf() {
    vim::VmRequest request;
    request.name = "dep_g_0_u1";
    request.deployment_id = "dep";
    request.tenant_id = "ten";
    request.vm_group = "g";
    request.vcpus = 2;
    request.memory_mb = 128;
    request.image_id = "img";
    request.day0_files = {{"day0-config", "hostname vnf\n"}};
    request.nics.push_back({});
    request.nics.back().network_id = "n1";
    request.nics.back().mac = "52:54:00:00:00:01";
    request.nics.back().model = "virtio";
    return request;
}

pugi::xml_document Parse(const std::string& xml) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    return doc;
}

TEST(LibvirtDomainXml, ReadOnlyBootDiskAndConfigDriveOneNicPerInterface) {
    const auto doc = Parse(vim::libvirt::RenderDomainXml(Vnf(), "qemu", "escd", "inst-1"));
    EXPECT_STREQ(doc.select_node("/domain/@type").attribute().value(), "qemu");
    EXPECT_STREQ(doc.select_node("/domain/memory").node().child_value(), "128");
    EXPECT_STREQ(doc.select_node("/domain/vcpu").node().child_value(), "2");
    EXPECT_TRUE(doc.select_node("/domain/features/acpi"));
    const auto disks = doc.select_nodes("/domain/devices/disk");
    ASSERT_EQ(disks.size(), 2u);
    EXPECT_STREQ(disks[0].node().child("source").attribute("volume").value(), "escd-image-img");
    EXPECT_STREQ(disks[1].node().child("source").attribute("volume").value(),
                 "escd-day0-dep_g_0_u1");
    for (const auto& disk : disks) EXPECT_TRUE(disk.node().child("readonly"));
    EXPECT_STREQ(doc.select_node("//interface/source/@network").attribute().value(), "escd-n1");
    EXPECT_STREQ(doc.select_node("//interface/mac/@address").attribute().value(),
                 "52:54:00:00:00:01");
    EXPECT_STREQ(doc.select_node("//metadata/*/@instance").attribute().value(), "inst-1");
}

TEST(LibvirtDomainXml, EphemeralDisksAreWritableOnTheirBusAfterTheConfigDriveInVolidOrder) {
    auto request = Vnf();
    request.disks = {{0, 1 << 30, "virtio", ""}, {3, 1 << 20, "scsi", ""}};
    const auto doc = Parse(vim::libvirt::RenderDomainXml(request, "qemu", "escd"));
    const auto disks = doc.select_nodes("/domain/devices/disk");
    ASSERT_EQ(disks.size(), 4u);
    EXPECT_STREQ(disks[2].node().child("source").attribute("volume").value(),
                 "escd-disk-dep_g_0_u1-0");
    EXPECT_STREQ(disks[2].node().child("target").attribute("dev").value(), "vdc");
    EXPECT_FALSE(disks[2].node().child("readonly"));
    EXPECT_STREQ(disks[3].node().child("source").attribute("volume").value(),
                 "escd-disk-dep_g_0_u1-3");
    EXPECT_STREQ(disks[3].node().child("target").attribute("dev").value(), "sda");
    EXPECT_STREQ(disks[3].node().child("target").attribute("bus").value(), "scsi");
    EXPECT_FALSE(disks[3].node().child("readonly"));
    std::ostringstream xml;
    doc.save(xml);
    EXPECT_EQ(vim::libvirt::VolumesOfDomain(xml.str(), vim::libvirt::VmDiskPrefix(request.name)),
              (std::vector<std::string>{"escd-disk-dep_g_0_u1-0", "escd-disk-dep_g_0_u1-3"}));
}

TEST(LibvirtDomainXml, AQemuGuestHasASerialConsoleLoggedByVirtlogdTheTestDriverNone) {
    const auto qemu = Parse(vim::libvirt::RenderDomainXml(Vnf(), "qemu", "escd"));
    const auto serial = qemu.select_node("/domain/devices/serial[@type='pty']").node();
    ASSERT_TRUE(serial);
    EXPECT_EQ(std::string(serial.child("log").attribute("file").value()),
              vim::libvirt::ConsoleLogPath("dep_g_0_u1"));
    EXPECT_STREQ(serial.child("log").attribute("append").value(), "on");
    EXPECT_TRUE(qemu.select_node("/domain/devices/console[@type='pty']"));

    const auto test = Parse(vim::libvirt::RenderDomainXml(Vnf(), "test", "escd"));
    EXPECT_FALSE(test.select_node("/domain/devices/serial"));
    EXPECT_FALSE(test.select_node("/domain/devices/console"));
}

}  // namespace
}  // namespace escd
