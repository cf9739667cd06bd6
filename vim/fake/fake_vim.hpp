#pragma once
/// @file
/// vim::FakeVim — an in-memory VIM with every capability (vim/vim.hpp), for tests of the engine
/// and its workflows in process (docs/architecture.md, "The fake VIM and in-process engine
/// tests"). Linked by tests only (CMake target escd_vim_fake).
///
/// It behaves as the libvirt backend does where escd can tell (vim/capabilities/*.hpp state the
/// contract): creates are idempotent on escd's ids, deletes of what is gone succeed, a VM is
/// placed on a host and migrated between hosts, VM lifecycle events go to the subscribed
/// handler, errors are VimError / VimUnavailable of the same codes. Each call resumes its caller
/// on the caller's own executor after a post (never inline), like an offloaded call. Thread safe:
/// the engine calls it from many strands, a test inspects it from its own thread.
///
/// What a test does with it besides:
/// - fault injection per call (FakeCall): Fail (every call), FailNext (the next N), Hang (calls
///   park until the returned FakeHold is released or failed); events dropped (DropEvents,
///   DropNextEvents);
/// - inspection: Vms(), Vm(name), Calls(call), Network(id), HasVolume(), ...; WaitUntil() blocks
///   the test thread until a condition on the fake holds (no sleeping);
/// - load: the CPU utilisation a VM reports (SetCpuPercent, SetNewVmCpuPercent), for the
///   KPIs that scale a group;
/// - acts behind escd's back: CrashVm, StopVmBehindEscd, StartVmBehindEscd, RemoveVmBehindEscd —
///   each with the lifecycle event the VIM would send.

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vim/fake/fake_faults.hpp"
#include "vim/vim.hpp"

namespace escd::vim {

enum class FakeVmState {
    kRunning,
    kStopped,  ///< shut off by a stop (escd's or someone else's)
    kCrashed,  ///< died by itself; not running, started again by StartVm
};

/// A VM as the fake holds it.
struct FakeVm {
    std::string name;
    std::string uuid;
    std::string host;
    FakeVmState state = FakeVmState::kRunning;
    VmRequest request;                ///< as created: tenant, image, flavor, size, day-0 files
    std::vector<VmNic> nics;          ///< as now: those of the request, then attached and detached
    std::set<std::string> snapshots;  ///< escd's snapshot ids
    int boots = 1;           ///< starts, reboots and reverts to a running snapshot included
    double cpu_percent = 0;  ///< the CPU utilisation GetVmStats reports (SetCpuPercent)

    bool running() const { return state == FakeVmState::kRunning; }
};

/// A volume (image, volume, volume from a snapshot) as the fake holds it.
struct FakeVolume {
    VolumeRequest request;
    std::string external_id;
    std::string from_snapshot;  ///< "<vm>/<snapshot id>" for a volume made from a snapshot
};

/// The VIM id the fake gives a volume: "fake-<kind>/<escd's id>".
inline std::string FakeVolumeId(VolumeKind kind, const std::string& internal_id) {
    return "fake-" + std::string(ToString(kind)) + "/" + internal_id;
}

struct FakeVimOptions {
    std::vector<std::string> hosts{"fake-host-1", "fake-host-2"};
};

class FakeVim : public Vim {
  public:
    explicit FakeVim(FakeVimOptions options = {});
    ~FakeVim() override;

    // ---- vim::Vim ----------------------------------------------------------------------------
    std::string_view Kind() const noexcept override { return "fake"; }

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

    bool SubscribeVmEvents(VmEventHandler handler) override;

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

    // ---- fault injection -----------------------------------------------------------------------
    /// Every call of `call` fails with `failure` until Heal.
    void Fail(FakeCall call, FakeFailure failure);
    /// The next `count` calls of `call` fail with `failure`; the ones after succeed.
    void FailNext(FakeCall call, int count, FakeFailure failure);
    /// Every call of `call` parks until the returned hold is released or failed (or Heal).
    std::shared_ptr<FakeHold> Hang(FakeCall call);
    /// Ends the faults of `call` (a hang is released).
    void Heal(FakeCall call);
    void HealAll();
    /// Every lifecycle event is dropped while `drop` (the VIM's event stream is lost).
    void DropEvents(bool drop);
    /// The next `count` lifecycle events are dropped.
    void DropNextEvents(int count);

