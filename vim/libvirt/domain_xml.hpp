#pragma once
/// @file
/// The libvirt domain XML escd defines for a VM (pure; unit tested).
///
/// - The name is escd's VM name (<deployment>_<group>_<index>_<uuid>), the lookup key after a
///   crash; <metadata> carries the deployment, tenant and group.
/// - ACPI on, so that a guest can power off when asked to.
/// - Domain type: `test` on the test driver, `qemu` elsewhere (TCG: KVM is not usable on these
///   machines; a host with KVM is a later option).
/// - The boot disk is the image's volume in escd's pool; the day-0 config drive, when there is
///   one, the read-only volume escd-day0-<vm name> as vdb; then the VM's ephemeral disks
///   (VmDiskVolume), writable, on their bus, in volid order; one virtio (or the asked model) NIC
///   per interface on the libvirt network of its escd network, with the allocated MAC.
/// - Outside the test driver, a serial console (pty) whose output virtlogd appends to
///   ConsoleLogPath(): what the guest printed, across its reboots and recoveries.

#include <string>
#include <vector>

#include "vim/vim.hpp"

namespace escd::vim::libvirt {

/// `instance`: the escd installation's id, in the metadata, so that reconciliation after a
/// restart touches only its own VMs on a hypervisor others may share ("" = none).
std::string RenderDomainXml(const VmRequest& request,
                            const std::string& domain_type,
                            const std::string& storage_pool,
                            const std::string& instance = {});

/// The volume of VM `vm_name`'s ephemeral disk `volid` in escd's pool: escd-disk-<vm>-<volid>
/// (VolumeName(kVmDisk, <vm>-<volid>)); every one of them starts with VmDiskPrefix(vm_name).
std::string VmDiskVolume(const std::string& vm_name, int volid);
std::string VmDiskPrefix(const std::string& vm_name);

/// The volumes of escd's pool a domain's XML names whose names start with `prefix`.
std::vector<std::string> VolumesOfDomain(const std::string& domain_xml, const std::string& prefix);

/// Where the host keeps the serial console output of VM `vm_name` (libvirt's own log directory).
std::string ConsoleLogPath(const std::string& vm_name);

/// One <interface> device, as in the domain XML (for attaching a NIC to a defined domain).
std::string RenderInterfaceXml(const VmNic& nic);

}  // namespace escd::vim::libvirt
