#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/tenant_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

std::string Text(const pugi::xml_node& node, const char* name) {
    return ChildText(node, name).value_or("<absent>");
}

TEST(TenantXml, ParsesTheReferenceRequest) {
    auto spec = ParseTenantRequest(
        R"(<tenant xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
             <name>example-tenant</name>
             <managed_resource>true</managed_resource>
           </tenant>)",
        "tentest");
    EXPECT_EQ(spec.internal_id, "tentest");
    EXPECT_EQ(spec.name, "example-tenant");
    EXPECT_TRUE(spec.enabled);
    EXPECT_TRUE(spec.managed_resource);
    EXPECT_FALSE(spec.vim_mapping);
}

TEST(TenantXml, MatchesElementsByLocalNameWhateverTheNamespace) {
    auto esc = ParseTenantRequest(
        R"(<esc:tenant xmlns:esc="http://www.cisco.com/esc/esc"><esc:name>n1</esc:name>
             <esc:enabled>false</esc:enabled></esc:tenant>)",
        "t1");
    EXPECT_EQ(esc.name, "n1");
    EXPECT_FALSE(esc.enabled);
    auto bare =
        ParseTenantRequest("<tenant><name>n2</name><vim_mapping>TRUE</vim_mapping></tenant>", "t2");
    EXPECT_EQ(bare.name, "n2");
    EXPECT_EQ(bare.vim_mapping, true);
}

TEST(TenantXml, RejectsWhatIsWrongWithAClearMessage) {
    auto message_of = [](const char* body, const char* id) -> std::string {
        try {
            ParseTenantRequest(body, id);
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
            return e.what();
        }
        return "no error";
    };
    EXPECT_NE(message_of("<tenant><name>x</name>", "t").find("malformed XML"), std::string::npos);
    EXPECT_NE(message_of("", "t").find("empty"), std::string::npos);
    EXPECT_NE(message_of("<network><name>x</name></network>", "t").find("<tenant>"),
              std::string::npos);
    EXPECT_NE(message_of("<tenant/>", "t").find("name"), std::string::npos);
    EXPECT_NE(message_of("<tenant><name></name></tenant>", "t").find("name"), std::string::npos);
    EXPECT_NE(
        message_of(("<tenant><name>" + std::string(65, 'x') + "</name></tenant>").c_str(), "t")
            .find("64"),
        std::string::npos);
    EXPECT_NE(
        message_of("<tenant><name>x</name><enabled>maybe</enabled></tenant>", "t").find("enabled"),
        std::string::npos);
    EXPECT_NE(
        message_of("<tenant><internal_tenant_id>other</internal_tenant_id><name>x</name></tenant>",
                   "t")
            .find("differs"),
        std::string::npos);
    EXPECT_NE(message_of("<tenant><name>x</name></tenant>", "bad~id").find("internal_tenant_id"),
              std::string::npos);
}

TEST(TenantXml, CallbackDocumentHasTheReferenceFields) {
    TenantSpec spec;
    spec.internal_id = "tentest";
    spec.name = "example-tenant";
    auto text = TenantDocument({spec, "484c620285ea4f588227ff3396215980"}, "CREATE_TENANT");
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(text.c_str()));
    auto root = doc.document_element();
    EXPECT_STREQ(root.name(), "tenant");
    EXPECT_STREQ(root.attribute("xmlns").value(), kNetconfNs);
    EXPECT_EQ(Text(root, "enabled"), "true");
    EXPECT_EQ(Text(root, "event_type"), "CREATE_TENANT");
    EXPECT_EQ(Text(root, "external_tenant_id"), "484c620285ea4f588227ff3396215980");
    EXPECT_EQ(Text(root, "internal_tenant_id"), "tentest");
    EXPECT_EQ(Text(root, "name"), "example-tenant");
    EXPECT_EQ(Text(root, "managed_resource"), "true");
}

TEST(TenantXml, StoredSpecRoundTrips) {
    TenantSpec spec;
    spec.internal_id = "t-1";
    spec.name = "name with <markup> & ampersand";
    spec.description = "d";
    spec.enabled = false;
    spec.managed_resource = false;
    spec.vim_mapping = true;
    auto back = TenantSpecFromStored(StoredTenantSpec(spec));
    EXPECT_EQ(back.internal_id, spec.internal_id);
    EXPECT_EQ(back.name, spec.name);
    EXPECT_EQ(back.description, spec.description);
    EXPECT_EQ(back.enabled, spec.enabled);
    EXPECT_EQ(back.managed_resource, spec.managed_resource);
    EXPECT_EQ(back.vim_mapping, spec.vim_mapping);
}

TEST(TenantXml, ListDocumentHoldsOneTenantPerEntryWithoutEventType) {
    TenantSpec a, b;
    a.internal_id = "a";
    a.name = "A";
    b.internal_id = "b";
    b.name = "B";
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(TenantListDocument({{a, "x1"}, {b, "x2"}}).c_str()));
    auto list = doc.document_element();
    EXPECT_STREQ(list.name(), "tenants");
    int count = 0;
    for (auto tenant : list.children("tenant")) {
        ++count;
        EXPECT_FALSE(tenant.child("event_type"));
    }
    EXPECT_EQ(count, 2);
}

}  // namespace
}  // namespace escd::model::xml