    // ---- inspection (from any thread) ----------------------------------------------------------
    /// How many times `call` was made (failed, parked and successful ones).
    int Calls(FakeCall call) const;
    std::vector<FakeVm> Vms() const;
    std::optional<FakeVm> Vm(const std::string& name) const;
    bool HasTenant(const std::string& internal_id) const;
    std::optional<NetworkRequest> Network(const std::string& internal_id) const;
    std::optional<FakeVolume> Volume(VolumeKind kind, const std::string& internal_id) const;
    bool HasFlavor(const std::string& internal_id) const;
    std::optional<RouterRequest> Router(const std::string& internal_id) const;
    /// Events delivered to the handler, and dropped.
    int DeliveredEvents() const;
    int DroppedEvents() const;
    /// Blocks the calling (test) thread until `condition` holds of the fake, re-checked after
    /// every change and call, or `timeout` passes; whether it held.
    bool WaitUntil(const std::function<bool(const FakeVim&)>& condition,
                   std::chrono::milliseconds timeout) const;

    // ---- load ----------------------------------------------------------------------------------
    /// The CPU utilisation VM `name` reports from now on (GetVmStats).
    void SetCpuPercent(const std::string& name, double percent);
    /// The CPU utilisation of the VMs created from now on (0 until set).
    void SetNewVmCpuPercent(double percent);

    // ---- behind escd's back (each sends the event the VIM would) -------------------------------
    void CrashVm(const std::string& name);
    void StopVmBehindEscd(const std::string& name);
    void StartVmBehindEscd(const std::string& name);
    /// The VM vanishes from the VIM (deleted by someone else).
    void RemoveVmBehindEscd(const std::string& name);

  private:
    struct CallPlan {
        int calls = 0;
        std::optional<FakeFailure> always;
        int fail_next = 0;
        FakeFailure next_failure = FakeFailure::kVimError;
        std::shared_ptr<FakeHold> hold;
    };
    struct Event {
        std::string vm;
        bool running = false;
    };

    /// What every call does first: a post (the caller resumes on its executor later, as after an
    /// offloaded call), counted, then its hang and its failure if any.
    asio::awaitable<void> Enter(FakeCall call);
    /// The VM `name` (under mutex_); VimError(kNotFound) when there is none.
    FakeVm& VmOrThrow(const std::string& name);
    VmInfo InfoOf(const FakeVm& vm) const;
    std::string PlaceOn(const std::string& requested, const std::string& vm_name) const;
    /// Sets a VM's state; the lifecycle event it makes (if the running flag changed) is added
    /// to `events`, delivered once mutex_ is released.
    void SetState(FakeVm& vm, FakeVmState state, std::vector<Event>& events);
    void Deliver(const std::vector<Event>& events);
    /// Under mutex_: something changed (a call, a state); wakes WaitUntil.
    void Changed() {
        ++version_;
        changed_.notify_all();
    }

    FakeVimOptions options_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::uint64_t version_ = 0;  ///< bumped by every call and change (WaitUntil)
    std::array<CallPlan, kFakeCallCount> plans_{};
    std::map<std::string, TenantRequest> tenants_;  ///< by escd's id
    std::map<std::string, NetworkRequest> networks_;
    std::map<std::pair<VolumeKind, std::string>, FakeVolume> volumes_;  ///< by kind and escd's id
    std::map<std::string, FlavorRequest> flavors_;
    std::map<std::string, RouterRequest> routers_;
    std::map<std::string, FakeVm> vms_;
    int next_uuid_ = 1;
    double new_vm_cpu_percent_ = 0;
    VmEventHandler handler_;
    bool drop_events_ = false;
    int drop_next_events_ = 0;
    int delivered_events_ = 0;
    int dropped_events_ = 0;
};

}  // namespace escd::vim
