#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "orchestrator/deployment/day0.hpp"

namespace escd::orchestrator::day0 {
namespace {

TEST(Day0, SubstitutesKnownVariablesAndLeavesTheRest) {
    const std::map<std::string, std::string> values{{"NICID_0_IP_ADDRESS", "127.10.0.2"},
                                                    {"NICID_1_IP_ADDRESS", "127.11.0.2"},
                                                    {"NICID_10_IP_ADDRESS", "127.20.0.2"},
                                                    {"DOMAIN", "example.net"}};
    EXPECT_EQ(Substitute("ip $NICID_0_IP_ADDRESS/24", values), "ip 127.10.0.2/24");
    EXPECT_EQ(Substitute("$NICID_10_IP_ADDRESS,$NICID_1_IP_ADDRESS", values),
              "127.20.0.2,127.11.0.2");  // the longest name, not a prefix of it
    EXPECT_EQ(Substitute("host.${DOMAIN}x", values), "host.example.netx");
    EXPECT_EQ(Substitute("echo $HOME $ ${ ${DOMAIN", values), "echo $HOME $ ${ ${DOMAIN");
}

TEST(Day0, TarArchiveIsReadByTar) {
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
}  // namespace escd::orchestrator::day0
