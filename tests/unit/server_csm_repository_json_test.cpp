#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/csm/inventory_json.hpp"

// Server repositories: the per-type keys (the checks the five kinds share are in
// server_csm_inventory_json_test.cpp).

namespace escd::server::csm {
namespace {
namespace json = boost::json;
namespace csm = model::csm;

// ---- Server repositories ------------------------------------------------------------------------

std::string RepositoryFailureOf(std::string_view body) {
    const auto result = ParseServerRepositoryItem(json::parse(body));
    return result ? "(accepted)" : result.failure().message;
}

TEST(CsmJsonServerRepositories, KeysEveryItemNeedsComeFirst) {
    EXPECT_EQ(RepositoryFailureOf(R"({"server_type": "TFTP"})"), "Missing JSON key: 'hostname'.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "!"})"), "Missing JSON key: 'server_type'.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": null})"),
              "Missing JSON key: 'server_type'.");
}

TEST(CsmJsonServerRepositories, UnsupportedTypeIsNamed) {
    for (const auto& [value, shown] :
         std::vector<std::pair<std::string, std::string>>{{R"("tftp")", "tftp"},
                                                          {R"("HTTP")", "HTTP"},
                                                          {"5", "5"},
                                                          {"true", "true"},
                                                          {R"(["TFTP"])", R"(["TFTP"])"}}) {
        const auto result = ParseServerRepositoryItem(
            json::parse(R"({"hostname": "Repo 1", "server_type": )" + value + "}"));
        ASSERT_FALSE(result) << value;
        EXPECT_EQ(result.failure().message, "'" + shown + "' is not a supported server type.");
        EXPECT_EQ(result.failure().row, (json::object{{"hostname", "Repo 1"}}));
    }
}

TEST(CsmJsonServerRepositories, EachTypeRequiresItsKeysOnEveryItem) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"("TFTP", "file_directory": "/d")", "Missing JSON key: 'tftp_server_path'."},
        {R"("TFTP", "tftp_server_path": "1.1.1.1")", "Missing JSON key: 'file_directory'."},
        {R"("FTP", "home_directory": "/d")", "Missing JSON key: 'server_address'."},
        {R"("SFTP", "server_address": "s")", "Missing JSON key: 'home_directory'."},
        {R"("SCP", "server_address": "s", "home_directory": "/d")",
         "Missing JSON key: 'destination_on_host'."},
        {R"("LOCAL")", "Missing JSON key: 'device_path'."},
        {R"("LOCAL", "device_path": null)", "Missing JSON key: 'device_path'."},
    };
    for (const auto& [rest, message] : cases) {
        const auto result = ParseServerRepositoryItem(
            json::parse(R"({"hostname": "r", "server_type": )" + rest + "}"));
        ASSERT_FALSE(result) << rest;
        EXPECT_EQ(result.failure().message, message);
        EXPECT_TRUE(result.failure().row.contains("server_type"));
    }
}

TEST(CsmJsonServerRepositories, KeysTheTypeDoesNotUseAreRefused) {
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": "SFTP", "server_address":
        "s", "home_directory": "/d", "vrf": "mgmt"})"),
              "The following key, 'vrf', is invalid.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": "TFTP", "tftp_server_path":
        "t", "file_directory": "/d", "username": "u", "password": "p"})"),
              "The following keys, 'username,password', are invalid.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": "FTP", "server_address":
        "s", "home_directory": "/d", "destination_on_host": "disk0:"})"),
              "The following key, 'destination_on_host', is invalid.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": "LOCAL", "device_path":
        "harddisk:", "home_directory": "/d"})"),
              "The following key, 'home_directory', is invalid.");
    EXPECT_EQ(RepositoryFailureOf(R"({"hostname": "r", "server_type": "FTP", "server_address":
        ["s"], "home_directory": "/d"})"),
              "The value of 'server_address' must be a string.");
}

struct RepositoryCase {
    std::string body;  ///< after "hostname" and "server_type"
    std::string type;
    std::string address;
    std::string directory;
    std::string vrf;
    std::string username;
    std::string destination;
    std::string row;  ///< GET's row
};

