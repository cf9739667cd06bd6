#pragma once
/// @file
/// escd's tenants as Keystone (v3) projects.
///
/// Naming: the project is named as the ESC tenant is (`TenantRequest::name`), not
/// escd-<internal id>: a tenant is what an ESC user sees in OpenStack's dashboard and CLI, and
/// quotas and usage are reported by project name. escd finds its project again by the tag
/// escd-<internal id> (Keystone tags, API 3.10+, listed with `?tags=`), which a rename leaves in
/// place; the description carries escd's id for people. The project goes into the domain of
/// the session's own project. A project of the same name that is not escd's is not taken
/// over (Keystone's unique names refuse the create: Error(kConflict)): deleting the tenant
/// later would delete someone else's project.
///
/// The session's user gets the `admin` role on each project it makes, so that escd can then
/// authenticate into it and create the tenant's servers, networks and volumes there.
/// Ids are taken by value (a coroutine may outlive the caller's strings).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "vim/openstack/session.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

/// A project as Keystone describes it.
struct KeystoneProject {
    std::string id;
    std::string name;
    std::string domain_id;
    std::string description;
    bool enabled = true;
    std::vector<std::string> tags;
};

/// The fields escd reads of one project object.
KeystoneProject ParseProject(const boost::json::value& project);

/// The Keystone tag that marks escd's project of tenant `internal_id` ("escd-<id>": 77
/// characters at most, within Keystone's 80; escd's ids have no ',' or '/').
std::string ProjectTag(std::string_view internal_id);

/// The path of `path` ("/projects") below identity endpoint `endpoint`: catalogs list Keystone
/// with its /v3 or without.
std::string IdentityPath(std::string_view endpoint, std::string_view path);

class Projects {
  public:
    /// The role the session's user gets on each project escd makes.
    static constexpr const char* kRole = "admin";

    explicit Projects(Session& session) : session_(session) {}

    /// Keystone's id of tenant `request`'s project: the one tagged with its id (renamed and
    /// enabled or disabled as the request says), else a new one; the session's user holds
    /// kRole on it either way. Throws Error(kConflict) when another project has the name.
    asio::awaitable<std::string> EnsureProject(TenantRequest request);
    /// Keystone's id of escd's project of tenant `internal_id`; nullopt when there is none.
    asio::awaitable<std::optional<std::string>> FindProject(std::string internal_id);
    /// The project as Keystone has it; nullopt when there is none.
    asio::awaitable<std::optional<KeystoneProject>> ShowProject(std::string project_id);
    /// Sets the project's name and enabled flag to the request's. Error(kNotFound) when gone.
    asio::awaitable<void> UpdateProject(std::string project_id, TenantRequest request);
    /// Deletes project `project_id` (Keystone deletes enabled projects too); gone is a success.
    /// What the tenant had in other services must be deleted before: Keystone does not.
    asio::awaitable<void> DeleteProject(std::string project_id);

  private:
    asio::awaitable<std::string> Path(std::string path);
    asio::awaitable<void> GrantRole(std::string project_id);

    Session& session_;
    std::string role_id_;  ///< kRole's id, once looked up
};

}  // namespace escd::vim::openstack
