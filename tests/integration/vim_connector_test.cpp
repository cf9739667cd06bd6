// VIM connectors and VIM users (/v0/vims...): the preloaded default, create/update/delete with
// their callbacks, secrets that never come back, status checks, the default connector, users,
// every refusal, and maintenance mode.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

constexpr const char* kPassword = "Sup3r-s3cret-pw";
constexpr const char* kEncrypted = "ENC(9f8e7d6c5b4a)";

std::string OpenstackBody(const std::string& id,
                          const std::string& auth_url = "http://192.0.2.10:5000/v3") {
    return R"(<vim_connector xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><id>)" + id +
           "</id><type>OPENSTACK</type><properties>"
           "<property><name>os_auth_url</name><value>" +
           auth_url +
           "</value></property>"
           "<property><name>os_project_name</name><value>admin</value></property>"
           "<property><name>os_password</name><value>" +
           kPassword +
           "</value></property>"
           "<property><name>os_blob</name><encrypted_value>" +
           kEncrypted + "</encrypted_value></property></properties></vim_connector>";
}

std::string LibvirtBody(const std::string& id, const std::string& uri) {
    return "<vim_connector><id>" + id + "</id><type>LIBVIRT</type><properties><property>" +
           "<name>uri</name><value>" + uri + "</value></property></properties></vim_connector>";
}

std::string UserBody(const std::string& id, const std::string& domain = "Default") {
    return R"(<vim_user xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><id>)" + id +
           "</id><credentials><properties>"
           "<property><name>os_password</name><value>" +
           std::string(kPassword) +
           "</value></property>"
           "<property><name>os_user_domain_name</name><value>" +
           domain + "</value></property></properties></credentials></vim_user>";
}

std::string DefaultBody(const std::string& id) {
    return "<default_vim_connector><defaultVimConnectorId>" + id +
           "</defaultVimConnectorId></default_vim_connector>";
}

/// The texts of every node `xpath` selects.
std::vector<std::string> XmlTexts(const std::string& xml, const std::string& xpath) {
    pugi::xml_document doc;
    std::vector<std::string> out;
    if (!doc.load_string(xml.c_str())) return {"<malformed>"};
    for (const auto& node : doc.select_nodes(xpath.c_str()))
        out.emplace_back(node.node().child_value());
    return out;
}

/// The value of property `name` in a connector or user document ("<absent>" if none).
std::string PropertyValue(const std::string& xml, const std::string& name) {
    auto values = XmlTexts(xml, "//property[name='" + name + "']/value");
    return values.empty() ? "<absent>" : values.front();
}

bool HasSecrets(const std::string& text) {
    return text.find(kPassword) != std::string::npos ||
           text.find(kEncrypted) != std::string::npos ||
           text.find("os_password") != std::string::npos;
}

class VimConnectorTest : public EscdTest {
  protected:
    /// The callback of the accepted request `accepted`, after it was delivered; checks the
    /// headers every VIM callback carries.
    ReceivedRequest CallbackOf(const HttpResponse& accepted, const std::string& event_type) {
        ++expected_callbacks_;
        const auto id = accepted.Header("ESC-Transaction-Id");
        for (auto& callback : receiver_.WaitForDelivered(expected_callbacks_, kCallbackWait)) {
            if (callback.Header("ESC-Transaction-Id") != id) continue;
            EXPECT_EQ(callback.method, "POST");
            EXPECT_EQ(callback.Header("ESC-Status-Code"), "200");
            EXPECT_EQ(XmlText(callback.body, "event_type"), event_type) << callback.body;
            EXPECT_FALSE(HasSecrets(callback.body)) << callback.body;
            return callback;
        }
        ADD_FAILURE() << "no callback for transaction " << id << " (" << event_type << ")";
        return {};
    }

    /// Asserts an XML error with `status` whose message contains `needle`.
    static void ExpectError(const HttpResponse& response, int status, const std::string& needle) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(XmlText(response.body, "status"), std::to_string(status)) << response.body;
        EXPECT_NE(XmlText(response.body, "message").find(needle), std::string::npos)
            << response.body;
    }

    HttpResponse Create(const std::string& body) {
        return client_->Post("/ESCManager/v0/vims", body, WithCallback());
    }
    HttpResponse CheckStatus(const std::string& id,
                             std::map<std::string, std::string> headers = {}) {
        return client_->Put("/v0/vims/" + id + "/check_status", "", std::move(headers));
    }
    std::string DefaultId() {
        return XmlText(client_->Get("/v0/vims/default_vim_connector").body,
                       "defaultVimConnectorId");
    }

    std::size_t expected_callbacks_ = 0;
};

