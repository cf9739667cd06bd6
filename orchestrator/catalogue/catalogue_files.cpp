#include "orchestrator/catalogue/catalogue_files.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"

namespace escd::orchestrator {
namespace {

struct Digests {
    std::uint64_t size = 0;
    std::string md5;
    std::string sha512;
};

// Reads the whole file (on the file pool): what it holds now.
Digests DigestsOf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::kInternal, "the catalogue file " + path + " is missing");
    EVP_MD_CTX* md5 = EVP_MD_CTX_new();
    EVP_MD_CTX* sha512 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md5, EVP_md5(), nullptr);
    EVP_DigestInit_ex(sha512, EVP_sha512(), nullptr);
    std::vector<char> chunk(1024 * 1024);
    Digests digests;
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        EVP_DigestUpdate(md5, chunk.data(), n);
        EVP_DigestUpdate(sha512, chunk.data(), n);
        digests.size += n;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(md5, out, &length);
    digests.md5 = LowerHex(out, length);
    EVP_DigestFinal_ex(sha512, out, &length);
    digests.sha512 = LowerHex(out, length);
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha512);
    return digests;
}

}  // namespace

asio::awaitable<FetchedFile> CatalogueFiles::Fetch(const model::catalogue::ImageGuid& guid) {
    const auto row = co_await store_.GetImage(guid);
    if (!row) throw Error(ErrorCode::kNotFound, "catalogue image " + guid.text() + " not found");
    if (!row->image.content) {
        throw Error(ErrorCode::kNotFound, "catalogue image " + guid.text() + " (" +
                                              row->image.name + ") has no file yet");
    }
    const auto recorded = *row->image.content;
    const auto path = content_.PathOf(recorded.sha512).string();
    const auto found = co_await Offload(pool_, [&path] { return DigestsOf(path); });
    if (found.md5 != recorded.md5 || found.sha512 != recorded.sha512 ||
        found.size != recorded.size) {
        ESCD_ERROR("catalogue") << "the file of catalogue image " << guid.text()
                                << " was altered on disk: " << path;
        throw Error(ErrorCode::kInternal,
                    "the file of catalogue image " + guid.text() + " (" + row->image.name +
                        ") does not match its recorded checksums: md5 " + found.md5 +
                        " (recorded " + recorded.md5 + "), sha512 " + found.sha512.substr(0, 32) +
                        "... (recorded " + recorded.sha512.substr(0, 32) + "...), " +
                        std::to_string(found.size) + " bytes (recorded " +
                        std::to_string(recorded.size) + ")");
    }
    co_return FetchedFile{path, found.size, false};
}

}  // namespace escd::orchestrator
