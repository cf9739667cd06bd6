// escd: the composition root. Reads the configuration, starts (or connects to) PostgreSQL,
// applies migrations, wires store -> engine -> server, resumes unfinished work, and serves until
// SIGINT/SIGTERM. The only file that sees every concrete type.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/asio.hpp"
#include "common/config.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/sync_wait.hpp"
#include "common/tls.hpp"
#include "model/store/pg/embedded_postgres.hpp"
#include "model/store/pg/pg_store.hpp"
#include "orchestrator/catalogue/catalogue_files.hpp"
#include "orchestrator/cluster/node_membership.hpp"
#include "orchestrator/csm/install_runner.hpp"
#include "orchestrator/csm/job_scheduler.hpp"
#include "orchestrator/csm/vnf_hosts.hpp"
#include "orchestrator/engine/config_parameters.hpp"
#include "orchestrator/engine/engine.hpp"
#include "orchestrator/engine/vim_connectors.hpp"
#include "orchestrator/engine/vnf_monitoring_switch.hpp"
#include "orchestrator/monitor/icmp_pinger.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "server/admin_password.hpp"
#include "server/basic_auth.hpp"
#include "server/catalogue/catalogue_admin.hpp"
#include "server/csm/csm_auth.hpp"
#include "server/csm/csm_face.hpp"
#include "server/esc/esc_face.hpp"
#include "server/handlers/admin_handlers.hpp"
#include "server/handlers/config_handlers.hpp"
#include "server/handlers/deployment_handlers.hpp"
#include "server/handlers/dynamic_mapping_handlers.hpp"
#include "server/handlers/host_handlers.hpp"
#include "server/handlers/migration_handlers.hpp"
#include "server/handlers/mutation.hpp"
#include "server/handlers/node_handlers.hpp"
#include "server/handlers/operation_mode_handlers.hpp"
#include "server/handlers/resource_handlers.hpp"
#include "server/handlers/snapshot_handlers.hpp"
#include "server/handlers/system_state_handlers.hpp"
#include "server/handlers/tenant_handlers.hpp"
#include "server/handlers/vim_connector_handlers.hpp"
#include "server/http_server.hpp"
#include "server/router.hpp"
#include "server/swdist/swdist_face.hpp"
#include "server/tls_context.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"
#include "vim/openstack/openstack_adapter.hpp"
#include "vim/vim_router.hpp"

#ifndef ESCD_DEFAULT_SCHEMA_DIR
#define ESCD_DEFAULT_SCHEMA_DIR "schemas/sql"
#endif

