#include "common/config.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "common/text.hpp"

namespace escd {
namespace {

// A value that failed validation; the caller prefixes the key and the origin.
struct BadValue {
    std::string reason;
};

std::string_view Trim(std::string_view text) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
    };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::int64_t ParseInt(std::string_view value, std::int64_t min, std::int64_t max) {
    std::string_view text = Trim(value);
    std::int64_t parsed = 0;
    // from_chars rejects a leading '+', which people do write; accept it for a positive number.
    std::string_view digits = text;
    if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        parsed < min || parsed > max) {
        throw BadValue{"invalid value '" + std::string(text) + "' (expected an integer from " +
                       std::to_string(min) + " to " + std::to_string(max) + ")"};
    }
    return parsed;
}

int ParseIntField(std::string_view value, int min, int max) {
    return static_cast<int>(ParseInt(value, min, max));
}

bool ParseBool(std::string_view value) {
    std::string text = Lower(Trim(value));
    if (text == "true" || text == "yes" || text == "1" || text == "on") return true;
    if (text == "false" || text == "no" || text == "0" || text == "off") return false;
    throw BadValue{"invalid value '" + std::string(Trim(value)) +
                   "' (expected true/false, yes/no, on/off or 1/0)"};
}

std::string NonEmpty(std::string_view value) {
    std::string_view text = Trim(value);
    if (text.empty()) throw BadValue{"must not be empty"};
    return std::string(text);
}

CidrList ParseCidrs(std::string_view value) {
    try {
        return CidrList::Parse(value);
    } catch (const std::invalid_argument& e) {
        throw BadValue{e.what()};
    }
}

std::string ParseListenAddress(std::string_view value) {
    std::string text(Trim(value));
    boost::system::error_code ec;
    boost::asio::ip::make_address(text, ec);
    if (ec) throw BadValue{"invalid value '" + text + "' (expected an IPv4 or IPv6 address)"};
    return text;
}

// "name=uri,name=uri": the named compute hosts of the libvirt VIM.
std::vector<std::pair<std::string, std::string>> ParseHosts(std::string_view value) {
    std::vector<std::pair<std::string, std::string>> hosts;
    std::string_view rest = Trim(value);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = Trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto equals = item.find('=');
        if (equals == std::string_view::npos) {
            throw BadValue{"invalid host '" + std::string(item) + "' (expected name=uri)"};
        }
        std::string name(Trim(item.substr(0, equals)));
        std::string uri(Trim(item.substr(equals + 1)));
        if (name.empty() || uri.empty()) {
            throw BadValue{"invalid host '" + std::string(item) + "' (expected name=uri)"};
        }
        for (const auto& [known, ignored] : hosts) {
            if (known == name) throw BadValue{"host name '" + name + "' given twice"};
        }
        hosts.emplace_back(std::move(name), std::move(uri));
    }
    return hosts;
}

constexpr int kMaxPort = 65535;
constexpr int kMaxCount = 1'000'000;  // threads, pool sizes, in-flight limits
constexpr std::int64_t kMaxMillis = INT32_MAX;
constexpr std::int64_t kMaxSeconds = 10LL * 366 * 86400;  // a horizon beyond ten years is a typo

// A duration key in milliseconds ("..._ms"), at least `min`.
std::chrono::milliseconds ParseMillis(std::string_view value, std::int64_t min) {
    return std::chrono::milliseconds{ParseInt(value, min, kMaxMillis)};
}

// A key of whole seconds, 1 s to ten years.
template <std::chrono::seconds Config::*kMember>
void SetSeconds(Config& c, std::string_view v) {
    c.*kMember = std::chrono::seconds{ParseInt(v, 1, kMaxSeconds)};
}

struct KeyHandler {
    std::string_view section;
    std::string_view key;
    void (*apply)(Config&, std::string_view);
};

