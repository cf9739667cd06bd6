#pragma once
/// @file
/// vim::Adapter — the one interface the engine uses to act on a VIM (libvirt, OpenStack).
///
/// Calls are coroutines: an implementation whose client library blocks (libvirt) runs the call on
/// its own thread pool and resumes the caller on the caller's executor, so the engine may call it
/// from a strand. Errors are exceptions (escd::Error): kUnavailable when the VIM cannot be
/// reached, kVimError when it refused or failed the request, kNotFound when the object is gone.
/// Every create is idempotent on escd's internal id, so that an operation interrupted by a crash
/// can simply be run again (ARCHITECTURE.md, "Durability").
///
/// Parameters are const references: the caller awaits each call at once, so its arguments
/// outlive the call (and g++ 12 mishandles by-value class parameters of coroutines awaited
/// inside a co_await expression: it may destroy them twice).

#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"

namespace escd::vim {

struct TenantRequest {
    std::string internal_id;
    std::string name;
    bool enabled = true;
};

/// What CheckStatus() reports about the connection to the VIM.
struct VimStatus {
    bool reachable = false;
    std::string message;  ///< "connected to test:///default", or why not
};

class Adapter {
  public:
    virtual ~Adapter() = default;

    /// "libvirt", "openstack".
    virtual std::string_view Kind() const noexcept = 0;

    /// Creates the VIM's tenant (project) and returns its external id. If a tenant for this
    /// internal id exists already, returns its id instead of creating a second one.
    virtual asio::awaitable<std::string> CreateTenant(const TenantRequest& request) = 0;
    virtual asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                               const TenantRequest& request) = 0;
    /// Deleting a tenant the VIM does not have is a success (the goal state holds).
    virtual asio::awaitable<void> DeleteTenant(const std::string& external_id) = 0;

    /// The compute hosts the VIM schedules onto (libvirt: the hypervisor's host name).
    virtual asio::awaitable<std::vector<std::string>> ListHosts() = 0;

    /// Whether the VIM answers now; never throws.
    virtual asio::awaitable<VimStatus> CheckStatus() = 0;
    /// Drops the connection and opens a new one; reports the outcome like CheckStatus().
    virtual asio::awaitable<VimStatus> Reconnect() = 0;
};

}  // namespace escd::vim
