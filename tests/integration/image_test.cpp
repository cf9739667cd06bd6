// Images (reference 04-Images) and file servers (16-File Servers): sources from files.root and
// from a real HTTP file server on loopback (with Basic credentials), the failures a download can
// have, and secrets that are stored but never shown.

#include <filesystem>
#include <fstream>

#include "tests/integration/resource_fixture.hpp"
#include "tests/support/file_server.hpp"

namespace escd::test {
namespace {
namespace fs = std::filesystem;

std::string ImageBody(const std::string& src) {
    return "<image xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>uLinuxImg</name>"
           "<src>" +
           src + "</src><disk_bus>virtio</disk_bus></image>";
}

class ImageRoutes : public ResourceTest {
  protected:
    std::string LocalFile(const std::string& name, const std::string& content) {
        auto dir = fs::path(escd_->data_dir()) / "files";
        fs::create_directories(dir);
        std::ofstream(dir / name) << content;
        return "file://" + (dir / name).string();
    }
    // Nothing of the image may remain in escd's download directory.
    bool NoStagedDownloads() {
        auto dir = fs::path(escd_->data_dir()) / "downloads";
        return !fs::exists(dir) || fs::is_empty(dir);
    }

    FileServer files_;
};

TEST_F(ImageRoutes, ImageFromALocalFileIsCreatedListedAndDeleted) {
    auto src = LocalFile("tiny.raw", std::string(4096, 'x'));
    auto done = Mutate("POST", "/ESCManager/v0/images/img1", ImageBody(src));
    EXPECT_EQ(XmlText(done.response.body, "internal_image_id"), "img1");
    ExpectSuccess(done.callback, "CREATE_IMAGE", "Image successfully created");
    // The test driver has no volume upload, and the callback says so.
    EXPECT_NE(done.callback.Header("ESC-Status-Message").find("holds no data"), std::string::npos)
        << done.callback.Header("ESC-Status-Message");
    EXPECT_EQ(XmlText(done.callback.body, "internal_image_id"), "img1");
    EXPECT_EQ(XmlText(done.callback.body, "name"), "uLinuxImg");
    EXPECT_EQ(XmlText(done.callback.body, "disk_bus"), "virtio");
    EXPECT_EQ(XmlText(done.callback.body, "e1000_net"), "false");
    EXPECT_EQ(XmlText(done.callback.body, "imageisenabled"), "true");
    EXPECT_EQ(XmlText(done.callback.body, "visibility"), "public");
    EXPECT_EQ(XmlText(done.callback.body, "src"), src);
    EXPECT_NE(XmlText(done.callback.body, "external_image_id").find("escd-image-img1"),
              std::string::npos);

    EXPECT_EQ(XmlText(client_->Get("/v0/images").body, "internal_image_id"), "img1");
    EXPECT_EQ(XmlText(client_->Get("/v0/images/img1").body, "disk_format"), "raw");
    auto del = Mutate("DELETE", "/v0/images/img1");
    ExpectSuccess(del.callback, "DELETE_IMAGE", "Image successfully deleted");
    EXPECT_EQ(client_->Get("/v0/images/img1").status, 404);
}

TEST_F(ImageRoutes, ImageDownloadedFromAFileServerWithItsCredentials) {
    files_.RequireAuth("fsuser", "s3cret-pw");
    files_.Add("/share/images/myULinux.qcow2", std::string(100000, 'q'));
    auto server = Mutate("POST", "/v0/fileserver/fs1",
                         "<file_server><base_url>" + files_.BaseUrl() +
                             "/share</base_url><file_server_user>fsuser</file_server_user>"
                             "<file_server_password>s3cret-pw</file_server_password>"
                             "</file_server>");
    ExpectSuccess(server.callback, "CREATE_FILE_SERVER", "File server successfully created");
    EXPECT_EQ(server.callback.body.find("s3cret-pw"), std::string::npos) << server.callback.body;
    EXPECT_EQ(server.response.body.find("s3cret-pw"), std::string::npos);
    EXPECT_EQ(XmlText(server.callback.body, "file_server_user"), "fsuser");
    auto listed = client_->Get("/v0/fileserver");
    EXPECT_EQ(XmlText(listed.body, "base_url"), files_.BaseUrl() + "/share");
    EXPECT_EQ(listed.body.find("s3cret-pw"), std::string::npos);
    EXPECT_EQ(client_->Get("/v0/fileserver/fs1").body.find("s3cret-pw"), std::string::npos);

    // By URL under the server's base: the server's credentials are used.
    auto by_url = Mutate("POST", "/v0/images/img-url",
                         ImageBody(files_.BaseUrl() + "/share/images/myULinux.qcow2"));
    ExpectSuccess(by_url.callback, "CREATE_IMAGE", "Image successfully created");
    // By file locator.
    auto by_locator = Mutate("POST", "/v0/images/img-loc",
                             "<image><name>loc</name><file_locator><file_server_id>fs1"
                             "</file_server_id><remote_path>/images/myULinux.qcow2</remote_path>"
                             "</file_locator></image>");
    ExpectSuccess(by_locator.callback, "CREATE_IMAGE", "Image successfully created");
    EXPECT_EQ(files_.requests(), 2);
    EXPECT_EQ(files_.unauthorized(), 0);
    EXPECT_TRUE(NoStagedDownloads());

    // A file server in use keeps nothing from being deleted later; deleting it is allowed.
    auto del = Mutate("DELETE", "/v0/fileserver/fs1");
    ExpectSuccess(del.callback, "DELETE_FILE_SERVER", "File server successfully deleted");
    EXPECT_EQ(client_->Get("/v0/fileserver/fs1").status, 404);
}

TEST_F(ImageRoutes, FailedDownloadsCallBackWithAFailureAndLeaveNoImageBehind) {
    files_.Add("/cut.qcow2", std::string(50000, 'c'), /*truncate=*/true);
    auto cut = Mutate("POST", "/v0/images/cut", ImageBody(files_.BaseUrl() + "/cut.qcow2"));
    EXPECT_EQ(cut.callback.Header("ESC-Status-Code"), "503") << cut.callback.body;
    EXPECT_NE(cut.callback.Header("ESC-Status-Message").find("Image creation failed"),
              std::string::npos);
    EXPECT_NE(cut.callback.Header("ESC-Status-Message").find("cut after"), std::string::npos)
        << cut.callback.Header("ESC-Status-Message");
    EXPECT_EQ(XmlText(cut.callback.body, "event_type"), "CREATE_IMAGE");

    auto missing = Mutate("POST", "/v0/images/missing", ImageBody(files_.BaseUrl() + "/nope"));
    EXPECT_EQ(missing.callback.Header("ESC-Status-Code"), "404");

    auto outside = Mutate("POST", "/v0/images/outside", ImageBody("file:///etc/passwd"));
    EXPECT_EQ(outside.callback.Header("ESC-Status-Code"), "400");
    EXPECT_NE(outside.callback.Header("ESC-Status-Message").find("not below files.root"),
              std::string::npos);

    for (const char* id : {"cut", "missing", "outside"})
        EXPECT_EQ(client_->Get(std::string("/v0/images/") + id).status, 404) << id;
    EXPECT_EQ(Count("resources"), 0);
    EXPECT_TRUE(NoStagedDownloads());
}

TEST_F(ImageRoutes, ImageValidationAndMissingFileServer) {
    ExpectError(
        client_->Post("/v0/images/i", "<image><src>file:///x</src></image>", WithCallback()), 400,
        "<name> is required");
    ExpectError(client_->Post("/v0/images/i", "<image><name>i</name></image>", WithCallback()), 400,
                "<src>");
    ExpectError(client_->Post("/v0/images/i", ImageBody("ftp://host/x"), WithCallback()), 400,
                "not an absolute http(s)");
    ExpectError(client_->Post("/v0/images/i",
                              "<image><name>i</name><src>file:///x</src>"
                              "<disk_bus>floppy</disk_bus></image>",
                              WithCallback()),
                400, "disk_bus");
    ExpectError(client_->Post("/v0/images/i",
                              "<image><name>i</name><file_locator><file_server_id>nofs"
                              "</file_server_id><remote_path>/x</remote_path></file_locator>"
                              "</image>",
                              WithCallback()),
                404, "file_server nofs");
    ExpectError(client_->Put("/v0/images/i", ImageBody("file:///x"), WithCallback()), 404,
                "Image i not found");
    ExpectError(client_->Post("/v0/fileserver/f", "<file_server/>", WithCallback()), 400,
                "base_url");
    EXPECT_EQ(Count("resources"), 0);
}

}  // namespace
}  // namespace escd::test
