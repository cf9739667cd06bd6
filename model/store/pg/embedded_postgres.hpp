#pragma once
/// @file
/// The private PostgreSQL escd runs when no DSN is configured: Debian's postgresql-15 binaries,
/// a cluster under <data_dir>/pg, listening only on a unix socket in <data_dir>/pg/run.
/// initdb runs on first start; a server left running by a crashed escd is adopted, not started
/// twice. As root, initdb/pg_ctl run as the `postgres` user (PostgreSQL refuses root).

#include <string>

namespace escd::model::pg {

class EmbeddedPostgres {
  public:
    explicit EmbeddedPostgres(std::string root_dir);
    ~EmbeddedPostgres();
    EmbeddedPostgres(const EmbeddedPostgres&) = delete;
    EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

    /// Initialises (first time) and starts the cluster, creates database `escd`, and returns its
    /// libpq DSN. Blocking; throws std::runtime_error with the reason and the log path.
    std::string Start();
    /// Stops the server (fast shutdown). Idempotent; also called by the destructor.
    void Stop();

  private:
    std::string root_;
    std::string data_;
    std::string run_;
    std::string log_;
    bool running_ = false;
};

}  // namespace escd::model::pg
