// The esc_datamodel of a deployment (model/xml/deployment_xml.hpp), with the reference's example
// (its addresses moved to loopback).
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "model/xml/deployment_xml.hpp"

namespace escd::model::xml {
namespace {

std::string Datamodel(const std::string& groups, const std::string& extra = {}) {
    return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"
                xmlns:ns2="urn:ietf:params:xml:ns:netconf:notification:1.0">
      <tenants><tenant><name>admin</name><deployments><deployment>
        <name>MyDemoDepName</name>)" +
           extra + groups + "</deployment></deployments></tenant></tenants></esc_datamodel>";
}

const std::string kReferenceGroup = R"(
  <vm_group>
    <name>ASA-1</name>
    <bootup_time>300</bootup_time>
    <reboot_time>100</reboot_time>
    <recovery_wait_time>10</recovery_wait_time>
    <image>ASA</image>
    <flavor>small</flavor>
    <interfaces>
      <interface><nicaid>1</nicaid><network>MgtNetwork</network>
        <ip_address>127.0.0.16</ip_address></interface>
    </interfaces>
    <scaling>
      <min_active>1</min_active><max_active>1</max_active><elastic>true</elastic>
      <static_ip_address_pool><network>MgtNetwork</network>
        <ip_address>127.0.0.16</ip_address></static_ip_address_pool>
    </scaling>
    <kpi_data><kpi>
      <event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
      <metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>
      <metric_collector><type>ICMPPing</type><nivid>1</nivid><poll_frequency>3</poll_frequency>
        <polling_unit>seconds</polling_unit><continuous_alarm>false</continuous_alarm>
      </metric_collector>
    </kpi></kpi_data>
    <rules><admin_rules><rule><event_name>VM_ALIVE</event_name>
      <action>"ALWAYS log"</action><action>"TRUE esc_vm_alive_notification"</action>
    </rule></admin_rules></rules>
    <config_data>
      <configuration><dst>day0-config</dst><file>http://127.0.0.1:9/share/day0</file></configuration>
      <configuration><dst>idtoken</dst><data>token $NICID_1_IP_ADDRESS</data>
        <variable><name>domain</name><val>example.net</val></variable></configuration>
    </config_data>
    <placement><type>zone_host</type><zone>MY_CLUSTER1</zone></placement>
    <volumes><volume><name>MY_DATASTORE1</name><volid>1</volid></volume></volumes>
    <extensions><extension><name>VNF-INFO-NAME</name></extension></extensions>
  </vm_group>)";

std::string ErrorOf(const std::string& body) {
    try {
        ParseDeploymentRequest(body, "dep1");
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
        return e.what();
    }
    return "(accepted)";
}

TEST(DeploymentXml, TheReferenceExampleParsesIntoTheTypedView) {
    auto parsed = ParseDeploymentRequest(Datamodel(kReferenceGroup), "my_dep_id");
    const auto& spec = parsed.spec;
    EXPECT_EQ(spec.internal_id, "my_dep_id");
    EXPECT_EQ(spec.tenant, "admin");
    EXPECT_EQ(spec.name, "MyDemoDepName");
    ASSERT_EQ(spec.vm_groups.size(), 1u);
    const auto& group = spec.vm_groups[0];
    EXPECT_EQ(group.name, "ASA-1");
    EXPECT_EQ(group.image, "ASA");
    EXPECT_EQ(group.reboot_time, 100);
    EXPECT_EQ(group.recovery_wait_time, 10);
    ASSERT_EQ(group.interfaces.size(), 1u);
    EXPECT_EQ(group.interfaces[0].nicid, 1);  // spelled <nicaid> in the reference
    EXPECT_EQ(group.interfaces[0].ip_address, "127.0.0.16");
    EXPECT_TRUE(group.scaling.elastic);
    ASSERT_EQ(group.kpis.size(), 1u);
    EXPECT_EQ(group.kpis[0].nicid, 1);  // spelled <nivid>
    EXPECT_EQ(group.kpis[0].occurrences_false, 3);
    ASSERT_EQ(group.rules.size(), 1u);
    EXPECT_EQ(group.rules[0].actions[1], "TRUE esc_vm_alive_notification");
    ASSERT_EQ(group.config_data.size(), 2u);
    EXPECT_EQ(group.config_data[1].variables[0].second[0], "example.net");
    EXPECT_EQ(group.placement[0].zone, "MY_CLUSTER1");
    EXPECT_EQ(group.volumes[0].name, "MY_DATASTORE1");
    EXPECT_EQ(group.volumes[0].volid, 1);
    EXPECT_FALSE(group.volumes[0].Ephemeral()) << "a datastore, not a disk of each VM";

    // 404 candidates: the image, the flavor and the (undeclared) network.
    ASSERT_EQ(parsed.references.size(), 3u);
    EXPECT_EQ(parsed.references[2].kind, ResourceKind::kNetwork);
    EXPECT_EQ(parsed.references[2].internal_id, "MgtNetwork");

    // Stored: canonical, nicid spelled once, extensions kept; read back to the same view.
    EXPECT_EQ(parsed.stored.find("nicaid"), std::string::npos);
    EXPECT_EQ(parsed.stored.find("ns2:"), std::string::npos);
    EXPECT_NE(parsed.stored.find("<extension><name>VNF-INFO-NAME</name></extension>"),
              std::string::npos);
    auto again = DeploymentSpecFromStored(parsed.stored, "my_dep_id");
    EXPECT_EQ(again.vm_groups[0].interfaces[0].nicid, 1);
    EXPECT_NE(
        DeploymentConfigDocument(parsed.stored).find("xmlns=\"http://www.cisco.com/esc/esc\""),
        std::string::npos);
}

