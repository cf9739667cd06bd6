#pragma once
// The fixtures of the tests that run a real escd with an OPENSTACK VIM connector as its default
// VIM against the control plane (tests/openstack/up.sh): OnOpenStack registers the connector and
// its VIM user through /v0/vims and reads OpenStack's own API as the escd user;
// OnOpenStackDeployment adds a tenant, a network with a subnet, an image and a flavor for
// deployments, and reads Nova's servers.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <vector>

#include <boost/json.hpp>

#include "tests/integration/deployment_fixture.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/session.hpp"

namespace escd::test {
namespace json = boost::json;

/// How long a test waits for the next callback from escd on OpenStack: a bound, not a pause.
/// Nova with the fake driver is quick when idle but, on two cores shared with the rest of the
/// run, a freshly started Nova took 11 s to answer one POST /servers, and a reboot more than the
/// 20 s the libvirt tests allow.
inline constexpr auto kOpenStackWait = std::chrono::seconds(90);

/// A random six-digit suffix: the ids of one test's objects on the shared plane.
class OnOpenStack : public DeploymentTest {
  public:
    using ApiResponse = vim::openstack::ApiResponse;

  protected:
    OnOpenStack()
        : tls_(ssl::context::tls_client),
          client_os_(tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8")),
          session_(client_os_, TestCredentials()) {
        // Servers are listed often, so that the tests wait less for Nova's state.
        escd_args_ = {"--openstack.poll_ms=300"};
        callback_wait_ = kOpenStackWait;
    }

    void SetUp() override {
        if (auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        ResourceTest::SetUp();
        if (HasFatalFailure()) return;
        const auto c = TestCredentials();
        auto connector =
            Mutate("POST", "/v0/vims",
                   "<vim_connector><id>os</id><type>OPENSTACK</type><properties>"
                   "<property><name>os_auth_url</name><value>" +
                       auth_url_ +
                       "</value></property>"
                       "<property><name>os_project_name</name><value>" +
                       c.project +
                       "</value></property>"
                       "<property><name>os_project_domain_name</name><value>" +
                       c.project_domain +
                       "</value></property><property><name>os_user_domain_name</name><value>" +
                       c.user_domain + "</value></property></properties></vim_connector>");
        ASSERT_EQ(connector.callback.Header("ESC-Status-Code"), "200");
        auto user =
            Mutate("POST", "/v0/vims/os/vim_users",
                   "<vim_user><id>" + c.user +
                       "</id><credentials><properties>"
                       "<property><name>os_password</name><value>" +
                       c.password + "</value></property></properties></credentials></vim_user>");
        ASSERT_EQ(user.callback.Header("ESC-Status-Code"), "200");
        auto made_default =
            Mutate("POST", "/v0/vims/default_vim_connector",
                   "<default_vim_connector><defaultVimConnectorId>os</defaultVimConnectorId>"
                   "</default_vim_connector>");
        ASSERT_EQ(made_default.callback.Header("ESC-Status-Code"), "200");
    }

    /// GET `path` of OpenStack service `service` as the escd user (404 is an answer).
    ApiResponse Os(const std::string& service, const std::string& path) {
        const std::set<int> accepted{404};
        return RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::get, path, std::string(), accepted); });
    }

    /// Field `key` of object `kind` in a JSON answer ({"network": {...}}).
    static std::string Field(const ApiResponse& answer, const char* kind, const char* key) {
        auto value = json::parse(answer.body);
        const auto& object = value.as_object().at(kind).as_object();
        const auto* field = object.if_contains(key);
        if (!field) return "<absent>";
        if (field->is_string()) return std::string(field->as_string());
        return json::serialize(*field);
    }

    /// A file under escd's files root, as a file:// URL.
    std::string LocalFile(const std::string& name, std::size_t size) {
        auto dir = std::filesystem::path(escd_->data_dir()) / "files";
        std::filesystem::create_directories(dir);
        std::ofstream out(dir / name, std::ios::binary);
        for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>(i * 131 % 251));
        return "file://" + (dir / name).string();
    }

    /// The callbacks of transaction `tx`, once the one with deployment_stage `last` came
    /// (whatever else arrives meanwhile: the monitor's events, a restarted escd's resent ones);
    /// those that came, without it, when it does not come in time. Counting callbacks would be
    /// fooled by the others.
    std::vector<ReceivedRequest> Through(const std::string& tx, const std::string& last) {
        std::vector<ReceivedRequest> mine;
        for (std::size_t seen = 1;; ++seen) {
            auto delivered = receiver_.WaitForDelivered(seen, callback_wait_);
            if (delivered.size() < seen) return mine;  // nothing more came in time: what did
            const auto& cb = delivered[seen - 1];
            if (cb.Header("ESC-Transaction-Id") != tx) continue;
            mine.push_back(cb);
            if (XmlText(cb.body, "deployment_stage") == last) {
                expected_callbacks_ = std::max(expected_callbacks_, delivered.size());
                return mine;
            }
        }
    }

    /// POSTs `object` as {kind: object} to `path` of `service`; its id.
    std::string Make(const std::string& service,
                     const std::string& path,
                     const std::string& kind,
                     json::object object) {
        json::object body{{kind, std::move(object)}};
        auto answer = RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::post, path, json::serialize(body)); });
        return std::string(json::parse(answer.body).at(kind).at("id").as_string());
    }
    void Remove(const std::string& service, const std::string& path) {
        const std::set<int> gone{404};
        RunNow<ApiResponse>(
            [&] { return session_.Call(service, http::verb::delete_, path, std::string(), gone); });
    }
    /// A Glance image named `name` holding a few bytes, active; its id.
    std::string UploadImage(const std::string& name) {
        auto answer = RunNow<ApiResponse>([&] {
            json::object body{{"name", name}, {"disk_format", "raw"}, {"container_format", "bare"}};
            return session_.Call("image", http::verb::post, "/v2/images", json::serialize(body));
        });
        const std::string id(json::parse(answer.body).at("id").as_string());
        const auto file = std::filesystem::path(escd_->data_dir()) / ("upload-" + name);
        std::ofstream(file) << std::string(4096, 'i');
        RunNow<ApiResponse>([&] {
            return session_.CallWithFile("image", http::verb::put, "/v2/images/" + id + "/file",
                                         file.string(), "application/octet-stream", file_reads_);
        });
        return id;
    }

    /// Nova's servers (of any project) named exactly as escd's VM `vm`.
    json::array ServersNamed(const std::string& vm) {
        auto answer = Os("compute", "/servers/detail?all_tenants=1&name=%5E" + vm + "%24");
        const auto parsed = json::parse(answer.body);
        json::array named;
        for (const auto& server : parsed.at("servers").as_array())
            if (server.at("name").as_string() == vm) named.push_back(server);
        return named;
    }

    /// The connector's os_auth_url (a fixture may put a proxy of Keystone in between).
    std::string auth_url_ = TestCredentials().auth_url;
    ssl::context tls_;
    vim::openstack::ApiClient client_os_;
    vim::openstack::Session session_;
    asio::thread_pool file_reads_{1};
    const std::string id_ = UniqueSuffix();
};