namespace escd {
namespace {

// A node's default name: the machine and the process, which tell an operator where to look.
// <host>:<port>: stable across restarts, so that a restarted escd succeeds its previous process
// at once (docs/cluster.md), and unique while the port is bound.
std::string DefaultNodeName(int port) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return std::string(*host ? host : "escd") + ":" + std::to_string(port);
}

void PrintUsage() {
    std::cout << "usage: escd [--config=FILE] [--section.key=value ...]\n"
                 "  Runs the escd NFV orchestrator. Keys and defaults: see deploy/escd.conf.\n"
                 "  With no --database.dsn, escd runs a private PostgreSQL under "
                 "<general.data_dir>/pg.\n";
}

std::shared_ptr<ssl::context> LoadTls(const Config& config) {
    if (EnsureSelfSignedCertificate(config.tls_cert, config.tls_key)) {
        ESCD_INFO("server") << "generated a self-signed certificate " << config.tls_cert;
    }
    return server::MakeServerTlsContext(config.tls_cert, config.tls_key);
}

int Run(const Config& config) {
    log::SetLevel(config.log_level);
    std::filesystem::create_directories(config.data_dir);

    std::unique_ptr<model::pg::EmbeddedPostgres> embedded;
    std::string dsn = config.database_dsn;
    if (dsn.empty()) {
        embedded = std::make_unique<model::pg::EmbeddedPostgres>(config.data_dir + "/pg");
        dsn = embedded->Start();
    }
    model::pg::PgStore::ApplyMigrations(dsn, config.schema_dir);
    // Reads run on the store's own threads, one connection each; writes are group-committed by
    // its writer threads (model/store/pg/group_commit.hpp). Nothing else waits on the database.
    model::pg::PgStore store(dsn, config.database_pool_size, 2, config.database_standby_dsn);
    const model::Stores stores = store.Roles();
    server::BasicAuth auth(config.admin_user,
                           SyncWait(server::ResolvePasswordHash(stores.settings, config.admin_user,
                                                                config.admin_password)));

    asio::io_context ioc(config.server_threads);
    // Blocking work other than the database's: password checks and hashing (PBKDF2), TLS file
    // reads, the workflows' file work (day-0 archives, staged images).
    asio::thread_pool blocking_pool(static_cast<std::size_t>(config.database_pool_size));
    asio::thread_pool vim_pool(static_cast<std::size_t>(config.vim_pool_size));
    // Image sources are written to and read from disk on these.
    asio::thread_pool file_pool(2);

    // Which VMs on a shared hypervisor are this installation's (its database's): reconciliation
    // after a restart never touches another escd's.
    // Nodes starting at once on a new database agree on it (the first to commit wins).
    const std::string instance_key = "escd.instance_id";
    const auto instance_id = SyncWait(stores.settings.SettingOrPut(instance_key, NewUuid()));
    std::vector<vim::LibvirtAdapter::HostUri> vim_hosts;
    for (const auto& [name, uri] : config.vim_hosts) vim_hosts.push_back({name, uri});
    vim::LibvirtAdapter vim({config.vim_uri, config.vim_storage_pool, config.vim_storage_dir,
                             instance_id, std::move(vim_hosts)},
                            vim_pool);
    try {
        vim.Connect();
    } catch (const Error& e) {
        // Not fatal: operations report the VIM as unreachable until it comes back.
        ESCD_ERROR("vim") << e.what();
    }

    // OpenStack VIMs are called over HTTPS with the system's CAs (and openstack.ca_file), only
    // at addresses openstack.allowed_cidrs admits.
    ssl::context openstack_tls(ssl::context::tls_client);
    openstack_tls.set_default_verify_paths();
    if (!config.openstack_ca_file.empty()) openstack_tls.load_verify_file(config.openstack_ca_file);
    openstack_tls.set_verify_mode(ssl::verify_peer);
    vim::openstack::ApiClient openstack_client(openstack_tls, config.openstack_timeout,
                                               config.openstack_allowed_cidrs);
    // The engine's VIMs: escd's own libvirt one, and a backend per registered OPENSTACK
    // connector; resources go to the default connector, VMs to their group's locator.
    vim::VimRouter vims(vim, model::kOwnVimConnectorId);
    orchestrator::VimConnectors connectors(
        vims,
        [&](const model::VimConnector& connector,
            const std::vector<model::VimUser>& users) -> std::unique_ptr<vim::Vim> {
            if (connector.type != model::VimType::kOpenstack) return nullptr;
            if (users.empty())
                throw ConfigurationError(ErrorCode::kUnavailable, "no VIM user to authenticate as");
            vim::openstack::OpenStackOptions options;
            options.instance_id = instance_id;
            options.poll_period = config.openstack_poll_period;
            return std::make_unique<vim::openstack::OpenStackAdapter>(
                openstack_client,
                server::handlers::CredentialsOf(connector, users, config.openstack_endpoint),
                options, ioc.get_executor(), file_pool);
        });

    orchestrator::NotifierOptions notifier_options{
        config.callback_allowed_cidrs,
        config.callback_backoff,
        static_cast<std::size_t>(config.callback_max_in_flight),
        config.callback_timeout,
        config.callback_tls_verify,
        config.callback_ca_file};
    orchestrator::Notifier notifier(ioc, stores.operations, notifier_options);
    orchestrator::FileFetcher fetcher(
        file_pool, {config.files_allowed_cidrs, config.files_root,
                    (std::filesystem::path(config.data_dir) / "downloads").string(),
                    config.files_max_bytes, config.files_timeout});
    orchestrator::IcmpPinger pinger(ioc, config.monitor_allowed_cidrs);
    pinger.Start();  // without ICMP, VM_ALIVE KPIs never pass; the reason is logged
    orchestrator::OperationMode mode(stores.settings);
    SyncWait(mode.Load());
    orchestrator::Engine engine(
        ioc, stores, blocking_pool, vims, notifier, fetcher, pinger, mode,
        {config.engine_paused_for_test, config.cluster_lease, config.cluster_heartbeat});
    mode.OnChange([&engine](orchestrator::Mode now) { engine.OperationModeChanged(now); });
    orchestrator::ConfigParameters config_parameters(stores.settings);
    // Named once the listeners are bound (the default name has the port); joins before the
    // io_context runs, so nothing is accepted before the store knows its node.
    orchestrator::NodeMembership membership(ioc, stores.nodes,
                                            {"", config.cluster_heartbeat, config.cluster_lease},
                                            SteadyClock::Shared());
    SyncWait(config_parameters.SyncLogLevelAtStart(config.log_level));

    server::Router router;
    server::handlers::RegisterTenantRoutes(router, stores.resources);
    server::handlers::RegisterResourceRoutes(router, engine, stores.resources);
    server::handlers::RegisterDeploymentRoutes(router,
                                               {engine, stores.resources, stores.deployments});
    server::handlers::RegisterOperationModeRoutes(router, mode);
    server::handlers::RegisterConfigRoutes(router, config_parameters, stores.settings);
    server::handlers::RegisterSystemStateRoutes(router, {mode, vims, notifier});
    server::handlers::RegisterNodeRoutes(router, {stores.nodes, membership});
    server::handlers::RegisterSnapshotRoutes(
        router, {stores.resources, stores.deployments, stores.snapshots});
    server::handlers::RegisterMigrationRoutes(
        router, {vims, stores.resources, stores.deployments, stores.hosts});
    server::handlers::RegisterHostRoutes(router, {stores.hosts, vims});
    server::handlers::RegisterDynamicMappingRoutes(router, stores.dynamic_mappings);
    server::handlers::RegisterVimConnectorRoutes(
        router, {stores.vim_connectors, vim, config.vim_uri,
                 [&vim](const std::string& uri) { return vim.CheckUri(uri); },
                 [&openstack_client](vim::openstack::Credentials credentials) {
                     return vim::openstack::Keystone::Check(openstack_client,
                                                            std::move(credentials));
                 },
                 config.openstack_endpoint,
                 [&connectors, &stores]() { return connectors.Refresh(stores.vim_connectors); }});
    SyncWait(connectors.Refresh(stores.vim_connectors));  // the connectors stored before this start
    server::handlers::EngineFollowUps follow_ups(engine, notifier);
    const auto esc_face = server::EscFace(router, auth, blocking_pool);
    orchestrator::ContentStore catalogue_files(file_pool, config.catalogue_dir);
    catalogue_files.Start();
    orchestrator::CatalogueFiles catalogue_images(stores.catalogue, catalogue_files, file_pool);
    fetcher.UseCatalogue(&catalogue_images);
    orchestrator::CatalogueImport catalogue_import(stores.catalogue, catalogue_files, file_pool,
                                                   config.catalogue_max_file_bytes);
    server::catalogue::CatalogueAdmin catalogue_admin(
        {stores.catalogue, catalogue_files, catalogue_import, config.files_root,
         config.catalogue_max_file_bytes, auth, blocking_pool});
    // Every node signs and verifies with the key the first one stored (docs/catalogue.md).
    const server::swdist::Signer signer(SyncWait(stores.catalogue.SigningKey(RandomHex(32))),
                                        [] { return std::chrono::system_clock::now(); });
    server::swdist::SoftwareDistribution software_distribution(
        {stores.catalogue, catalogue_files, signer, blocking_pool});
    server::HttpServer http_server(
        ioc, {&esc_face, &catalogue_admin.face(), &software_distribution.face()}, follow_ups);
    http_server.SetMaintenanceCheck([&mode] { return mode.InMaintenance(); });
    // The CSM face listens on its own port, as CSM did (docs/csm.md). Maintenance mode is
    // ESC's: it does not refuse the CSM face's requests.
    const server::csm::CsmTokens csm_tokens(SyncWait(stores.csm.TokenKey(RandomHex(32))),
                                            [] { return std::chrono::system_clock::now(); });
    server::csm::CsmAuth csm_auth(stores.csm, auth, csm_tokens, blocking_pool);
    // A job that may reload one of escd's VNFs holds its monitoring (docs/csm.md).
    orchestrator::VnfMonitoringSwitch vnf_monitoring(engine, stores);
    // Its install jobs: any node runs any job, at its scheduled time (docs/csm.md, "Running a
    // job"); a node's death hands its jobs to the others through the leases.
    orchestrator::csm::InstallRunner install_runner(
        ioc.get_executor(), stores.csm, stores.csm_jobs, blocking_pool, SteadyClock::Shared(),
        {config.csm_log_dir, config.csm_device_allowed_cidrs, config.csm_connect_timeout,
         config.csm_command_timeout, config.csm_poll, config.csm_reload_timeout,
         config.csm_operation_timeout},
        &vnf_monitoring);
    orchestrator::csm::HostDiscovery host_discovery(
        ioc.get_executor(), stores.csm,
        {config.csm_device_allowed_cidrs, config.csm_connect_timeout, config.csm_command_timeout});
    // escd's VNFs whose groups ask for it are hosts of the CSM face (docs/csm.md).
    orchestrator::csm::VnfHosts vnf_hosts(ioc.get_executor(), stores.csm, host_discovery);
    engine.FollowVms(&vnf_hosts);
    orchestrator::csm::JobScheduler job_scheduler(
        ioc, stores.csm_jobs, install_runner, SteadyClock::Shared(),
        [] { return std::chrono::system_clock::now(); },
        {config.csm_max_parallel_jobs, config.cluster_heartbeat, config.cluster_lease});
    server::csm::CsmFace csm_face({stores.csm, stores.csm_jobs, stores.catalogue, csm_auth,
                                   config.admin_user, blocking_pool, config.csm_log_dir,
                                   [&job_scheduler] { job_scheduler.Poke(); }, host_discovery});
    server::HttpServer csm_server(ioc, {&csm_face.face()}, follow_ups);
    server::handlers::RegisterAdminRoutes(router, {auth, stores.settings, blocking_pool,
                                                   http_server, config.tls_cert, config.tls_key});

    int http_port = -1, https_port = -1;
    if (config.http_port >= 0) {
        http_port = http_server.Listen(config.listen_address,
                                       static_cast<std::uint16_t>(config.http_port), nullptr);
    }
    if (config.https_port >= 0) {
        https_port = http_server.Listen(
            config.listen_address, static_cast<std::uint16_t>(config.https_port), LoadTls(config));
    }

    int csm_port = -1, csm_https_port = -1;
    if (config.csm_http_port >= 0) {
        csm_port = csm_server.Listen(config.csm_listen_address,
                                     static_cast<std::uint16_t>(config.csm_http_port), nullptr);
    }
    if (config.csm_https_port >= 0) {
        csm_https_port =
            csm_server.Listen(config.csm_listen_address,
                              static_cast<std::uint16_t>(config.csm_https_port), LoadTls(config));
    }

    membership.OnSuperseded([] {
        // Another process runs as this node now: this one stops, gracefully (the signal handler
        // below), rather than compete with it for its work.
        ::kill(::getpid(), SIGTERM);
    });
    membership.SetName(config.cluster_node_name.empty()
                           ? DefaultNodeName(http_port >= 0 ? http_port : https_port)
                           : config.cluster_node_name);
    SyncWait(membership.Join());
    asio::co_spawn(ioc, engine.Start(),
                   log::LogFailure(log::Level::kError, "engine", "start-up failed"));
    job_scheduler.Start();
    if (!config.catalogue_import_dir.empty()) {
        // In the background: a large import does not hold back the listeners.
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                co_await catalogue_import.Import(config.catalogue_import_dir);
            },
            log::LogFailure(log::Level::kError, "catalogue",
                            "the import of " + config.catalogue_import_dir + " failed"));
    }

    // Graceful stop: no new connections or operations, idle connections closed, in-flight
    // requests answered, then the io_context ends. Unfinished operations resume next start.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        ESCD_INFO("escd") << "signal " << signal << ": shutting down";
        http_server.Stop();
        csm_server.Stop();
        // The install jobs running here are cut where they are: the next start, or another
        // node once this one has left, resumes each from its recorded step.
        job_scheduler.Stop();
        engine.Stop();
        notifier.Stop();
        pinger.Stop();
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                // 30 s in all; the requests first, since an accepted one launches an operation
                // (a launch after Stop() starts nothing: it resumes at the next start).
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                const bool esc_answered =
                    co_await http_server.AwaitAnswered(deadline - std::chrono::steady_clock::now());
                const bool csm_answered =
                    co_await csm_server.AwaitAnswered(deadline - std::chrono::steady_clock::now());
                const bool answered = esc_answered && csm_answered;
                const bool drained =
                    co_await engine.AwaitDrained(deadline - std::chrono::steady_clock::now());
                if (!answered || !drained)
                    ESCD_WARN("escd")
                        << "stopping with work unfinished after 30 s: " << engine.Running()
                        << " operation(s) resume at the next start";
                co_await membership.Leave();
                ioc.stop();
            },
            log::LogFailure(log::Level::kError, "escd", "graceful stop failed"));
    });

    // The CSM ports follow ESC's: scripts that read only "http=<port>" keep working.
    const std::string ports =
        "http=" + std::to_string(http_port) + " https=" + std::to_string(https_port) +
        " csm=" + std::to_string(csm_port) + " csm_https=" + std::to_string(csm_https_port);
    std::cout << "escd ready " << ports << std::endl;
    if (!config.ready_file.empty()) {
        std::ofstream(config.ready_file) << ports << "\n";
    }
    ESCD_INFO("escd") << "ready: http " << http_port << ", https " << https_port << ", vim "
                      << config.vim_uri;

    std::vector<std::thread> threads;
    for (int i = 1; i < config.server_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    // Stopping: a second SIGTERM or SIGINT (an operator's, a supervisor's) must not kill the
    // process while it finishes below; the signal set, once gone, would leave them to their
    // default action (end the process, status 143).
    signals.clear();
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);

    // Blocking work still queued (a VIM call, a file) finishes before its objects go away.
    blocking_pool.join();
    vim_pool.join();
    file_pool.join();
    // Reads and writes still queued finish now; their completions land in the stopped
    // io_context, which discards them when it is destroyed, after the store's threads are gone.
    store.Stop();
    if (embedded) embedded->Stop();
    ESCD_INFO("escd") << "stopped";
    return 0;
}

}  // namespace
}  // namespace escd

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (const auto& arg : args) {
        if (arg == "--help" || arg == "-h") {
            escd::PrintUsage();
            return 0;
        }
    }
    try {
        auto config = escd::LoadConfig(args, ESCD_DEFAULT_SCHEMA_DIR);
        return escd::Run(config);
    } catch (const escd::ConfigError& e) {
        std::cerr << "escd: configuration error: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "escd: fatal: " << e.what() << std::endl;
        return 1;
    }
}
