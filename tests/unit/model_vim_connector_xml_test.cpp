#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/vim_connector.hpp"
#include "model/xml/vim_connector_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

const char* kOpenstackBody = R"(<vim_connector xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
  <id>my-openstack</id>
  <type>OPENSTACK</type>
  <properties>
    <property><name>os_auth_url</name><value>http://10.0.0.1:5000/v3</value></property>
    <property><name>os_project_name</name><value>admin</value></property>
    <property><name>os_password</name><value>s3cr3t-pw</value></property>
    <property><name>os_blob</name><encrypted_value>ENC(abc123)</encrypted_value></property>
  </properties>
</vim_connector>)";

// The code and message of what `fn` throws; "no error" when it does not.
template <class Fn>
std::string RefusalOf(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest) << e.what();
        return e.what();
    }
    return "no error";
}

bool Mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(VimConnectorXml, ParsesTheReferenceShape) {
    auto connector = ParseVimConnectorRequest(kOpenstackBody, {});
    EXPECT_EQ(connector.id, "my-openstack");
    EXPECT_EQ(connector.type, VimType::kOpenstack);
    ASSERT_EQ(connector.properties.size(), 4u);
    EXPECT_EQ(connector.properties[0], (VimProperty{"os_auth_url", "http://10.0.0.1:5000/v3"}));
    EXPECT_EQ(connector.properties[3], (VimProperty{"os_blob", "ENC(abc123)", true}));
    EXPECT_FALSE(connector.is_default);
    EXPECT_FALSE(connector.status);
}

TEST(VimConnectorXml, TypeIsCaseInsensitiveAndPropertiesOptional) {
    auto connector = ParseVimConnectorRequest(
        "<esc:vim_connector xmlns:esc='http://www.cisco.com/esc/esc'><esc:id>lv</esc:id>"
        "<esc:type>libvirt</esc:type></esc:vim_connector>",
        {});
    EXPECT_EQ(connector.type, VimType::kLibvirt);
    EXPECT_TRUE(connector.properties.empty());
}

TEST(VimConnectorXml, StoredPropertiesRoundTripWithSecrets) {
    auto connector = ParseVimConnectorRequest(kOpenstackBody, {});
    auto stored = StoredProperties(connector.properties);
    EXPECT_TRUE(Mentions(stored, "s3cr3t-pw"));  // stored, since escd needs them
    EXPECT_EQ(PropertiesFromStored(stored), connector.properties);
    EXPECT_TRUE(PropertiesFromStored(StoredProperties({})).empty());
}

TEST(VimConnectorXml, DocumentsRoundTripThroughTheParserWithoutSecrets) {
    auto connector = ParseVimConnectorRequest(kOpenstackBody, {});
    auto document = VimConnectorDocument(connector, "CREATE_VIM_CONNECTOR");
    auto again = ParseVimConnectorRequest(document, "my-openstack");
    EXPECT_EQ(again.id, connector.id);
    EXPECT_EQ(again.type, connector.type);
    ASSERT_EQ(again.properties.size(), 2u);  // the password and the encrypted value are left out
    EXPECT_EQ(again.properties[0], connector.properties[0]);
    EXPECT_EQ(again.properties[1], connector.properties[1]);

    auto doc = ParseBody(document);
    EXPECT_EQ(ChildText(doc->document_element(), "event_type"), "CREATE_VIM_CONNECTOR");
    EXPECT_FALSE(Mentions(VimConnectorDocument(connector, {}), "event_type"));
}

TEST(VimConnectorXml, SecretsNeverAppearInAnyDocument) {
    auto connector = ParseVimConnectorRequest(kOpenstackBody, {});
    VimUser user{"my-openstack",
                 "admin",
                 {{"user_domain", "Default"},
                  {"PassWord", "pw-1"},
                  {"api_KEY", "k-2"},
                  {"my_token", "t-3"},
                  {"client_secret", "s-4"},
                  {"other", "e-5", true}}};
    const std::vector<std::string> documents{
        VimConnectorDocument(connector, {}), VimConnectorListDocument({connector, connector}),
        VimUserDocument(user, "CREATE_VIM_USER"), VimUserListDocument({user})};
    for (const auto& document : documents) {
        for (const char* secret :
             {"s3cr3t-pw", "ENC(abc123)", "os_password", "pw-1", "k-2", "t-3", "s-4", "e-5"}) {
            EXPECT_FALSE(Mentions(document, secret)) << secret << " in\n" << document;
        }
    }
    EXPECT_TRUE(Mentions(VimUserDocument(user, {}), "Default"));
}

