// The Software Distribution face through a real escd, driven like the real clients drive Cisco's
// API v4.0 (docs/catalogue.md): a client-credentials token
// (form, query or Basic), metadata by PID and release or image names, download URLs with their
// metadataTransId, the EULA and K9 forms, the file by GET with the bearer and by the cloud flow's
// form POST, resumed with Range, its bytes checked against the metadata's checksums; each error
// token with its status.

#include <openssl/evp.h>

#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <thread>

#include "common/crypto.hpp"
#include "server/swdist/signer.hpp"
#include "tests/integration/escd_fixture.hpp"
#include "tests/support/test_bytes.hpp"

namespace escd::test {
namespace {

namespace json = boost::json;

class SoftwareDistribution : public EscdTest {
  protected:
    void SetUp() override {
        EscdTest::SetUp();
        if (IsSkipped()) return;
        Admin("PUT", "/products/ESCD-VNF", R"({"mdfId":"286000001","mdfConceptName":"escd VNF"})");
        const auto old_release = Release("1.0", false);
        const auto new_release = Release("1.10", true);  // newer than 1.9 and 1.0
        Image(old_release, R"({"name":"vnf-1.0.qcow2"})", PseudoRandomBytes(1000, 1));
        eula_guid_ = Image(new_release, R"({"name":"vnf-1.10.qcow2","eula":true})", vnf_);
        k9_guid_ =
            Image(new_release, R"({"name":"crypto-1.10.bin","k9":true})", PseudoRandomBytes(77, 3));
        const auto client =
            json::parse(Admin("POST", "/clients", R"({"name":"upgrade tool"})").body).as_object();
        client_id_ = std::string(client.at("clientId").as_string());
        secret_ = std::string(client.at("clientSecret").as_string());
        token_ = TokenFromForm();
    }

    HttpResponse Admin(const std::string& method,
                       const std::string& path,
                       const std::string& body) {
        auto response = client_->Request(method, "/catalogue/v1" + path, body,
                                         {{"Content-Type", "application/json"}});
        EXPECT_LT(response.status, 300) << method << " " << path << ": " << response.body;
        return response;
    }
    std::int64_t Release(const std::string& version, bool suggested) {
        const auto body = R"({"pid":"ESCD-VNF","softwareTypeId":"280000001","softwareTypeName":)"
                          R"("VNF Software","operatingPlatform":"Linux","version":")" +
                          version + R"(","suggested":)" + (suggested ? "true" : "false") + "}";
        return json::parse(Admin("POST", "/releases", body).body).at("releaseId").as_int64();
    }
    std::string Image(std::int64_t release, const std::string& body, const std::string& content) {
        const auto image = json::parse(
            Admin("POST", "/releases/" + std::to_string(release) + "/images", body).body);
        const auto guid = std::string(image.at("imageGuid").as_string());
        client_->Put("/catalogue/v1/images/" + guid + "/content", content,
                     {{"Content-Type", "application/octet-stream"}});
        return guid;
    }

    std::string TokenFromForm() {
        HttpClient anonymous = escd_->Client();
        anonymous.ClearAuth();
        auto answer = anonymous.Post(
            "/oauth2/default/v1/token",
            "grant_type=client_credentials&client_id=" + client_id_ + "&client_secret=" + secret_,
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(answer.status, 200) << answer.body;
        const auto token = json::parse(answer.body).as_object();
        EXPECT_EQ(token.at("token_type").as_string(), "Bearer");
        EXPECT_EQ(token.at("expires_in").as_int64(), 3600);
        return std::string(token.at("access_token").as_string());
    }

    // POST /software/v4.0/`path` with the bearer token.
    HttpResponse Api(const std::string& path, const std::string& body, const std::string& token) {
        HttpClient api = escd_->Client();
        api.ClearAuth();
        return api.Post("/software/v4.0/" + path, body,
                        {{"Content-Type", "application/json"},
                         {"Accept", "application/json"},
                         {"Authorization", "Bearer " + token}});
    }
    json::object ApiOk(const std::string& path, const std::string& body) {
        auto answer = Api(path, body, token_);
        EXPECT_EQ(answer.status, 200) << path << ": " << answer.body;
        return json::parse(answer.body).as_object();
    }
    // The error token of an answer, checking its status.
    std::string ErrorToken(const HttpResponse& answer, int status) {
        EXPECT_EQ(answer.status, status) << answer.body;
        return std::string(
            json::parse(answer.body).at("exception").as_array().at(0).at("code").as_string());
    }
    // The image objects of a metadata tree, in order.
    static std::vector<json::object> TreeImages(const json::object& answer) {
        std::vector<json::object> images;
        for (const auto& meta : answer.at("metadata").as_array())
            for (const auto& product : meta.at("products").as_array())
                for (const auto& type : product.at("softwareTypes").as_array())
                    for (const auto& os : type.at("operatingSystems").as_array())
                        for (const auto& release : os.at("releases").as_array())
                            for (const auto& image : release.at("images").as_array())
                                images.push_back(image.as_object());
        return images;
    }
    static std::string Codes(const json::object& item) {
        std::string codes;
        for (const auto& e : item.at("exception").as_array())
            codes += std::string(e.at("code").as_string()) + " ";
        return codes;
    }
    // The EULA accepted for every file: the download URL of vnf-1.10.qcow2, as a client gets it.
    std::string AcceptedVnfUrl() {
        ApiOk("compliance/eula", R"({"status":"Accepted"})");
        const auto trans_id = std::string(
            ApiOk("metadata/pidimage", R"({"pid":"ESCD-VNF","imageNames":["vnf-1.10.qcow2"]})")
                .at("metadataTransId")
                .as_string());
        return std::string(ApiOk("download/pidimage",
                                 R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":")" +
                                     trans_id + R"(","imageGuids":[")" + eula_guid_ + R"("]})")
                               .at("downloads")
                               .at(0)
                               .at("url")
                               .as_string());
    }
    // Path and query of an absolute URL escd handed out (it names this escd's listener).
    static std::string Target(const std::string& url) {
        const auto scheme_end = url.find("://");
        return url.substr(url.find('/', scheme_end + 3));
    }

    std::string vnf_ = PseudoRandomBytes(3 * 1024 * 1024 + 11, 2);
    std::string eula_guid_, k9_guid_, client_id_, secret_, token_;
};

