#pragma once
/// @file
/// vim::Vim — one VIM backend (libvirt, OpenStack) with every capability: what the wiring holds
/// (server/main.cpp, the engine, vim/vim_router.hpp). A consumer takes only the capability it
/// uses, so its type says what it may ask of the VIM:
///
/// | capability      | header                       | methods |
/// |-----------------|------------------------------|---------|
/// | Tenants         | capabilities/tenants.hpp      | 3 |
/// | Networks        | capabilities/networks.hpp     | 3 |
/// | Storage         | capabilities/storage.hpp      | 2 (images and volumes) |
/// | Flavors         | capabilities/flavors.hpp      | 2 |
/// | Routers         | capabilities/routers.hpp      | 2 |
/// | Compute         | capabilities/compute.hpp      | 10 (VMs, their NICs and day-0 drive) |
/// | Hosts           | capabilities/hosts.hpp        | 1 |
/// | VmEvents        | capabilities/vm_events.hpp    | 1 |
/// | Snapshots       | capabilities/snapshots.hpp    | 4 |
/// | Migration       | capabilities/migration.hpp    | 1 |
/// | Reachability    | capabilities/reachability.hpp | 2 |
///
/// The rules every call follows (coroutines, errors, idempotency on escd's ids) are in
/// capabilities/common.hpp.

#include <string_view>

#include "vim/capabilities/common.hpp"
#include "vim/capabilities/compute.hpp"
#include "vim/capabilities/flavors.hpp"
#include "vim/capabilities/hosts.hpp"
#include "vim/capabilities/migration.hpp"
#include "vim/capabilities/networks.hpp"
#include "vim/capabilities/reachability.hpp"
#include "vim/capabilities/routers.hpp"
#include "vim/capabilities/snapshots.hpp"
#include "vim/capabilities/storage.hpp"
#include "vim/capabilities/tenants.hpp"
#include "vim/capabilities/vm_events.hpp"

namespace escd::vim {

class Vim : public Tenants,
            public Networks,
            public Storage,
            public Flavors,
            public Routers,
            public Compute,
            public Hosts,
            public VmEvents,
            public Snapshots,
            public Migration,
            public Reachability {
  public:
    ~Vim() override = default;

    /// "libvirt", "openstack", "router".
    virtual std::string_view Kind() const noexcept = 0;
    /// Ends the backend's background work (an OpenStack VIM's state polling): its connector was
    /// changed or removed. The object stays valid for calls still in flight.
    virtual void Retire() {}
};

}  // namespace escd::vim
