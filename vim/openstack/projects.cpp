#include "vim/openstack/projects.hpp"

#include <boost/json.hpp>
#include <set>

#include "common/log.hpp"
#include "vim/openstack/json_fields.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
const std::set<int> kNameTaken{409};

/// The project name of a tenant: the ESC tenant's name; its escd name if it has none.
std::string NameOf(const TenantRequest& request) {
    return request.name.empty() ? ObjectName(request.internal_id) : request.name;
}

}  // namespace

KeystoneProject ParseProject(const json::value& project) {
    KeystoneProject out;
    out.id = StringAt(project, "id");
    out.name = StringAt(project, "name");
    out.domain_id = StringAt(project, "domain_id");
    out.description = StringAt(project, "description");
    if (!project.is_object()) return out;
    if (const auto* enabled = project.as_object().if_contains("enabled");
        enabled && enabled->is_bool())
        out.enabled = enabled->as_bool();
    if (const auto* tags = project.as_object().if_contains("tags"); tags && tags->is_array()) {
        for (const auto& tag : tags->as_array())
            if (tag.is_string()) out.tags.emplace_back(tag.as_string());
    }
    return out;
}

std::string ProjectTag(std::string_view internal_id) {
    return ObjectName(internal_id);
}

std::string IdentityPath(std::string_view endpoint, std::string_view path) {
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
    const bool versioned = endpoint.size() >= 3 && endpoint.substr(endpoint.size() - 3) == "/v3";
    return (versioned ? "" : "/v3") + std::string(path);
}

asio::awaitable<std::string> Projects::Path(std::string path) {
    const auto endpoint = co_await session_.keystone().Endpoint("identity");
    co_return IdentityPath(endpoint, path);
}

asio::awaitable<std::optional<std::string>> Projects::FindProject(std::string internal_id) {
    const auto token = co_await session_.keystone().Current();
    const auto path = co_await Path("/projects?domain_id=" + token.project_domain_id +
                                    "&tags=" + ProjectTag(internal_id));
    const auto answer = co_await session_.Call("identity", http::verb::get, path);
    const auto parsed = ParseAnswer(answer.body, "Keystone", "project list");
    const auto* projects = parsed.as_object().if_contains("projects");
    if (!projects || !projects->is_array())
        throw VimError(ErrorCode::kVimError, "Keystone's answer has no project list");
    for (const auto& project : projects->as_array()) {
        auto id = StringAt(project, "id");
        if (!id.empty()) co_return id;
    }
    co_return std::nullopt;
}

asio::awaitable<std::optional<KeystoneProject>> Projects::ShowProject(std::string project_id) {
    const auto path = co_await Path("/projects/" + project_id);
    const auto answer =
        co_await session_.Call("identity", http::verb::get, path, std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    const auto parsed = ParseAnswer(answer.body, "Keystone", "project");
    const auto* project = parsed.as_object().if_contains("project");
    if (!project) throw VimError(ErrorCode::kVimError, "Keystone's answer has no project");
    co_return ParseProject(*project);
}

asio::awaitable<std::string> Projects::EnsureProject(TenantRequest request) {
    const auto name = NameOf(request);
    std::string id;
    if (auto found = co_await FindProject(request.internal_id)) {
        id = *found;
        const auto now = co_await ShowProject(id);
        // Renamed or switched on or off by a run that crashed before it recorded so.
        if (now && (now->name != name || now->enabled != request.enabled))
            co_await UpdateProject(id, request);
    } else {
        const auto token = co_await session_.keystone().Current();
        json::object project{{"name", name},
                             {"domain_id", token.project_domain_id},
                             {"description", "escd tenant " + request.internal_id},
                             {"enabled", request.enabled},
                             {"tags", json::array{json::string(ProjectTag(request.internal_id))}}};
        const auto body = json::serialize(json::object{{"project", std::move(project)}});
        const auto path = co_await Path("/projects");
        const auto created =
            co_await session_.Call("identity", http::verb::post, path, body, kNameTaken);
        if (created.status == 409) {
            throw VimError(ErrorCode::kConflict, "Keystone has a project named '" + name +
                                                     "' in domain " + token.project_domain_id +
                                                     " that is not escd's tenant " +
                                                     request.internal_id + " (it has no tag " +
                                                     ProjectTag(request.internal_id) + ")");
        }
        id = IdIn(created.body, "project");
        ESCD_INFO("vim") << "created Keystone project " << name << " " << id << " for tenant "
                         << request.internal_id;
    }
    // Every time, not only after the create: a crash may have come between the two, and the
    // grant of a role held already is a no-op for Keystone.
    co_await GrantRole(id);
    co_return id;
}

asio::awaitable<void> Projects::GrantRole(std::string project_id) {
    if (role_id_.empty()) {
        const auto path = co_await Path(std::string("/roles?name=") + kRole);
        const auto answer = co_await session_.Call("identity", http::verb::get, path);
        const auto parsed = ParseAnswer(answer.body, "Keystone", "role list");
        const auto* roles = parsed.as_object().if_contains("roles");
        if (roles && roles->is_array() && !roles->as_array().empty())
            role_id_ = StringAt(roles->as_array().front(), "id");
        if (role_id_.empty())
            throw VimError(ErrorCode::kVimError, std::string("Keystone has no role ") + kRole);
    }
    const auto token = co_await session_.keystone().Current();
    const auto path =
        co_await Path("/projects/" + project_id + "/users/" + token.user_id + "/roles/" + role_id_);
    co_await session_.Call("identity", http::verb::put, path);
    ESCD_DEBUG("vim") << "Keystone user " << token.user_id << " has role " << kRole
                      << " on project " << project_id;
}

asio::awaitable<void> Projects::UpdateProject(std::string project_id, TenantRequest request) {
    json::object project{{"name", NameOf(request)}, {"enabled", request.enabled}};
    const auto body = json::serialize(json::object{{"project", std::move(project)}});
    const auto path = co_await Path("/projects/" + project_id);
    co_await session_.Call("identity", http::verb::patch, path, body);
    ESCD_INFO("vim") << "updated Keystone project " << project_id << ": name " << NameOf(request)
                     << (request.enabled ? ", enabled" : ", disabled");
}

asio::awaitable<void> Projects::DeleteProject(std::string project_id) {
    const auto path = co_await Path("/projects/" + project_id);
    co_await session_.Call("identity", http::verb::delete_, path, std::string(), kGoneIsAnAnswer);
    ESCD_INFO("vim") << "deleted Keystone project " << project_id;
}

}  // namespace escd::vim::openstack
