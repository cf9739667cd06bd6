#include "vim/openstack/config_drive.hpp"

namespace escd::vim::openstack {

ConfigFiles ConfigDriveFiles(const std::vector<Day0File>& files) {
    ConfigFiles out;
    for (const auto& file : files) {
        std::string path = file.path;
        if (path.empty() || path.front() != '/') path.insert(0, "/");
        out.emplace_back(std::move(path), file.content);
    }
    return out;
}

}  // namespace escd::vim::openstack