TEST(VimConnectorXml, SecretNames) {
    for (const char* name :
         {"os_password", "PASSWORD", "secret", "auth_token", "ssh_key", "KeyFile", "x-Secret-y"}) {
        EXPECT_TRUE(IsSecretPropertyName(name)) << name;
    }
    for (const char* name : {"os_auth_url", "uri", "os_project_name", "user_domain"})
        EXPECT_FALSE(IsSecretPropertyName(name)) << name;
    EXPECT_TRUE(IsSecretProperty({"uri", "x", true}));
}

TEST(VimConnectorXml, StatusIsShownOnceChecked) {
    VimConnector connector{"c1", VimType::kLibvirt, {{"uri", "test:///default"}}, true, {}};
    EXPECT_FALSE(Mentions(VimConnectorDocument(connector, {}), "<status>"));
    connector.status = VimConnectorStatus{
        false, "no route", std::chrono::system_clock::from_time_t(1714557600)};  // 2024-05-01 10:00
    auto doc = ParseBody(VimConnectorDocument(connector, {}));
    auto root = doc->document_element();
    EXPECT_EQ(ChildText(root, "status"), "CONNECTION_FAILED");
    EXPECT_EQ(ChildText(root, "status_message"), "no route");
    EXPECT_EQ(ChildText(root, "status_checked_at"), "2024-05-01T10:00:00Z");
    connector.status->reachable = true;
    EXPECT_TRUE(Mentions(VimConnectorDocument(connector, {}), "CONNECTION_SUCCESSFUL"));
}

TEST(VimConnectorXml, RefusesWhatIsWrongWithAClearMessage) {
    auto refusal = [](const std::string& body, const char* path_id = "") {
        return RefusalOf([&] { ParseVimConnectorRequest(body, path_id); });
    };
    EXPECT_TRUE(Mentions(refusal("<vim_connector><id>x</id>"), "malformed XML"));
    EXPECT_TRUE(Mentions(refusal(""), "empty"));
    EXPECT_TRUE(Mentions(refusal("<tenant/>"), "<vim_connector>"));
    EXPECT_TRUE(Mentions(refusal("<vim_connector><type>LIBVIRT</type></vim_connector>"), "<id>"));
    EXPECT_TRUE(Mentions(refusal("<vim_connector><id>x</id></vim_connector>"), "<type>"));
    EXPECT_TRUE(
        Mentions(refusal("<vim_connector><id>x</id><type>AWS</type></vim_connector>"), "AWS"));
    EXPECT_TRUE(Mentions(refusal("<vim_connector><id>a b</id><type>LIBVIRT</type></vim_connector>"),
                         "vim connector id"));
    EXPECT_TRUE(Mentions(refusal("<vim_connector><id>default_vim_connector</id><type>LIBVIRT</type>"
                                 "</vim_connector>"),
                         "reserved"));
    EXPECT_TRUE(Mentions(
        refusal("<vim_connector><id>x</id><type>LIBVIRT</type></vim_connector>", "y"), "differs"));
    // The path id suffices for an update.
    EXPECT_EQ(
        ParseVimConnectorRequest("<vim_connector><type>LIBVIRT</type></vim_connector>", "y").id,
        "y");

    auto with_properties = [&](const std::string& properties) {
        return refusal("<vim_connector><id>x</id><type>LIBVIRT</type><properties>" + properties +
                       "</properties></vim_connector>");
    };
    EXPECT_TRUE(Mentions(with_properties("<property><value>v</value></property>"), "<name>"));
    EXPECT_TRUE(Mentions(with_properties("<property><name>a</name></property>"), "exactly one"));
    EXPECT_TRUE(Mentions(with_properties("<property><name>a</name><value>1</value>"
                                         "<encrypted_value>2</encrypted_value></property>"),
                         "exactly one"));
    EXPECT_TRUE(Mentions(with_properties("<property><name>a</name><value>1</value></property>"
                                         "<property><name>a</name><value>2</value></property>"),
                         "twice"));
    EXPECT_TRUE(Mentions(
        with_properties("<property><name>a</name><value>" +
                        std::string(kMaxPropertyValueLength + 1, 'v') + "</value></property>"),
        "longer"));
    // LIBVIRT URIs that would make escd run a local program.
    EXPECT_TRUE(Mentions(with_properties("<property><name>uri</name><value>qemu+ext:///system?"
                                         "command=/bin/true</value></property>"),
                         "ext transport"));
    EXPECT_TRUE(Mentions(with_properties("<property><name>uri</name><value>qemu+ssh://h/system?"
                                         "no_tty=1&amp;Command=/tmp/x</value></property>"),
                         "command"));
    EXPECT_TRUE(Mentions(with_properties("<property><name>uri</name><value>qemu+ssh://h/system?"
                                         "netcat=/tmp/nc</value></property>"),
                         "netcat"));
    EXPECT_TRUE(
        Mentions(with_properties(
                     "<property><name>uri</name><encrypted_value>x</encrypted_value></property>"),
                 "<value>"));
    EXPECT_EQ(with_properties("<property><name>uri</name><value>qemu+ssh://root@h/system?no_tty=1"
                              "</value></property>"),
              "no error");
}

