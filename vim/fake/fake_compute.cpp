// FakeVim: VMs (Compute), their snapshots and migration, and what a test does to a VM behind
// escd's back. Lifecycle events are collected under the lock and delivered after it, before the
// call returns: as the libvirt backend's, they describe every change of a VM's running state,
// escd's own included (a soft reboot excepted: the VM stays up, as a Nova soft reboot's does).

#include <algorithm>

#include "common/error.hpp"
#include "vim/fake/fake_vim.hpp"

namespace escd::vim {

FakeVm& FakeVim::VmOrThrow(const std::string& name) {
    auto it = vms_.find(name);
    if (it == vms_.end()) throw VimError(ErrorCode::kNotFound, "fake VIM: no VM " + name);
    return it->second;
}

VmInfo FakeVim::InfoOf(const FakeVm& vm) const {
    return VmInfo{vm.uuid, vm.host, vm.running()};
}

std::string FakeVim::PlaceOn(const std::string& requested, const std::string& vm_name) const {
    if (!requested.empty()) {
        if (std::find(options_.hosts.begin(), options_.hosts.end(), requested) ==
            options_.hosts.end()) {
            throw VimError(ErrorCode::kVimError,
                           "cannot create VM " + vm_name + ": no VIM host " + requested);
        }
        return requested;
    }
    if (options_.hosts.empty()) return "fake-host";
    // The VIM chooses: the host with the fewest VMs.
    std::string best;
    std::size_t fewest = 0;
    for (const auto& host : options_.hosts) {
        const auto count = static_cast<std::size_t>(
            std::count_if(vms_.begin(), vms_.end(),
                          [&](const auto& entry) { return entry.second.host == host; }));
        if (best.empty() || count < fewest) {
            best = host;
            fewest = count;
        }
    }
    return best;
}

asio::awaitable<VmInfo> FakeVim::CreateVm(const VmRequest& request) {
    co_await Enter(FakeCall::kCreateVm);
    std::vector<Event> events;
    VmInfo info;
    {
        std::lock_guard lock(mutex_);
        auto found = vms_.find(request.name);
        if (found != vms_.end()) {
            // A rerun finds the VM wherever it is, and starts it if needed.
            if (!found->second.running()) {
                ++found->second.boots;
                SetState(found->second, FakeVmState::kRunning, events);
            }
            info = InfoOf(found->second);
        } else {
            // The preconditions Compute states: its image and networks exist on the VIM.
            if (!request.image_id.empty() &&
                !volumes_.contains({VolumeKind::kImage, request.image_id})) {
                throw VimError(ErrorCode::kVimError, "cannot create VM " + request.name +
                                                         ": no image " + request.image_id);
            }
            for (const auto& nic : request.nics) {
                if (!networks_.contains(nic.network_id)) {
                    throw VimError(ErrorCode::kVimError, "cannot create VM " + request.name +
                                                             ": no network " + nic.network_id);
                }
            }
            FakeVm vm;
            vm.name = request.name;
            vm.uuid = "fake-uuid-" + std::to_string(next_uuid_++);
            vm.host = PlaceOn(request.host, request.name);
            vm.state = FakeVmState::kStopped;
            vm.request = request;
            vm.nics = request.nics;
            vm.boots = 0;
            vm.cpu_percent = new_vm_cpu_percent_;
            auto& made = vms_.emplace(request.name, std::move(vm)).first->second;
            ++made.boots;
            SetState(made, FakeVmState::kRunning, events);
            info = InfoOf(made);
        }
    }
    Deliver(events);
    co_return info;
}

asio::awaitable<void> FakeVim::DeleteVm(const std::string& name) {
    co_await Enter(FakeCall::kDeleteVm);
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        auto it = vms_.find(name);
        if (it == vms_.end()) co_return;  // gone already: done
        events.push_back({name, false});  // removed
        vms_.erase(it);
        Changed();
    }
    Deliver(events);
}

asio::awaitable<void> FakeVim::StopVm(const std::string& name, std::chrono::seconds) {
    co_await Enter(FakeCall::kStopVm);
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        auto& vm = VmOrThrow(name);
        if (vm.state == FakeVmState::kRunning || vm.state == FakeVmState::kCrashed)
            SetState(vm, FakeVmState::kStopped, events);
    }
    Deliver(events);
}

