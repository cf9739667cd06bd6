#pragma once
/// @file
/// model::HostStore — the role of the store that keeps which hypervisor hosts escd may place VMs
/// on (/v0/hosts). Conventions: model/stores/resource_store.hpp.

#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/operation.hpp"

namespace escd::model {

class HostStore {
  public:
    virtual ~HostStore() = default;

    /// Whether escd may place VMs on `host`: true unless it was disabled.
    virtual asio::awaitable<bool> HostSchedulable(const std::string& host) = 0;
    /// Those of `hosts` escd may place VMs on, in their order: one read for a whole VIM's hosts.
    virtual asio::awaitable<std::vector<std::string>> SchedulableHosts(
        const std::vector<std::string>& hosts) = 0;
    /// Records the switch, a finished `op`, and its events for the notifier, in one transaction.
    virtual asio::awaitable<std::vector<OutboxRow>> SetHostSchedulable(
        const std::string& host,
        bool schedulable,
        const Operation& op,
        const std::vector<OutboxMessage>& events) = 0;
};

}  // namespace escd::model
