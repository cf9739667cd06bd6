#include "model/store/pg/embedded_postgres.hpp"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "common/log.hpp"
#include "common/process.hpp"

namespace escd::model::pg {
namespace {
namespace fs = std::filesystem;
const std::string kBin = "/usr/lib/postgresql/15/bin/";
// Only names the socket file (.s.PGSQL.5432): the server listens on no TCP address.
constexpr int kSocketPort = 5432;

std::vector<std::string> Command(std::initializer_list<std::string> args) {
    auto argv = UnprivilegedPrefix();
    argv.insert(argv.end(), args);
    return argv;
}

void HandToPostgresUser(const fs::path& path) {
    if (geteuid() != 0) return;
    const passwd* pw = getpwnam("postgres");
    if (!pw)
        throw std::runtime_error(
            "running as root needs the 'postgres' user (install postgresql-15)");
    for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator();
         ++it) {
        if (::lchown(it->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            throw std::runtime_error("cannot chown " + it->path().string());
        }
    }
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot chown " + path.string());
}
}  // namespace

EmbeddedPostgres::EmbeddedPostgres(std::string root_dir) {
    root_ = fs::absolute(root_dir).lexically_normal().string();
    data_ = root_ + "/data";
    run_ = root_ + "/run";
    log_ = root_ + "/postgres.log";
}

EmbeddedPostgres::~EmbeddedPostgres() {
    try {
        Stop();
    } catch (...) {
    }
}

std::string EmbeddedPostgres::Start() {
    if (!fs::exists(kBin + "initdb")) {
        throw std::runtime_error(
            kBin + "initdb not found: install postgresql-15 (deploy/install-deps.sh)");
    }
    fs::create_directories(run_);
    // Created before the hand-over: the tools (as root) and the server (as postgres) share it.
    std::ofstream(log_, std::ios::app).flush();
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    HandToPostgresUser(root_);

    if (!fs::exists(data_ + "/PG_VERSION")) {
        ESCD_INFO("postgres") << "initialising the embedded PostgreSQL cluster in " << data_;
        int rc = RunProcess(Command({kBin + "initdb", "-D", data_, "-U", "escd", "--auth=trust",
                                     "-E", "UTF8", "--locale=C.UTF-8"}),
                            log_);
        if (rc != 0)
            throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "), see " +
                                     log_);
    }
    if (RunProcess(Command({kBin + "pg_ctl", "-D", data_, "status"}), log_) == 0) {
        ESCD_INFO("postgres") << "adopting the embedded PostgreSQL left running in " << data_;
    } else {
        // A stale pid file after a host crash is handled by pg_ctl itself.
        std::string options = "-c listen_addresses='' -p " + std::to_string(kSocketPort) + " -k " +
                              run_ + " -c unix_socket_permissions=0700";
        int rc = RunProcess(Command({kBin + "pg_ctl", "-D", data_, "-l", log_, "-w", "-t", "60",
                                     "-o", options, "start"}),
                            log_);
        if (rc != 0)
            throw std::runtime_error("pg_ctl start failed (exit " + std::to_string(rc) + "), see " +
                                     log_);
    }
    running_ = true;

    std::string base = "host=" + run_ + " port=" + std::to_string(kSocketPort) + " user=escd";
    {
        pqxx::connection admin(base + " dbname=postgres");
        pqxx::nontransaction tx(admin);
        if (tx.exec("SELECT 1 FROM pg_database WHERE datname = 'escd'").empty()) {
            tx.exec("CREATE DATABASE escd");
        }
    }
    return base + " dbname=escd";
}

void EmbeddedPostgres::Stop() {
    if (!running_) return;
    running_ = false;
    int rc = RunProcess(Command({kBin + "pg_ctl", "-D", data_, "-m", "fast", "-w", "stop"}), log_);
    if (rc != 0)
        ESCD_WARN("postgres") << "pg_ctl stop exited " << rc << ", see " << log_;
    else
        ESCD_INFO("postgres") << "embedded PostgreSQL stopped";
}

}  // namespace escd::model::pg
