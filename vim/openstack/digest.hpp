#pragma once
/// @file
/// Message digests of escd's uploads, as Glance reports them: lower-case hex of the algorithm
/// Glance names (`os_hash_algo`, sha512 by default; `checksum` is md5). OpenSSL EVP, fed in
/// pieces so that a file of gigabytes is hashed in chunks.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace escd::vim::openstack {

class Digest {
  public:
    /// An OpenSSL digest name ("sha512", "sha256", "md5", ...). Throws Error(kNotSupported) for
    /// one this OpenSSL does not have.
    explicit Digest(const std::string& algorithm);
    ~Digest();
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;

    /// Whether OpenSSL knows `algorithm` (Glance's os_hash_algo is a deployment setting).
    static bool Known(const std::string& algorithm);

    void Update(const void* data, std::size_t size);
    void Update(std::string_view data) { Update(data.data(), data.size()); }
    /// The digest of everything fed, in lower-case hex. Once only.
    std::string Hex();

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

}  // namespace escd::vim::openstack
