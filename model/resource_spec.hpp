#pragma once
/// @file
/// The typed view of a stored resource spec (resources.spec, the canonical XML of
/// model/xml/resource_xml.hpp): what the workflows need of each kind, read only through the codec
/// in model/xml/resource_spec_xml.hpp. The canonical XML stays the stored form, since GET returns
/// it with every element a client sent.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace escd::model {

struct NetworkSpec {
    bool admin_state_up = true;
    bool shared = false;
};

struct SubnetSpec {
    std::string cidr;        ///< "10.0.0.0/24", canonical
    std::string gateway_ip;  ///< empty: none
    bool enable_dhcp = true;
    std::vector<std::pair<std::string, std::string>> pools;  ///< (start, end)
};

struct ImageSpec {
    std::string src;             ///< a URL; empty when the image names a file server
    std::string file_server_id;  ///< <file_locator>: the file server and the path under it
    std::string remote_path;
    std::string disk_format = "qcow2";
};

struct FileServerSpec {
    std::string base_url;
    std::string user;
    std::string password;
};

struct VolumeSpec {
    std::uint64_t size = 1;
    std::string size_unit = "GiB";  ///< MiB, GiB, TiB
    std::uint64_t Bytes() const noexcept;
};

struct FlavorSpec {
    int vcpus = 1;
    std::int64_t memory_mb = 0;
    std::int64_t root_disk_mb = 0;
    std::int64_t ephemeral_disk_mb = 0;
};

struct RouterSpec {
    bool admin_state = true;
    std::vector<std::string> subnets;  ///< internal ids of the subnets of its interfaces
};

}  // namespace escd::model