// Every key escd understands. Names are exact and case-sensitive; see config.hpp for meanings.
// Strings that name paths or credentials are taken verbatim (no trimming of inner spaces, no
// quoting rules) so that a DSN such as "host=/run/pg dbname=escd" needs no escaping.
constexpr std::array kHandlers = {
    KeyHandler{"general", "data_dir",
               [](Config& c, std::string_view v) { c.data_dir = NonEmpty(v); }},
    KeyHandler{"general", "schema_dir",
               [](Config& c, std::string_view v) { c.schema_dir = NonEmpty(v); }},
    KeyHandler{"server", "listen_address",
               [](Config& c, std::string_view v) { c.listen_address = ParseListenAddress(v); }},
    KeyHandler{"server", "http_port",
               [](Config& c, std::string_view v) { c.http_port = ParseIntField(v, -1, kMaxPort); }},
    KeyHandler{
        "server", "https_port",
        [](Config& c, std::string_view v) { c.https_port = ParseIntField(v, -1, kMaxPort); }},
    KeyHandler{"server", "tls_cert", [](Config& c, std::string_view v) { c.tls_cert = Trim(v); }},
    KeyHandler{"server", "tls_key", [](Config& c, std::string_view v) { c.tls_key = Trim(v); }},
    KeyHandler{
        "server", "threads",
        [](Config& c, std::string_view v) { c.server_threads = ParseIntField(v, 1, kMaxCount); }},
    KeyHandler{"server", "ready_file",
               [](Config& c, std::string_view v) { c.ready_file = Trim(v); }},
    KeyHandler{"auth", "admin_user",
               [](Config& c, std::string_view v) { c.admin_user = NonEmpty(v); }},
    // A password is taken as given: spaces may be part of the secret.
    KeyHandler{"auth", "admin_password",
               [](Config& c, std::string_view v) { c.admin_password = v; }},
    KeyHandler{"database", "dsn", [](Config& c, std::string_view v) { c.database_dsn = Trim(v); }},
    KeyHandler{"database", "standby_dsn",
               [](Config& c, std::string_view v) { c.database_standby_dsn = Trim(v); }},
    KeyHandler{"database", "pool_size",
               [](Config& c, std::string_view v) {
                   c.database_pool_size = ParseIntField(v, 1, kMaxCount);
               }},
    KeyHandler{"vim", "uri", [](Config& c, std::string_view v) { c.vim_uri = NonEmpty(v); }},
    KeyHandler{
        "vim", "pool_size",
        [](Config& c, std::string_view v) { c.vim_pool_size = ParseIntField(v, 1, kMaxCount); }},
    KeyHandler{"vim", "storage_pool",
               [](Config& c, std::string_view v) { c.vim_storage_pool = NonEmpty(v); }},
    KeyHandler{"vim", "storage_dir",
               [](Config& c, std::string_view v) { c.vim_storage_dir = Trim(v); }},
    KeyHandler{"vim", "hosts", [](Config& c, std::string_view v) { c.vim_hosts = ParseHosts(v); }},
    KeyHandler{"files", "allowed_cidrs",
               [](Config& c, std::string_view v) { c.files_allowed_cidrs = ParseCidrs(v); }},
    KeyHandler{"files", "root", [](Config& c, std::string_view v) { c.files_root = Trim(v); }},
    KeyHandler{"files", "max_mb",
               [](Config& c, std::string_view v) {
                   c.files_max_bytes = static_cast<std::uint64_t>(ParseInt(v, 1, 1 << 24)) << 20;
               }},
    KeyHandler{"files", "timeout_s", SetSeconds<&Config::files_timeout>},
    KeyHandler{"catalogue", "dir",
               [](Config& c, std::string_view v) { c.catalogue_dir = Trim(v); }},
    KeyHandler{"catalogue", "import_dir",
               [](Config& c, std::string_view v) { c.catalogue_import_dir = Trim(v); }},
    KeyHandler{"catalogue", "max_file_mb",
               [](Config& c, std::string_view v) {
                   c.catalogue_max_file_bytes = static_cast<std::uint64_t>(ParseInt(v, 1, 1 << 30))
                                                << 20;
               }},
    KeyHandler{"csm", "listen_address",
               [](Config& c, std::string_view v) {
                   c.csm_listen_address = ParseListenAddress(v);
               }},
    KeyHandler{"csm", "http_port",
               [](Config& c, std::string_view v) {
                   c.csm_http_port = ParseIntField(v, -1, kMaxPort);
               }},
    KeyHandler{"csm", "https_port",
               [](Config& c, std::string_view v) {
                   c.csm_https_port = ParseIntField(v, -1, kMaxPort);
               }},
    KeyHandler{"csm", "log_dir", [](Config& c, std::string_view v) { c.csm_log_dir = Trim(v); }},
    KeyHandler{"csm", "max_parallel_jobs",
               [](Config& c, std::string_view v) {
                   c.csm_max_parallel_jobs = ParseIntField(v, 1, kMaxCount);
               }},
    KeyHandler{"csm", "device_allowed_cidrs",
               [](Config& c, std::string_view v) { c.csm_device_allowed_cidrs = ParseCidrs(v); }},
    KeyHandler{"csm", "connect_timeout_s", SetSeconds<&Config::csm_connect_timeout>},
    KeyHandler{"csm", "command_timeout_s", SetSeconds<&Config::csm_command_timeout>},
    KeyHandler{"csm", "poll_s", SetSeconds<&Config::csm_poll>},
    KeyHandler{"csm", "reload_timeout_s", SetSeconds<&Config::csm_reload_timeout>},
    KeyHandler{"csm", "operation_timeout_s", SetSeconds<&Config::csm_operation_timeout>},
    KeyHandler{"log", "level",
               [](Config& c, std::string_view v) {
                   auto level = log::ParseLevel(Trim(v));
                   if (!level) {
                       throw BadValue{"invalid value '" + std::string(Trim(v)) +
                                      "' (expected DEBUG, INFO, WARN or ERROR)"};
                   }
                   c.log_level = *level;
               }},
    KeyHandler{"callbacks", "allowed_cidrs",
               [](Config& c, std::string_view v) { c.callback_allowed_cidrs = ParseCidrs(v); }},
    KeyHandler{"callbacks", "retry_initial_ms",
               [](Config& c, std::string_view v) {
                   c.callback_backoff.initial =
                       ParseMillis(v, 1);
               }},
    KeyHandler{"callbacks", "retry_max_ms",
               [](Config& c, std::string_view v) {
                   c.callback_backoff.max = ParseMillis(v, 1);
               }},
    KeyHandler{"callbacks", "retry_horizon_s",
               [](Config& c, std::string_view v) {
                   c.callback_backoff.horizon = std::chrono::seconds{ParseInt(v, 1, kMaxSeconds)};
               }},
    KeyHandler{"callbacks", "max_in_flight",
               [](Config& c, std::string_view v) {
                   c.callback_max_in_flight = ParseIntField(v, 1, kMaxCount);
               }},
    KeyHandler{"callbacks", "timeout_ms",
               [](Config& c, std::string_view v) {
                   c.callback_timeout = ParseMillis(v, 1);
               }},
    KeyHandler{"callbacks", "tls_verify",
               [](Config& c, std::string_view v) { c.callback_tls_verify = ParseBool(v); }},
    KeyHandler{"callbacks", "ca_file",
               [](Config& c, std::string_view v) { c.callback_ca_file = Trim(v); }},
    KeyHandler{"monitor", "allowed_cidrs",
               [](Config& c, std::string_view v) { c.monitor_allowed_cidrs = ParseCidrs(v); }},
    KeyHandler{"openstack", "allowed_cidrs",
               [](Config& c, std::string_view v) { c.openstack_allowed_cidrs = ParseCidrs(v); }},
    KeyHandler{"openstack", "timeout_ms",
               [](Config& c, std::string_view v) {
                   c.openstack_timeout = ParseMillis(v, 1);
               }},
    KeyHandler{"openstack", "poll_ms",
               [](Config& c, std::string_view v) {
                   c.openstack_poll_period = ParseMillis(v, 50);
               }},
    KeyHandler{"openstack", "endpoint",
               [](Config& c, std::string_view v) {
                   const std::string value(Trim(v));
                   if (value != "publicURL" && value != "internalURL" && value != "adminURL")
                       throw ConfigError("openstack.endpoint must be publicURL, internalURL or "
                                         "adminURL, not '" +
                                         value + "'");
                   c.openstack_endpoint = value;
               }},
    KeyHandler{"openstack", "ca_file",
               [](Config& c, std::string_view v) { c.openstack_ca_file = Trim(v); }},
    KeyHandler{"engine", "paused_for_test",
               [](Config& c, std::string_view v) { c.engine_paused_for_test = ParseBool(v); }},
    KeyHandler{"cluster", "node_name",
               [](Config& c, std::string_view v) { c.cluster_node_name = Trim(v); }},
    KeyHandler{"cluster", "heartbeat_ms",
               [](Config& c, std::string_view v) {
                   c.cluster_heartbeat = ParseMillis(v, 50);
               }},
    KeyHandler{"cluster", "lease_ms",
               [](Config& c, std::string_view v) {
                   c.cluster_lease = ParseMillis(v, 100);
               }},
};

