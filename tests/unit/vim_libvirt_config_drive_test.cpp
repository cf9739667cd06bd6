// The libvirt config drive (vim/libvirt/config_drive.hpp): a ustar archive the guest reads with
// tar.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "vim/libvirt/config_drive.hpp"

namespace escd::vim::libvirt {
namespace {

TEST(LibvirtConfigDrive, TarArchiveIsReadByTar) {
    const std::string archive =
        TarArchive({{"day0-config", "hostname vnf\n"}, {"idtoken", std::string(700, 't')}});
    EXPECT_EQ(archive.size() % 512, 0u);
    EXPECT_EQ(archive.size(), 512u + 512u + 512u + 1024u + 1024u);
    auto dir = std::filesystem::temp_directory_path() / "escd-day0-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "drive.tar", std::ios::binary) << archive;
    const std::string command =
        "tar -x -f " + (dir / "drive.tar").string() + " -C " + dir.string() + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
    std::ifstream config(dir / "day0-config");
    std::string line;
    std::getline(config, line);
    EXPECT_EQ(line, "hostname vnf");
    EXPECT_EQ(std::filesystem::file_size(dir / "idtoken"), 700u);
    std::filesystem::remove_all(dir);
    EXPECT_THROW(TarArchive({{std::string(120, 'n'), "x"}}), std::invalid_argument);
}

}  // namespace
}  // namespace escd::vim::libvirt
