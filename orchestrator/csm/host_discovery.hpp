#pragma once
/// @file
/// Discovery of a CSM host (docs/csm.md, "Discovery"): log in, `show version` and
/// `show inventory`, store the facts (family, chassis, software platform and version, os type).
/// escd discovers a host when it is created (in the background, as CSM scheduled an inventory
/// job for a new host), when asked (`POST /api/v1/hosts/{hostname}/discover`), at the start of
/// each install job and after it (install_runner.hpp).
///
/// What the install runner shares with it: how a stored host is reached (PlanFor) and how the
/// facts are read through an open session (ReadFacts).

#include <chrono>
#include <string>

#include "common/asio.hpp"
#include "common/cidr.hpp"
#include "model/csm/inventory.hpp"
#include "model/stores/csm_store.hpp"
#include "orchestrator/csm/device/device_session.hpp"

namespace escd::orchestrator::csm {

/// How escd reaches devices (`[csm]` device_allowed_cidrs, connect_timeout_s,
/// command_timeout_s).
struct DeviceAccess {
    CidrList allowed_addresses;
    std::chrono::milliseconds connect_timeout{60'000};
    std::chrono::milliseconds command_timeout{300'000};
};

/// The connection plan of `host` with its jump host read from `store`. Throws
/// Error(kBadRequest) when the jump host it names is gone, DeviceError(kUnsupported) for a host
/// without an address or with a port that is not one.
asio::awaitable<ConnectionPlan> PlanFor(model::CsmStore& store,
                                        const model::csm::Host& host,
                                        const DeviceAccess& access);

/// `show version` and `show inventory` through `session`, read into facts.
asio::awaitable<model::csm::DeviceFacts> ReadFacts(DeviceSession& session,
                                                   std::chrono::milliseconds deadline);

class HostDiscovery {
  public:
    HostDiscovery(asio::any_io_executor executor, model::CsmStore& store, DeviceAccess access);

    /// Logs in to `hostname`, reads and stores its facts; the host as stored now. Throws
    /// Error(kNotFound) for a host that is not in the store, DeviceError when the device
    /// cannot be reached or logged in to.
    asio::awaitable<model::csm::Host> Discover(const std::string& hostname);

    /// Discover(hostname) in the background; the outcome is logged (a device that cannot be
    /// reached now keeps its facts "Unknown": its first install job discovers it again).
    void DiscoverSoon(std::string hostname);

    /// DiscoverSoon for a device just made (a VNF that answers pings before its SSH and telnet
    /// servers started): a device that cannot be reached yet, or drops the session, is tried
    /// again (every 2 s, doubling to 30 s) until `within` passed; a refused login, a host no
    /// longer in the store or one escd may not connect to ends it at once.
    void DiscoverWhenUp(std::string hostname, std::chrono::seconds within);

  private:
    asio::any_io_executor executor_;
    model::CsmStore& store_;
    DeviceAccess access_;
};

}  // namespace escd::orchestrator::csm
