// The generic resource mapping and the per-kind rules (model/xml/resource_xml.hpp).
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/resource_xml.hpp"

namespace escd::model::xml {
namespace {

const KindXml& Kind(ResourceKind kind) {
    return *FindKindXml(kind);
}

std::string ErrorOf(ResourceKind kind, const std::string& body, const char* tenant = "t") {
    try {
        ParseResourceRequest(Kind(kind), body, tenant, "id1");
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
        return e.what();
    }
    return "(accepted)";
}

TEST(ResourceXml, StoredFormIsCanonicalKeepsUnknownElementsAndDropsEscdsOwnFields) {
    auto parsed = ParseResourceRequest(Kind(ResourceKind::kNetwork),
                                       R"(<esc:network xmlns:esc="http://www.cisco.com/esc/esc">
             <esc:name> mgmt </esc:name>
             <esc:shared>TRUE</esc:shared>
             <esc:event_type>CREATE_NETWORK</esc:event_type>
             <esc:external_network_id>forged</esc:external_network_id>
             <esc:my_extension a="1">kept</esc:my_extension>
           </esc:network>)",
                                       "t", "n1");
    EXPECT_EQ(parsed.name, "mgmt");
    EXPECT_EQ(parsed.parent_id, "t");
    EXPECT_EQ(parsed.spec,
              "<network><name>mgmt</name><shared>true</shared><my_extension a=\"1\">kept"
              "</my_extension><admin_state_up>true</admin_state_up></network>");
}

TEST(ResourceXml, DocumentsPutEscdsFieldsFirstAndNeverShowSecrets) {
    auto parsed =
        ParseResourceRequest(Kind(ResourceKind::kFileServer),
                             "<file_server><base_url>http://127.0.0.1:1/x</base_url>"
                             "<file_server_password>pw</file_server_password></file_server>",
                             "", "fs");
    ResourceRecord record{ResourceKind::kFileServer, "fs", "",          "fs",
                          ResourceState::kActive,    "",   parsed.spec, ""};
    auto doc = ResourceDocument(Kind(ResourceKind::kFileServer), record, "CREATE_FILE_SERVER");
    EXPECT_NE(doc.find("<event_type>CREATE_FILE_SERVER</event_type>"), std::string::npos) << doc;
    EXPECT_NE(doc.find("<id>fs</id>"), std::string::npos) << doc;
    EXPECT_NE(doc.find("<server_type>HTTP</server_type>"), std::string::npos) << doc;
    EXPECT_EQ(doc.find("pw"), std::string::npos) << doc;
    EXPECT_NE(parsed.spec.find("pw"), std::string::npos);  // stored, though
}

TEST(ResourceXml, EachKindRefusesWhatItCannotTake) {
    EXPECT_NE(ErrorOf(ResourceKind::kNetwork, "<subnet/>").find("expected a <network>"),
              std::string::npos);
    EXPECT_NE(
        ErrorOf(ResourceKind::kNetwork, "<network><name>n</name><shared>maybe</shared></network>")
            .find("true or false"),
        std::string::npos);
    EXPECT_NE(ErrorOf(ResourceKind::kSubnet,
                      "<subnet><name>s</name><internal_network_id>n"
                      "</internal_network_id><cidr>10.0.0.0/31</cidr></subnet>")
                  .find("too small"),
              std::string::npos);
    EXPECT_NE(ErrorOf(ResourceKind::kSubnet,
                      "<subnet><name>s</name><internal_network_id>n"
                      "</internal_network_id><address>10.0.0.0</address>"
                      "<netmask>255.0.255.0</netmask></subnet>")
                  .find("netmask"),
              std::string::npos);
    EXPECT_NE(ErrorOf(ResourceKind::kFlavor,
                      "<flavor><name>f</name><vcpus>1</vcpus><memory_mb>1"
                      "</memory_mb><properties><property><value>x</value>"
                      "</property></properties></flavor>")
                  .find("without a <name>"),
              std::string::npos);
    EXPECT_NE(
        ErrorOf(ResourceKind::kImage, "<image><name>i</name><src>file:///a/../etc</src></image>")
            .find(".."),
        std::string::npos);
    EXPECT_NE(ErrorOf(ResourceKind::kRouter,
                      "<router><name>r</name><route><destination>10.0.0.0/8"
                      "</destination><next_hop>x</next_hop></route></router>")
                  .find("next_hop"),
              std::string::npos);
    EXPECT_NE(ErrorOf(ResourceKind::kNetwork,
                      "<network><internal_tenant_id>u</internal_tenant_id>"
                      "<name>n</name></network>")
                  .find("differs"),
              std::string::npos);
}

TEST(ResourceXml, ListsCopyCompactSpecsAndFallBackToTheDomForAnyOtherShape) {
    const auto& network = Kind(ResourceKind::kNetwork);
    auto parsed =
        ParseResourceRequest(network, "<network><name>a&amp;b</name></network>", "t", "n1");
    ResourceRecord compact{ResourceKind::kNetwork, "n1",  "t",         "a&b",
                           ResourceState::kActive, "u-1", parsed.spec, "t"};
    ResourceRecord spaced = compact;
    spaced.internal_id = "n2";
    spaced.spec = "<network>\n  <name>spaced</name>\n</network>\n";
    auto list = ResourceListDocument(network, {compact, spaced});
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(list.c_str())) << list;
    auto root = doc.document_element();
    EXPECT_STREQ(root.name(), "networks");
    EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:netconf:base:1.0");
    auto first = root.child("network");
    auto second = first.next_sibling("network");
    for (auto item : {first, second}) {
        EXPECT_STREQ(item.first_child().name(), "external_network_id");
        EXPECT_STREQ(item.child_value("external_network_id"), "u-1");
        EXPECT_STREQ(item.child_value("internal_tenant_id"), "t");
    }
    EXPECT_STREQ(first.child_value("internal_network_id"), "n1");
    EXPECT_STREQ(first.child_value("name"), "a&b");
    EXPECT_STREQ(second.child_value("internal_network_id"), "n2");
    EXPECT_STREQ(second.child_value("name"), "spaced");
}

TEST(ResourceXml, IPv6SubnetsGetTheirDefaults) {
    auto parsed = ParseResourceRequest(Kind(ResourceKind::kSubnet),
                                       "<subnet><name>s</name><internal_network_id>n"
                                       "</internal_network_id><cidr>fd00:5::/64</cidr></subnet>",
                                       "t", "s6");
    EXPECT_EQ(parsed.parent_id, "n");
    EXPECT_NE(parsed.spec.find("<ip_version>6</ip_version>"), std::string::npos) << parsed.spec;
    EXPECT_NE(parsed.spec.find("<gateway_ip>fd00:5::1</gateway_ip>"), std::string::npos);
    EXPECT_NE(parsed.spec.find("<start>fd00:5::2</start>"), std::string::npos) << parsed.spec;
}

TEST(ResourceXml, ReferencesAreReported) {
    auto router = ParseResourceRequest(Kind(ResourceKind::kRouter),
                                       "<router><name>r</name><interface><subnetId>s1</subnetId>"
                                       "</interface></router>",
                                       "t", "r1");
    ASSERT_EQ(router.references.size(), 1u);
    EXPECT_EQ(router.references[0].kind, ResourceKind::kSubnet);
    EXPECT_EQ(router.references[0].internal_id, "s1");
}

}  // namespace
}  // namespace escd::model::xml
