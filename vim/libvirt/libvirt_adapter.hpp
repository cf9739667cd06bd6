#pragma once
/// @file
/// The libvirt VIM: `test:///default` (in-process test driver, the embedded default) or a real
/// hypervisor such as `qemu:///system`. libvirt's API blocks, so every call runs on the VIM
/// thread pool given at construction.
///
/// Tenants: libvirt has none. The adapter keeps a record per internal id and answers with a
/// generated 32-hex external id (the shape of an OpenStack project id), after checking that the
/// hypervisor connection is alive, so that an unreachable VIM still fails a tenant create.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "vim/adapter.hpp"

namespace escd::vim {

class LibvirtAdapter final : public Adapter {
  public:
    /// Does not connect; call Connect() (blocking) at start-up.
    LibvirtAdapter(std::string uri, asio::thread_pool& pool);
    ~LibvirtAdapter() override;

    /// Opens the connection. Blocking. Throws Error(kUnavailable) with libvirt's message.
    void Connect();

    // Adapter
    std::string_view Kind() const noexcept override { return "libvirt"; }
    asio::awaitable<std::string> CreateTenant(const TenantRequest& request) override;
    asio::awaitable<void> UpdateTenant(const std::string& external_id,
                                       const TenantRequest& request) override;
    asio::awaitable<void> DeleteTenant(const std::string& external_id) override;
    asio::awaitable<std::vector<std::string>> ListHosts() override;
    asio::awaitable<VimStatus> CheckStatus() override;
    asio::awaitable<VimStatus> Reconnect() override;

    /// Whether libvirt at `uri` (another hypervisor than this adapter's) answers now: opens a
    /// read-only connection of its own on the VIM pool, checks it and closes it. For VIM
    /// connectors that name another libvirt URI. Never throws.
    asio::awaitable<VimStatus> CheckUri(const std::string& uri);

  private:
    struct Connection;
    /// Blocking: checks the connection, reconnecting once; throws kUnavailable.
    void EnsureAlive();
    /// Blocking: EnsureAlive() as a status.
    VimStatus Status();

    std::string uri_;
    asio::thread_pool& pool_;
    std::unique_ptr<Connection> connection_;
    std::mutex mutex_;
    std::map<std::string, std::string> tenants_;  ///< internal id -> external id
};

}  // namespace escd::vim