asio::awaitable<void> FakeVim::StartVm(const std::string& name) {
    co_await Enter(FakeCall::kStartVm);
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        auto& vm = VmOrThrow(name);
        if (!vm.running()) {
            ++vm.boots;
            SetState(vm, FakeVmState::kRunning, events);
        }
    }
    Deliver(events);
}

asio::awaitable<void> FakeVim::RebootVm(const std::string& name, std::chrono::seconds) {
    co_await Enter(FakeCall::kRebootVm);
    std::lock_guard lock(mutex_);
    auto& vm = VmOrThrow(name);
    if (!vm.running()) throw VimError(ErrorCode::kConflict, "VM " + name + " is not running");
    ++vm.boots;
    Changed();
}

asio::awaitable<void> FakeVim::AttachNic(const std::string& name, const VmNic& nic) {
    co_await Enter(FakeCall::kAttachNic);
    std::lock_guard lock(mutex_);
    auto& vm = VmOrThrow(name);
    for (const auto& present : vm.nics)
        if (present.mac == nic.mac) co_return;  // there already
    if (!networks_.contains(nic.network_id)) {
        throw VimError(ErrorCode::kVimError,
                       "cannot attach a NIC to VM " + name + ": no network " + nic.network_id);
    }
    vm.nics.push_back(nic);
    Changed();
}

asio::awaitable<void> FakeVim::DetachNic(const std::string& name, const VmNic& nic) {
    co_await Enter(FakeCall::kDetachNic);
    std::lock_guard lock(mutex_);
    auto& vm = VmOrThrow(name);
    std::erase_if(vm.nics, [&](const VmNic& present) { return present.mac == nic.mac; });
    Changed();
}

asio::awaitable<std::optional<VmInfo>> FakeVim::GetVm(const std::string& name) {
    co_await Enter(FakeCall::kGetVm);
    std::lock_guard lock(mutex_);
    auto it = vms_.find(name);
    if (it == vms_.end()) co_return std::nullopt;
    co_return InfoOf(it->second);
}

asio::awaitable<std::optional<VmStats>> FakeVim::GetVmStats(const std::string& name) {
    co_await Enter(FakeCall::kGetVmStats);
    std::lock_guard lock(mutex_);
    auto it = vms_.find(name);
    if (it == vms_.end()) co_return std::nullopt;
    const auto& vm = it->second;
    VmStats stats;
    stats.vcpus = vm.request.vcpus;
    stats.memory_kb = static_cast<std::uint64_t>(vm.request.memory_mb) * 1024;
    stats.max_memory_kb = stats.memory_kb;
    stats.cpu_percent = vm.cpu_percent;
    stats.sampled_at = std::chrono::steady_clock::now();
    co_return stats;
}

asio::awaitable<std::vector<std::string>> FakeVim::ListVmNames() {
    co_await Enter(FakeCall::kListVmNames);
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, vm] : vms_) names.push_back(name);
    co_return names;
}

// ---- snapshots -----------------------------------------------------------------------------

asio::awaitable<void> FakeVim::CreateVmSnapshot(const SnapshotRequest& request) {
    co_await Enter(FakeCall::kCreateVmSnapshot);
    std::lock_guard lock(mutex_);
    VmOrThrow(request.vm_name).snapshots.insert(request.snapshot_id);  // twice: one
    Changed();
}

asio::awaitable<void> FakeVim::RevertVmSnapshot(const std::string& vm_name,
                                                const std::string& snapshot_id,
                                                bool running) {
    co_await Enter(FakeCall::kRevertVmSnapshot);
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        auto& vm = VmOrThrow(vm_name);
        if (!vm.snapshots.contains(snapshot_id)) {
            throw VimError(ErrorCode::kNotFound,
                           "fake VIM: VM " + vm_name + " has no snapshot " + snapshot_id);
        }
        if (running) ++vm.boots;  // the guest of the snapshot, afresh
        SetState(vm, running ? FakeVmState::kRunning : FakeVmState::kStopped, events);
    }
    Deliver(events);
}

