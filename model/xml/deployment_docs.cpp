#include "model/xml/deployment_docs.hpp"

#include <charconv>

#include <pugixml.hpp>

#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

void AppendIds(pugi::xml_node node, const DeploymentView& d) {
    AppendText(node, "deployment_name", d.spec->name);
}

void AppendTail(pugi::xml_node node, const DeploymentView& d) {
    if (!d.external_id.empty()) AppendText(node, "external_deployment_id", d.external_id);
    if (!d.tenant_external_id.empty()) AppendText(node, "external_tenant_id", d.tenant_external_id);
    AppendText(node, "internal_deployment_id", d.spec->internal_id);
    AppendText(node, "internal_tenant_id", d.spec->tenant);
    AppendText(node, "service_state_machine_state", ToString(d.service));
}

void AppendEventInterfaces(pugi::xml_node parent, const VmRecord& vm) {
    auto interfaces = parent.append_child("interfaces");
    for (const auto& nic : InterfacesFromStored(vm.interfaces)) {
        auto node = interfaces.append_child("interface");
        AppendText(node, "network_uuid", nic.network_uuid.empty() ? nic.network : nic.network_uuid);
        AppendText(node, "ip_address", nic.ip_address);
        AppendText(node, "mac_address", nic.mac_address);
        AppendText(node, "nic_id", std::to_string(nic.nicid));
        AppendText(node, "subnet_uuid", nic.subnet);
        AppendText(node, "netmask", nic.netmask);
        AppendText(node, "gateway", nic.gateway);
        AppendText(node, "type", "virtual");
    }
}

void AppendVm(pugi::xml_node node, const VmRecord& vm) {
    AppendText(node, "vm_name", vm.vm_name);
    AppendText(node, "vm_uuid", vm.uuid);
    AppendText(node, "host_name", vm.host);
    AppendText(node, "vm_state_machine_state", ToString(vm.state));
    AppendBool(node, "monitoring", vm.monitoring);
    AppendEventInterfaces(node, vm);
}

void FillDeployment(pugi::xml_node node, const DeploymentView& d) {
    AppendIds(node, d);
    AppendTail(node, d);
    for (const auto& group : d.spec->vm_groups) {
        auto group_node = node.append_child("vm_group");
        AppendText(group_node, "name", group.name);
        for (const auto& vm : d.vms) {
            if (vm.vm_group == group.name) AppendVm(group_node.append_child("vm_instance"), vm);
        }
    }
}

void AppendVmEndpoint(pugi::xml_node node, const VmRecord& vm) {
    AppendEventInterfaces(node, vm);
    AppendText(node, "host_uuid", vm.host);
    AppendText(node, "host_name", vm.host);
    AppendText(node, "vm_uuid", vm.uuid);
    AppendText(node, "vm_name", vm.vm_name);
}
}  // namespace

std::string DeploymentEventDocument(const DeploymentView& d,
                                    std::string_view stage,
                                    const VmRecord* vm,
                                    const VmRecord* replaced) {
    pugi::xml_document doc;
    auto root = doc.append_child("deployment");
    root.append_attribute("xmlns").set_value(kNetconfNs);
    AppendBool(root.append_child("datacenter"), "default", false);
    if (vm) {
        auto details = root.append_child("deployment_details");
        AppendText(details, "host_uuid", vm->host);
        AppendText(details, "host_name", vm->host);
        AppendText(details, "vm_uuid", vm->uuid);
        AppendEventInterfaces(details, *vm);
        AppendText(details, "vm_group_name", vm->vm_group);
        AppendText(details, "vm_name", vm->vm_name);
        AppendText(details, "vm_state_machine_state", ToString(vm->state));
        if (replaced) {
            AppendVmEndpoint(details.append_child("vm_source"), *replaced);
            AppendVmEndpoint(details.append_child("vm_target"), *vm);
        }
    }
    AppendIds(root, d);
    AppendText(root, "deployment_stage", stage);
    AppendTail(root, d);
    return Serialize(doc);
}