bool IsKnownSection(std::string_view section) {
    for (const KeyHandler& handler : kHandlers) {
        if (handler.section == section) return true;
    }
    return false;
}

// Applies section.key = value; the ConfigError message names the key but not the origin.
void ApplyKey(Config& config,
              std::string_view section,
              std::string_view key,
              std::string_view value) {
    std::string dotted = std::string(section) + "." + std::string(key);
    if (!IsKnownSection(section)) {
        throw ConfigError("unknown section '" + std::string(section) + "' in key '" + dotted + "'");
    }
    for (const KeyHandler& handler : kHandlers) {
        if (handler.section != section || handler.key != key) continue;
        try {
            handler.apply(config, value);
        } catch (const BadValue& bad) {
            throw ConfigError(dotted + ": " + bad.reason);
        }
        return;
    }
    throw ConfigError("unknown key '" + dotted + "'");
}

void ApplyDotted(Config& config, std::string_view dotted_key, std::string_view value) {
    auto dot = dotted_key.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == dotted_key.size()) {
        throw ConfigError("malformed key '" + std::string(dotted_key) + "' (expected section.key)");
    }
    ApplyKey(config, dotted_key.substr(0, dot), dotted_key.substr(dot + 1), value);
}

std::string ReadConfigFile(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError("cannot read config file '" + path + "': is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError("cannot read config file '" + path + "': " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read config file '" + path + "': read error");
    return text.str();
}

}  // namespace

