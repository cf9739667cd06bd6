#pragma once
/// @file
/// TLS material for the HTTPS listener.

#include <string>

namespace escd {

/// Writes a self-signed certificate and its private key as PEM files when either is missing:
/// EC P-256 key, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid 10 years.
/// Creates parent directories; the key file gets mode 0600. Returns true when it generated the
/// pair, false when both files already existed. Throws std::runtime_error on failure.
bool EnsureSelfSignedCertificate(const std::string& cert_path, const std::string& key_path);

}  // namespace escd
