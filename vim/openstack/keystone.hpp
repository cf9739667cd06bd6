#pragma once
/// @file
/// Keystone v3 for the OpenStack adapter: password authentication scoped to the VIM user's
/// project, the token cached and renewed before it expires, and the service endpoints from the
/// token's catalog (the interface the config's OPENSTACK/ENDPOINT names, in the VIM's region).
///
/// The request and answer shapes are pure functions (unit tested); Keystone the class does the
/// calls through ApiClient.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "vim/openstack/api_client.hpp"
#include "vim/openstack/async_mutex.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

/// Who escd is on one OpenStack VIM (a VIM connector of type OPENSTACK and its VIM user).
struct Credentials {
    std::string auth_url;  ///< os_auth_url, e.g. http://127.0.0.1:5000/v3
    std::string user;
    std::string password;
    std::string user_domain = "Default";
    std::string project;
    std::string project_domain = "Default";
    /// When set, the token is scoped to this project id instead (a tenant's project escd made:
    /// its VMs are created with such a token; `project` and `project_domain` are then unused).
    std::string project_id{};
    std::string region;                ///< "" = any
    std::string interface = "public";  ///< public | internal | admin
};

struct CatalogEndpoint {
    std::string type;  ///< compute, network, image, volumev3, identity, ...
    std::string interface;
    std::string region;
    std::string url;
};

struct Token {
    std::string id;  ///< X-Subject-Token; sent back as X-Auth-Token
    std::chrono::system_clock::time_point expires_at;
    std::string project_id;
    std::string project_domain_id;  ///< where escd makes its tenants' projects
    std::string user_id;
    std::vector<CatalogEndpoint> catalog;
};

/// The body of POST {auth_url}/auth/tokens: password method, scoped to the project (by id when
/// the credentials name one, else by name in its domain).
std::string PasswordAuthBody(const Credentials& credentials);

/// The token of a successful authentication: `subject_token` is its X-Subject-Token header.
/// Throws Error(kVimError) when the body is not a Keystone v3 token.
Token ParseToken(const std::string& subject_token, const std::string& body);

/// An ISO 8601 UTC time as Keystone writes it ("2026-11-24T06:25:08.000000Z"); nullopt if not.
std::optional<std::chrono::system_clock::time_point> ParseIsoTime(std::string_view text);

/// "publicURL" / "internalURL" / "adminURL" (the reference's OPENSTACK/ENDPOINT values) or the
/// v3 names as they are: the v3 interface name; nullopt for anything else.
std::optional<std::string> InterfaceNamed(std::string_view setting);

/// The URL of service `type` at `interface` in `region` ("" = the first region listed), without
/// a trailing slash; nullopt when the catalog has none.
std::optional<std::string> FindEndpoint(const std::vector<CatalogEndpoint>& catalog,
                                        std::string_view type,
                                        std::string_view interface,
                                        std::string_view region);

/// Name and value of a VIM connector's or VIM user's property (plain or encrypted: escd keeps
/// the text as given, and uses it).
using Properties = std::vector<std::pair<std::string, std::string>>;

/// The credentials of VIM user `user` (its id is the OpenStack user name) on a connector:
/// connector properties os_auth_url and os_project_name (required), os_project_domain_name
/// [Default], os_region_name [any region]; user properties os_password (else the connector's)
/// and os_user_domain_name (else the connector's) [Default]; `interface` from the config's
/// openstack.endpoint. Throws Error(kBadRequest) naming what is missing.
Credentials CredentialsFrom(const Properties& connector,
                            const std::string& user,
                            const Properties& user_properties,
                            const std::string& interface);

class Keystone {
  public:
    /// A token is renewed once less than this is left of it: a call started with it must not
    /// meet its expiry halfway.
    static constexpr std::chrono::minutes kRenewBefore{5};

    /// `renew_before`: the margin before a token's expires_at at which it is renewed (tests
    /// give one longer than Keystone's token lifetime to see a renewal without waiting).
    Keystone(ApiClient& client,
             Credentials credentials,
             std::chrono::seconds renew_before = kRenewBefore)
        : client_(client), credentials_(std::move(credentials)), renew_before_(renew_before) {}

    /// A token valid for at least renew_before(): the cached one, or a new one (logged, with
    /// its expiry: never the token itself). Throws Error(kUnauthorized) when Keystone refuses
    /// the credentials, VimUnavailable when it does not answer or answers that it is down.
    asio::awaitable<Token> Current();
    /// Forgets the cached token (a service answered 401: revoked, or Keystone restarted).
    void Invalidate();
    /// The endpoint of service `type` for these credentials' interface and region. Throws
    /// Error(kNotFound) when the catalog has none.
    asio::awaitable<std::string> Endpoint(std::string type);
    /// The same, from the catalog of `token` (one this Keystone gave).
    std::string EndpointIn(const Token& token, std::string_view type) const;

    const Credentials& credentials() const { return credentials_; }
    std::chrono::seconds renew_before() const { return renew_before_; }

    /// Whether the credentials authenticate now (a VIM connector's check_status): reachable,
    /// or unreachable with Keystone's or the network's reason.
    static asio::awaitable<VimStatus> Check(ApiClient& client, Credentials credentials);

  private:
    ApiClient& client_;
    Credentials credentials_;
    std::chrono::seconds renew_before_;
    /// The cached token while it is outside the renewal margin.
    std::optional<Token> Cached();

    std::mutex mutex_;
    std::optional<Token> token_;
    AsyncMutex turns_;  ///< authentications take turns
};

}  // namespace escd::vim::openstack