TEST_F(SoftwareDistribution, AClientFindsTheLatestReleaseAcceptsTheEulaAndDownloadsTheExactBytes) {
    // pidrelease, as PowerShell and Python clients send it (perPage as a string).
    const auto latest = ApiOk("metadata/pidrelease",
                              R"({"pid":"ESCD-VNF","currentReleaseVersion":"1.0",)"
                              R"("outputReleaseVersion":"latest","pageIndex":"1","perPage":"25"})");
    const auto trans_id = std::string(latest.at("metadataTransId").as_string());
    EXPECT_EQ(trans_id.size(), 20u);
    const auto images = TreeImages(latest);
    ASSERT_EQ(images.size(), 2u) << "the two images of 1.10, the newest release";
    const auto release = latest.at("metadata")
                             .at(0)
                             .at("products")
                             .at(0)
                             .at("softwareTypes")
                             .at(0)
                             .at("operatingSystems")
                             .at(0)
                             .at("releases")
                             .at(0);
    EXPECT_EQ(release.at("version").as_string(), "1.10");
    EXPECT_EQ(release.at("isSuggested").as_string(), "Y");
    json::object vnf;
    for (const auto& image : images)
        if (image.at("imageGuid").as_string() == eula_guid_) vnf = image;
    ASSERT_FALSE(vnf.empty());
    EXPECT_EQ(vnf.at("size").as_string(), std::to_string(vnf_.size()));
    EXPECT_EQ(vnf.at("md5").as_string(), HexDigest(vnf_, EVP_md5()));
    EXPECT_EQ(vnf.at("sha512").as_string(), HexDigest(vnf_, EVP_sha512()));
    EXPECT_NE(Codes(vnf).find("EULA_FORM_AR"), std::string::npos) << Codes(vnf);

    const std::string download_body = R"({"pid":"ESCD-VNF","mdfId":286000001,"metadataTransId":")" +
                                      trans_id + R"(","imageGuids":[")" + eula_guid_ + R"("]})";
    const auto pending = ApiOk("download/pidimage", download_body);
    const auto& waiting = pending.at("downloads").at(0).as_object();
    EXPECT_EQ(waiting.at("url").as_string(), "") << "no URL before the EULA is accepted";
    EXPECT_NE(json::serialize(pending.at("acceptanceForm")).find("eulaContent"), std::string::npos);

    EXPECT_EQ(ApiOk("compliance/eula", R"({"status":"Accepted","fileNames":"vnf-1.10.qcow2"})")
                  .at("statusCode")
                  .as_string(),
              "0");
    const auto granted = ApiOk("download/pidimage", download_body);
    const auto& link = granted.at("downloads").at(0).as_object();
    const auto url = std::string(link.at("url").as_string());
    const auto token = std::string(link.at("token").as_string());
    ASSERT_FALSE(url.empty()) << json::serialize(granted);
    EXPECT_EQ(link.at("imageName").as_string(), "vnf-1.10.qcow2");

    // GET with the bearer appended, as the reference says.
    HttpClient files = escd_->Client();
    files.ClearAuth();
    auto whole = files.Get(Target(url) + "&access_token=" + token_);
    ASSERT_EQ(whole.status, 200) << whole.body.substr(0, 300);
    EXPECT_EQ(whole.body.size(), vnf_.size());
    EXPECT_EQ(HexDigest(whole.body, EVP_sha512()), vnf["sha512"].as_string());
    EXPECT_FALSE(whole.Header("ETag").empty());

    // The cloud flow: POST the token as a form field.
    auto cloud = files.Post(Target(url), "X-Authentication-Control=" + token,
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(cloud.status, 200);
    EXPECT_EQ(cloud.body, vnf_);

    // A download broken off at 1 MiB resumes where it stopped, against the same ETag.
    const std::size_t had = 1024 * 1024;
    auto rest = files.Get(
        Target(url) + "&access_token=" + token_,
        {{"Range", "bytes=" + std::to_string(had) + "-"}, {"If-Range", whole.Header("ETag")}});
    ASSERT_EQ(rest.status, 206);
    EXPECT_EQ(rest.Header("Content-Range"), "bytes " + std::to_string(had) + "-" +
                                                std::to_string(vnf_.size() - 1) + "/" +
                                                std::to_string(vnf_.size()));
    EXPECT_EQ(vnf_.substr(0, had) + rest.body, vnf_);
    EXPECT_EQ(
        files.Get(Target(url) + "&access_token=" + token_, {{"Range", "bytes=999999999-"}}).status,
        416);

    // Over HTTPS too.
    HttpClient tls = escd_->Client(true);
    tls.ClearAuth();
    auto secure = tls.Get(Target(url) + "&access_token=" + token_);
    ASSERT_EQ(secure.status, 200);
    EXPECT_EQ(secure.body, vnf_);
}

