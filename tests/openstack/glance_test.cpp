// escd's images on the real Glance of tests/openstack/up.sh (vim/openstack/glance.hpp): a file
// of a few MB uploaded streamed, checked, made once, leftovers replaced, deleted; each checked
// through the Glance API itself. Every image is named after a random id and deleted at the end
// (the plane is shared).

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/glance.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;
namespace json = boost::json;

std::string Sha512Of(const std::string& bytes) {
    unsigned char value[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), value, &length, EVP_sha512(), nullptr), 1);
    std::string hex;
    char pair[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(pair, sizeof pair, "%02x", value[i]);
        hex += pair;
    }
    return hex;
}

class GlanceImages : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
        session_.emplace(client_, TestCredentials());
        glance_.emplace(*session_, reads_);
        internal_id_ = "img-" + UniqueSuffix();
    }

    void TearDown() override {
        if (glance_) {
            RunNow<int>([&]() -> asio::awaitable<int> {
                co_await glance_->DeleteImage(internal_id_);
                co_return 0;
            });
        }
        for (const auto& file : files_) std::remove(file.c_str());
    }

    /// A file of `size` random bytes (a fresh one each time: uploads are not deduplicated).
    std::string MakeFile(std::size_t size, std::string* content = nullptr) {
        std::string bytes(size, '\0');
        std::mt19937_64 random(std::random_device{}());
        for (auto& byte : bytes) byte = static_cast<char>(random());
        char path[] = "/tmp/escd-glance-XXXXXX";
        const int fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        ::close(fd);
        std::ofstream(path, std::ios::binary) << bytes;
        files_.emplace_back(path);
        if (content) *content = std::move(bytes);
        return path;
    }

    std::string Ensure(const std::string& file) {
        ImageUpload upload{internal_id_, file};
        return RunNow<std::string>([&] { return glance_->EnsureImage(upload); });
    }

    ApiResponse Api(http::verb method, const std::string& path, const std::string& body = {}) {
        const std::set<int> any{404};
        return RunNow<ApiResponse>(
            [&] { return session_->Call("image", method, path, body, any); });
    }

    /// The images named escd-<internal id>, through the API.
    json::array Listed() {
        const auto answer = Api(http::verb::get, "/v2/images?name=escd-" + internal_id_);
        return json::parse(answer.body).at("images").as_array();
    }

    /// A queued image of escd's name, made by hand (an upload that never came).
    std::string MakeQueued() {
        const json::object body{{"name", "escd-" + internal_id_},
                                {"disk_format", "raw"},
                                {"container_format", "bare"},
                                {"visibility", "private"}};
        const auto answer = Api(http::verb::post, "/v2/images", json::serialize(body));
        EXPECT_EQ(answer.status, 201) << answer.body;
        return std::string(json::parse(answer.body).at("id").as_string());
    }

    ssl::context tls_{ssl::context::tls_client};
    ApiClient client_{tls_, std::chrono::seconds(60), CidrList::Parse("127.0.0.0/8,::1/128")};
    std::optional<Session> session_;
    asio::thread_pool reads_{1};
    std::optional<Glance> glance_;
    std::string internal_id_;
    std::vector<std::string> files_;
};

TEST_F(GlanceImages, AFileIsUploadedCheckedMadeOnceAndDeleted) {
    // ESCD_TEST_GLANCE_MB: a larger upload to measure with; a few MB by default.
    const auto mb = Env("ESCD_TEST_GLANCE_MB").empty() ? 8 : std::stoi(Env("ESCD_TEST_GLANCE_MB"));
    std::string content;
    const auto file = MakeFile(static_cast<std::size_t>(mb) << 20, &content);

    const auto started = std::chrono::steady_clock::now();
    const auto id = Ensure(file);
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "[ measured ] EnsureImage of " << mb << " MB: " << seconds << " s, "
              << mb / seconds << " MB/s (create + upload + active + local sha512)\n";

    const auto shown = Api(http::verb::get, "/v2/images/" + id);
    ASSERT_EQ(shown.status, 200);
    const auto image = json::parse(shown.body);
    EXPECT_EQ(image.at("name").as_string(), "escd-" + internal_id_);
    EXPECT_EQ(image.at("status").as_string(), "active");
    EXPECT_EQ(image.at("visibility").as_string(), "private");
    EXPECT_EQ(image.at("disk_format").as_string(), "raw");
    EXPECT_EQ(image.at("container_format").as_string(), "bare");
    EXPECT_EQ(image.at("escd_id").as_string(), internal_id_);
    EXPECT_EQ(image.at("size").to_number<std::int64_t>(),
              static_cast<std::int64_t>(content.size()));
    EXPECT_EQ(image.at("os_hash_algo").as_string(), "sha512");
    EXPECT_EQ(image.at("os_hash_value").as_string(), Sha512Of(content))
        << "Glance stored the file's bytes";
    // And they come back as they went (up to what ApiClient reads into memory).
    if (mb <= 32) {
        const auto downloaded = Api(http::verb::get, "/v2/images/" + id + "/file");
        ASSERT_EQ(downloaded.status, 200);
        EXPECT_TRUE(downloaded.body == content) << downloaded.body.size() << " bytes came back";
    }

    // Made again (a rerun after a crash): the same image, no second one, no second upload.
    EXPECT_EQ(Ensure(file), id);
    EXPECT_EQ(Listed().size(), 1u);
    EXPECT_EQ(RunNow<std::optional<std::string>>([&] { return glance_->FindImage(internal_id_); }),
              id);

    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await glance_->DeleteImage(internal_id_);
        co_await glance_->DeleteImage(internal_id_);  // gone already: done
        co_return 0;
    });
    EXPECT_EQ(Api(http::verb::get, "/v2/images/" + id).status, 404);
    EXPECT_TRUE(Listed().empty());
    EXPECT_FALSE(
        RunNow<std::optional<std::string>>([&] { return glance_->FindImage(internal_id_); }));
}