TEST(DeploymentXml, DeclaredNetworksAreNotReferences) {
    auto parsed = ParseDeploymentRequest(
        Datamodel(kReferenceGroup,
                  "<networks><network><name>MgtNetwork</name></network></networks>"),
        "d");
    EXPECT_EQ(parsed.spec.declared_networks, std::vector<std::string>{"MgtNetwork"});
    for (const auto& ref : parsed.references) EXPECT_NE(ref.kind, ResourceKind::kNetwork);
}

TEST(DeploymentXml, ValidationNamesWhatIsWrong) {
    auto group = [](const std::string& inner) {
        return "<vm_group><name>g</name><image>img</image><flavor>f</flavor>" + inner +
               "</vm_group>";
    };
    EXPECT_NE(ErrorOf("<tenant/>").find("expected a <esc_datamodel>"), std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel("")).find("has no <vm_group>"), std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel("<vm_group><name>g</name><image>i</image><vim_vcpus>2"
                                "</vim_vcpus></vm_group>"))
                  .find("<vim_memory_mb>"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("") + group(""))).find("two vm_groups"), std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<interfaces><interface><nicid>0</nicid><network>n"
                                      "</network></interface><interface><nicid>0</nicid><network>"
                                      "m</network></interface></interfaces>")))
                  .find("two interfaces with nicid 0"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<interfaces><interface><nicid>0</nicid><network>n"
                                      "</network><mac_address>zz</mac_address></interface>"
                                      "</interfaces>")))
                  .find("mac_address"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<scaling><min_active>3</min_active><max_active>2"
                                      "</max_active></scaling>")))
                  .find("larger than <max_active>"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<interfaces><interface><nicid>0</nicid><network>n"
                                      "</network><ip_address>127.0.0.5</ip_address></interface>"
                                      "</interfaces><scaling><min_active>1</min_active>"
                                      "<max_active>2</max_active></scaling>")))
                  .find("static_ip_address_pool"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<kpi_data><kpi><event_name>VM_ALIVE</event_name>"
                                      "<metric_collector><type>ICMPPing</type><nicid>4</nicid>"
                                      "</metric_collector></kpi></kpi_data>")))
                  .find("nicid 4, which the group lacks"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<kpi_data><kpi><event_name>E</event_name><metric_cond>XX"
                                      "</metric_cond><metric_collector><type>ICMPPing</type>"
                                      "</metric_collector></kpi></kpi_data>")))
                  .find("metric_cond"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<config_data><configuration><dst>../x</dst><data>d</data>"
                                      "</configuration></config_data>")))
                  .find("plain file name"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<recovery_policy><action_on_recovery>PRAY"
                                      "</action_on_recovery></recovery_policy>")))
                  .find("REBOOT_ONLY"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group(""),
                                "<policies><placement><type>anti_affinity</type>"
                                "<target_vm_group_ref>zz</target_vm_group_ref>"
                                "</placement></policies>"))
                  .find("'zz'"),
              std::string::npos);
}

std::string SimpleGroup(const std::string& name,
                        const std::string& image = "img",
                        const std::string& nic =
                            "<interface><nicid>0</nicid><network>net"
                            "</network></interface>") {
    return "<vm_group><name>" + name + "</name><image>" + image +
           "</image><flavor>small</flavor><interfaces>" + nic + "</interfaces></vm_group>";
}

DeploymentSpec Spec(const std::string& groups, const std::string& extra = {}) {
    return ParseDeploymentRequest(Datamodel(groups, extra), "dep").spec;
}

