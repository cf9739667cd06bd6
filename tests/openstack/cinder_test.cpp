// escd's volumes on the real Cinder of tests/openstack/up.sh (vim/openstack/cinder.hpp), with
// its fake volume driver: made once with the size rounded up to GiB, a failed leftover
// replaced, a volume Cinder fails deleted and reported, deleted; each checked through the Cinder
// API itself. Every volume is named after a random id and deleted at the end (the plane is
// shared).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/cinder.hpp"
#include "vim/openstack/projects.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
namespace json = boost::json;

class CinderVolumes : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        cinder_.emplace(*session_);
        internal_id_ = "vol-" + UniqueSuffix();
    }

    void TearDown() override {
        if (cinder_) {
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await cinder_->DeleteVolume(internal_id_);
                co_return 0;
            });
        }
    }

    std::string Ensure(std::uint64_t bytes) {
        return RunNow<std::string>([&] { return cinder_->EnsureVolume(internal_id_, bytes); });
    }

    ApiResponse Api(http::verb method, const std::string& path, const std::string& body = {}) {
        const std::set<int> any{404};
        return RunNow<ApiResponse>(
            [&] { return session_->Call("volumev3", method, path, body, any); });
    }

    /// The volumes named escd-<internal id>, through the API.
    json::array Listed() {
        const auto answer = Api(http::verb::get, "/volumes/detail?name=escd-" + internal_id_);
        return json::parse(answer.body).at("volumes").as_array();
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    std::optional<Cinder> cinder_;
    std::string internal_id_;
};

TEST_F(CinderVolumes, AVolumeIsMadeOnceWithItsSizeRoundedUpAndDeleted) {
    const auto started = std::chrono::steady_clock::now();
    const auto id = Ensure(3ull << 29);  // 1.5 GiB
    std::cout << "[ measured ] EnsureVolume (create -> available): "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";

    const auto shown = Api(http::verb::get, "/volumes/" + id);
    ASSERT_EQ(shown.status, 200);
    const auto volume = json::parse(shown.body).at("volume");
    EXPECT_EQ(volume.at("name").as_string(), "escd-" + internal_id_);
    EXPECT_EQ(volume.at("status").as_string(), "available");
    EXPECT_EQ(volume.at("size").to_number<std::int64_t>(), 2) << "1.5 GiB rounds up to 2";
    EXPECT_EQ(volume.at("metadata").at("escd_id").as_string(), internal_id_);
    EXPECT_EQ(volume.at("bootable").as_string(), "false") << "blank";

    // Made again (a rerun after a crash): the same volume, no second one.
    EXPECT_EQ(Ensure(3ull << 29), id);
    EXPECT_EQ(Listed().size(), 1u);
    EXPECT_EQ(RunNow<std::optional<std::string>>([&] { return cinder_->FindVolume(internal_id_); }),
              id);

    const auto deleting = std::chrono::steady_clock::now();
    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await cinder_->DeleteVolume(internal_id_);
        co_await cinder_->DeleteVolume(internal_id_);  // gone already: done
        co_return 0;
    });
    std::cout << "[ measured ] DeleteVolume (delete -> 404): "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - deleting).count()
              << " s\n";
    // DeleteVolume waited: the volume is gone, not merely deleting.
    EXPECT_EQ(Api(http::verb::get, "/volumes/" + id).status, 404);
    EXPECT_TRUE(Listed().empty());
    EXPECT_FALSE(
        RunNow<std::optional<std::string>>([&] { return cinder_->FindVolume(internal_id_); }));
}

TEST_F(CinderVolumes, AVolumeInErrorIsDeletedAndMadeAgain) {
    const auto failed = Ensure(1);
    // What a failed create leaves: the admin action sets the state as a backend failure would.
    const auto reset = Api(http::verb::post, "/volumes/" + failed + "/action",
                           R"({"os-reset_status": {"status": "error"}})");
    ASSERT_EQ(reset.status, 202) << reset.body;
    ASSERT_EQ(json::parse(Api(http::verb::get, "/volumes/" + failed).body)
                  .at("volume")
                  .at("status")
                  .as_string(),
              "error");
    EXPECT_FALSE(RunNow<std::optional<std::string>>([&] {
        return cinder_->FindVolume(internal_id_);
    })) << "a failed volume is not one escd can use";

    const auto id = Ensure(1);
    EXPECT_NE(id, failed);
    EXPECT_EQ(Api(http::verb::get, "/volumes/" + failed).status, 404) << "the leftover went";
    const auto listed = Listed();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].at("id").as_string(), id);
    EXPECT_EQ(listed[0].at("status").as_string(), "available");
    EXPECT_EQ(listed[0].at("size").to_number<std::int64_t>(), 1) << "at least 1 GiB";
}

