#pragma once
// The reference's POST /v0/deployments example (ESC REST API, "Create deployment"), as written
// except for what a test must move: the names of its tenant, network and image (a VIM may hold
// objects of the reference's names already), the VM's address (the reference's 18.0.0.16 is not
// an address these tests may use), the file server behind MY_FILE_SERVER_IP, and its trunk and
// volume (parts a VIM may not make). One text, so that the libvirt and OpenStack tests deploy
// the same example.

#include <string>

namespace escd::test {

struct ReferenceExample {
    std::string tenant = "admin";
    std::string network = "MgtNetwork";
    std::string image = "ASA";
    std::string address;           ///< the VM's address, in place of 18.0.0.16
    std::string file_server;       ///< base URL of the day-0 files, in place of MY_FILE_SERVER_IP
    bool trunk_and_volume = true;  ///< keep the example's trunk and volume
};

/// The esc_datamodel of the example (deployment MyDemoDepName, vm_group ASA-1, an ICMPPing
/// VM_ALIVE KPI on nicid 1, day-0 files day0-configASA and asa-smart.config).
std::string ReferenceDeploymentBody(const ReferenceExample& example);

}  // namespace escd::test
