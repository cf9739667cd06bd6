#pragma once
/// @file
/// File contents for the catalogue's tests: bytes that do not repeat in short cycles (a digest
/// over a constant would prove less), their digests as lower-case hex, and a raw loopback
/// connection for the tests that cut a transfer in the middle.

#include <openssl/evp.h>

#include <cstdint>
#include <string>

namespace escd::test {

/// `size` pseudo-random bytes, the same for the same `seed`.
std::string PseudoRandomBytes(std::size_t size, unsigned seed = 0);

/// The digest of `data` by `md` (EVP_md5(), EVP_sha512()) as lower-case hex.
std::string HexDigest(const std::string& data, const EVP_MD* md);

/// A TCP connection to 127.0.0.1:`port` (a blocking socket, close-on-exec); throws
/// std::runtime_error when it cannot connect. The caller closes it.
int ConnectLoopback(std::uint16_t port);

}  // namespace escd::test
