#include "server/csm/csm_face.hpp"

#include <boost/json.hpp>

#include "server/csm/cco_routes.hpp"
#include "server/csm/csm_answers.hpp"
#include "server/csm/csm_json_text.hpp"
#include "server/csm/install_routes.hpp"
#include "server/csm/inventory_routes.hpp"
#include "server/csm/user_routes.hpp"
#include "server/errors.hpp"

namespace escd::server::csm {
namespace {

constexpr std::string_view kBase = "/api/v1";

bool StartsWith(std::string_view path, std::string_view prefix) {
    return path.substr(0, prefix.size()) == prefix &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

Permission RequiredPermission(http::verb method, std::string_view path) {
    if (StartsWith(path, "/users")) return Permission::kManageUsers;
    if (StartsWith(path, "/install")) {
        // Anyone may list the jobs; scheduling, deleting and reading logs are an operator's.
        if (method == http::verb::get && !StartsWith(path, "/install/logs"))
            return Permission::kAnyUser;
        return Permission::kRunInstalls;
    }
    // Discovering a host logs in to it, as a job does.
    if (StartsWith(path, "/hosts") && path.ends_with("/discover")) return Permission::kRunInstalls;
    if (method == http::verb::post || method == http::verb::delete_ || method == http::verb::put)
        return Permission::kEditInventory;
    return Permission::kAnyUser;
}

bool Allows(model::csm::Role role, Permission permission) {
    switch (permission) {
        case Permission::kAnyUser:
            return true;
        case Permission::kEditInventory:
            return model::csm::MayEditInventory(role);
        case Permission::kRunInstalls:
            return model::csm::MayRunInstalls(role);
        case Permission::kManageUsers:
            return role == model::csm::Role::kAdmin;
    }
    return false;
}

CsmFace::CsmFace(FaceDeps deps) : deps_(deps) {
    // Public to the face: it authenticates itself, since it needs the user's id (a token may
    // renew itself, as with CSM).
    router_.Add(
        http::verb::get, "/token",
        [this](Request& request) -> asio::awaitable<Response> {
            std::string authorization(request.Header("Authorization"));
            const auto identity = co_await deps_.auth.Authenticate(authorization);
            if (!identity) co_return Unauthenticated();
            const boost::json::object answer{
                {"token", deps_.auth.tokens().Issue(identity->user_id)}};
            co_return JsonAnswer(SortedPrettyJson(answer));
        },
        RouteOptions{.public_route = true});
    RegisterInventoryRoutes(router_, deps_.store, deps_.discovery);
    RegisterCcoRoutes(router_, deps_.catalogue);
    RegisterInstallRoutes(
        router_, {deps_.store, deps_.jobs, deps_.jobs_created, deps_.blocking_pool, deps_.log_dir});
    RegisterUserRoutes(router_, deps_.store, deps_.admin_user, deps_.blocking_pool);

    face_.name = "csm";
    face_.owns = [](std::string_view path) -> std::optional<std::string_view> {
        if (!StartsWith(path, kBase)) return std::nullopt;
        return path.substr(kBase.size());
    };
    face_.router = &router_;
    face_.error = Failure;
    face_.for_exception = [](std::exception_ptr error, std::string_view context) {
        try {
            std::rethrow_exception(error);
        } catch (const CsmRequestError& refused) {
            return BadRequest(refused.what());
        } catch (...) {
            return ResponseForException(std::current_exception(), context, Failure);
        }
    };
    face_.authenticate = [this](Request& request) -> asio::awaitable<std::optional<Response>> {
        std::string authorization(request.Header("Authorization"));
        const auto identity = co_await deps_.auth.Authenticate(authorization);
        if (!identity) co_return Unauthenticated();
        if (!Allows(identity->role, RequiredPermission(request.raw.method(), request.path)))
            co_return NotAuthorized();
        request.principal = identity->username;
        co_return std::nullopt;
    };
}

}  // namespace escd::server::csm