std::string DeploymentStageDocument(std::string_view stage, std::string_view deployment_id) {
    pugi::xml_document doc;
    auto root = doc.append_child("deployment");
    root.append_attribute("xmlns").set_value(kNetconfNs);
    AppendText(root, "deployment_stage", stage);
    AppendText(root, "internal_deployment_id", deployment_id);
    return Serialize(doc);
}

std::string VmEventDocument(const DeploymentView& d,
                            std::string_view event_type,
                            const VmRecord& vm) {
    return VmEventDocument(d, event_type, vm, {});
}

std::string VmEventDocument(const DeploymentView& d,
                            std::string_view event_type,
                            const VmRecord& vm,
                            const std::vector<std::pair<std::string, std::string>>& details) {
    pugi::xml_document doc;
    auto root = doc.append_child("esc_event");
    root.append_attribute("xmlns").set_value(kNetconfNs);
    AppendText(root, "deployment_name", d.spec->name);
    auto event_details = root.append_child("event_details");
    for (const auto& [name, text] : details) AppendText(event_details, name.c_str(), text);
    AppendText(root, "event_type", event_type);
    if (!d.external_id.empty()) AppendText(root, "external_deployment_id", d.external_id);
    if (!d.tenant_external_id.empty()) AppendText(root, "external_tenant_id", d.tenant_external_id);
    AppendText(root, "internal_deployment_id", d.spec->internal_id);
    AppendText(root, "internal_tenant_id", d.spec->tenant);
    auto source = root.append_child("vm_source");
    AppendEventInterfaces(source, vm);
    AppendText(source, "host_uuid", vm.host);
    AppendText(source, "host_name", vm.host);
    AppendText(source, "vm_uuid", vm.uuid);
    AppendText(source, "vm_group_name", vm.vm_group);
    AppendText(source, "vm_name", vm.vm_name);
    AppendText(source, "vm_state_machine_state", ToString(vm.state));
    return Serialize(doc);
}

std::string DeploymentDocument(const DeploymentView& d) {
    pugi::xml_document doc;
    auto root = doc.append_child("deployment");
    root.append_attribute("xmlns").set_value(kNetconfNs);
    FillDeployment(root, d);
    return Serialize(doc);
}

std::string DeploymentListDocument(const std::vector<DeploymentView>& deployments) {
    pugi::xml_document doc;
    auto root = doc.append_child("deployments");
    root.append_attribute("xmlns").set_value(kNetconfNs);
    for (const auto& d : deployments) FillDeployment(root.append_child("deployment"), d);
    return Serialize(doc);
}

std::string StoredInterfaces(const std::vector<AllocatedNic>& nics) {
    pugi::xml_document doc;
    auto root = doc.append_child("interfaces");
    for (const auto& nic : nics) {
        auto node = root.append_child("interface");
        AppendText(node, "nicid", std::to_string(nic.nicid));
        AppendText(node, "network", nic.network);
        AppendText(node, "network_uuid", nic.network_uuid);
        AppendText(node, "subnet", nic.subnet);
        AppendText(node, "ip_address", nic.ip_address);
        AppendText(node, "mac_address", nic.mac_address);
        AppendText(node, "netmask", nic.netmask);
        AppendText(node, "gateway", nic.gateway);
    }
    return Compact(doc);
}

std::vector<AllocatedNic> InterfacesFromStored(std::string_view stored) {
    std::vector<AllocatedNic> out;
    if (stored.empty()) return out;
    pugi::xml_document doc;
    if (!doc.load_buffer(stored.data(), stored.size())) return out;
    for (auto node : doc.document_element().children("interface")) {
        AllocatedNic nic;
        std::string id = node.child_value("nicid");
        std::from_chars(id.data(), id.data() + id.size(), nic.nicid);
        nic.network = node.child_value("network");
        nic.network_uuid = node.child_value("network_uuid");
        nic.subnet = node.child_value("subnet");
        nic.ip_address = node.child_value("ip_address");
        nic.mac_address = node.child_value("mac_address");
        nic.netmask = node.child_value("netmask");
        nic.gateway = node.child_value("gateway");
        out.push_back(std::move(nic));
    }
    return out;
}

}  // namespace escd::model::xml
