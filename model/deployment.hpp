#pragma once
/// @file
/// A deployment as the client describes it in an `esc_datamodel` (ESC reference, 06-Deployments):
/// the typed view the engine works from. The stored form is the canonical datamodel XML itself
/// (model/xml/deployment_xml.hpp), so elements escd does not interpret are kept and returned.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace escd::model {

struct InterfaceSpec {
    int nicid = 0;
    std::string network;      ///< internal network id (or a network the datamodel declares)
    std::string ip_address;   ///< fixed address; empty = from the subnet's pool
    std::string mac_address;  ///< fixed MAC; empty = generated
    std::string model = "virtio";
    std::string type = "virtual";
};

struct ScalingSpec {
    int min_active = 1;
    int max_active = 1;
    bool elastic = false;
    /// Addresses new VMs of the group take, per network (static_ip_address_pool).
    struct Pool {
        std::string network;
        std::vector<std::string> addresses;
    };
    std::vector<Pool> static_pools;
};

struct KpiSpec {
    std::string event_name;  ///< VM_ALIVE, VM_OVERLOADED, ...
    std::string metric_value;
    std::string metric_cond = "GT";  ///< GT GE LT LE EQ NE
    std::string metric_type = "UINT32";
    std::string collector_type = "ICMPPing";
    int nicid = 0;
    int poll_frequency = 3;
    std::string polling_unit = "seconds";
    bool continuous_alarm = false;
    int occurrences_true = 1;
    int occurrences_false = 3;
};

struct RuleSpec {
    std::string event_name;
    std::vector<std::string> actions;  ///< "ALWAYS log", "TRUE esc_vm_alive_notification", ...
};

struct ConfigurationSpec {
    std::string dst;   ///< the file name on the config drive ("day0-config")
    std::string file;  ///< URL to fetch, or
    std::string data;  ///< inline content
    std::vector<std::pair<std::string, std::vector<std::string>>> variables;
};

struct PlacementSpec {
    std::string type;  ///< zone_host, affinity, anti_affinity
    std::string enforcement = "strict";
    std::string zone;
    std::string host;
    std::vector<std::string> target_groups;  ///< affinity / anti-affinity between groups
};

struct RecoveryPolicySpec {
    std::string recovery_type = "AUTO";                       ///< AUTO, MANUAL
    std::string action_on_recovery = "REBOOT_THEN_REDEPLOY";  ///< REBOOT_ONLY, REDEPLOY_ONLY
    std::optional<int> max_retries;
};

/// A vm_group's <volume>. With a size it is an ephemeral volume: a blank disk escd makes for
/// each VM of the group and attaches to it (writable), removed with the VM; a VM made again (a
/// recovery's redeploy, a rolling upgrade) gets a blank one. Without a size it names storage the
/// VIM has (a datastore) and escd attaches nothing (docs/behaviour.md, "Volumes").
struct GroupVolumeSpec {
    std::string name;
    int volid = 0;                 ///< its order among the VM's volumes
    std::uint64_t size_bytes = 0;  ///< 0: not ephemeral
    std::string bus = "virtio";    ///< virtio, scsi, sata, ide
    std::string type;              ///< the VIM's volume type ("" = its default)

    bool Ephemeral() const { return size_bytes > 0; }
    bool operator==(const GroupVolumeSpec&) const = default;
};

/// A vm_group's `<extensions><extension><name>csm_host</name>`: each of its VMs is a host of
/// the CSM face while it lives (docs/csm.md, "escd's VNFs as hosts"), named after the VM,
/// reached on the address of its interface `nicid`. The credentials are day-0 templates
/// (orchestrator/deployment/day0.hpp), rendered with the VM's day-0 values.
struct CsmHostSpec {
    int nicid = 0;
    std::string connection_type = "ssh";  ///< ssh, telnet
    std::string port;                     ///< "" = the protocol's
    std::string username;
    std::string password;
    std::string enable_password;
    std::string region;  ///< "" = the deployment's tenant
    bool operator==(const CsmHostSpec&) const = default;
};

/// The size of a VM whose group names neither a flavor nor vim_vcpus/vim_memory_mb.
inline constexpr int kDefaultVcpus = 1;
inline constexpr long long kDefaultMemoryMb = 512;

struct VmGroupSpec {
    std::string name;
    std::string image;
    std::string flavor;  ///< or vim_vcpus + vim_memory_mb, or neither (the defaults above)
    std::string vim_id;  ///< <locator><vim_id>: the VIM connector of its VMs, "" = the default
    int vcpus = 0;
    long long memory_mb = 0;
    int bootup_time = 300;
    int reboot_time = 300;
    int recovery_wait_time = 0;
    RecoveryPolicySpec recovery_policy;
    std::vector<InterfaceSpec> interfaces;
    ScalingSpec scaling;
    std::vector<KpiSpec> kpis;
    std::vector<RuleSpec> rules;
    std::vector<ConfigurationSpec> config_data;
    std::vector<PlacementSpec> placement;
    std::vector<GroupVolumeSpec> volumes;
    std::optional<CsmHostSpec> csm_host;
};

struct DeploymentSpec {
    std::string internal_id;
    std::string tenant;  ///< tenants/tenant/name: the internal tenant id
    std::string name;
    std::vector<VmGroupSpec> vm_groups;
    /// Networks the datamodel declares (deployment-scoped, created and removed with it).
    std::vector<std::string> declared_networks;
};

}  // namespace escd::model
