#include "common/tls.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace escd {
namespace {

namespace fs = std::filesystem;

constexpr int kValidityDays = 3652;  // ten years, leap days included
constexpr const char* kSubjectAltName = "DNS:localhost,IP:127.0.0.1,IP:::1";

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct X509ExtensionFree {
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, X509ExtensionFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// Throws with OpenSSL's error queue appended, and empties the queue so that a later, unrelated
// failure does not report these entries.
[[noreturn]] void ThrowOpenSsl(const std::string& what) {
    std::string message = "TLS certificate generation: " + what;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        message += "; ";
        message += buffer;
    }
    throw std::runtime_error(message);
}

void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    if (!extension) ThrowOpenSsl(std::string("bad extension ") + OBJ_nid2sn(nid));
    if (X509_add_ext(cert, extension.get(), -1) != 1) ThrowOpenSsl("X509_add_ext");
}

X509Ptr MakeCertificate(EVP_PKEY* key) {
    X509Ptr cert(X509_new());
    if (!cert) ThrowOpenSsl("X509_new");
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1) ThrowOpenSsl("X509_set_version");

    // A random 127-bit serial: clients cache certificates by issuer and serial, and a fixed
    // serial would make a regenerated certificate collide with the one they saw before.
    BnPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        ThrowOpenSsl("serial number");
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidityDays, 0, nullptr)) {
        ThrowOpenSsl("validity");
    }

    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1) {
        ThrowOpenSsl("subject name");
    }
    if (X509_set_pubkey(cert.get(), key) != 1) ThrowOpenSsl("X509_set_pubkey");

    // The extensions a strict verifier (X509_V_FLAG_X509_STRICT, which Python 3.13 turns on)
    // expects of an end-entity certificate that is also its own trust anchor.
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    AddExtension(cert.get(), &ctx, NID_subject_alt_name, kSubjectAltName);

    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) ThrowOpenSsl("X509_sign");
    return cert;
}

std::string BioContents(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    if (size < 0) ThrowOpenSsl("BIO_get_mem_data");
    return std::string(data, static_cast<std::size_t>(size));
}

void CreateParentDirectories(const std::string& path) {
    fs::path parent = fs::path(path).parent_path();
    if (parent.empty()) return;
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
        throw std::runtime_error("cannot create directory '" + parent.string() +
                                 "': " + ec.message());
    }
}

// Closes and removes a half-written temporary file, then reports why it failed.
[[noreturn]] void FailTempFile(int fd, const std::string& temp_path, const char* what) {
    int saved = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temp_path.c_str());
    throw std::runtime_error(std::string(what) + " '" + temp_path + "': " + std::strerror(saved));
}

// Writes through a temporary file and rename(2), so that a crash never leaves a truncated PEM
// file behind that the next start would take for a valid one. The mode is set with fchmod as
// well as open because open's mode is filtered through the umask.
void WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode) {
    CreateParentDirectories(path);
    std::string temp_path = path + ".tmp";
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        throw std::runtime_error("cannot create '" + temp_path + "': " + std::strerror(errno));
    }
    if (::fchmod(fd, mode) != 0) FailTempFile(fd, temp_path, "cannot chmod");
    std::size_t written = 0;
    while (written < contents.size()) {
        ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            FailTempFile(fd, temp_path, "cannot write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) FailTempFile(fd, temp_path, "cannot sync");
    if (::close(fd) != 0) FailTempFile(-1, temp_path, "cannot close");
    if (::rename(temp_path.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(temp_path.c_str());
        throw std::runtime_error("cannot rename '" + temp_path + "' to '" + path +
                                 "': " + std::strerror(saved));
    }
}

}  // namespace

bool EnsureSelfSignedCertificate(const std::string& cert_path, const std::string& key_path) {
    if (cert_path.empty() || key_path.empty() || cert_path == key_path) {
        throw std::runtime_error("TLS certificate and key need two distinct, non-empty paths");
    }
    std::error_code ec;
    bool have_cert = fs::exists(cert_path, ec);
    bool have_key = fs::exists(key_path, ec);
    if (have_cert && have_key) return false;

    // Both are rewritten when either is missing: a certificate without its key (or the reverse)
    // is useless, and a fresh pair is always consistent.
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) ThrowOpenSsl("EC P-256 key generation");
    X509Ptr cert = MakeCertificate(key.get());

    BioPtr key_bio(BIO_new(BIO_s_mem()));
    if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr) != 1) {
        ThrowOpenSsl("PEM_write_bio_PrivateKey");
    }
    BioPtr cert_bio(BIO_new(BIO_s_mem()));
    if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
        ThrowOpenSsl("PEM_write_bio_X509");
    }

    // The old certificate goes first and the new one is written last: if anything fails on the
    // way, the next start finds the certificate missing and generates a new pair, instead of
    // pairing a stale certificate with a new key.
    fs::remove(cert_path, ec);
    WriteFileAtomically(key_path, BioContents(key_bio.get()), 0600);
    WriteFileAtomically(cert_path, BioContents(cert_bio.get()), 0644);
    return true;
}

}  // namespace escd
