#include "vim/openstack/digest.hpp"

#include <openssl/evp.h>

#include "common/error.hpp"

namespace escd::vim::openstack {

struct Digest::Context {
    EVP_MD* md = nullptr;
    EVP_MD_CTX* ctx = nullptr;
    bool finished = false;
    ~Context() {
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
    }
};

namespace {
[[noreturn]] void Fail(const std::string& what) {
    throw Error(ErrorCode::kInternal, "OpenSSL digest: " + what);
}
}  // namespace

bool Digest::Known(const std::string& algorithm) {
    // Fetched rather than looked up (EVP_get_digestbyname): fetching asks the loaded providers,
    // so an algorithm a FIPS-only OpenSSL refuses (md5) counts as unknown here.
    EVP_MD* md = EVP_MD_fetch(nullptr, algorithm.c_str(), nullptr);
    EVP_MD_free(md);
    return md != nullptr;
}

Digest::Digest(const std::string& algorithm) : context_(std::make_unique<Context>()) {
    context_->md = EVP_MD_fetch(nullptr, algorithm.c_str(), nullptr);
    if (!context_->md)
        throw VimError(ErrorCode::kNotSupported, "OpenSSL has no digest '" + algorithm + "'");
    context_->ctx = EVP_MD_CTX_new();
    if (!context_->ctx || EVP_DigestInit_ex2(context_->ctx, context_->md, nullptr) != 1)
        Fail("cannot start " + algorithm);
}

Digest::~Digest() = default;

void Digest::Update(const void* data, std::size_t size) {
    if (context_->finished) Fail("fed after Hex()");
    if (size != 0 && EVP_DigestUpdate(context_->ctx, data, size) != 1) Fail("update failed");
}

std::string Digest::Hex() {
    if (context_->finished) Fail("Hex() twice");
    context_->finished = true;
    unsigned char value[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->ctx, value, &length) != 1) Fail("final failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[value[i] >> 4]);
        out.push_back(kHex[value[i] & 0x0f]);
    }
    return out;
}

}  // namespace escd::vim::openstack