TEST(DeploymentXml, AVolumeWithASizeIsAnEphemeralDiskOfEachVm) {
    const auto group = [](const std::string& volumes) {
        return "<vm_group><name>g</name><image>img</image><flavor>f</flavor><volumes>" + volumes +
               "</volumes></vm_group>";
    };
    const auto spec = Spec(
        group("<volume><name>state</name><volid>2</volid><bus>SCSI</bus><type>lvm</type><size>64"
              "</size><sizeunit>MiB</sizeunit></volume><volume><name>logs</name><size>1</size>"
              "</volume><volume><name>datastore</name></volume>"));
    const auto& volumes = spec.vm_groups[0].volumes;
    ASSERT_EQ(volumes.size(), 3u);
    EXPECT_EQ(volumes[0].volid, 2);
    EXPECT_EQ(volumes[0].bus, "scsi");
    EXPECT_EQ(volumes[0].type, "lvm");
    EXPECT_EQ(volumes[0].size_bytes, 64u << 20);
    EXPECT_EQ(volumes[1].volid, 3) << "after the volumes before it when no <volid>";
    EXPECT_EQ(volumes[1].size_bytes, 1u << 30) << "GiB unless said";
    EXPECT_TRUE(volumes[1].Ephemeral());
    EXPECT_FALSE(volumes[2].Ephemeral());

    EXPECT_NE(ErrorOf(Datamodel(group("<volume><name>v</name><size>2</size><sizeunit>PB"
                                      "</sizeunit></volume>")))
                  .find("<sizeunit> must be one of MiB, GiB, TiB"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<volume><name>v</name><size>0</size></volume>")))
                  .find("<size> must be between 1"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<volume><name>v</name><sizeunit>GiB</sizeunit></volume>")))
                  .find("<sizeunit> without a <size>"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<volume><name>a</name><volid>1</volid></volume>"
                                      "<volume><name>b</name><volid>1</volid></volume>")))
                  .find("volume b: <volid> 1 is also volume a's"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group("<volume><name>v</name><size>1</size><bus>usb</bus>"
                                      "</volume>")))
                  .find("<bus> must be one of virtio, scsi, sata, ide"),
              std::string::npos);
}

TEST(DeploymentXml, ACsmHostExtensionMakesTheGroupsVmsHostsAndOtherExtensionsAreTheClients) {
    const auto group = [](const std::string& properties) {
        return "<vm_group><name>g</name><image>img</image><flavor>f</flavor><interfaces>"
               "<interface><nicid>0</nicid><network>n</network></interface><interface><nicid>2"
               "</nicid><network>m</network></interface></interfaces><extensions><extension>"
               "<name>NSO-INFO</name><properties><property><name>x</name><value>y</value>"
               "</property></properties></extension><extension><name>csm_host</name>"
               "<properties>" +
               properties + "</properties></extension></extensions></vm_group>";
    };
    const auto property = [](const std::string& name, const std::string& value) {
        return "<property><name>" + name + "</name><value>" + value + "</value></property>";
    };
    const auto spec = Spec(group(
        property("interface", "2") + property("username", "cisco") + property("password", "$PW") +
        property("connection_type", "telnet") + property("region", "lab")));
    ASSERT_TRUE(spec.vm_groups[0].csm_host.has_value());
    const auto& host = *spec.vm_groups[0].csm_host;
    EXPECT_EQ(host.nicid, 2);
    EXPECT_EQ(host.username, "cisco");
    EXPECT_EQ(host.password, "$PW") << "a day-0 template, rendered per VM";
    EXPECT_EQ(host.connection_type, "telnet");
    EXPECT_EQ(host.region, "lab");
    EXPECT_FALSE(Spec(SimpleGroup("a")).vm_groups[0].csm_host.has_value());

    const auto credentials = property("username", "u") + property("password", "p");
    EXPECT_NE(ErrorOf(Datamodel(group(property("username", "u"))))
                  .find("username and password are required"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group(credentials + property("interface", "7"))))
                  .find("property interface '7' is not a nicid of the group"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group(credentials + property("colour", "red"))))
                  .find("unknown property 'colour'"),
              std::string::npos);
    EXPECT_NE(ErrorOf(Datamodel(group(credentials + property("connection_type", "rsh"))))
                  .find("ssh or telnet"),
              std::string::npos);
}

TEST(DeploymentUpdateRules, GroupsAndInterfacesMayComeAndGo) {
    const auto current = Spec(SimpleGroup("a") + SimpleGroup("b"));
    EXPECT_NO_THROW(CheckDeploymentUpdate(current, Spec(SimpleGroup("a") + SimpleGroup("c"))));
    EXPECT_NO_THROW(CheckDeploymentUpdate(current, Spec(SimpleGroup("a", "other-image"))))
        << "another image is a rolling upgrade";
    EXPECT_NO_THROW(CheckDeploymentUpdate(
        current, Spec(SimpleGroup("a", "img",
                                  "<interface><nicid>0</nicid><network>net</network></interface>"
                                  "<interface><nicid>1</nicid><network>other</network>"
                                  "</interface>"))));
}

