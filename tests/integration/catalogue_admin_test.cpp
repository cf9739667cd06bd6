// The catalogue's admin API through a real escd (docs/catalogue.md, "Admin API"): publishing a
// product, a release and an image, the image's content streamed to disk (larger than the body
// limit of the other routes) with escd's own digests, JSON errors naming what is wrong with
// nothing stored, API clients, and an upload cut by kill -9 that leaves nothing behind.

#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "common/crypto.hpp"
#include "tests/integration/escd_fixture.hpp"
#include "tests/support/test_bytes.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class CatalogueAdmin : public EscdTest {
  protected:
    static std::map<std::string, std::string> Json() {
        return {{"Content-Type", "application/json"}};
    }
    static json::object Parsed(const HttpResponse& response) {
        return json::parse(response.body).as_object();
    }
    std::string ErrorMessage(const HttpResponse& response) {
        EXPECT_EQ(response.Header("Content-Type"), "application/json") << response.body;
        return std::string(Parsed(response).at("error").at("message").as_string());
    }

    // Product ESCD-VNF, release 1.0 of software type 1, image vnf.qcow2: its GUID.
    std::string PublishImage() {
        EXPECT_EQ(client_
                      ->Put("/catalogue/v1/products/ESCD-VNF",
                            R"({"mdfId":"286000001","mdfConceptName":"escd test VNF"})", Json())
                      .status,
                  200);
        auto release = client_->Post(
            "/catalogue/v1/releases",
            R"({"pid":"ESCD-VNF","softwareTypeId":"1","softwareTypeName":"VNF Software",
                "operatingPlatform":"Linux","version":"1.0","fcsDate":"2026-12-01"})",
            Json());
        EXPECT_EQ(release.status, 200) << release.body;
        const auto id = Parsed(release).at("releaseId").as_int64();
        auto image = client_->Post("/catalogue/v1/releases/" + std::to_string(id) + "/images",
                                   R"({"name":"vnf.qcow2","eula":true})", Json());
        EXPECT_EQ(image.status, 200) << image.body;
        return std::string(Parsed(image).at("imageGuid").as_string());
    }

    fs::path CatalogueDir() const { return fs::path(escd_->data_dir()) / "catalogue"; }
};

TEST_F(CatalogueAdmin, AnImagesContentIsStreamedToDiskWithEscdsOwnDigests) {
    const auto guid = PublishImage();
    // Over the 10 MiB body limit of the other routes: only a streamed route takes it.
    const auto content = PseudoRandomBytes(24 * 1024 * 1024 + 5);
    auto stored = client_->Put("/catalogue/v1/images/" + guid + "/content", content,
                               {{"Content-Type", "application/octet-stream"}});
    ASSERT_EQ(stored.status, 200) << stored.body;
    const auto digest = Parsed(stored);
    EXPECT_EQ(digest.at("size").as_int64(), static_cast<std::int64_t>(content.size()));
    EXPECT_EQ(digest.at("sha512").as_string(), HexDigest(content, EVP_sha512()));
    const auto sha512 = std::string(digest.at("sha512").as_string());
    EXPECT_EQ(fs::file_size(CatalogueDir() / sha512.substr(0, 2) / sha512), content.size());

    const auto image = Parsed(client_->Get("/catalogue/v1/images/" + guid));
    EXPECT_EQ(image.at("sha512").as_string(), sha512);
    EXPECT_EQ(image.at("md5").as_string().size(), 32u);
    EXPECT_EQ(image.at("version").as_string(), "1.0");
    EXPECT_TRUE(image.at("eula").as_bool());

    // The same content again: one file, one row.
    ASSERT_EQ(client_
                  ->Put("/catalogue/v1/images/" + guid + "/content", content,
                        {{"Content-Type", "application/octet-stream"}})
                  .status,
              200);
    EXPECT_EQ(Count("catalogue_files"), 1);
}

