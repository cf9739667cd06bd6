// escd's tenants as projects of the real Keystone of tests/openstack/up.sh
// (vim/openstack/projects.hpp): made once, named as the tenant, found again by escd's tag after a
// rename, the escd user made admin on it (and able to log into it), updated, deleted; each
// checked through the Keystone API itself. Every project has a random name and is deleted at
// the end (the plane is shared).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <random>
#include <sstream>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/projects.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
namespace json = boost::json;

class KeystoneProjects : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        projects_.emplace(*session_);
        const auto suffix = UniqueSuffix();
        tenant_ = {"ten-" + suffix, "escd test tenant " + suffix, true};
    }

    void TearDown() override {
        if (!projects_) return;
        for (const auto& id : to_delete_) {
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await projects_->DeleteProject(id);
                co_return 0;
            });
        }
    }

    std::string Ensure(const vim::TenantRequest& request) {
        auto id = RunNow<std::string>([&] { return projects_->EnsureProject(request); });
        to_delete_.insert(id);
        return id;
    }

    std::optional<std::string> Find() {
        return RunNow<std::optional<std::string>>(
            [&] { return projects_->FindProject(tenant_.internal_id); });
    }

    ApiResponse Api(http::verb method, const std::string& path, const std::string& body = {}) {
        const std::set<int> any{404, 409};
        // The catalog's identity endpoint is .../v3.
        return RunNow<ApiResponse>(
            [&] { return session_->Call("identity", method, path, body, any); });
    }

    json::value Shown(const std::string& id) {
        const auto answer = Api(http::verb::get, "/projects/" + id);
        EXPECT_EQ(answer.status, 200) << answer.body;
        return json::parse(answer.body).at("project");
    }

    /// How many projects have this name, through the API.
    std::size_t NamedCount(const std::string& name) {
        // Tenant names here are letters, digits, '-' and spaces.
        std::string query;
        for (char c : name) query += c == ' ' ? std::string("%20") : std::string(1, c);
        return json::parse(Api(http::verb::get, "/projects?name=" + query).body)
            .at("projects")
            .as_array()
            .size();
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Projects> projects_;
    vim::TenantRequest tenant_;
    std::set<std::string> to_delete_;
};

TEST_F(KeystoneProjects, AProjectIsMadeOnceAsTheTenantIsNamedAndDeleted) {
    const auto id = Ensure(tenant_);
    const auto token = RunNow<Token>([&] { return session_->keystone().Current(); });

    auto project = Shown(id);
    EXPECT_EQ(project.at("name").as_string(), tenant_.name) << "the ESC tenant's name";
    EXPECT_EQ(project.at("domain_id").as_string(), token.project_domain_id);
    EXPECT_EQ(project.at("enabled").as_bool(), true);
    EXPECT_NE(std::string(project.at("description").as_string()).find(tenant_.internal_id),
              std::string::npos);
    ASSERT_EQ(project.at("tags").as_array().size(), 1u);
    EXPECT_EQ(project.at("tags").at(0).as_string(), "escd-" + tenant_.internal_id);

    // The escd user is admin on it...
    const auto roles = json::parse(
        Api(http::verb::get, "/role_assignments?include_names=true&scope.project.id=" + id +
                                 "&user.id=" + token.user_id)
            .body);
    bool admin = false;
    for (const auto& assignment : roles.at("role_assignments").as_array())
        admin = admin || assignment.at("role").at("name").as_string() == "admin";
    EXPECT_TRUE(admin) << json::serialize(roles);
    // ... and so can work in it.
    auto credentials = TestCredentials();
    credentials.project = tenant_.name;
    ApiClient client(tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8"));
    const auto status =
        RunNow<vim::VimStatus>([&] { return Keystone::Check(client, credentials); });
    EXPECT_TRUE(status.reachable) << status.message;

    // Made again (a rerun after a crash): the same project, no second one.
    EXPECT_EQ(Ensure(tenant_), id);
    EXPECT_EQ(NamedCount(tenant_.name), 1u);
    EXPECT_EQ(Find(), id);

    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await projects_->DeleteProject(id);
        co_await projects_->DeleteProject(id);  // gone already: done
        co_return 0;
    });
    EXPECT_EQ(Api(http::verb::get, "/projects/" + id).status, 404);
    EXPECT_EQ(NamedCount(tenant_.name), 0u);
    EXPECT_FALSE(Find());
}

TEST_F(KeystoneProjects, ARenamedDisabledProjectIsFoundByItsTagAndUpdated) {
    const auto id = Ensure(tenant_);

    auto renamed = tenant_;
    renamed.name = tenant_.name + " renamed";
    renamed.enabled = false;
    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await projects_->UpdateProject(id, renamed);
        co_return 0;
    });
    auto project = Shown(id);
    EXPECT_EQ(project.at("name").as_string(), renamed.name);
    EXPECT_EQ(project.at("enabled").as_bool(), false);
    EXPECT_EQ(project.at("tags").at(0).as_string(), "escd-" + tenant_.internal_id)
        << "the tag stays";
    EXPECT_EQ(Find(), id) << "found by its tag, whatever its name";

    // An Ensure with the tenant as escd records it makes Keystone agree (a crash between the
    // rename and its record): the same project, named and enabled again.
    EXPECT_EQ(Ensure(tenant_), id);
    project = Shown(id);
    EXPECT_EQ(project.at("name").as_string(), tenant_.name);
    EXPECT_EQ(project.at("enabled").as_bool(), true);
    EXPECT_EQ(NamedCount(renamed.name), 0u);

    // Keystone deletes a disabled project as well.
    renamed.name = tenant_.name;
    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await projects_->UpdateProject(id, renamed);
        co_await projects_->DeleteProject(id);
        co_return 0;
    });
    EXPECT_EQ(Api(http::verb::get, "/projects/" + id).status, 404);

    try {
        RunNow<int>([&]() -> asio::awaitable<int> {
            co_await projects_->UpdateProject(id, tenant_);
            co_return 0;
        });
        FAIL() << "the project is gone";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
    }
}

TEST_F(KeystoneProjects, ANameTakenByAProjectNotEscdsIsAConflict) {
    const auto token = RunNow<Token>([&] { return session_->keystone().Current(); });
    const json::object body{
        {"project", json::object{{"name", tenant_.name}, {"domain_id", token.project_domain_id}}}};
    const auto made = Api(http::verb::post, "/projects", json::serialize(body));
    ASSERT_EQ(made.status, 201) << made.body;
    const auto theirs = std::string(json::parse(made.body).at("project").at("id").as_string());
    to_delete_.insert(theirs);

    try {
        Ensure(tenant_);
        FAIL() << "the name is taken";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kConflict) << e.what();
    }
    const auto project = Shown(theirs);
    EXPECT_TRUE(project.at("tags").as_array().empty()) << "not taken over";
    EXPECT_EQ(NamedCount(tenant_.name), 1u);
    EXPECT_FALSE(Find());
}

}  // namespace
}  // namespace escd::test
