#include "server/esc/esc_face.hpp"

#include "common/offload.hpp"
#include "server/errors.hpp"

namespace escd::server {

asio::awaitable<bool> IsAdmin(std::string authorization,
                              BasicAuth& auth,
                              asio::thread_pool& verify_pool) {
    if (auth.CheckCached(authorization)) co_return true;
    co_return co_await Offload(verify_pool,
                               [&auth, &authorization] { return auth.Check(authorization); });
}

Response AdminRequired(const ErrorShape& error) {
    auto refusal = error(401, "authentication required");
    refusal.headers.emplace_back("WWW-Authenticate", "Basic realm=\"escd\"");
    return refusal;
}

Face EscFace(const Router& router, BasicAuth& auth, asio::thread_pool& verify_pool) {
    Face face;
    face.name = "esc";
    face.owns = [](std::string_view path) { return Router::StripBase(path); };
    face.router = &router;
    face.error = [](int status, const std::string& message) {
        return ErrorResponse(status, message);
    };
    face.for_exception = [](std::exception_ptr error, std::string_view context) {
        return ResponseForException(std::move(error), context);
    };
    face.authenticate =
        [&auth, &verify_pool](const Request& request) -> asio::awaitable<std::optional<Response>> {
        if (co_await IsAdmin(std::string(request.Header("Authorization")), auth, verify_pool))
            co_return std::nullopt;
        co_return AdminRequired(ErrorResponse);
    };
    return face;
}

}  // namespace escd::server