// A volume the scheduler cannot place goes to `error`: EnsureVolume deletes it and says so.
// Provoked without touching the shared project: a project of its own whose default volume type
// (Cinder 3.62) asks for a backend that does not exist.
class CinderNoBackend : public CinderVolumes {
  protected:
    void SetUp() override {
        CinderVolumes::SetUp();
        if (IsSkipped()) return;
        projects_.emplace(*session_);
        tenant_ = {"ten-" + UniqueSuffix(), "escd cinder test " + UniqueSuffix(), true};
        project_ = RunNow<std::string>([&] { return projects_->EnsureProject(tenant_); });
        const auto type =
            AdminCall(http::verb::post, "/types",
                      R"({"volume_type": {"name": "escd-nobackend-)" + UniqueSuffix() +
                          R"(", "os-volume-type-access:is_public": false,
                                        "extra_specs": {"volume_backend_name": "escd-none"}}})");
        ASSERT_EQ(type.status, 200) << type.body;
        type_ = std::string(json::parse(type.body).at("volume_type").at("id").as_string());
        const auto access =
            AdminCall(http::verb::post, "/types/" + type_ + "/action",
                      R"({"addProjectAccess": {"project": ")" + project_ + R"("}})");
        ASSERT_EQ(access.status, 202) << access.body;
        const auto defaulted =
            AdminCall(http::verb::put, "/default-types/" + project_,
                      R"({"default_type": {"volume_type": ")" + type_ + R"("}})", true);
        ASSERT_EQ(defaulted.status, 200) << defaulted.body;

        auto credentials = TestCredentials();
        credentials.project = tenant_.name;
        project_session_.emplace(client_, credentials);
        project_cinder_.emplace(*project_session_);
    }

    void TearDown() override {
        if (project_cinder_) {
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await project_cinder_->DeleteVolume(internal_id_);
                co_return 0;
            });
        }
        if (!project_.empty())
            AdminCall(http::verb::delete_, "/default-types/" + project_, {}, true);
        if (!type_.empty()) AdminCall(http::verb::delete_, "/types/" + type_);
        if (!project_.empty()) {
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await projects_->DeleteProject(project_);
                co_return 0;
            });
        }
        CinderVolumes::TearDown();
    }

    /// Cinder as the escd user in its own project, at microversion 3.62 (default types). The
    /// default types live beside the projects' URLs: /v3/default-types, not /v3/<project>/...
    ApiResponse AdminCall(http::verb method,
                          const std::string& path,
                          const std::string& body = {},
                          bool beside_project = false) {
        const auto token = RunNow<Token>([&] { return session_->keystone().Current(); });
        auto endpoint =
            RunNow<std::string>([&] { return session_->keystone().Endpoint("volumev3"); });
        if (beside_project) endpoint.erase(endpoint.rfind('/'));
        ApiRequest request;
        request.method = method;
        request.url = endpoint + path;
        request.body = body;
        request.headers = {{"X-Auth-Token", token.id}, {"OpenStack-API-Version", "volume 3.62"}};
        return RunNow<ApiResponse>([&] { return client_.Send(request); });
    }

    std::optional<Projects> projects_;
    vim::TenantRequest tenant_;
    std::string project_;
    std::string type_;
    std::optional<Session> project_session_;
    std::optional<Cinder> project_cinder_;
};

TEST_F(CinderNoBackend, AVolumeCinderFailsIsDeletedAndReported) {
    try {
        RunNow<std::string>([&] { return project_cinder_->EnsureVolume(internal_id_, 1); });
        FAIL() << "no backend can hold the volume";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kVimError) << e.what();
        EXPECT_NE(std::string(e.what()).find("could not create"), std::string::npos) << e.what();
    }
    const auto listed =
        RunNow<std::vector<CinderVolume>>([&] { return project_cinder_->VolumesOf(internal_id_); });
    EXPECT_TRUE(listed.empty()) << "the failed volume was deleted";
}

}  // namespace
}  // namespace escd::test