TEST(CsmJsonServerRepositories, EachTypeMapsItsKeysAndAnswersThem) {
    const std::vector<RepositoryCase> cases{
        {R"("tftp_server_path": "223.255.254.245", "file_directory": "/auto/t", "vrf": "m")",
         "TFTP", "223.255.254.245", "/auto/t", "m", "", "",
         R"({"tftp_server_path": "223.255.254.245", "file_directory": "/auto/t", "vrf": "m"})"},
        {R"("server_address": "172.27.153.150", "home_directory": "/tftpboot", "vrf": "m",
            "username": "root", "password": "pw")",
         "FTP", "172.27.153.150", "/tftpboot", "m", "root", "",
         R"({"server_address": "172.27.153.150", "home_directory": "/tftpboot", "vrf": "m",
             "username": "root"})"},
        {R"("server_address": "nb", "home_directory": "/v", "password": "pw")", "SFTP", "nb", "/v",
         "", "", "", R"({"server_address": "nb", "home_directory": "/v", "username": ""})"},
        {R"("server_address": "s", "home_directory": "/h", "destination_on_host": "disk0:",
            "username": "u")",
         "SCP", "s", "/h", "", "u", "disk0:",
         R"({"server_address": "s", "home_directory": "/h", "username": "u",
             "destination_on_host": "disk0:"})"},
        {R"("device_path": "harddisk:")", "LOCAL", "harddisk:", "", "", "", "",
         R"({"device_path": "harddisk:"})"},
    };
    for (const auto& c : cases) {
        const auto patch = ParseServerRepositoryItem(json::parse(
            R"({"hostname": "Repo", "server_type": ")" + c.type + R"(", )" + c.body + "}"));
        ASSERT_TRUE(patch) << c.type << ": " << patch.failure().message;
        EXPECT_EQ(BulkRowOf(*patch), (json::object{{"hostname", "Repo"}, {"server_type", c.type}}));
        const auto repository = MergeServerRepository(std::nullopt, *patch, "alice");
        ASSERT_TRUE(repository);
        EXPECT_EQ(csm::RepositoryTypeName(repository->type), c.type);
        EXPECT_EQ(repository->address, c.address) << c.type;
        EXPECT_EQ(repository->directory, c.directory) << c.type;
        EXPECT_EQ(repository->vrf, c.vrf) << c.type;
        EXPECT_EQ(repository->username, c.username) << c.type;
        EXPECT_EQ(repository->destination_on_host, c.destination) << c.type;
        EXPECT_EQ(repository->created_by, "alice");
        auto row = json::parse(c.row).as_object();
        row["hostname"] = "Repo";
        row["server_type"] = c.type;
        EXPECT_EQ(ServerRepositoryRow(*repository), row) << c.type;
    }
}

TEST(CsmJsonServerRepositories, UpdateKeepsLoginAndVrfOnlyWhileTheTypeUsesThem) {
    csm::ServerRepository stored;
    stored.hostname = "Repo";
    stored.type = csm::RepositoryType::kFtp;
    stored.address = "old";
    stored.directory = "/old";
    stored.vrf = "m";
    stored.username = "u";
    stored.password = "pw";
    stored.created_by = "bob";
    const auto patch_of = [](std::string_view body) {
        return *ParseServerRepositoryItem(json::parse(body));
    };
    const auto same_type = MergeServerRepository(
        stored, patch_of(R"({"hostname": "Repo", "server_type": "FTP", "server_address": "new",
                             "home_directory": "/new"})"),
        "x");
    EXPECT_EQ(same_type->address, "new");
    EXPECT_EQ(same_type->directory, "/new");
    EXPECT_EQ(same_type->vrf, "m");
    EXPECT_EQ(same_type->username, "u");
    EXPECT_EQ(same_type->password, "pw");
    EXPECT_EQ(same_type->created_by, "bob");
    const auto to_sftp = MergeServerRepository(
        stored, patch_of(R"({"hostname": "Repo", "server_type": "SFTP", "server_address": "s",
                             "home_directory": "/h"})"),
        "x");
    EXPECT_EQ(to_sftp->vrf, "");  // SFTP has no VRF
    EXPECT_EQ(to_sftp->password, "pw");
    const auto to_local = MergeServerRepository(
        stored, patch_of(R"({"hostname": "Repo", "server_type": "LOCAL", "device_path": "d:"})"),
        "x");
    EXPECT_EQ(to_local->address, "d:");
    EXPECT_EQ(to_local->directory, "");
    EXPECT_EQ(to_local->username, "");
    EXPECT_EQ(to_local->password, "");
    EXPECT_EQ(to_local->vrf, "");
}

}  // namespace
}  // namespace escd::server::csm
