#include "vim/libvirt/domain_xml.hpp"

#include <map>
#include <sstream>

#include <pugixml.hpp>

#include "vim/libvirt/network_xml.hpp"

namespace escd::vim::libvirt {
namespace {
void AppendVolume(pugi::xml_node devices,
                  const std::string& pool,
                  const std::string& volume,
                  const std::string& dev,
                  const std::string& bus,
                  bool read_only) {
    auto disk = devices.append_child("disk");
    disk.append_attribute("type").set_value("volume");
    disk.append_attribute("device").set_value("disk");
    auto source = disk.append_child("source");
    source.append_attribute("pool").set_value(pool.c_str());
    source.append_attribute("volume").set_value(volume.c_str());
    auto target = disk.append_child("target");
    target.append_attribute("dev").set_value(dev.c_str());
    target.append_attribute("bus").set_value(bus.c_str());
    if (read_only) disk.append_child("readonly");
}

// The next device name of `bus` (vda, vdb, ... for virtio; sd? for scsi and sata; hd? for ide):
// a hint libvirt orders the disks by.
std::string NextDev(std::map<std::string, char>& used, const std::string& bus) {
    const std::string prefix = bus == "virtio" ? "vd" : bus == "ide" ? "hd" : "sd";
    auto& letter = used.try_emplace(prefix, 'a').first->second;
    return prefix + letter++;
}

void AppendInterface(pugi::xml_node devices, const VmNic& nic) {
    auto interface = devices.append_child("interface");
    interface.append_attribute("type").set_value("network");
    interface.append_child("source").append_attribute("network").set_value(
        NetworkName(nic.network_id).c_str());
    if (!nic.mac.empty())
        interface.append_child("mac").append_attribute("address").set_value(nic.mac.c_str());
    interface.append_child("model").append_attribute("type").set_value(nic.model.c_str());
}
}  // namespace

std::string VmDiskPrefix(const std::string& vm_name) {
    return "escd-disk-" + vm_name + "-";
}

std::string VmDiskVolume(const std::string& vm_name, int volid) {
    return VmDiskPrefix(vm_name) + std::to_string(volid);
}

std::vector<std::string> VolumesOfDomain(const std::string& domain_xml, const std::string& prefix) {
    std::vector<std::string> out;
    pugi::xml_document doc;
    if (!doc.load_string(domain_xml.c_str())) return out;
    for (const auto& node : doc.select_nodes("/domain/devices/disk/source[@volume]")) {
        const std::string volume = node.node().attribute("volume").value();
        if (volume.rfind(prefix, 0) == 0) out.push_back(volume);
    }
    return out;
}

std::string ConsoleLogPath(const std::string& vm_name) {
    return "/var/log/libvirt/qemu/" + vm_name + ".console.log";
}

std::string RenderInterfaceXml(const VmNic& nic) {
    pugi::xml_document doc;
    AppendInterface(doc, nic);
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

std::string RenderDomainXml(const VmRequest& request,
                            const std::string& domain_type,
                            const std::string& storage_pool,
                            const std::string& instance) {
    pugi::xml_document doc;
    auto domain = doc.append_child("domain");
    domain.append_attribute("type").set_value(domain_type.c_str());
    domain.append_child("name").text().set(request.name.c_str());
    auto object = domain.append_child("metadata").append_child("escd:object");
    object.append_attribute("xmlns:escd").set_value(kMetadataNs);
    object.append_attribute("kind").set_value("vm");
    object.append_attribute("deployment").set_value(request.deployment_id.c_str());
    object.append_attribute("tenant").set_value(request.tenant_id.c_str());
    object.append_attribute("group").set_value(request.vm_group.c_str());
    if (!instance.empty()) object.append_attribute("instance").set_value(instance.c_str());
    auto memory = domain.append_child("memory");
    memory.append_attribute("unit").set_value("MiB");
    memory.text().set(request.memory_mb);
    domain.append_child("vcpu").text().set(request.vcpus);
    auto os = domain.append_child("os");
    auto type = os.append_child("type");
    type.append_attribute("arch").set_value("x86_64");
    type.text().set("hvm");
    os.append_child("boot").append_attribute("dev").set_value("hd");
    // Without ACPI a qemu guest cannot power itself off: a graceful stop (StopVm) would only
    // ever end in the forced one after its grace period.
    domain.append_child("features").append_child("acpi");
    domain.append_child("on_poweroff").text().set("destroy");
    domain.append_child("on_crash").text().set("destroy");

    auto devices = domain.append_child("devices");
    // Many VMs boot from one image and the config drive is escd's: neither is written to.
    std::map<std::string, char> used;
    if (!request.image_id.empty()) {
        AppendVolume(devices, storage_pool, "escd-image-" + request.image_id,
                     NextDev(used, "virtio"), "virtio", true);
    }
    if (request.HasConfigDrive()) {
        AppendVolume(devices, storage_pool, "escd-day0-" + request.name, NextDev(used, "virtio"),
                     "virtio", true);
    }
    for (const auto& disk : request.disks) {
        AppendVolume(devices, storage_pool, VmDiskVolume(request.name, disk.volid),
                     NextDev(used, disk.bus), disk.bus, false);
    }
    for (const auto& nic : request.nics) AppendInterface(devices, nic);
    if (domain_type != "test") {
        // The guest's serial console: `virsh console` for an operator, and a file virtlogd
        // appends to across restarts (a VNF's boot messages when it does not come alive).
        auto serial = devices.append_child("serial");
        serial.append_attribute("type").set_value("pty");
        auto log = serial.append_child("log");
        log.append_attribute("file").set_value(ConsoleLogPath(request.name).c_str());
        log.append_attribute("append").set_value("on");
        devices.append_child("console").append_attribute("type").set_value("pty");
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

}  // namespace escd::vim::libvirt