TEST_F(SoftwareDistribution, TokensComeForAFormAQueryOrBasicAndAWrongSecretIsInvalidClient) {
    HttpClient anonymous = escd_->Client();
    anonymous.ClearAuth();
    auto by_query = anonymous.Post(
        "/oauth2/default/v1/token?grant_type=client_credentials&client_id=" + client_id_ +
            "&client_secret=" + secret_,
        "");
    EXPECT_EQ(by_query.status, 200) << by_query.body;
    auto by_basic =
        anonymous.Post("/oauth2/default/v1/token", "grant_type=client_credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Authorization", "Basic " + Base64Encode(client_id_ + ":" + secret_)}});
    EXPECT_EQ(by_basic.status, 200) << by_basic.body;
    const auto basic_token = std::string(json::parse(by_basic.body).at("access_token").as_string());
    EXPECT_EQ(Api("metadata/images", R"({"imageNames":["vnf-1.0.qcow2"]})", basic_token).status,
              200);

    auto wrong = anonymous.Post(
        "/oauth2/default/v1/token",
        "grant_type=client_credentials&client_id=" + client_id_ + "&client_secret=nope",
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(json::parse(wrong.body).at("error").as_string(), "invalid_client");

    // A revoked client's token no longer opens the API.
    Admin("DELETE", "/clients/" + client_id_, "");
    EXPECT_EQ(ErrorToken(Api("metadata/images", R"({"imageNames":["x"]})", basic_token), 403),
              "NOT_AUTHORIZED");
}