asio::awaitable<void> FakeVim::DeleteVmSnapshot(const std::string& vm_name,
                                                const std::string& snapshot_id) {
    co_await Enter(FakeCall::kDeleteVmSnapshot);
    std::lock_guard lock(mutex_);
    auto it = vms_.find(vm_name);
    if (it != vms_.end()) it->second.snapshots.erase(snapshot_id);
    Changed();
}

asio::awaitable<SnapshotVolume> FakeVim::CreateVolumeFromSnapshot(
    const SnapshotVolumeRequest& request) {
    co_await Enter(FakeCall::kCreateVolumeFromSnapshot);
    std::lock_guard lock(mutex_);
    auto& vm = VmOrThrow(request.vm_name);
    if (!vm.snapshots.contains(request.snapshot_id)) {
        throw VimError(ErrorCode::kNotFound, "fake VIM: VM " + request.vm_name +
                                                 " has no snapshot " + request.snapshot_id);
    }
    std::uint64_t capacity = 1ULL << 30;
    auto image = volumes_.find({VolumeKind::kImage, vm.request.image_id});
    if (image != volumes_.end() && image->second.request.capacity_bytes > 0)
        capacity = image->second.request.capacity_bytes;
    const auto external_id = FakeVolumeId(VolumeKind::kVolume, request.volume_id);
    VolumeRequest volume{
        VolumeKind::kVolume, request.volume_id, request.tenant_id, capacity, "qcow2", {}};
    volumes_[{VolumeKind::kVolume, request.volume_id}] =
        FakeVolume{volume, external_id, request.vm_name + "/" + request.snapshot_id};
    Changed();
    co_return SnapshotVolume{external_id, capacity, vm.host, {}};
}

// ---- migration -----------------------------------------------------------------------------

asio::awaitable<VmInfo> FakeVim::MigrateVm(const MigrationRequest& request) {
    co_await Enter(FakeCall::kMigrateVm);
    std::vector<Event> events;
    VmInfo info;
    {
        std::lock_guard lock(mutex_);
        auto& vm = VmOrThrow(request.vm_name);
        if (std::find(options_.hosts.begin(), options_.hosts.end(), request.target_host) ==
            options_.hosts.end()) {
            throw VimError(ErrorCode::kNotFound, "fake VIM: no host " + request.target_host);
        }
        if (vm.host != request.target_host) {
            if (request.type == MigrationType::kLive) {
                vm.host = request.target_host;  // the guest keeps running
                Changed();
            } else {
                // The source's stop is of the copy being given up, not of the VM: the libvirt
                // adapter reports no event for it (libvirt_migration.cpp), only the start.
                std::vector<Event> given_up;
                if (vm.running()) SetState(vm, FakeVmState::kStopped, given_up);
                vm.host = request.target_host;
                if (request.running) {
                    ++vm.boots;
                    SetState(vm, FakeVmState::kRunning, events);
                }
            }
        }
        info = InfoOf(vm);
    }
    Deliver(events);
    co_return info;
}

// ---- load ----------------------------------------------------------------------------------

void FakeVim::SetCpuPercent(const std::string& name, double percent) {
    std::lock_guard lock(mutex_);
    VmOrThrow(name).cpu_percent = percent;
    Changed();
}

void FakeVim::SetNewVmCpuPercent(double percent) {
    std::lock_guard lock(mutex_);
    new_vm_cpu_percent_ = percent;
}

// ---- behind escd's back --------------------------------------------------------------------

void FakeVim::CrashVm(const std::string& name) {
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        SetState(VmOrThrow(name), FakeVmState::kCrashed, events);
    }
    Deliver(events);
}

void FakeVim::StopVmBehindEscd(const std::string& name) {
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        SetState(VmOrThrow(name), FakeVmState::kStopped, events);
    }
    Deliver(events);
}

void FakeVim::StartVmBehindEscd(const std::string& name) {
    std::vector<Event> events;
    {
        std::lock_guard lock(mutex_);
        auto& vm = VmOrThrow(name);
        if (!vm.running()) ++vm.boots;
        SetState(vm, FakeVmState::kRunning, events);
    }
    Deliver(events);
}

void FakeVim::RemoveVmBehindEscd(const std::string& name) {
    {
        std::lock_guard lock(mutex_);
        VmOrThrow(name);
        vms_.erase(name);
        Changed();
    }
    Deliver({{name, false}});
}

}  // namespace escd::vim
