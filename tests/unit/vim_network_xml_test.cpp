#include <gtest/gtest.h>

#include "orchestrator/engine/operation_catalog.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd {
namespace {

TEST(LibvirtNetworkXml, OneIpPerSubnetAndDhcpOnTheFirstOfEachFamily) {
    vim::NetworkRequest request{"n1", "t1", "mgmt", true, false, {}};
    request.subnets.push_back({"a", "10.0.0.0/24", "10.0.0.1", true, {{"10.0.0.5", "10.0.0.9"}}});
    request.subnets.push_back({"b", "10.0.1.0/24", "10.0.1.1", true, {{"10.0.1.5", "10.0.1.9"}}});
    request.subnets.push_back({"c", "fd00::/64", "fd00::1", true, {{"fd00::5", "fd00::9"}}});
    request.subnets.push_back({"d", "10.0.2.0/24", "", false, {}});  // no gateway: no <ip>
    auto xml = vim::libvirt::RenderNetworkXml(request, "uuid-1");
    EXPECT_NE(xml.find("<name>escd-n1</name>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<uuid>uuid-1</uuid>"), std::string::npos);
    EXPECT_NE(xml.find("address=\"10.0.0.1\" prefix=\"24\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("address=\"10.0.1.1\" prefix=\"24\" />"), std::string::npos) << xml;
    EXPECT_NE(xml.find("start=\"10.0.0.5\""), std::string::npos);
    EXPECT_EQ(xml.find("start=\"10.0.1.5\""), std::string::npos) << "one DHCP per family";
    EXPECT_NE(xml.find("family=\"ipv6\""), std::string::npos);
    EXPECT_NE(xml.find("start=\"fd00::5\""), std::string::npos);
    EXPECT_EQ(xml.find("10.0.2."), std::string::npos);
    EXPECT_EQ(xml.find("<forward"), std::string::npos);
}

TEST(OperationCatalog, KindsAreVerbAndSubject) {
    auto info = orchestrator::FindOperation(model::OperationKind::kDeleteFileServer);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->target_kind, model::ResourceKind::kFileServer);
    EXPECT_EQ(info->running, model::ResourceState::kDeleting);
    EXPECT_EQ(info->success_message, "File server successfully deleted");
    EXPECT_EQ(info->failure_message, "File server deletion failed");
    EXPECT_FALSE(model::ParseOperationKind("CREATE_NOTHING"));
    EXPECT_FALSE(model::ParseOperationKind("CREATE"));
    EXPECT_FALSE(model::ParseOperationKind("CREATENETWORK"));
    EXPECT_FALSE(orchestrator::FindOperation(model::OperationKind::kScaleOut));
    EXPECT_EQ(orchestrator::ResourceOperationKind(model::ResourceState::kUpdating,
                                                  model::ResourceKind::kSubnet),
              model::OperationKind::kUpdateSubnet);
}

}  // namespace
}  // namespace escd
