#pragma once
/// @file
/// escd's configuration: defaults, then a config file, then command-line flags, each overriding
/// the one before. The file is INI-like:
///
///     # comment
///     [server]
///     http_port = 8080
///
/// A flag is the same key with its section: `--server.http_port=0`. `--config=PATH` names the
/// file. Unknown sections or keys, malformed values and missing files are errors at start-up
/// (ConfigError, exit 1): a typo must never silently fall back to a default.
///
/// Keys (defaults in brackets):
///   [general]   data_dir [./var]             where the embedded PostgreSQL and TLS files live
///               schema_dir [<source>/schemas/sql] where the SQL migrations are
///   [server]    listen_address [127.0.0.1]; http_port [8080]; https_port [8443] (0 = any free
///               port; -1 = listener off); tls_cert, tls_key [<data_dir>/tls/escd.{crt,key}];
///               threads [2]; ready_file [] (after binding, write "http=<port> https=<port>\n")
///   [auth]      admin_user [admin]; admin_password [] (also from env ESCD_ADMIN_PASSWORD; when
///               empty and no hash is stored, a random one is generated and printed once)
///   [database]  dsn [] (empty = embedded PostgreSQL under <data_dir>/pg); pool_size [8];
///               standby_dsn [] (reads go there while dsn reaches no primary; docs/cluster.md)
///   [vim]       uri [test:///default]; pool_size [2]; storage_pool [escd] (libvirt pool of
///               image and volume disks, defined when missing); storage_dir
///               [<data_dir>/vim-storage] (on qemu:// every directory above it must be
///               searchable by others: qemu runs as its own user and opens the disks there);
///               hosts [] (several compute hosts, one libvirt connection each, as
///               "name=uri,name=uri", e.g. "host-a=test:///tmp/a.xml,host-b=test:///tmp/b.xml";
///               names are what escd shows as a VM's host and takes in /v0/hosts/{name} and
///               migrate-vm; URIs hold no comma; empty = the one host `uri`, named after its
///               hypervisor's host name)
///   [files]     where images and day-0 files may come from: allowed_cidrs [127.0.0.0/8,::1/128]
///               (http/https sources and file servers); root [<data_dir>/files] (file:// sources
///               must lie below it); max_mb [20480] (largest download); timeout_s [600]
///   [csm]       the CSM face's own listener (docs/csm.md): listen_address [127.0.0.1];
///               http_port [5000]; https_port [-1] (0 = any free port, -1 = off; the
///               [server] TLS files); its install jobs: log_dir [<data_dir>/csm-logs] (the
///               jobs' session logs, shared by a cluster's nodes); max_parallel_jobs [10] (per
///               node); device_allowed_cidrs [127.0.0.0/8,::1/128] (the addresses devices and
///               jump hosts may be reached at); connect_timeout_s [60] (each address tried);
///               command_timeout_s [300] (each command); poll_s [10] (how often a running
///               install operation and a reloading device are looked at); reload_timeout_s
///               [3600] (a device's reload until every node is up); operation_timeout_s [7200]
///   [log]       level [INFO]
///   [callbacks] allowed_cidrs [127.0.0.0/8,::1/128]; retry_initial_ms [1000];
///               retry_max_ms [300000]; retry_horizon_s [86400]; max_in_flight [64];
///               timeout_ms [10000]; tls_verify [true]; ca_file []
///   [monitor]   allowed_cidrs [127.0.0.0/8,::1/128]
///   [openstack] allowed_cidrs [127.0.0.0/8,::1/128] (the addresses OpenStack VIMs' Keystone and
///               service endpoints may resolve to); timeout_ms [30000] (each REST call);
///               endpoint [publicURL] (publicURL | internalURL | adminURL: which catalog
///               interface, the reference's OPENSTACK/ENDPOINT); ca_file [] (extra CA for https)
///   [engine]    paused_for_test [false] (accept and persist, but run nothing: crash tests)

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/backoff.hpp"
#include "common/cidr.hpp"
#include "common/log.hpp"