/// Nova's servers named `name` (JSON list of GET /servers/detail?name=^name$).
class OnOpenStackDeployment : public OnOpenStack {
  protected:
    void SetUp() override {
        OnOpenStack::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        tenant_ = "t" + id_;
        const auto tenant = Mutate("POST", "/v0/tenants/" + tenant_, TenantBody(tenant_));
        ExpectSuccess(tenant.callback, "CREATE_TENANT", "Tenant successfully created");
        project_ = XmlText(tenant.callback.body, "external_tenant_id");
        Mutate("POST", "/v0/" + tenant_ + "/networks/net" + id_, NetworkBody("net" + id_));
        Mutate("POST", "/v0/" + tenant_ + "/subnets/sub" + id_,
               SubnetBody("net" + id_, "192.0.2.0/24"));
        Mutate("POST", "/v0/images/img" + id_,
               "<image><name>vnf</name><src>" + LocalFile("vnf.raw", 1 << 20) +
                   "</src><disk_format>raw</disk_format></image>");
        Mutate("POST", "/v0/flavors/fl" + id_,
               "<flavor><name>small</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>");
    }

    /// The reference's example shape: one group of `count` VMs on the network, no ICMPPing KPI
    /// (fake servers answer no ping: alive when Nova says ACTIVE).
    std::string Datamodel(const std::string& name, int count, const std::string& extra = {}) const {
        const auto group =
            "<vm_group><name>g1</name><image>img" + id_ + "</image><flavor>fl" + id_ +
            "</flavor><bootup_time>120</bootup_time><recovery_wait_time>0"
            "</recovery_wait_time><interfaces><interface><nicid>0</nicid>"
            "<network>net" +
            id_ +
            "</network></interface></interfaces><scaling>"
            "<min_active>" +
            std::to_string(count) + "</min_active><max_active>" + std::to_string(count) +
            "</max_active><elastic>false</elastic>"
            "</scaling>" +
            extra + "</vm_group>";
        return DatamodelOf(tenant_, name, group);
    }

    /// The server of escd's VM `vm` as Nova lists it (null when none).
    json::value Server(const std::string& vm) {
        auto servers = ServersNamed(vm);
        return servers.empty() ? json::value(nullptr) : servers.front();
    }

    static std::string Status(const json::value& server) {
        return server.is_null() ? "<none>" : std::string(server.at("status").as_string());
    }

    /// Whether a callback of transaction `tx` with deployment_stage `stage` arrives (whatever
    /// comes before it, a restarted escd's resent callbacks included).
    bool WaitForStage(const std::string& tx, const std::string& stage) {
        for (std::size_t seen = 1;; ++seen) {
            auto delivered = receiver_.WaitForDelivered(seen, callback_wait_);
            if (delivered.size() < seen) return false;  // nothing more came in time
            const auto& cb = delivered[seen - 1];
            if (cb.Header("ESC-Transaction-Id") == tx &&
                XmlText(cb.body, "deployment_stage") == stage)
                return true;
        }
    }

    /// Glance's and Nova's ids of the fixture's image and flavor.
    std::string ImageId() {
        return std::string(json::parse(Os("image", "/v2/images?name=escd-img" + id_).body)
                               .at("images")
                               .as_array()
                               .at(0)
                               .at("id")
                               .as_string());
    }
    std::string FlavorId() {
        const auto flavors = json::parse(Os("compute", "/flavors?is_public=None").body);
        for (const auto& flavor : flavors.at("flavors").as_array())
            if (flavor.at("name").as_string() == "escd-fl" + id_)
                return std::string(flavor.at("id").as_string());
        return {};
    }

    std::string tenant_;
    std::string project_;  ///< the tenant's Keystone project: where its VMs are
};

}  // namespace escd::test