TEST_F(VimConnectorTest, AFreshEscdListsItsOwnVimAsTheDefault) {
    auto list = client_->Get("/ESCManager/v0/vims");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(XmlTexts(list.body, "/vim_connectors/vim_connector/id"),
              std::vector<std::string>{"default_libvirt_vim"});
    EXPECT_EQ(XmlText(list.body, "type"), "LIBVIRT");
    EXPECT_EQ(PropertyValue(list.body, "uri"), "test:///default");

    auto one = client_->Get("/v0/vims/default_libvirt_vim");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(XmlText(one.body, "id"), "default_libvirt_vim");

    auto defaults = client_->Get("/ESCManger/v0/vims/default_vim_connector");
    ASSERT_EQ(defaults.status, 200) << defaults.body;
    EXPECT_EQ(XmlText(defaults.body, "defaultVimConnectorId"), "default_libvirt_vim");

    // Once per database: a restart adds nothing.
    StartEscd();
    EXPECT_EQ(Count("vim_connectors"), 1);
    EXPECT_EQ(DefaultId(), "default_libvirt_vim");
}

TEST_F(VimConnectorTest, ThePreloadedConnectorOnceDeletedStaysDeleted) {
    auto deleted = client_->Delete("/v0/vims/default_libvirt_vim", WithCallback());
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    CallbackOf(deleted, "DELETE_VIM_CONNECTOR");
    ExpectError(client_->Get("/v0/vims/default_vim_connector"), 404, "default");
    StartEscd();
    EXPECT_EQ(XmlTexts(client_->Get("/v0/vims").body, "//vim_connector").size(), 0u);

    // With no connector left, the next one becomes the default.
    auto created = Create(OpenstackBody("os1"));
    ASSERT_EQ(created.status, 200);
    EXPECT_EQ(DefaultId(), "os1");
}

TEST_F(VimConnectorTest, CreateAnswersCallsBackAndNeverShowsSecrets) {
    auto created = Create(OpenstackBody("my-openstack"));
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_TRUE(IsUuid(created.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(created.body, "id"), "my-openstack");
    EXPECT_FALSE(HasSecrets(created.body)) << created.body;

    auto callback = CallbackOf(created, "CREATE_VIM_CONNECTOR");
    EXPECT_EQ(callback.target, "/callback");
    EXPECT_EQ(callback.Header("ESC-Status-Message"), "VIM Connector successfully created");
    EXPECT_EQ(XmlText(callback.body, "id"), "my-openstack");
    EXPECT_EQ(XmlText(callback.body, "type"), "OPENSTACK");
    EXPECT_EQ(PropertyValue(callback.body, "os_auth_url"), "http://192.0.2.10:5000/v3");

    auto one = client_->Get("/v0/vims/my-openstack");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(PropertyValue(one.body, "os_project_name"), "admin");
    EXPECT_EQ(PropertyValue(one.body, "os_password"), "<absent>");
    EXPECT_FALSE(HasSecrets(one.body)) << one.body;
    auto list = client_->Get("/v0/vims");
    EXPECT_EQ(XmlTexts(list.body, "//vim_connector/id"),
              (std::vector<std::string>{"default_libvirt_vim", "my-openstack"}));
    EXPECT_FALSE(HasSecrets(list.body)) << list.body;

    // Stored all the same, and the new connector did not take over the default.
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM vim_connectors WHERE properties LIKE '%" +
                  std::string(kPassword) + "%' AND properties LIKE '%" + kEncrypted + "%'")[0][0]
            .as<long>(),
        1);
    EXPECT_EQ(DefaultId(), "default_libvirt_vim");
}

