#include "server/csm/user_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/crypto.hpp"
#include "common/offload.hpp"
#include "model/csm/inventory.hpp"
#include "server/csm/csm_answers.hpp"
#include "server/csm/csm_json_text.hpp"
#include "server/query.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::csm::Role;
using model::csm::User;

struct UserPatch {
    std::string username;  ///< stripped, lower-case
    std::optional<std::string> password;
    std::optional<Role> role;
    std::optional<std::string> fullname;
    std::optional<std::string> email;
    std::optional<bool> active;
};

// A name Basic authentication can carry: printable, no colon.
bool UsableUsername(std::string_view name) {
    return !name.empty() && name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isprint(static_cast<unsigned char>(c)) && c != ':';
    });
}

std::variant<UserPatch, std::string> ParseUserItem(const json::value& value,
                                                   const std::string& admin_user) {
    if (!value.is_object()) return std::string("An item must be a JSON object.");
    const auto& item = value.as_object();
    if (auto invalid =
            InvalidKeys(item, {"username", "password", "role", "fullname", "email", "active"}))
        return *invalid;
    std::map<std::string_view, std::string> text;
    for (const auto key : {"username", "password", "role", "fullname", "email"}) {
        const auto* field = item.if_contains(key);
        if (!field || field->is_null()) continue;
        if (!field->is_string()) return "The value of '" + std::string(key) + "' must be a string.";
        text[key] = std::string(field->as_string());
    }
    if (!text.contains("username")) return MissingKey("username");
    UserPatch patch;
    patch.username = model::csm::CanonicalUsername(text["username"]);
    if (!UsableUsername(patch.username))
        return "'" + text["username"] + "' is an invalid username.";
    if (patch.username == admin_user) return "'" + patch.username + "' is escd's administrator.";
    if (const auto it = text.find("password"); it != text.end()) {
        if (it->second.empty()) return std::string("A password cannot be empty.");
        patch.password = it->second;
    }
    if (const auto it = text.find("role"); it != text.end()) {
        patch.role = model::csm::ParseRole(it->second);
        if (!patch.role) return "'" + it->second + "' is an invalid role.";
    }
    if (const auto it = text.find("fullname"); it != text.end()) patch.fullname = it->second;
    if (const auto it = text.find("email"); it != text.end()) patch.email = it->second;
    if (const auto* active = item.if_contains("active"); active && !active->is_null()) {
        if (!active->is_bool()) return std::string("The value of 'active' must be true or false.");
        patch.active = active->as_bool();
    }
    return patch;
}

json::object UserRow(const User& user) {
    return {{"username", user.username},
            {"role", model::csm::RoleName(user.role)},
            {"fullname", user.fullname},
            {"email", user.email},
            {"active", user.active}};
}

asio::awaitable<json::object> UpsertUser(model::CsmStore& store,
                                         asio::thread_pool& hash_pool,
                                         const json::value& item,
                                         const std::string& admin_user) {
    auto parsed = ParseUserItem(item, admin_user);
    if (auto* message = std::get_if<std::string>(&parsed)) {
        json::object row;
        if (item.is_object())
            if (const auto* name = item.as_object().if_contains("username");
                name && name->is_string())
                row["username"] = model::csm::CanonicalUsername(name->as_string());
        co_return FailedRow(std::move(row), *message);
    }
    auto& patch = std::get<UserPatch>(parsed);
    json::object row{{"username", patch.username}};
    const auto existing = co_await store.GetUser(patch.username);
    if (!existing && !patch.password) co_return FailedRow(std::move(row), MissingKey("password"));
    if (!existing && !patch.role) co_return FailedRow(std::move(row), MissingKey("role"));
    User user = existing.value_or(User{});
    user.username = patch.username;
    if (patch.role) user.role = *patch.role;
    if (patch.fullname) user.fullname = *patch.fullname;
    if (patch.email) user.email = *patch.email;
    if (patch.active) user.active = *patch.active;
    if (patch.password) {
        const auto& password = *patch.password;
        // PBKDF2: tens of milliseconds, off the Asio threads.
        user.password_hash =
            co_await Offload(hash_pool, [&password] { return HashPassword(password); });
    }
    co_await store.PutUser(user);
    co_return SucceededRow(std::move(row));
}

}  // namespace

void RegisterUserRoutes(Router& router,
                        model::CsmStore& store,
                        std::string admin_user,
                        asio::thread_pool& hash_pool) {
    router.Add(http::verb::get, "/users", [&store](Request& request) -> asio::awaitable<Response> {
        const auto query = ParseQuery(request.query);
        if (auto refused = DisallowedParameters(ParameterNames(query), {}))
            co_return BadRequest(*refused);
        const auto users = co_await store.ListUsers();
        json::array rows;
        for (const auto& user : users) rows.push_back(UserRow(user));
        json::object answer;
        answer["user_list"] = std::move(rows);
        co_return JsonAnswer(ApiResponse(std::move(answer)));
    });
    router.Add(http::verb::post, "/users",
               [&store, &hash_pool, admin_user](Request& request) -> asio::awaitable<Response> {
                   const UpsertOne upsert = [&store, &hash_pool,
                                             &admin_user](const json::value& item) {
                       return UpsertUser(store, hash_pool, item, admin_user);
                   };
                   co_return co_await BulkPost(request, "user_list", upsert);
               });
    router.Add(http::verb::delete_, "/users/{username}/delete",
               [&store](Request& request) -> asio::awaitable<Response> {
                   const auto raw = PercentDecode(request.Param("username"));
                   const auto name = model::csm::CanonicalUsername(raw);
                   if (co_await store.DeleteUser(name) != model::DeleteOutcome::kDeleted)
                       co_return BadRequest("User '" + raw + "' does not exist in the database.");
                   json::object answer{{"username", name}, {"status", "SUCCESS"}};
                   co_return JsonAnswer(ApiResponse(std::move(answer)));
               });
}

}  // namespace escd::server::csm