TEST_F(CatalogueAdmin, BadInputGetsAJsonErrorNamingTheProblemAndNothingIsStored) {
    auto missing = client_->Put("/catalogue/v1/products/P1", R"({"mdfConceptName":"x"})", Json());
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(ErrorMessage(missing).find("mdfId"), std::string::npos);
    auto not_json = client_->Put("/catalogue/v1/products/P1", "{mdfId:", Json());
    EXPECT_EQ(not_json.status, 400);
    EXPECT_NE(ErrorMessage(not_json).find("not JSON"), std::string::npos);
    EXPECT_EQ(
        client_
            ->Put("/catalogue/v1/products/P1", R"({"mdfId":"1"})", {{"Content-Type", "text/plain"}})
            .status,
        415);
    auto orphan = client_->Post("/catalogue/v1/releases",
                                R"({"pid":"NOPE","softwareTypeId":"1","version":"1"})", Json());
    EXPECT_EQ(orphan.status, 404);
    EXPECT_NE(ErrorMessage(orphan).find("NOPE"), std::string::npos);
    const auto guid = PublishImage();
    auto path_name = client_->Post("/catalogue/v1/releases/1/images", R"({"name":"../x"})", Json());
    EXPECT_EQ(path_name.status, 400);
    EXPECT_NE(ErrorMessage(path_name).find("not a file name"), std::string::npos);
    EXPECT_EQ(client_->Put("/catalogue/v1/images/XYZ/content", "abc").status, 400);
    const std::string stranger(40, 'A');
    auto unknown = client_->Put("/catalogue/v1/images/" + stranger + "/content", "abc");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(ErrorMessage(unknown).find(stranger), std::string::npos);
    EXPECT_EQ(client_->Get("/catalogue/v1/nothing-here").status, 404);

    HttpClient anonymous = escd_->Client();
    anonymous.ClearAuth();
    auto refused = anonymous.Get("/catalogue/v1/products");
    EXPECT_EQ(refused.status, 401);
    EXPECT_NE(refused.Header("WWW-Authenticate").find("Basic"), std::string::npos);

    EXPECT_EQ(Count("catalogue_products"), 1) << "only the one PublishImage made";
    EXPECT_EQ(Count("catalogue_images"), 1);
    EXPECT_EQ(Count("catalogue_files"), 0);
    EXPECT_EQ(Parsed(client_->Get("/catalogue/v1/images/" + guid)).at("size"), nullptr);
}

TEST_F(CatalogueAdmin, AClientsSecretIsShownOnceAndARevokedClientIsListedSo) {
    auto created = client_->Post("/catalogue/v1/clients", R"({"name":"upgrade scripts"})", Json());
    ASSERT_EQ(created.status, 201) << created.body;
    const auto client = Parsed(created);
    const auto id = std::string(client.at("clientId").as_string());
    EXPECT_GE(client.at("clientSecret").as_string().size(), 32u);
    auto listed = client_->Get("/catalogue/v1/clients");
    EXPECT_EQ(listed.body.find(std::string(client.at("clientSecret").as_string())),
              std::string::npos)
        << "the secret is never shown again";
    EXPECT_EQ(client_->Delete("/catalogue/v1/clients/" + id).status, 200);
    EXPECT_TRUE(Parsed(client_->Get("/catalogue/v1/clients"))
                    .at("clients")
                    .as_array()
                    .at(0)
                    .at("revoked")
                    .as_bool());
    EXPECT_EQ(client_->Delete("/catalogue/v1/clients/nobody").status, 404);
}

TEST_F(CatalogueAdmin, AnUploadCutByKillLeavesNothingAndTheRestartRemovesItsPart) {
    const auto guid = PublishImage();
    // A client that announced 64 MiB and sent 4: escd is writing the part when it is killed.
    const int fd = ConnectLoopback(escd_->http_port());
    const std::string head = "PUT /catalogue/v1/images/" + guid +
                             "/content HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " +
                             Base64Encode("admin:" + escd_->admin_password()) +
                             "\r\nContent-Length: 67108864\r\n\r\n";
    const auto part = PseudoRandomBytes(4 * 1024 * 1024);
    ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(head.size()));
    ASSERT_EQ(::send(fd, part.data(), part.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(part.size()));
    // The part exists once escd wrote some of it: inotify tells when it is written to.
    const auto incoming = CatalogueDir() / "incoming";
    const auto has_part = [&] {
        for (const auto& entry : fs::directory_iterator(incoming))
            if (fs::file_size(entry.path()) > 0) return true;
        return false;
    };
    const int watch = ::inotify_init1(IN_CLOEXEC);
    ASSERT_GE(watch, 0);
    ASSERT_GE(::inotify_add_watch(watch, incoming.c_str(), IN_MODIFY | IN_CLOSE_WRITE), 0);
    pollfd ready{watch, POLLIN, 0};
    while (!has_part() && ::poll(&ready, 1, 20000) > 0) {
        char events[4096];
        (void)::read(watch, events, sizeof events);
    }
    ::close(watch);
    ASSERT_TRUE(has_part()) << "escd wrote none of the upload";
    escd_->Kill();
    ::close(fd);

    StartEscd();
    EXPECT_TRUE(fs::is_empty(incoming)) << "the part of the killed upload was not removed";
    EXPECT_EQ(Count("catalogue_files"), 0);
    EXPECT_EQ(Parsed(client_->Get("/catalogue/v1/images/" + guid)).at("size"), nullptr);
}

}  // namespace
}  // namespace escd::test