TEST_F(GlanceImages, AQueuedLeftoverIsDeletedAndTheImageMadeAgain) {
    const auto queued = MakeQueued();
    ASSERT_EQ(Listed().size(), 1u);
    EXPECT_FALSE(RunNow<std::optional<std::string>>([&] {
        return glance_->FindImage(internal_id_);
    })) << "a queued image is not one escd can use";

    std::string content;
    const auto id = Ensure(MakeFile(1 << 20, &content));
    EXPECT_NE(id, queued);
    EXPECT_EQ(Api(http::verb::get, "/v2/images/" + queued).status, 404) << "the leftover went";
    const auto listed = Listed();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].at("id").as_string(), id);
    EXPECT_EQ(listed[0].at("status").as_string(), "active");
    EXPECT_EQ(listed[0].at("os_hash_value").as_string(), Sha512Of(content));
}

TEST_F(GlanceImages, AnImageOfOtherContentIsReplaced) {
    // An active image of escd's name holding other bytes of the same size (the file changed
    // since that upload): only the digest tells them apart.
    std::string content;
    const auto file = MakeFile(512 * 1024, &content);
    const auto other_file = MakeFile(512 * 1024);
    const auto stale = MakeQueued();
    const auto put = RunNow<ApiResponse>([&] {
        return session_->CallWithFile("image", http::verb::put, "/v2/images/" + stale + "/file",
                                      other_file, "application/octet-stream", reads_);
    });
    ASSERT_EQ(put.status, 204);
    // Glance's file store has the image active when it answers the upload.
    ASSERT_EQ(
        json::parse(Api(http::verb::get, "/v2/images/" + stale).body).at("status").as_string(),
        "active");

    const auto id = Ensure(file);
    EXPECT_NE(id, stale);
    EXPECT_EQ(Api(http::verb::get, "/v2/images/" + stale).status, 404);
    const auto listed = Listed();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].at("os_hash_value").as_string(), Sha512Of(content));
}

TEST_F(GlanceImages, AnUploadWithARevokedTokenIsSentAgainWithANewOne) {
    // The queued image is made in a session of its own: Glance caches a token it has checked
    // (keystonemiddleware), so the upload must be the first Glance call with the revoked one.
    Session other(client_, TestCredentials());
    const json::object body{
        {"name", "escd-" + internal_id_}, {"disk_format", "raw"}, {"container_format", "bare"}};
    const auto made = RunNow<ApiResponse>(
        [&] { return other.Call("image", http::verb::post, "/v2/images", json::serialize(body)); });
    const auto queued = std::string(json::parse(made.body).at("id").as_string());
    std::string content;
    const auto file = MakeFile(8 << 20, &content);
    // The token revokes itself (DELETE /v3/auth/tokens); the session still holds it. Glance
    // answers 401 before it reads the body and closes (seen: the write breaks with EPIPE, the
    // answer is read all the same); the session authenticates again and sends the file anew.
    const auto token = RunNow<Token>([&] { return session_->keystone().Current(); });
    ApiRequest revoke;
    revoke.method = http::verb::delete_;
    revoke.url = Env("ESCD_TEST_OS_AUTH_URL") + "/auth/tokens";
    revoke.headers = {{"X-Auth-Token", token.id}, {"X-Subject-Token", token.id}};
    ASSERT_EQ(RunNow<ApiResponse>([&] { return client_.Send(revoke); }).status, 204);

    const auto put = RunNow<ApiResponse>([&] {
        return session_->CallWithFile("image", http::verb::put, "/v2/images/" + queued + "/file",
                                      file, "application/octet-stream", reads_);
    });
    EXPECT_EQ(put.status, 204);
    EXPECT_NE(RunNow<Token>([&] { return session_->keystone().Current(); }).id, token.id);
    const auto image = json::parse(Api(http::verb::get, "/v2/images/" + queued).body);
    EXPECT_EQ(image.at("status").as_string(), "active");
    EXPECT_EQ(image.at("os_hash_value").as_string(), Sha512Of(content));
}

TEST_F(GlanceImages, AFileThatCannotBeReadTouchesNothing) {
    const auto queued = MakeQueued();
    try {
        Ensure("/nonexistent/escd-image.raw");
        FAIL() << "no such file";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInternal) << e.what();
    }
    EXPECT_EQ(Api(http::verb::get, "/v2/images/" + queued).status, 200)
        << "nothing was deleted for a file escd could not read";
}

}  // namespace
}  // namespace escd::test
