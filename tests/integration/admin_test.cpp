// Administrative routes: /authentication/setpassword and /internal/ssl/reload.
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>

#include "common/asio.hpp"
#include "common/tls.hpp"
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

// SHA-256 fingerprint of the certificate a fresh TLS connection to 127.0.0.1:port is served.
std::string ServedCertificate(std::uint16_t port) {
    asio::io_context ioc;
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_none);
    ssl::stream<tcp::socket> stream(ioc, context);
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(ssl::stream_base::client);
    X509* certificate = SSL_get1_peer_certificate(stream.native_handle());
    if (!certificate) return "<none>";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(certificate, EVP_sha256(), digest, &length);
    X509_free(certificate);
    boost::system::error_code ignored;
    stream.shutdown(ignored);
    return std::string(reinterpret_cast<char*>(digest), length);
}

class Admin : public EscdTest {
  protected:
    HttpResponse SetPassword(const std::string& query) {
        return client_->Post("/ESCManger/v0/authentication/setpassword?" + query, "");
    }
};

TEST_F(Admin, SetPasswordReplacesTheOldOneAtOnce) {
    auto response = SetPassword("userName=admin&password=n3w-Secret%21");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(XmlText(response.body, "user"), "admin");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 401);  // the old password no longer works
    client_->SetBasicAuth("admin", "n3w-Secret!");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);
}

TEST_F(Admin, AChangedPasswordSurvivesARestartButANewlyConfiguredOneResetsIt) {
    ASSERT_EQ(SetPassword("userName=admin&password=changed-by-api").status, 200);
    StartEscd();  // same configured password as before: the API's change stays
    client_->SetBasicAuth("admin", "changed-by-api");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);

    StartEscd({"--auth.admin_password=reset-by-config"});
    client_->SetBasicAuth("admin", "changed-by-api");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 401);
    client_->SetBasicAuth("admin", "reset-by-config");
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);
}

TEST_F(Admin, SetPasswordRefusesBadRequestsAndKeepsThePassword) {
    EXPECT_EQ(SetPassword("userName=admin").status, 400);
    EXPECT_EQ(SetPassword("password=whatever123").status, 400);
    EXPECT_EQ(SetPassword("userName=root&password=whatever123").status, 400);
    EXPECT_EQ(SetPassword("userName=admin&password=short").status, 400);
    EXPECT_EQ(SetPassword("userName=admin&password=bad%zzescape").status, 400);
    EXPECT_EQ(client_->Get("/v0/tenants").status, 200);  // still the original password
    client_->ClearAuth();
    EXPECT_EQ(SetPassword("userName=admin&password=whatever123").status, 401);
}

TEST_F(Admin, AdministrationStillWorksInMaintenanceMode) {
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    EXPECT_EQ(SetPassword("userName=admin&password=during-maintenance").status, 200);
    client_->SetBasicAuth("admin", "during-maintenance");
    EXPECT_EQ(client_->Request("PUT", "/internal/ssl/reload").status, 204);
}

TEST_F(Admin, SslReloadServesTheNewCertificateWithoutDroppingOpenConnections) {
    auto tls_client = escd_->Client(/*tls=*/true);
    ASSERT_EQ(tls_client.Get("/v0/tenants").status, 200);
    const auto before = ServedCertificate(escd_->https_port());

    // Replace the files with a new pair, as an operator renewing the certificate would.
    namespace fs = std::filesystem;
    const fs::path tls_dir = fs::path(escd_->data_dir()) / "tls";
    const fs::path staging = fs::path(escd_->data_dir()) / "staging";
    ASSERT_TRUE(EnsureSelfSignedCertificate((staging / "new.crt").string(),
                                            (staging / "new.key").string()));
    fs::copy_file(staging / "new.crt", tls_dir / "escd.crt", fs::copy_options::overwrite_existing);
    fs::copy_file(staging / "new.key", tls_dir / "escd.key", fs::copy_options::overwrite_existing);
    EXPECT_EQ(ServedCertificate(escd_->https_port()), before);  // not before the reload

    auto reload = client_->Request("PUT", "/ESCManager/internal/ssl/reload");
    ASSERT_EQ(reload.status, 204) << reload.body;
    EXPECT_NE(ServedCertificate(escd_->https_port()), before);
    // The connection opened before the reload still works.
    EXPECT_EQ(tls_client.Get("/v0/tenants").status, 200);
    EXPECT_EQ(tls_client.connections_opened(), 1u);
}

TEST_F(Admin, SslReloadOfBrokenFilesIs500AndKeepsServing) {
    const auto before = ServedCertificate(escd_->https_port());
    std::ofstream(std::filesystem::path(escd_->data_dir()) / "tls" / "escd.key") << "not a key\n";
    auto reload = client_->Request("PUT", "/internal/ssl/reload");
    EXPECT_EQ(reload.status, 500);
    EXPECT_NE(XmlText(reload.body, "message").find("Failed to reload"), std::string::npos)
        << reload.body;
    EXPECT_EQ(ServedCertificate(escd_->https_port()), before);
    EXPECT_EQ(escd_->Client(/*tls=*/true).Get("/v0/tenants").status, 200);
}

}  // namespace
}  // namespace escd::test
