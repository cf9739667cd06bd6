#include "common/tls.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace escd {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
struct X509Deleter {
    void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct StoreDeleter {
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxDeleter {
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct NamesDeleter {
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

X509Ptr LoadCertificate(const fs::path& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "r"));
    if (!file) return nullptr;
    return X509Ptr(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
}

PkeyPtr LoadKey(const fs::path& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "r"));
    if (!file) return nullptr;
    return PkeyPtr(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr));
}

// The subjectAltName entries as "DNS:name" / "IP:address" strings.
std::set<std::string> SubjectAltNames(X509* cert) {
    std::set<std::string> out;
    std::unique_ptr<GENERAL_NAMES, NamesDeleter> names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = name->d.dNSName;
            out.insert("DNS:" +
                       std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                   static_cast<std::size_t>(ASN1_STRING_length(dns))));
        } else if (name->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* ip = name->d.iPAddress;
            const unsigned char* bytes = ASN1_STRING_get0_data(ip);
            int length = ASN1_STRING_length(ip);
            std::string text = "IP:";
            if (length == 4) {
                text += std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." +
                        std::to_string(bytes[2]) + "." + std::to_string(bytes[3]);
            } else {
                for (int b = 0; b < length; ++b) text += std::to_string(bytes[b]) + ",";
            }
            out.insert(text);
        }
    }
    return out;
}

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("escd_tls_test_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        // Nested and not yet created: EnsureSelfSignedCertificate must create the parents.
        cert_ = dir_ / "data" / "tls" / "escd.crt";
        key_ = dir_ / "data" / "tls" / "escd.key";
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    fs::path cert_;
    fs::path key_;
};

TEST_F(TlsTest, GeneratesCertificateAndKeyInNewDirectories) {
    EXPECT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    EXPECT_TRUE(fs::is_regular_file(cert_));
    EXPECT_TRUE(fs::is_regular_file(key_));
    EXPECT_FALSE(fs::exists(cert_.string() + ".tmp"));
    EXPECT_FALSE(fs::exists(key_.string() + ".tmp"));
}

TEST_F(TlsTest, SecondCallReturnsFalseAndKeepsFiles) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr first = LoadCertificate(cert_);
    ASSERT_TRUE(first);
    EXPECT_FALSE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr second = LoadCertificate(cert_);
    ASSERT_TRUE(second);
    EXPECT_EQ(X509_cmp(first.get(), second.get()), 0);
}

TEST_F(TlsTest, KeyFileHasMode0600) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    struct stat info {};
    ASSERT_EQ(::stat(key_.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(TlsTest, CertificateLoadsAndHasSubjectAltNames) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr cert = LoadCertificate(cert_);
    ASSERT_TRUE(cert);
    std::set<std::string> expected = {"DNS:localhost", "IP:127.0.0.1",
                                      "IP:0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,"};
    EXPECT_EQ(SubjectAltNames(cert.get()), expected);
    EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
    EXPECT_NE(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 1);
}

TEST_F(TlsTest, CertificateIsSelfSignedEcP256ForTenYearsWithCnLocalhost) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr cert = LoadCertificate(cert_);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    char cn[64] = {};
    ASSERT_GT(
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn),
        0);
    EXPECT_STREQ(cn, "localhost");
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())),
              0);

    EVP_PKEY* public_key = X509_get0_pubkey(cert.get());
    ASSERT_NE(public_key, nullptr);
    EXPECT_TRUE(EVP_PKEY_is_a(public_key, "EC"));
    char group[32] = {};
    ASSERT_EQ(EVP_PKEY_get_group_name(public_key, group, sizeof group, nullptr), 1);
    EXPECT_STREQ(group, "prime256v1");
    EXPECT_EQ(X509_verify(cert.get(), public_key), 1);

    int days = 0;
    int seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                             X509_get0_notAfter(cert.get())),
              1);
    EXPECT_GE(days, 3650);
    EXPECT_LE(days, 3653);
}

TEST_F(TlsTest, KeyMatchesCertificate) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr cert = LoadCertificate(cert_);
    PkeyPtr key = LoadKey(key_);
    ASSERT_TRUE(cert);
    ASSERT_TRUE(key);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

TEST_F(TlsTest, CertificateVerifiesAsItsOwnTrustAnchorUnderStrictChecks) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr cert = LoadCertificate(cert_);
    ASSERT_TRUE(cert);
    for (unsigned long flags :
         {0UL, static_cast<unsigned long>(X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN)}) {
        std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
        ASSERT_EQ(X509_STORE_add_cert(store.get(), cert.get()), 1);
        std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
        ASSERT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr), 1);
        X509_STORE_CTX_set_flags(ctx.get(), flags);
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
        X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), "localhost", 0);
        EXPECT_EQ(X509_verify_cert(ctx.get()), 1)
            << "flags " << flags << ": "
            << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    }
}

TEST_F(TlsTest, RegeneratesBothWhenKeyIsMissing) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr old_cert = LoadCertificate(cert_);
    ASSERT_TRUE(old_cert);
    fs::remove(key_);
    EXPECT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr new_cert = LoadCertificate(cert_);
    PkeyPtr new_key = LoadKey(key_);
    ASSERT_TRUE(new_cert);
    ASSERT_TRUE(new_key);
    EXPECT_NE(X509_cmp(old_cert.get(), new_cert.get()), 0);
    EXPECT_EQ(X509_check_private_key(new_cert.get(), new_key.get()), 1);
}

TEST_F(TlsTest, RegeneratesBothWhenCertificateIsMissing) {
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    fs::remove(cert_);
    EXPECT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    X509Ptr cert = LoadCertificate(cert_);
    PkeyPtr key = LoadKey(key_);
    ASSERT_TRUE(cert);
    ASSERT_TRUE(key);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

TEST_F(TlsTest, KeyFileGetsMode0600EvenWhenItExistedWithWiderMode) {
    fs::create_directories(key_.parent_path());
    std::ofstream(key_) << "stale";
    fs::permissions(key_, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    ASSERT_TRUE(EnsureSelfSignedCertificate(cert_.string(), key_.string()));
    struct stat info {};
    ASSERT_EQ(::stat(key_.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_TRUE(LoadKey(key_));
}

TEST_F(TlsTest, UnwritableLocationThrows) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "file") << "x";
    // A regular file where a parent directory should be.
    EXPECT_THROW(EnsureSelfSignedCertificate((dir_ / "file" / "c.crt").string(),
                                             (dir_ / "file" / "c.key").string()),
                 std::runtime_error);
}

TEST_F(TlsTest, SamePathForCertificateAndKeyThrows) {
    EXPECT_THROW(EnsureSelfSignedCertificate(cert_.string(), cert_.string()), std::runtime_error);
}

}  // namespace
}  // namespace escd
