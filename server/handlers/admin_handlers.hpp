#pragma once
/// @file
/// Administrative routes, allowed in maintenance mode:
/// - POST|PUT /authentication/setpassword?userName=admin&password=... (ESC reference, "REST
///   Authentication"): changes the admin password; 200 with <authentication>; 400 for a missing
///   or unknown user or a password outside 8..256 characters.
/// - PUT /internal/ssl/reload ("SSL Management"): reloads the HTTPS certificate and key from
///   their files; 204, or 500 "Failed to reload ..." with the reason (the old ones stay).
///   Connections already open keep their context, so none is dropped.

#include <string>

#include "common/asio.hpp"
#include "model/stores/settings_store.hpp"
#include "server/basic_auth.hpp"
#include "server/http_server.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

struct AdminContext {
    BasicAuth& auth;
    model::SettingsStore& settings;
    asio::thread_pool& blocking_pool;  ///< password hashing and file reads run here
    HttpServer& server;
    std::string tls_cert;
    std::string tls_key;
};

void RegisterAdminRoutes(Router& router, AdminContext context);

}  // namespace escd::server::handlers