TEST_F(SoftwareDistribution, EachMistakeGetsTheReferencesTokenAndStatus) {
    EXPECT_EQ(ErrorToken(Api("metadata/pidrelease", "{}", ""), 403), "NOT_AUTHORIZED");
    EXPECT_EQ(ErrorToken(Api("metadata/pidrelease", "{}", token_ + "x"), 403), "NOT_AUTHORIZED");
    EXPECT_EQ(
        ErrorToken(Api("metadata/pidrelease", R"({"currentReleaseVersion":"1"})", token_), 400),
        "PID_MISSING");
    EXPECT_EQ(
        ErrorToken(
            Api("metadata/pidrelease",
                R"({"pid":"NOPE","currentReleaseVersion":"1","outputReleaseVersion":"latest"})",
                token_),
            400),
        "NO_DATA_FOUND_FOR_PID");
    EXPECT_EQ(
        ErrorToken(
            Api("metadata/pidrelease",
                R"({"pid":"ESCD-VNF","currentReleaseVersion":"1.10","outputReleaseVersion":"above"})",
                token_),
            404),
        "NO_DATA_FOUND");
    EXPECT_EQ(
        ErrorToken(Api("metadata/pidimage",
                       R"({"pid":"ESCD-VNF","imageNames":["a","b","c","d","e","f"]})", token_),
                   400),
        "IMAGE_LIMIT_EXCEEDED");
    EXPECT_EQ(ErrorToken(Api("metadata/pidimage",
                             R"({"pid":"ESCD-VNF","imageNames":["no-such-image.bin"]})", token_),
                         400),
              "IMG_NM_INVALID");
    EXPECT_EQ(
        ErrorToken(Api("metadata/pidrelease",
                       R"({"pid":")" + std::string(300, 'P') +
                           R"(","currentReleaseVersion":"1","outputReleaseVersion":"latest"})",
                       token_),
                   400),
        "PID_INVALID");
    EXPECT_EQ(
        ErrorToken(
            Api("download/pidimage",
                R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":"12345678901234567890","imageGuids":[")" +
                    eula_guid_ + R"("]})",
                token_),
            400),
        "INVALID_MTRANSID");
    const auto trans_id = std::string(
        ApiOk("metadata/pidimage", R"({"pid":"ESCD-VNF","imageNames":["vnf-1.0.qcow2","nothing"]})")
            .at("metadataTransId")
            .as_string());
    EXPECT_EQ(
        ErrorToken(Api("download/pidimage",
                       R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":")" + trans_id +
                           R"(","imageGuids":["0123456789012345678901234567890123456789"]})",
                       token_),
                   400),
        "IMAGE_GUID_INVALID");
    EXPECT_EQ(ErrorToken(Api("download/pidimage",
                             R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":")" +
                                 trans_id + R"(","imageGuids":["xyz"]})",
                             token_),
                         400),
              "IMAGE_GUID_INVALID");
}

TEST_F(SoftwareDistribution, ADeclinedK9FormWithholdsTheDownloadEvenThroughAUrlIssuedBefore) {
    ASSERT_EQ(
        ApiOk("compliance/k9",
              R"({"status":"Accepted","fileNames":"crypto-1.10.bin","confirm":"Confirm_Checked",)"
              R"("busFunction":"COMM_OR_CIVIL","govMilCountries":"GOV_OR_MIL_COUNTRIES_NO"})")
            .at("statusCode")
            .as_string(),
        "0");
    const auto trans_id = std::string(
        ApiOk("metadata/pidimage", R"({"pid":"ESCD-VNF","imageNames":["crypto-1.10.bin"]})")
            .at("metadataTransId")
            .as_string());
    const auto granted =
        ApiOk("download/pidimage", R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":")" +
                                       trans_id + R"(","imageGuids":[")" + k9_guid_ + R"("]})");
    const auto url = std::string(granted.at("downloads").at(0).at("url").as_string());
    ASSERT_FALSE(url.empty()) << json::serialize(granted);

    ApiOk("compliance/k9",
          R"({"status":"Declined","declineComments":"not for us","fileNames":"crypto-1.10.bin"})");
    HttpClient files = escd_->Client();
    files.ClearAuth();
    auto refused = files.Get(Target(url) + "&access_token=" + token_);
    EXPECT_EQ(ErrorToken(refused, 403), "NOT_AUTHORIZED");
    EXPECT_NE(refused.body.find("K9_REJECTED"), std::string::npos) << refused.body;
    const auto status = ApiOk("metadata/images", R"({"imageNames":["crypto-1.10.bin"]})");
    EXPECT_NE(Codes(status.at("metadata").at(0).as_object()).find("K9_REJECTED"),
              std::string::npos);
}

TEST_F(SoftwareDistribution, ATokenOrTransactionIdPastItsHourIsRefusedByTheServer) {
    // Signed with escd's own key on a clock two hours back: genuine, but expired.
    const auto key =
        db_.Query("SELECT value FROM settings WHERE key = 'catalogue.signing_key'")[0][0]
            .as<std::string>();
    const server::swdist::Signer past(
        key, [] { return std::chrono::system_clock::now() - std::chrono::hours(2); });
    const server::swdist::Signer present(key, [] { return std::chrono::system_clock::now(); });
    EXPECT_EQ(ErrorToken(Api("metadata/images", R"({"imageNames":["vnf-1.0.qcow2"]})",
                             past.IssueToken(client_id_)),
                         403),
              "NOT_AUTHORIZED");
    EXPECT_EQ(Api("metadata/images", R"({"imageNames":["vnf-1.0.qcow2"]})",
                  present.IssueToken(client_id_))
                  .status,
              200)
        << "the same signature, in its hour, is honoured";
    EXPECT_EQ(ErrorToken(Api("download/pidimage",
                             R"({"pid":"ESCD-VNF","mdfId":"286000001","metadataTransId":")" +
                                 past.IssueTransaction(client_id_) + R"(","imageGuids":[")" +
                                 eula_guid_ + R"("]})",
                             token_),
                         400),
              "MTRANSID_EXPIRED");
}

