#pragma once
/// @file
/// The ESC REST face (docs/behaviour.md): Cisco ESC's base paths (/ESCManager/v0, /v0,
/// /internal, ...), HTTP Basic for the admin user, XML errors.

#include <string>

#include "common/asio.hpp"
#include "server/basic_auth.hpp"
#include "server/face.hpp"

namespace escd::server {

/// `router` holds the ESC routes; `verify_pool` runs the password checks the cache cannot
/// answer (PBKDF2). Both must outlive the face.
Face EscFace(const Router& router, BasicAuth& auth, asio::thread_pool& verify_pool);

/// Whether `authorization` holds the admin user's Basic credentials. A header seen before
/// costs one HMAC; a new one a PBKDF2 run on `verify_pool`, never on the calling Asio thread.
asio::awaitable<bool> IsAdmin(std::string authorization,
                              BasicAuth& auth,
                              asio::thread_pool& verify_pool);

/// The 401 answer when the admin did not authenticate: in `error`'s shape, with the
/// WWW-Authenticate challenge.
Response AdminRequired(const ErrorShape& error);

}  // namespace escd::server
