#pragma once
/// @file
/// vim::VimRouter — the VIMs escd deploys to, as the one vim::Vim the engine talks to: each call
/// goes to the backend of a VIM connector.
///
/// ESC's rule (docs/decisions.md#resources-go-to-the-default-vim-vms-to-their-locators): resources
/// (tenants, networks, subnets, images, flavors, volumes, routers) are made on the default VIM
/// connector only; a deployment's VMs go to the VIM its vm_group's locator names, else to the
/// default one. So:
/// - resource calls, hosts, status and reconnect go to the default connector's backend;
/// - CreateVm goes to connector VmRequest::vim_id and remembers which VIM holds the VM (its
///   config drive is made there, inside the create); every later call about that VM by name
///   goes there, until DeleteVm. After a restart, ListVmNames (the engine's reconciliation, run
///   before any VM is touched) asks every VIM and learns the map again;
/// - lifecycle events of every VIM reach the one subscribed handler.
///
/// The connectors are given by Update() (orchestrator/engine/vim_connectors.hpp reads them from
/// the store): a backend whose connector did not change (same fingerprint) is kept, the others
/// are built again. escd's own connector (`own_id`) is always the backend given at construction.
/// A connector without a backend (no VIM user yet, or a type this build cannot drive) makes calls
/// to it fail with kUnavailable and the reason.
///
/// Thread-safe. Backends are shared_ptrs: a call in flight keeps its backend even when an update
/// replaces it.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vim/vim.hpp"

namespace escd::vim {

class VimRouter final : public Vim {
  public:
    /// One VIM connector as Update() is given it.
    struct Connector {
        std::string id;
        /// Its definition (type, properties, users) as text: a change builds its backend again.
        std::string fingerprint;
        /// Builds its backend; nullptr when this escd cannot drive its type (`why_not` says so),
        /// throws Error with the reason when it cannot be built as configured.
        std::function<std::unique_ptr<Vim>()> build;
        std::string why_not;
    };

    VimRouter(Vim& own, std::string own_id) : own_(own), own_id_(std::move(own_id)) {}

    /// Makes `connectors` the routed VIMs, `default_id` the default one ("" or own_id: escd's
    /// own). Backends of changed or removed connectors are retired.
    void Update(const std::vector<Connector>& connectors, const std::string& default_id);

    /// The id of the default connector ("" = escd's own VIM).
    std::string DefaultId() const;
    /// The backend of connector `vim_id` ("" = the default); kUnavailable when it has none,
    /// kNotFound for an unknown connector.
    std::shared_ptr<Vim> For(const std::string& vim_id) const;
    /// The backend holding VM `name` (the default one when unknown).
    std::shared_ptr<Vim> ForVm(const std::string& name) const;

    std::string_view Kind() const noexcept override { return "router"; }

    asio::awaitable<std::string> CreateTenant(const TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;
    asio::awaitable<EnsuredNetwork> EnsureNetwork(const NetworkRequest& request) override;
    asio::awaitable<bool> HasNetwork(const std::string& internal_id) override;
    asio::awaitable<void> DeleteNetwork(const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateVolume(const VolumeRequest& request) override;
    asio::awaitable<void> DeleteVolume(VolumeKind kind, const std::string& internal_id) override;
    asio::awaitable<VimObject> CreateFlavor(const FlavorRequest& request) override;
    asio::awaitable<void> DeleteFlavor(const std::string& external_id) override;
    asio::awaitable<VimObject> EnsureRouter(const RouterRequest& request) override;
    asio::awaitable<void> DeleteRouter(const std::string& external_id) override;

    asio::awaitable<VmInfo> CreateVm(const VmRequest& request) override;
    asio::awaitable<void> DeleteVm(const std::string& name) override;
    asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> StartVm(const std::string& name) override;
    asio::awaitable<void> RebootVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> AttachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<void> DetachNic(const std::string& name, const VmNic& nic) override;
    asio::awaitable<std::optional<VmInfo>> GetVm(const std::string& name) override;
    asio::awaitable<std::optional<VmStats>> GetVmStats(const std::string& name) override;
    asio::awaitable<std::vector<std::string>> ListVmNames() override;
    asio::awaitable<std::vector<std::string>> ListHosts() override;

    asio::awaitable<void> CreateVmSnapshot(const SnapshotRequest& request) override;
    asio::awaitable<void> RevertVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id,
                                           bool running) override;
    asio::awaitable<void> DeleteVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id) override;
    asio::awaitable<SnapshotVolume> CreateVolumeFromSnapshot(
        const SnapshotVolumeRequest& request) override;
    asio::awaitable<VmInfo> MigrateVm(const MigrationRequest& request) override;

    asio::awaitable<VimStatus> CheckStatus() override;
    asio::awaitable<VimStatus> Reconnect() override;
    /// Subscribes every backend, and each one an Update() adds; whether escd's own VIM sends
    /// events is the answer (it decides whether the monitor polls).
    bool SubscribeVmEvents(VmEventHandler handler) override;

  private:
    struct Entry {
        std::string fingerprint;  ///< the connector as its backend was built
        std::shared_ptr<Vim> backend;
        std::string why_none;  ///< when backend is null
    };
    /// Notes that VM `vm_name` is on connector `vim_id` ("" = the default).
    void Remember(const std::string& vm_name, const std::string& vim_id);
    void Forget(const std::string& vm_name);
    /// For(""): a named function, since GCC 12 miscompiles a braced list inside co_await.
    std::shared_ptr<Vim> Default() const;

    Vim& own_;
    const std::string own_id_;
    std::shared_ptr<Vim> own_shared_{std::shared_ptr<Vim>(), &own_};

    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;        ///< by connector id
    std::string default_id_;                      ///< "" = own
    std::map<std::string, std::string> vm_vims_;  ///< VM name → connector id
    /// Backends of changed or removed connectors: kept (a few objects per change) so that no
    /// coroutine still inside one meets a destroyed object.
    std::vector<std::shared_ptr<Vim>> retired_;
    VmEventHandler handler_;
};

}  // namespace escd::vim