namespace escd {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Config {
    // [general]
    std::string data_dir = "./var";
    std::string schema_dir;  ///< default filled by the caller (compile-time source path)
    // [server]
    std::string listen_address = "127.0.0.1";
    int http_port = 8080;  ///< -1 disables the listener, 0 picks a free port
    int https_port = 8443;
    std::string tls_cert;  ///< empty = <data_dir>/tls/escd.crt
    std::string tls_key;   ///< empty = <data_dir>/tls/escd.key
    int server_threads = 2;
    std::string ready_file;
    // [auth]
    std::string admin_user = "admin";
    std::string admin_password;
    // [database]
    std::string database_dsn;
    std::string database_standby_dsn;  ///< empty = reads wait for the primary like writes
    int database_pool_size = 8;
    // [vim]
    std::string vim_uri = "test:///default";
    int vim_pool_size = 2;
    std::string vim_storage_pool = "escd";
    std::string vim_storage_dir;                                 ///< empty = <data_dir>/vim-storage
    std::vector<std::pair<std::string, std::string>> vim_hosts;  ///< (name, uri); empty = uri
    // [files]
    CidrList files_allowed_cidrs = CidrList::Parse("127.0.0.0/8,::1/128");
    std::string files_root;  ///< empty = <data_dir>/files
    std::uint64_t files_max_bytes = std::uint64_t{20480} << 20;
    std::chrono::seconds files_timeout{600};
    // [catalogue] (docs/catalogue.md)
    std::string catalogue_dir;  ///< empty = <data_dir>/catalogue; shared by a cluster's nodes
    std::uint64_t catalogue_max_file_bytes = std::uint64_t{65536} << 20;
    std::string catalogue_import_dir;  ///< imported at start-up when set (docs/catalogue.md)
    // [csm] (docs/csm.md)
    std::string csm_listen_address = "127.0.0.1";
    int csm_http_port = 5000;  ///< -1 disables the listener, 0 picks a free port
    int csm_https_port = -1;
    std::string csm_log_dir;  ///< empty = <data_dir>/csm-logs; shared by a cluster's nodes
    int csm_max_parallel_jobs = 10;
    CidrList csm_device_allowed_cidrs = CidrList::Parse("127.0.0.0/8,::1/128");
    std::chrono::seconds csm_connect_timeout{60};
    std::chrono::seconds csm_command_timeout{300};
    std::chrono::seconds csm_poll{10};
    std::chrono::seconds csm_reload_timeout{3600};
    std::chrono::seconds csm_operation_timeout{7200};
    // [log]
    log::Level log_level = log::Level::kInfo;
    // [callbacks]
    CidrList callback_allowed_cidrs = CidrList::Parse("127.0.0.0/8,::1/128");
    BackoffPolicy callback_backoff;
    int callback_max_in_flight = 64;
    std::chrono::milliseconds callback_timeout{10000};
    bool callback_tls_verify = true;
    std::string callback_ca_file;
    // [monitor]
    CidrList monitor_allowed_cidrs = CidrList::Parse("127.0.0.0/8,::1/128");
    // [openstack]
    CidrList openstack_allowed_cidrs = CidrList::Parse("127.0.0.0/8,::1/128");
    std::chrono::milliseconds openstack_timeout{30000};
    /// How often escd lists its Nova servers (their state, and VM events made from it).
    std::chrono::milliseconds openstack_poll_period{2000};
    std::string openstack_endpoint = "publicURL";
    std::string openstack_ca_file;
    // [engine]
    bool engine_paused_for_test = false;
    // [cluster] (docs/cluster.md)
    std::string cluster_node_name;  ///< empty = <host name>:<pid>
    std::chrono::milliseconds cluster_heartbeat{1000};
    std::chrono::milliseconds cluster_lease{10000};  ///< more than twice the heartbeat

    /// Applies one "section.key" = value. Throws ConfigError on an unknown key or a bad value.
    void Set(const std::string& dotted_key, const std::string& value);
    /// Fills the derived defaults (tls paths under data_dir) after all sources were applied.
    void Finish();
};

/// Loads defaults, then the file named by --config (if any), then the other flags.
/// `argv` excludes the program name. Flags: --config=PATH, --section.key=value, --help is not
/// handled here. Throws ConfigError.
Config LoadConfig(const std::vector<std::string>& args, const std::string& default_schema_dir);

/// Parses the INI text of a config file into `config` (used by LoadConfig; exposed for tests).
void ApplyConfigText(Config& config, const std::string& text, const std::string& origin);

}  // namespace escd
