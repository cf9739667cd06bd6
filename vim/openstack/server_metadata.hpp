#pragma once
/// @file
/// The metadata keys OpenStackAdapter writes on the Nova servers it makes and reads back from
/// them. Internal to the adapter (openstack_adapter.cpp, openstack_compute.cpp): no other code
/// includes it.

namespace escd::vim::openstack {

/// The metadata key that marks this installation's servers.
constexpr const char* kInstanceKey = "escd_instance";
/// The metadata key naming a server's server group (its vm_group's affinity rule).
constexpr const char* kGroupKey = "escd_server_group";
constexpr const char* kTenantKey = "escd_tenant";

}  // namespace escd::vim::openstack