TEST(DeploymentUpdateRules, WhatAVmIsMadeOfCannotChange) {
    const auto current = Spec(SimpleGroup("a"));
    const auto refused = [&](const DeploymentSpec& next, const std::string& needle) {
        try {
            CheckDeploymentUpdate(current, next);
            ADD_FAILURE() << "accepted; expected a refusal naming " << needle;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    refused(Spec(SimpleGroup("a", "img",
                             "<interface><nicid>0</nicid><network>moved</network></interface>")),
            "vm_group a: interface 0");
    auto with_disk = current;
    with_disk.vm_groups[0].volumes.push_back({"state", 0, 1 << 20, "virtio", ""});
    refused(with_disk, "vm_group a: the volumes");
    auto renamed = current;
    renamed.name = "other";
    refused(renamed, "the name of deployment dep");
    auto moved = current;
    moved.tenant = "elsewhere";
    refused(moved, "the tenant of deployment dep");
}

// Networks the datamodel declares may come and go with an update, each declared alike while it
// stays, and none dropped that the new datamodel still names.
TEST(DeploymentUpdateRules, DeclaredNetworksMayComeAndGoButNotChange) {
    const auto network = [](const std::string& name, const std::string& gateway) {
        return "<network><name>" + name + "</name><subnet><name>" + name +
               "-sub</name><ipversion>ipv4</ipversion><dhcp>true</dhcp><address>127.30.0.0</"
               "address><netmask>"
               "255.255.255.0</netmask><gateway>" +
               gateway + "</gateway></subnet></network>";
    };
    const auto on = [](const std::string& net) {
        return SimpleGroup("a", "img",
                           "<interface><nicid>0</nicid><network>" + net + "</network></interface>");
    };
    const auto stored = [&](const std::string& groups, const std::string& networks) {
        return ParseDeploymentRequest(Datamodel(groups, "<networks>" + networks + "</networks>"),
                                      "dep")
            .stored;
    };
    const auto next = [&](const std::string& groups, const std::string& networks) {
        return ParseDeploymentRequest(Datamodel(groups, "<networks>" + networks + "</networks>"),
                                      "dep");
    };
    const auto current = stored(on("one"), network("one", "127.30.0.1"));

    const auto added = DeclaredAddedByUpdate(
        current, next(on("one") + SimpleGroup("b", "img",
                                              "<interface><nicid>0</nicid><network>two"
                                              "</network></interface>"),
                      network("one", "127.30.0.1") + network("two", "127.30.0.1")));
    ASSERT_EQ(added.size(), 2u) << "the new network and its subnet";
    EXPECT_EQ(added[0].internal_id, "two");
    EXPECT_EQ(added[1].internal_id, "two-sub");
    EXPECT_EQ(added[1].parent_id, "two");
    EXPECT_TRUE(
        DeclaredAddedByUpdate(current, next(on("one"), network("one", "127.30.0.1"))).empty())
        << "nothing new";

    const auto refused = [&](const ParsedDeployment& parsed, const std::string& needle) {
        try {
            DeclaredAddedByUpdate(current, parsed);
            ADD_FAILURE() << "accepted; expected a refusal naming " << needle;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    refused(next(on("one"), network("one", "127.30.0.9")),
            "network one that deployment dep declares");
    refused(next(on("one"), "<network><name>one</name></network>"),
            "network one that deployment dep declares");
    // Dropped from <networks> while the group's interface still names it.
    refused(ParseDeploymentRequest(Datamodel(on("one")), "dep"),
            "network one is no longer declared by deployment dep");
}

// Another image is a rolling upgrade, one VM down at a time: refused where that would leave
// fewer than min_active alive, counting the VMs the update brings the group to first.
TEST(DeploymentUpdateRules, AnotherImageNeedsRoomAboveMinActive) {
    const auto current = Spec(SimpleGroup("a"));
    auto next = Spec(SimpleGroup("a", "other-image"));
    next.vm_groups[0].scaling.min_active = 1;
    next.vm_groups[0].scaling.max_active = 2;
    EXPECT_NO_THROW(CheckRollingUpgrades(current, next, {{"a", 2}}));
    try {
        CheckRollingUpgrades(current, next, {{"a", 1}});
        ADD_FAILURE() << "one VM, min_active 1: the upgrade would leave none alive";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
        EXPECT_NE(std::string(e.what()).find("vm_group a"), std::string::npos) << e.what();
    }
    next.vm_groups[0].scaling.min_active = 0;
    EXPECT_NO_THROW(CheckRollingUpgrades(current, next, {{"a", 1}})) << "min_active 0";
    EXPECT_NO_THROW(CheckRollingUpgrades(current, current, {{"a", 1}})) << "the same image";
}

}  // namespace
}  // namespace escd::model::xml
