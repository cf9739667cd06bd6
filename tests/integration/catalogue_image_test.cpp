// An ESC image made from a catalogue image (docs/catalogue.md, "ESC images from the catalogue"):
// named by `catalogue:<GUID>` or by a download URL the Software Distribution face handed out,
// its bytes taken from the catalogue directory after their checksums were checked; a file
// altered on disk fails the image with both digests in the callback, and a malformed reference
// is refused at the door.

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/resource_fixture.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string ImageBody(const std::string& src) {
    return "<image xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>vnf</name><src>" + src +
           "</src><disk_bus>virtio</disk_bus></image>";
}

class CatalogueImages : public ResourceTest {
  protected:
    // Publishes vnf.qcow2 with `content`: its GUID and SHA-512.
    std::pair<std::string, std::string> Publish(const std::string& content) {
        const std::map<std::string, std::string> json_type{{"Content-Type", "application/json"}};
        client_->Put("/catalogue/v1/products/ESCD-VNF", R"({"mdfId":"1"})", json_type);
        const auto release =
            json::parse(
                client_
                    ->Post("/catalogue/v1/releases",
                           R"({"pid":"ESCD-VNF","softwareTypeId":"1","softwareTypeName":"VNF",)"
                           R"("version":"1.0"})",
                           json_type)
                    .body)
                .at("releaseId")
                .as_int64();
        const auto image =
            json::parse(client_
                            ->Post("/catalogue/v1/releases/" + std::to_string(release) + "/images",
                                   R"({"name":"vnf.qcow2"})", json_type)
                            .body);
        const auto guid = std::string(image.at("imageGuid").as_string());
        const auto stored =
            json::parse(client_
                            ->Put("/catalogue/v1/images/" + guid + "/content", content,
                                  {{"Content-Type", "application/octet-stream"}})
                            .body);
        return {guid, std::string(stored.at("sha512").as_string())};
    }
};

TEST_F(CatalogueImages, AnImageNamedByItsCatalogueGuidOrDownloadUrlIsMadeFromTheCatalogueFile) {
    const auto [guid, sha512] = Publish(std::string(64 * 1024, 'v'));
    auto by_guid = Mutate("POST", "/v0/images/from-guid", ImageBody("catalogue:" + guid));
    ExpectSuccess(by_guid.callback, "CREATE_IMAGE", "Image successfully created");

    // A download URL of the Software Distribution face names the same image (its host is never
    // contacted: the file is read from the catalogue directory).
    const auto url = "https://127.0.0.1:9/software/v4.0/download/file/vnf.qcow2?dwnld_code=d1." +
                     guid + ".escd-0.1.x";
    auto by_url = Mutate("POST", "/v0/images/from-url", ImageBody(url));
    ExpectSuccess(by_url.callback, "CREATE_IMAGE", "Image successfully created");
}

TEST_F(CatalogueImages, ACatalogueFileAlteredOnDiskFailsTheImageWithBothChecksums) {
    const std::string content(64 * 1024, 'v');
    const auto [guid, sha512] = Publish(content);
    const auto file = fs::path(escd_->data_dir()) / "catalogue" / sha512.substr(0, 2) / sha512;
    {
        std::fstream tamper(file, std::ios::in | std::ios::out | std::ios::binary);
        tamper.seekp(1000);
        tamper.put('X');
    }
    auto failed = Mutate("POST", "/v0/images/tampered", ImageBody("catalogue:" + guid));
    EXPECT_EQ(failed.callback.Header("ESC-Status-Code"), "500");
    const auto message = failed.callback.Header("ESC-Status-Message");
    EXPECT_NE(message.find("does not match its recorded checksums"), std::string::npos) << message;
    EXPECT_NE(message.find(sha512.substr(0, 32)), std::string::npos) << message;
    EXPECT_EQ(client_->Get("/v0/images/tampered").status, 404);
}

TEST_F(CatalogueImages, AMalformedOrUnknownReferenceIsRefused) {
    ExpectError(client_->Post("/v0/images/bad", ImageBody("catalogue:1234"), WithCallback()), 400,
                "catalogue:<the 40 hex GUID");
    auto unknown =
        Mutate("POST", "/v0/images/unknown", ImageBody("catalogue:" + std::string(40, 'A')));
    EXPECT_EQ(unknown.callback.Header("ESC-Status-Code"), "404");
    EXPECT_NE(unknown.callback.Header("ESC-Status-Message").find("not found"), std::string::npos);
}

}  // namespace
}  // namespace escd::test
