#pragma once
/// @file
/// The HTTPS listener's TLS context, built from PEM files (generated self-signed on first start
/// when absent). Rebuilt by PUT /internal/ssl/reload; connections already open keep theirs.

#include <memory>
#include <string>

#include "common/asio.hpp"

namespace escd::server {

/// TLS 1.2+ server context from `cert_path` (chain) and `key_path`. Throws on unreadable or
/// mismatched files. Does not generate anything.
std::shared_ptr<ssl::context> MakeServerTlsContext(const std::string& cert_path,
                                                   const std::string& key_path);

}  // namespace escd::server
