#pragma once
/// @file
/// The VIMs escd deploys to, as the one vim::Adapter the engine talks to.
///
/// ESC's rule (docs/decisions.md#resources-go-to-the-default-vim-vms-to-their-locators): resources
/// (tenants, networks, subnets, images, flavors, volumes, routers) are made on the default VIM
/// connector only; a deployment's VMs go to the VIM its vm_group's locator names
/// (VmRequest::vim_id), else to the default one. So:
/// - resource calls, hosts, status and reconnect go to the default connector's adapter;
/// - CreateVm (and the VM's day-0 drive before it) goes to the named one and remembers which
///   VIM holds the VM; every later call about
///   that VM by name goes there. After a restart, ListVmNames (the engine's reconciliation, run
///   before any VM is touched) asks every VIM and learns the map again;
/// - lifecycle events of every VIM reach the one subscribed handler.
///
/// Connectors come from the store: Refresh() reads them (at start-up, and after every change
/// through /vims) and builds an adapter for each one it can (`Factory`), keeping an adapter whose
/// connector and users did not change. escd's own connector (model::kOwnVimConnectorId) is always
/// the configured libvirt adapter. A connector without an adapter (no VIM user yet, or a type
/// this build cannot drive) makes calls to it fail with kUnavailable and the reason.
///
/// Thread-safe. Adapters are shared_ptrs: a call in flight keeps its adapter even when a refresh
/// replaces it.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/stores/vim_connector_store.hpp"
#include "vim/adapter.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::orchestrator {

/// How escd authenticates to an OPENSTACK connector: its properties with its first VIM user (ESC
/// has one per VIM), endpoints of catalog interface `interface` (config openstack.endpoint).
/// Throws Error(kBadRequest) naming what is missing.
vim::openstack::Credentials CredentialsOf(const model::VimConnector& connector,
                                          const std::vector<model::VimUser>& users,
                                          const std::string& interface);

class VimSet final : public vim::Adapter {
  public:
    /// Builds the adapter of a connector with its users; throws Error with the reason when it
    /// cannot (the connector then has none).
    using Factory = std::function<std::unique_ptr<vim::Adapter>(
        const model::VimConnector&, const std::vector<model::VimUser>&)>;

    VimSet(vim::Adapter& own, Factory factory) : own_(own), factory_(std::move(factory)) {}

    /// Reads every connector, its users and the default from `store` and rebuilds what changed.
    asio::awaitable<void> Refresh(model::VimConnectorStore& store);

    /// The id of the default connector ("" = escd's own libvirt VIM, before any is stored).
    std::string DefaultId() const;

    std::string_view Kind() const noexcept override { return "set"; }

    asio::awaitable<std::string> CreateTenant(const vim::TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const vim::TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;
    asio::awaitable<std::string> EnsureNetwork(const vim::NetworkRequest& request) override;
    std::string SubnetExternalId(const std::string& network_external_id,
                                 const std::string& subnet_internal_id) const override;
    asio::awaitable<bool> HasNetwork(const std::string& internal_id) override;
    asio::awaitable<void> DeleteNetwork(const std::string& internal_id) override;
    asio::awaitable<vim::VimObject> CreateVolume(const vim::VolumeRequest& request) override;
    asio::awaitable<void> DeleteVolume(const std::string& kind,
                                       const std::string& internal_id) override;
    asio::awaitable<vim::VimObject> CreateFlavor(const vim::FlavorRequest& request) override;
    asio::awaitable<void> DeleteFlavor(const std::string& external_id) override;
    asio::awaitable<vim::VimObject> EnsureRouter(const vim::RouterRequest& request) override;
    asio::awaitable<void> DeleteRouter(const std::string& external_id) override;

    asio::awaitable<vim::VmInfo> CreateVm(const vim::VmRequest& request) override;
    asio::awaitable<void> DeleteVm(const std::string& name) override;
    asio::awaitable<void> StopVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> StartVm(const std::string& name) override;
    asio::awaitable<void> RebootVm(const std::string& name, std::chrono::seconds grace) override;
    asio::awaitable<void> AttachNic(const std::string& name, const vim::VmNic& nic) override;
    asio::awaitable<void> DetachNic(const std::string& name, const vim::VmNic& nic) override;
    asio::awaitable<std::optional<vim::VmInfo>> GetVm(const std::string& name) override;
    asio::awaitable<std::optional<vim::VmStats>> GetVmStats(const std::string& name) override;
    asio::awaitable<std::vector<std::string>> ListVmNames() override;
    asio::awaitable<std::vector<std::string>> ListHosts() override;

    asio::awaitable<void> CreateVmSnapshot(const vim::SnapshotRequest& request) override;
    asio::awaitable<void> RevertVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id,
                                           bool running) override;
    asio::awaitable<void> DeleteVmSnapshot(const std::string& vm_name,
                                           const std::string& snapshot_id) override;
    asio::awaitable<vim::SnapshotVolume> CreateVolumeFromSnapshot(
        const vim::SnapshotVolumeRequest& request) override;
    asio::awaitable<vim::VmInfo> MigrateVm(const vim::MigrationRequest& request) override;

    asio::awaitable<vim::VimStatus> CheckStatus() override;
    asio::awaitable<vim::VimStatus> Reconnect() override;
    bool SubscribeVmEvents(VmEventHandler handler) override;

  private:
    struct Entry {
        std::string fingerprint;  ///< connector and users as they were built
        std::shared_ptr<vim::Adapter> adapter;
        std::string why_none;  ///< when adapter is null
    };
    /// The adapter of connector `vim_id` ("" = the default); kUnavailable when it has none,
    /// kNotFound for an unknown connector.
    std::shared_ptr<vim::Adapter> For(const std::string& vim_id) const;
    /// Notes that VM `vm_name` is on connector `vim_id` ("" = the default).
    void Remember(const std::string& vm_name, const std::string& vim_id);
    /// For(""): a named function, since GCC 12 miscompiles a braced list inside co_await.
    std::shared_ptr<vim::Adapter> Default() const;
    /// The adapter holding VM `name` (the default one when unknown).
    std::shared_ptr<vim::Adapter> ForVm(const std::string& name) const;

    vim::Adapter& own_;
    std::shared_ptr<vim::Adapter> own_shared_{std::shared_ptr<vim::Adapter>(), &own_};
    Factory factory_;

    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;        ///< by connector id
    std::string default_id_;                      ///< "" = own
    std::map<std::string, std::string> vm_vims_;  ///< VM name → connector id
    /// Adapters of changed or removed connectors: kept (a few objects per change) so that no
    /// coroutine still inside one meets a destroyed object.
    std::vector<std::shared_ptr<vim::Adapter>> retired_;
    VmEventHandler handler_;
    bool own_events_ = false;
};

}  // namespace escd::orchestrator