TEST_F(VimConnectorTest, UpdateReplacesThePropertiesAndForgetsTheStatus) {
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    ++expected_callbacks_;
    ASSERT_EQ(CheckStatus("os1").status, 200);  // no Callback header: no callback
    EXPECT_EQ(XmlText(client_->Get("/v0/vims/os1").body, "status"), "CONNECTION_FAILED");

    auto updated =
        client_->Put("/v0/vims/os1", OpenstackBody("os1", "https://192.0.2.20/v3"), WithCallback());
    ASSERT_EQ(updated.status, 200) << updated.body;
    auto callback = CallbackOf(updated, "UPDATE_VIM_CONNECTOR");
    EXPECT_EQ(callback.Header("ESC-Status-Message"), "VIM Connector successfully updated");
    EXPECT_EQ(PropertyValue(callback.body, "os_auth_url"), "https://192.0.2.20/v3");

    auto one = client_->Get("/v0/vims/os1");
    EXPECT_EQ(PropertyValue(one.body, "os_auth_url"), "https://192.0.2.20/v3");
    EXPECT_EQ(XmlText(one.body, "status"), "");
    EXPECT_FALSE(HasSecrets(one.body));

    // An update replaces the whole list; the body may leave out the id.
    auto replaced = client_->Put(
        "/v0/vims/os1", "<vim_connector><type>OPENSTACK</type></vim_connector>", WithCallback());
    ASSERT_EQ(replaced.status, 200) << replaced.body;
    CallbackOf(replaced, "UPDATE_VIM_CONNECTOR");
    EXPECT_EQ(XmlTexts(client_->Get("/v0/vims/os1").body, "//property").size(), 0u);
}

