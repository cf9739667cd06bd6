#include "vim/openstack/keystone.hpp"
#include "vim/openstack/json_fields.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>
#include "common/log.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
[[noreturn]] void NotAToken(const std::string& why) {
    throw VimError(ErrorCode::kVimError, "Keystone's answer is not a v3 token: " + why);
}
}  // namespace

std::string PasswordAuthBody(const Credentials& c) {
    json::object user{{"name", c.user},
                      {"domain", json::object{{"name", c.user_domain}}},
                      {"password", c.password}};
    json::object identity{{"methods", json::array{"password"}},
                          {"password", json::object{{"user", std::move(user)}}}};
    json::object project = c.project_id.empty()
                               ? json::object{{"name", c.project},
                                              {"domain", json::object{{"name", c.project_domain}}}}
                               : json::object{{"id", c.project_id}};
    json::object scope{{"project", std::move(project)}};
    return json::serialize(json::object{
        {"auth", json::object{{"identity", std::move(identity)}, {"scope", std::move(scope)}}}});
}

std::optional<std::chrono::system_clock::time_point> ParseIsoTime(std::string_view text) {
    std::tm utc{};
    int fraction_start = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                    &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &fraction_start) != 6) {
        return std::nullopt;
    }
    std::string_view rest = text.substr(static_cast<std::size_t>(fraction_start));
    std::chrono::microseconds fraction{0};
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        long long digits = 0;
        int count = 0;
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            if (count < 6) {
                digits = digits * 10 + (rest.front() - '0');
                ++count;
            }
            rest.remove_prefix(1);
        }
        while (count++ < 6) digits *= 10;
        fraction = std::chrono::microseconds(digits);
    }
    // Keystone writes UTC with a Z; an explicit +00:00 is the same. Other offsets: not Keystone.
    if (rest != "Z" && rest != "+00:00" && !rest.empty()) return std::nullopt;
    utc.tm_year -= 1900;
    utc.tm_mon -= 1;
    const std::time_t seconds = ::timegm(&utc);
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(seconds) + fraction;
}

Token ParseToken(const std::string& subject_token, const std::string& body) {
    if (subject_token.empty()) NotAToken("no X-Subject-Token header");
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) NotAToken("not JSON");
    const auto* token = ObjectAt(parsed.as_object(), "token");
    if (!token) NotAToken("no \"token\" object");
    Token out;
    out.id = subject_token;
    const auto expires = ParseIsoTime(StringAt(*token, "expires_at"));
    if (!expires) NotAToken("no valid expires_at");
    out.expires_at = *expires;
    if (const auto* project = ObjectAt(*token, "project")) {
        out.project_id = StringAt(*project, "id");
        if (const auto* domain = ObjectAt(*project, "domain"))
            out.project_domain_id = StringAt(*domain, "id");
    }
    if (const auto* user = ObjectAt(*token, "user")) out.user_id = StringAt(*user, "id");
    const auto* catalog = token->if_contains("catalog");
    if (catalog && catalog->is_array()) {
        for (const auto& service : catalog->as_array()) {
            if (!service.is_object()) continue;
            const auto type = StringAt(service.as_object(), "type");
            const auto* endpoints = service.as_object().if_contains("endpoints");
            if (!endpoints || !endpoints->is_array()) continue;
            for (const auto& endpoint : endpoints->as_array()) {
                if (!endpoint.is_object()) continue;
                const auto& e = endpoint.as_object();
                auto region = StringAt(e, "region_id");
                if (region.empty()) region = StringAt(e, "region");
                out.catalog.push_back(
                    {type, StringAt(e, "interface"), std::move(region), StringAt(e, "url")});
            }
        }
    }
    return out;
}

std::optional<std::string> InterfaceNamed(std::string_view setting) {
    for (const char* name : {"public", "internal", "admin"}) {
        const std::string v3(name);
        if (setting == v3 || setting == v3 + "URL") return v3;
    }
    return std::nullopt;
}

std::optional<std::string> FindEndpoint(const std::vector<CatalogEndpoint>& catalog,
                                        std::string_view type,
                                        std::string_view interface,
                                        std::string_view region) {
    for (const auto& endpoint : catalog) {
        if (endpoint.type != type || endpoint.interface != interface) continue;
        if (!region.empty() && endpoint.region != region) continue;
        std::string url = endpoint.url;
        while (!url.empty() && url.back() == '/') url.pop_back();
        return url;
    }
    return std::nullopt;
}