TEST_F(SoftwareDistribution, ADownloadCutByKillResumesAfterTheRestartWithTheSameUrl) {
    const auto url = AcceptedVnfUrl();
    // A client that read the headers and the first bytes when escd was killed.
    const int fd = ConnectLoopback(escd_->http_port());
    const auto request =
        "GET " + Target(url) + "&access_token=" + token_ + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string received;
    char chunk[64 * 1024];
    while (received.find("\r\n\r\n") == std::string::npos || received.size() < 256 * 1024) {
        const auto n = ::recv(fd, chunk, sizeof chunk, 0);
        ASSERT_GT(n, 0) << "the download ended early";
        received.append(chunk, static_cast<std::size_t>(n));
    }
    escd_->Kill();
    ::close(fd);
    const auto body_at = received.find("\r\n\r\n") + 4;
    const auto had = received.substr(body_at);
    ASSERT_LT(had.size(), vnf_.size());

    StartEscd();
    HttpClient files = escd_->Client();
    files.ClearAuth();
    auto rest = files.Get(Target(url) + "&access_token=" + token_,
                          {{"Range", "bytes=" + std::to_string(had.size()) + "-"}});
    ASSERT_EQ(rest.status, 206) << rest.body.substr(0, 300);
    EXPECT_EQ(HexDigest(had + rest.body, EVP_sha512()), HexDigest(vnf_, EVP_sha512()));
}

TEST_F(SoftwareDistribution, AnotherNodeOnTheDatabaseHonoursTheTokenAndServesTheUrl) {
    const auto url = AcceptedVnfUrl();
    // A second node: the same database, the catalogue directory shared (docs/catalogue.md).
    EscdProcess other(OptionsFor(
        {"--catalogue.dir=" + (std::filesystem::path(escd_->data_dir()) / "catalogue").string()}));
    HttpClient api = other.Client();
    api.ClearAuth();
    auto images =
        api.Post("/software/v4.0/metadata/images", R"({"imageNames":["vnf-1.0.qcow2"]})",
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token_}});
    EXPECT_EQ(images.status, 200) << "a token of one node opens another: " << images.body;
    auto file = api.Get(Target(url) + "&access_token=" + token_);
    ASSERT_EQ(file.status, 200) << file.body.substr(0, 300);
    EXPECT_EQ(file.body, vnf_);
}

TEST_F(SoftwareDistribution, UploadsAtOnceOfTheSameAndOfDifferentContentStoreEachContentOnce) {
    const auto release = Release("2.0", false);
    std::vector<std::string> guids;
    for (int i = 0; i < 4; ++i) {
        guids.push_back(std::string(
            json::parse(Admin("POST", "/releases/" + std::to_string(release) + "/images",
                              R"({"name":"part-)" + std::to_string(i) + R"(.bin"})")
                            .body)
                .at("imageGuid")
                .as_string()));
    }
    // Images 0 and 1 get one content, 2 and 3 each their own.
    const std::vector<std::string> contents{
        PseudoRandomBytes(2 << 20, 7), PseudoRandomBytes(2 << 20, 7), PseudoRandomBytes(2 << 20, 8),
        PseudoRandomBytes(2 << 20, 9)};
    std::vector<std::thread> uploads;
    std::vector<int> statuses(4);
    for (int i = 0; i < 4; ++i) {
        uploads.emplace_back([&, i] {
            HttpClient uploader = escd_->Client();
            statuses[i] = uploader
                              .Put("/catalogue/v1/images/" + guids[i] + "/content", contents[i],
                                   {{"Content-Type", "application/octet-stream"}})
                              .status;
        });
    }
    for (auto& upload : uploads) upload.join();
    EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 200}));
    // The four of SetUp, and three new contents.
    EXPECT_EQ(Count("catalogue_files"), 6);
    const auto a = db_.Query("SELECT sha512 FROM catalogue_images WHERE guid = '" + guids[0] + "'");
    const auto b = db_.Query("SELECT sha512 FROM catalogue_images WHERE guid = '" + guids[1] + "'");
    EXPECT_EQ(a[0][0].as<std::string>(), b[0][0].as<std::string>());
}

}  // namespace
}  // namespace escd::test