TEST_F(VimConnectorTest, CheckStatusReportsEachKindOfConnector) {
    auto own = CheckStatus("default_libvirt_vim", WithCallback());
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_TRUE(IsUuid(own.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(own.body, "status"), "CONNECTION_SUCCESSFUL") << own.body;
    EXPECT_NE(XmlText(own.body, "status_message").find("test:///default"), std::string::npos);
    auto callback = CallbackOf(own, "CHECK_VIM_CONNECTOR_STATUS");
    EXPECT_EQ(XmlText(callback.body, "status"), "CONNECTION_SUCCESSFUL");
    EXPECT_NE(callback.Header("ESC-Status-Message").find("CONNECTION_SUCCESSFUL"),
              std::string::npos);

    // An OpenStack connector authenticates as its VIM user (tests/openstack/ check that against a
    // real Keystone); without one it cannot, and nothing is called.
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    auto openstack = CheckStatus("os1");
    ASSERT_EQ(openstack.status, 200) << openstack.body;
    EXPECT_EQ(XmlText(openstack.body, "status"), "CONNECTION_FAILED");
    EXPECT_EQ(XmlText(openstack.body, "status_message"), "no VIM user to authenticate as");

    // Another libvirt URI is opened on its own.
    ASSERT_EQ(Create(LibvirtBody("lv-gone", "test:///nonexistent/escd-no-such.xml")).status, 200);
    auto gone = CheckStatus("lv-gone");
    EXPECT_EQ(XmlText(gone.body, "status"), "CONNECTION_FAILED") << gone.body;
    EXPECT_NE(XmlText(gone.body, "status_message").find("unreachable"), std::string::npos);

    // The last status stays with each connector, across a restart.
    StartEscd();
    auto list = client_->Get("/v0/vims");
    EXPECT_EQ(XmlTexts(list.body, "//vim_connector/status"),
              (std::vector<std::string>{"CONNECTION_SUCCESSFUL", "CONNECTION_FAILED",
                                        "CONNECTION_FAILED"}));
    EXPECT_EQ(XmlTexts(list.body, "//vim_connector/status_checked_at").size(), 3u);

    ExpectError(CheckStatus("nope"), 404, "nope");
}

TEST_F(VimConnectorTest, TheDefaultConnectorCanBeChanged) {
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    ++expected_callbacks_;  // os1's, delivered whenever
    CallbackOf(Create(OpenstackBody("os2")), "CREATE_VIM_CONNECTOR");

    ExpectError(
        client_->Post("/v0/vims/default_vim_connector", DefaultBody("nope"), WithCallback()), 404,
        "nope");
    ExpectError(client_->Post("/v0/vims/default_vim_connector", DefaultBody("os1")), 400,
                "Callback");
    ExpectError(
        client_->Post("/v0/vims/default_vim_connector", "<default_vim_connector/>", WithCallback()),
        400, "defaultVimConnectorId");
    EXPECT_EQ(DefaultId(), "default_libvirt_vim");

    auto set = client_->Post("/v0/vims/default_vim_connector", DefaultBody("os1"), WithCallback());
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(XmlText(set.body, "defaultVimConnectorId"), "os1");
    auto callback = CallbackOf(set, "SET_DEFAULT_VIM_CONNECTOR");
    EXPECT_EQ(XmlText(callback.body, "defaultVimConnectorId"), "os1");
    EXPECT_EQ(DefaultId(), "os1");
    EXPECT_EQ(db_.Query("SELECT count(*) FROM vim_default_connector")[0][0].as<long>(), 1);

    // The default goes only when it is the last connector.
    ExpectError(client_->Delete("/v0/vims/os1", WithCallback()), 409, "default");
    auto old_default = client_->Delete("/v0/vims/default_libvirt_vim", WithCallback());
    ASSERT_EQ(old_default.status, 200) << old_default.body;
    CallbackOf(old_default, "DELETE_VIM_CONNECTOR");
    EXPECT_EQ(DefaultId(), "os1");
}

TEST_F(VimConnectorTest, VimUsersLiveAndDieUnderTheirConnector) {
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    ++expected_callbacks_;
    const std::string users = "/ESCManager/v0/vims/os1/vim_users";

    auto created = client_->Post(users, UserBody("admin"), WithCallback());
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_FALSE(HasSecrets(created.body));
    auto callback = CallbackOf(created, "CREATE_VIM_USER");
    EXPECT_EQ(callback.Header("ESC-Status-Message"), "VIM User successfully created");
    EXPECT_EQ(XmlText(callback.body, "id"), "admin");
    EXPECT_EQ(XmlText(callback.body, "vim_id"), "os1");
    CallbackOf(client_->Post(users, UserBody("svc@example.com"), WithCallback()),
               "CREATE_VIM_USER");

    auto list = client_->Get(users);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(XmlTexts(list.body, "/vim_users/vim_user/id"),
              (std::vector<std::string>{"admin", "svc@example.com"}));
    EXPECT_FALSE(HasSecrets(list.body)) << list.body;

    auto one = client_->Get(users + "/svc%40example.com");
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(PropertyValue(one.body, "os_user_domain_name"), "Default");
    EXPECT_FALSE(HasSecrets(one.body)) << one.body;

    auto updated = client_->Put(users + "/admin", UserBody("admin", "Other"), WithCallback());
    ASSERT_EQ(updated.status, 200) << updated.body;
    CallbackOf(updated, "UPDATE_VIM_USER");
    EXPECT_EQ(PropertyValue(client_->Get(users + "/admin").body, "os_user_domain_name"), "Other");

    ExpectError(client_->Delete("/v0/vims/os1", WithCallback()), 409, "VIM users");
    EXPECT_EQ(client_->Get("/v0/vims/os1").status, 200);

    for (const char* user : {"admin", "svc@example.com"}) {
        auto deleted = client_->Delete(users + "/" + user, WithCallback());
        ASSERT_EQ(deleted.status, 200) << deleted.body;
        auto gone = CallbackOf(deleted, "DELETE_VIM_USER");
        EXPECT_EQ(XmlText(gone.body, "id"), user);
    }
    ExpectError(client_->Get(users + "/admin"), 404, "admin");
    EXPECT_EQ(XmlTexts(client_->Get(users).body, "//vim_user").size(), 0u);

    auto deleted = client_->Delete("/v0/vims/os1", WithCallback());
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    EXPECT_EQ(XmlText(deleted.body, "id"), "os1");
    auto gone = CallbackOf(deleted, "DELETE_VIM_CONNECTOR");
    EXPECT_EQ(gone.Header("ESC-Status-Message"), "VIM Connector successfully deleted");
    ExpectError(client_->Get("/v0/vims/os1"), 404, "os1");
    ExpectError(client_->Get(users), 404, "os1");
}

TEST_F(VimConnectorTest, EveryRefusalStoresNothing) {
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    ++expected_callbacks_;
    ASSERT_EQ(client_->Post("/v0/vims/os1/vim_users", UserBody("admin"), WithCallback()).status,
              200);
    ++expected_callbacks_;
    receiver_.WaitForDelivered(expected_callbacks_, kCallbackWait);
    const long operations = Count("operations");

    // 400: the body, the ids, the Callback header.
    ExpectError(Create("<vim_connector><id>x</id>"), 400, "malformed XML");
    ExpectError(Create("<vim_connector><type>OPENSTACK</type></vim_connector>"), 400, "<id>");
    ExpectError(Create("<vim_connector><id>x</id><type>VMWARE</type></vim_connector>"), 400,
                "VMWARE");
    ExpectError(Create("<vim_connector><id>x y</id><type>LIBVIRT</type></vim_connector>"), 400,
                "vim connector id");
    ExpectError(Create(LibvirtBody("x", "qemu+ext:///system?command=/bin/sh")), 400, "ext");
    ExpectError(client_->Post("/v0/vims", OpenstackBody("x")), 400, "Callback");
    ExpectError(client_->Put("/v0/vims/os1", OpenstackBody("other"), WithCallback()), 400,
                "differs");
    ExpectError(client_->Put("/v0/vims/os1", OpenstackBody("os1")), 400, "Callback");
    ExpectError(client_->Delete("/v0/vims/os1"), 400, "Callback");
    ExpectError(client_->Post("/v0/vims/os1/vim_users", UserBody("u2")), 400, "Callback");
    ExpectError(client_->Post("/v0/vims/os1/vim_users", "<vim_user><id>u2</id>", WithCallback()),
                400, "malformed XML");
    ExpectError(client_->Put("/v0/vims/os1/vim_users/admin", UserBody("root"), WithCallback()), 400,
                "differs");
    ExpectError(client_->Delete("/v0/vims/os1/vim_users/admin"), 400, "Callback");

    // 404: unknown connector or user.
    ExpectError(client_->Get("/v0/vims/nope"), 404, "nope");
    ExpectError(client_->Put("/v0/vims/nope", OpenstackBody("nope"), WithCallback()), 404, "nope");
    ExpectError(client_->Delete("/v0/vims/nope", WithCallback()), 404, "nope");
    ExpectError(client_->Get("/v0/vims/nope/vim_users"), 404, "nope");
    ExpectError(client_->Post("/v0/vims/nope/vim_users", UserBody("u"), WithCallback()), 404,
                "nope");
    ExpectError(client_->Get("/v0/vims/os1/vim_users/nobody"), 404, "nobody");
    ExpectError(client_->Put("/v0/vims/os1/vim_users/nobody", UserBody("nobody"), WithCallback()),
                404, "nobody");
    ExpectError(client_->Delete("/v0/vims/os1/vim_users/nobody", WithCallback()), 404, "nobody");

    // 409: duplicates, and a connector that still has users.
    ExpectError(Create(OpenstackBody("os1")), 409, "already exists");
    ExpectError(Create(LibvirtBody("default_libvirt_vim", "test:///default")), 409,
                "already exists");
    ExpectError(client_->Post("/v0/vims/os1/vim_users", UserBody("admin"), WithCallback()), 409,
                "already exists");
    ExpectError(client_->Delete("/v0/vims/os1", WithCallback()), 409, "VIM users");

    EXPECT_EQ(Count("operations"), operations);
    EXPECT_EQ(Count("vim_connectors"), 2);
    EXPECT_EQ(Count("vim_users"), 1);
    EXPECT_EQ(PropertyValue(client_->Get("/v0/vims/os1").body, "os_auth_url"),
              "http://192.0.2.10:5000/v3");
    EXPECT_EQ(receiver_.Requests().size(), expected_callbacks_);
}

TEST_F(VimConnectorTest, MutationsAreRefusedInMaintenanceMode) {
    ASSERT_EQ(Create(OpenstackBody("os1")).status, 200);
    ++expected_callbacks_;
    receiver_.WaitForDelivered(expected_callbacks_, kCallbackWait);
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    const long operations = Count("operations");

    for (const auto& response :
         {Create(OpenstackBody("os2")),
          client_->Put("/v0/vims/os1", OpenstackBody("os1"), WithCallback()),
          client_->Delete("/v0/vims/os1", WithCallback()), CheckStatus("os1", WithCallback()),
          client_->Post("/v0/vims/default_vim_connector", DefaultBody("os1"), WithCallback()),
          client_->Post("/v0/vims/os1/vim_users", UserBody("u"), WithCallback()),
          client_->Put("/v0/vims/os1/vim_users/u", UserBody("u"), WithCallback()),
          client_->Delete("/v0/vims/os1/vim_users/u", WithCallback())}) {
        ExpectError(response, 503, "maintenance");
    }
    // Reads go on.
    EXPECT_EQ(client_->Get("/v0/vims").status, 200);
    EXPECT_EQ(client_->Get("/v0/vims/os1").status, 200);
    EXPECT_EQ(DefaultId(), "default_libvirt_vim");
    EXPECT_EQ(client_->Get("/v0/vims/os1/vim_users").status, 200);
    EXPECT_EQ(Count("operations"), operations);
    EXPECT_EQ(Count("vim_connectors"), 2);

    ASSERT_EQ(client_->Post("/v0/operationmode/OPERATION", "").status, 200);
    EXPECT_EQ(Create(OpenstackBody("os2")).status, 200);
}

}  // namespace
}  // namespace escd::test