void Config::Set(const std::string& dotted_key, const std::string& value) {
    ApplyDotted(*this, dotted_key, value);
}

void Config::Finish() {
    // One missed heartbeat must not cost a node its lease.
    if (cluster_lease <= 2 * cluster_heartbeat) {
        throw ConfigError("cluster.lease_ms (" + std::to_string(cluster_lease.count()) +
                          ") must be more than twice cluster.heartbeat_ms (" +
                          std::to_string(cluster_heartbeat.count()) + ")");
    }
    const std::filesystem::path tls_dir = std::filesystem::path(data_dir) / "tls";
    if (tls_cert.empty()) tls_cert = (tls_dir / "escd.crt").string();
    if (tls_key.empty()) tls_key = (tls_dir / "escd.key").string();
    const std::filesystem::path data(data_dir);
    if (vim_storage_dir.empty()) vim_storage_dir = std::filesystem::absolute(data / "vim-storage");
    if (files_root.empty()) files_root = std::filesystem::absolute(data / "files");
    if (catalogue_dir.empty()) catalogue_dir = std::filesystem::absolute(data / "catalogue");
    if (csm_log_dir.empty()) csm_log_dir = std::filesystem::absolute(data / "csm-logs");
}

void ApplyConfigText(Config& config, const std::string& text, const std::string& origin) {
    std::string_view rest = text;
    // A UTF-8 byte order mark, as some Windows editors write, is not part of the first line.
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
    std::string section;
    int line_number = 0;
    while (!rest.empty()) {
        ++line_number;
        auto newline = rest.find('\n');
        std::string_view raw = rest.substr(0, newline);
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

        const std::string where = origin + ":" + std::to_string(line_number) + ": ";
        std::string_view line = Trim(raw);
        // Only whole-line comments: '#' and ';' may well appear inside a password or a DSN.
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;

        if (line.front() == '[') {
            if (line.back() != ']') throw ConfigError(where + "malformed section header");
            std::string_view name = Trim(line.substr(1, line.size() - 2));
            if (!IsKnownSection(name)) {
                throw ConfigError(where + "unknown section [" + std::string(name) + "]");
            }
            section = std::string(name);
            continue;
        }

        auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            throw ConfigError(where + "expected 'key = value', got '" + std::string(line) + "'");
        }
        std::string_view key = Trim(line.substr(0, equals));
        if (key.empty()) throw ConfigError(where + "missing key before '='");
        if (section.empty()) {
            throw ConfigError(where + "key '" + std::string(key) + "' outside of any [section]");
        }
        // The value keeps its inner text; leading spaces after '=' are layout, not content.
        std::string_view value = raw.substr(raw.find('=') + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.remove_suffix(1);
        }
        try {
            ApplyKey(config, section, key, value);
        } catch (const ConfigError& e) {
            throw ConfigError(where + e.what());
        }
    }
}

Config LoadConfig(const std::vector<std::string>& args, const std::string& default_schema_dir) {
    Config config;
    config.schema_dir = default_schema_dir;

    // First pass: check the form of every flag and find --config, so that a malformed flag is
    // reported even when the config file has an error too.
    std::string config_path;
    std::vector<std::pair<std::string, std::string>> flags;
    for (const std::string& arg : args) {
        auto equals = arg.find('=');
        std::string_view name = std::string_view(arg).substr(0, equals);
        if (name.size() < 3 || name.substr(0, 2) != "--" || equals == std::string::npos) {
            throw ConfigError("invalid command line argument '" + arg +
                              "' (expected --section.key=value or --config=PATH)");
        }
        name.remove_prefix(2);
        std::string value = arg.substr(equals + 1);
        if (name == "config") {
            if (value.empty()) throw ConfigError("--config: missing file name");
            if (!config_path.empty()) throw ConfigError("--config given more than once");
            config_path = value;
            continue;
        }
        auto dot = name.find('.');
        if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) {
            throw ConfigError("invalid command line argument '" + arg +
                              "' (expected --section.key=value or --config=PATH)");
        }
        flags.emplace_back(std::string(name), std::move(value));
    }

    if (!config_path.empty()) ApplyConfigText(config, ReadConfigFile(config_path), config_path);

    // The environment keeps the password out of `ps` output; an explicit flag still wins.
    if (const char* password = std::getenv("ESCD_ADMIN_PASSWORD"); password && *password) {
        config.admin_password = password;
    }

    for (const auto& [name, value] : flags) {
        try {
            ApplyDotted(config, name, value);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("command line: ") + e.what());
        }
    }

    config.Finish();
    return config;
}

}  // namespace escd