std::optional<Token> Keystone::Cached() {
    std::lock_guard lock(mutex_);
    if (token_ && std::chrono::system_clock::now() + renew_before_ < token_->expires_at)
        return token_;
    return std::nullopt;
}

asio::awaitable<Token> Keystone::Current() {
    if (auto token = Cached()) co_return std::move(*token);
    // One authentication at a time: the calls that find no token together (a tenant's first
    // deployments, or every call once the token is in its renewal margin) wait for one answer
    // instead of each sending Keystone the password, whose check is deliberately slow.
    co_await turns_.Lock();
    const AsyncMutex::Unlocker unlock(turns_);
    if (auto token = Cached()) co_return std::move(*token);
    std::string url = credentials_.auth_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    ApiRequest request;
    request.method = http::verb::post;
    request.url = url + "/auth/tokens";
    request.body = PasswordAuthBody(credentials_);
    ApiResponse response;
    try {
        response = co_await client_.Send(request);
    } catch (const VimUnavailable& e) {
        throw Outage("identity", e.what());
    }
    if (!response.Ok()) {
        const auto error = ApiError(response, "Keystone authentication");
        if (ServiceDown(response)) throw Outage("identity", error.what());
        throw error;
    }
    auto token = ParseToken(response.Header("X-Subject-Token"), response.body);
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
        token.expires_at - std::chrono::system_clock::now());
    ESCD_INFO("vim") << "new Keystone token for user " << credentials_.user << " in project "
                     << credentials_.project << " at " << credentials_.auth_url << ": valid "
                     << left.count() << " s, renewed " << renew_before_.count()
                     << " s before it expires";
    std::lock_guard lock(mutex_);
    token_ = token;
    co_return token;
}

void Keystone::Invalidate() {
    std::lock_guard lock(mutex_);
    token_.reset();
}

asio::awaitable<std::string> Keystone::Endpoint(std::string type) {
    const auto token = co_await Current();
    co_return EndpointIn(token, type);
}

std::string Keystone::EndpointIn(const Token& token, std::string_view type) const {
    auto url = FindEndpoint(token.catalog, type, credentials_.interface, credentials_.region);
    if (!url) {
        throw VimError(
            ErrorCode::kNotFound,
            "the Keystone catalog has no " + std::string(type) + " endpoint for interface " +
                credentials_.interface +
                (credentials_.region.empty() ? "" : " in region " + credentials_.region));
    }
    return *url;
}

namespace {
std::string Find(const Properties& properties, std::string_view name) {
    for (const auto& [key, value] : properties)
        if (key == name) return value;
    return {};
}
}  // namespace

Credentials CredentialsFrom(const Properties& connector,
                            const std::string& user,
                            const Properties& user_properties,
                            const std::string& interface) {
    Credentials c;
    c.auth_url = Find(connector, "os_auth_url");
    if (c.auth_url.empty())
        throw ConfigurationError(ErrorCode::kBadRequest, "the connector has no os_auth_url");
    c.project = Find(connector, "os_project_name");
    if (c.project.empty())
        throw ConfigurationError(ErrorCode::kBadRequest, "the connector has no os_project_name");
    if (user.empty())
        throw ConfigurationError(ErrorCode::kBadRequest, "no VIM user to authenticate as");
    c.user = user;
    c.password = Find(user_properties, "os_password");
    if (c.password.empty()) c.password = Find(connector, "os_password");
    if (c.password.empty())
        throw ConfigurationError(ErrorCode::kBadRequest,
                                 "VIM user " + user + " has no os_password");
    for (const auto* source : {&user_properties, &connector}) {
        if (auto domain = Find(*source, "os_user_domain_name"); !domain.empty()) {
            c.user_domain = domain;
            break;
        }
    }
    if (auto domain = Find(connector, "os_project_domain_name"); !domain.empty())
        c.project_domain = domain;
    c.region = Find(connector, "os_region_name");
    c.interface = InterfaceNamed(interface).value_or("public");
    return c;
}

asio::awaitable<VimStatus> Keystone::Check(ApiClient& client, Credentials credentials) {
    Keystone keystone(client, std::move(credentials));
    try {
        const auto token = co_await keystone.Current();
        const auto& c = keystone.credentials();
        co_return VimStatus{true, "authenticated as " + c.user + " in project " + c.project +
                                      " at " + c.auth_url + " (" +
                                      std::to_string(token.catalog.size()) + " catalog endpoints)"};
    } catch (const Error& e) {
        co_return VimStatus{false, e.what()};
    }
}

}  // namespace escd::vim::openstack
