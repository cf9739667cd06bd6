#include "model/xml/resource_spec_xml.hpp"

#include <algorithm>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/stored_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model {

std::uint64_t VolumeSpec::Bytes() const noexcept {
    const unsigned shift = size_unit == "MiB" ? 20 : size_unit == "TiB" ? 40 : 30;
    return size << shift;
}

namespace xml {

NetworkSpec NetworkSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "network spec");
    return {spec.Bool("admin_state_up", true), spec.Bool("shared", false)};
}

SubnetSpec SubnetSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "subnet spec");
    SubnetSpec subnet{
        spec.Text("cidr"), spec.Text("gateway_ip"), spec.Bool("enable_dhcp", true), {}};
    for (auto pool : spec.root().children("allocation_pools")) {
        subnet.pools.emplace_back(ChildText(pool, "start").value_or(""),
                                  ChildText(pool, "end").value_or(""));
    }
    return subnet;
}

ImageSpec ImageSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "image spec");
    ImageSpec image{spec.Text("src"), {}, {}, spec.Text("disk_format", "qcow2")};
    if (auto locator = Child(spec.root(), "file_locator")) {
        image.file_server_id = ChildText(locator, "file_server_id").value_or("");
        image.remote_path = ChildText(locator, "remote_path").value_or("");
    }
    return image;
}

FileServerSpec FileServerSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "file server spec");
    return {spec.Text("base_url"), spec.Text("file_server_user"),
            spec.Text("file_server_password")};
}

VolumeSpec VolumeSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "volume spec");
    return {static_cast<std::uint64_t>(std::max<std::int64_t>(0, spec.Int("size", 1))),
            spec.Text("sizeunit", "GiB")};
}

FlavorSpec FlavorSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "flavor spec");
    return {static_cast<int>(spec.Int("vcpus", 1)), spec.Int("memory_mb", 0),
            spec.Int("root_disk_mb", 0), spec.Int("ephemeral_disk_mb", 0)};
}

RouterSpec RouterSpecFromStored(std::string_view stored) {
    const StoredXml spec(stored, "router spec");
    RouterSpec router{spec.Bool("admin_state", true), {}};
    for (auto interface : spec.root().children("interface"))
        router.subnets.push_back(ChildText(interface, "subnet").value_or(""));
    return router;
}

std::string NameFromStored(std::string_view stored) {
    return StoredXml(stored, "resource spec").Text("name");
}

std::string VolumeSpecWithSize(std::string_view stored, std::uint64_t bytes) {
    const StoredXml spec(stored, "volume spec");
    pugi::xml_document doc;
    doc.append_copy(spec.root());
    auto root = doc.document_element();
    while (auto old = root.child("size")) root.remove_child(old);
    while (auto old = root.child("sizeunit")) root.remove_child(old);
    constexpr std::uint64_t kMiB = 1 << 20;
    AppendText(root, "size", std::to_string(std::max<std::uint64_t>(1, (bytes + kMiB - 1) / kMiB)));
    AppendText(root, "sizeunit", "MiB");
    return Compact(doc);
}

}  // namespace xml
}  // namespace escd::model
