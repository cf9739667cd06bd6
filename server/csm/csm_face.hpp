#pragma once
/// @file
/// The CSM face (docs/csm.md): Cisco Software Manager Server's REST API v1 under `/api/v1`, on
/// a listener of its own (port 5000 by default). JSON in CSM's shapes: answers inside
/// `{"api_response": ...}`, keys sorted and indented as CSM's server wrote them; failures as
/// `{"api_response": {"status": "FAILED", "status_message": "..."}}` with 400 (207 when some
/// items of a bulk request failed). Authentication is HTTP Basic with a user's password or
/// token (csm_auth.hpp); which role a route needs is decided here, in one table
/// (RequiredPermission), before a handler runs.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/asio.hpp"
#include "model/stores/catalogue_store.hpp"
#include "model/stores/csm_job_store.hpp"
#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/host_discovery.hpp"
#include "server/csm/csm_auth.hpp"
#include "server/face.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

/// What a route needs of the user's role.
enum class Permission {
    kAnyUser,        ///< reads
    kEditInventory,  ///< Admin, Network Admin: create and delete the inventory
    kRunInstalls,    ///< Admin, Network Admin, Operator: install jobs and their logs
    kManageUsers,    ///< Admin: the users (escd's own route)
};

/// The permission `method` on `path` (relative to /api/v1) needs.
Permission RequiredPermission(http::verb method, std::string_view path);
bool Allows(model::csm::Role role, Permission permission);

struct FaceDeps {
    model::CsmStore& store;
    model::CsmJobStore& jobs;
    model::CatalogueStore& catalogue;  ///< the SMU catalogs the CCO routes answer from
    CsmAuth& auth;
    std::string admin_user;  ///< escd's admin, an Admin here without a row
    /// Blocking work, never on an Asio thread: hashing the passwords of new users (PBKDF2),
    /// reading a job's logs and zipping them.
    asio::thread_pool& blocking_pool;
    std::filesystem::path log_dir;                ///< `[csm] log_dir`, the install jobs' logs
    std::function<void()> jobs_created;           ///< wakes the job scheduler
    orchestrator::csm::HostDiscovery& discovery;  ///< new hosts, and on request
};

class CsmFace {
  public:
    explicit CsmFace(FaceDeps deps);
    CsmFace(const CsmFace&) = delete;
    CsmFace& operator=(const CsmFace&) = delete;

    const Face& face() const { return face_; }

  private:
    FaceDeps deps_;
    Router router_;
    Face face_;
};

}  // namespace escd::server::csm
