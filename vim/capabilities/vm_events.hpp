#pragma once
/// @file
/// vim::VmEvents — the VIM's VM lifecycle events, for the monitor. A VIM that delivers none says
/// so when subscribed; its callers then poll Compute::GetVm.

#include <functional>
#include <string>

namespace escd::vim {

class VmEvents {
  public:
    virtual ~VmEvents() = default;

    /// Called with a VM's name when the VIM reports it started (true) or stopped, crashed or
    /// removed (false). May be called on any thread.
    using VmEventHandler = std::function<void(const std::string& vm_name, bool running)>;
    /// Subscribes `handler` (replacing an earlier one) to the VIM's lifecycle events; false when
    /// this VIM delivers none.
    virtual bool SubscribeVmEvents(VmEventHandler handler) = 0;
};

}  // namespace escd::vim