TEST(VimUserXml, ParsesAndChecksItsIds) {
    auto user = ParseVimUserRequest(
        R"(<vim_user><id>svc@example.com</id><vim_id>v1</vim_id><credentials><properties>
             <property><name>os_password</name><value>pw</value></property>
             <property><name>os_user_domain_name</name><value>Default</value></property>
           </properties></credentials></vim_user>)",
        "v1", {});
    EXPECT_EQ(user.vim_id, "v1");
    EXPECT_EQ(user.id, "svc@example.com");
    ASSERT_EQ(user.credentials.size(), 2u);
    EXPECT_EQ(user.credentials[0], (VimProperty{"os_password", "pw"}));

    // ESC's <user> root is accepted; the path gives the ids of an update.
    auto update = ParseVimUserRequest("<user><credentials/></user>", "v1", "admin");
    EXPECT_EQ(update.id, "admin");
    EXPECT_TRUE(update.credentials.empty());

    auto document = VimUserDocument(user, "CREATE_VIM_USER");
    auto again = ParseVimUserRequest(document, "v1", "svc@example.com");
    ASSERT_EQ(again.credentials.size(), 1u);
    EXPECT_EQ(again.credentials[0].name, "os_user_domain_name");

    auto refusal = [](const char* body, const char* user_id = "") {
        return RefusalOf([&] { ParseVimUserRequest(body, "v1", user_id); });
    };
    EXPECT_TRUE(Mentions(refusal("<vim_user/>"), "<id>"));
    EXPECT_TRUE(Mentions(refusal("<vim_user><id>a</id><vim_id>v2</vim_id></vim_user>"), "differs"));
    EXPECT_TRUE(Mentions(refusal("<vim_user><id>a</id></vim_user>", "b"), "differs"));
    EXPECT_TRUE(Mentions(refusal("<vim_user><id>a/b</id></vim_user>"), "'/'"));
    EXPECT_TRUE(Mentions(refusal("<vim_connector><id>a</id></vim_connector>"), "<vim_user>"));
}

TEST(DefaultVimConnectorXml, ParsesAnyRootAndAnswersWithItsOwn) {
    EXPECT_EQ(ParseDefaultVimConnectorRequest(
                  "<default_vim_connector><defaultVimConnectorId>v1</defaultVimConnectorId>"
                  "</default_vim_connector>"),
              "v1");
    EXPECT_EQ(ParseDefaultVimConnectorRequest(
                  "<x><defaultVimConnectorId> v2 </defaultVimConnectorId></x>"),
              "v2");
    EXPECT_TRUE(Mentions(RefusalOf([] { ParseDefaultVimConnectorRequest("<x/>"); }),
                         "defaultVimConnectorId"));
    auto doc = ParseBody(DefaultVimConnectorDocument("v1", {}));
    EXPECT_EQ(LocalName(doc->document_element()), "default_vim_connector");
    EXPECT_EQ(ChildText(doc->document_element(), "defaultVimConnectorId"), "v1");
}

}  // namespace
}  // namespace escd::model::xml
