// The CSM face's inventory through a real escd (docs/csm.md, "The inventory"): server
// repositories of each type, regions naming them, jump hosts, hosts and command profiles, in
// bulk with a row per item (200 / 207), their lists and filters, the host pages, deletes that
// refuse what is in use, and passwords never shown.

#include "tests/integration/csm_fixture.hpp"

namespace escd::test {
namespace {

namespace json = boost::json;

class CsmInventory : public CsmTest {
  protected:
    HttpResponse Post(const std::string& path, const std::string& body) {
        return csm_->Post("/api/v1/" + path, body, Json());
    }
    // A region "west" with a TFTP repository, and a jump host "bastion".
    void CreateRegionAndJumpHost() {
        ASSERT_EQ(Post("server_repositories", R"({"hostname": "tftp-1", "server_type": "TFTP",
                          "tftp_server_path": "198.18.0.2", "file_directory": "/srv/tftp"})")
                      .status,
                  200);
        ASSERT_EQ(
            Post("regions", R"({"region_name": "west", "server_repositories": "tftp-1"})").status,
            200);
        ASSERT_EQ(Post("jump_hosts", R"({"hostname": "bastion", "connection_type": "ssh",
                          "host_or_ip": "198.18.0.9", "port_number": 22, "username": "jump",
                          "password": "jump-secret"})")
                      .status,
                  200);
    }
};

TEST_F(CsmInventory, EachRepositoryTypeKeepsItsOwnFieldsAndNoPasswordIsShown) {
    const auto answer = Post("server_repositories", R"([
        {"hostname": "tftp-1", "server_type": "TFTP", "tftp_server_path": "198.18.0.2",
         "file_directory": "/srv/tftp", "vrf": "mgmt"},
        {"hostname": "ftp-1", "server_type": "FTP", "server_address": "198.18.0.2",
         "home_directory": "/pub", "username": "u", "password": "ftp-secret"},
        {"hostname": "sftp-1", "server_type": "SFTP", "server_address": "198.18.0.2",
         "home_directory": "/home/u", "username": "u", "password": "sftp-secret"},
        {"hostname": "scp-1", "server_type": "SCP", "server_address": "198.18.0.2",
         "home_directory": "/home/u", "destination_on_host": "harddisk:", "username": "u",
         "password": "scp-secret"},
        {"hostname": "local-1", "server_type": "LOCAL", "device_path": "harddisk:"},
        {"hostname": "bad-1", "server_type": "HTTP"},
        {"hostname": "!!!", "server_type": "TFTP"}])");
    ASSERT_EQ(answer.status, 207) << answer.body;
    const auto rows = Rows(answer, "server_repository_list");
    ASSERT_EQ(rows.size(), 7u);
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(Text(rows[i], "status"), "SUCCESS") << i;
    EXPECT_EQ(Text(rows[5], "status_message"), "'HTTP' is not a supported server type.");
    EXPECT_EQ(Text(rows[6], "status_message"), "Server repository name '!!!' is not valid.");

    const auto listed = csm_->Get("/api/v1/server_repositories");
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find("secret"), std::string::npos) << listed.body;
    const auto list = Rows(listed, "server_repository_list");
    ASSERT_EQ(list.size(), 5u);
    // Ordered by name: ftp-1, local-1, scp-1, sftp-1, tftp-1.
    EXPECT_EQ(list[0].as_object(), (json::object{{"hostname", "ftp-1"},
                                                 {"server_type", "FTP"},
                                                 {"server_address", "198.18.0.2"},
                                                 {"home_directory", "/pub"},
                                                 {"vrf", ""},
                                                 {"username", "u"}}));
    EXPECT_EQ(list[1].as_object(), (json::object{{"hostname", "local-1"},
                                                 {"server_type", "LOCAL"},
                                                 {"device_path", "harddisk:"}}));
    EXPECT_EQ(Text(list[2], "destination_on_host"), "harddisk:");
    EXPECT_EQ(Text(list[4], "tftp_server_path"), "198.18.0.2");
    EXPECT_EQ(Text(list[4], "file_directory"), "/srv/tftp");
    EXPECT_EQ(Text(list[4], "vrf"), "mgmt");

    const auto one = csm_->Get("/api/v1/server_repositories?hostname=scp-1");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(Rows(one, "server_repository_list").size(), 1u);
    const auto unknown = csm_->Get("/api/v1/server_repositories?hostname=nope");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(Message(unknown), "Server repository 'nope' does not exist in the database.");
}

TEST_F(CsmInventory, AHostNeedsItsRegionAndJumpHostAndIsListedWithoutItsPasswords) {
    CreateRegionAndJumpHost();
    const auto answer = Post("hosts", R"([
        {"hostname": "pe-1", "region": "west", "connection_type": "ssh",
         "ts_or_ip": ["198.18.0.10", "198.18.0.11"], "port_number": [22, "2222"],
         "username": "cisco", "password": "host-secret", "enable_password": "enable-secret",
         "jump_host": "bastion", "roles": "PE,Core", "location": "lab"},
        {"hostname": "pe-2", "region": "east", "connection_type": "ssh", "ts_or_ip": "x"},
        {"hostname": "pe-3", "region": "west", "connection_type": "ssh", "ts_or_ip": "x",
         "jump_host": "nowhere"},
        {"hostname": "pe-4", "region": "west", "connection_type": "http", "ts_or_ip": "x"},
        {"hostname": "pe-5", "region": "west", "ts_or_ip": "x"},
        {"hostname": "pe-6", "region": "west", "connection_type": "telnet", "ts_or_ip": "x",
         "software_profile": "gold"}])");
    ASSERT_EQ(answer.status, 207) << answer.body;
    const auto rows = Rows(answer, "host_list");
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[0].as_object(), (json::object{{"hostname", "pe-1"}, {"status", "SUCCESS"}}));
    EXPECT_EQ(Text(rows[1], "status_message"), "Region \"east\" does not exist in the database.");
    EXPECT_EQ(Text(rows[2], "status_message"),
              "Jump host \"nowhere\" does not exist in the database.");
    EXPECT_EQ(Text(rows[3], "status_message"), "Connection Type must be either telnet or ssh");
    EXPECT_EQ(Text(rows[4], "status_message"), "Missing JSON key: 'connection_type'.");
    EXPECT_EQ(Text(rows[5], "status_message"),
              "Software profile \"gold\" does not exist in the database.");

    const auto listed = csm_->Get("/api/v1/hosts");
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.body.find("secret"), std::string::npos) << listed.body;
    const auto page = Parsed(listed).as_object();
    EXPECT_EQ(page.at("current_page").as_int64(), 1);
    EXPECT_EQ(page.at("total_pages").as_int64(), 1);
    const auto hosts = page.at("api_response").at("host_list").as_array();
    ASSERT_EQ(hosts.size(), 1u);
    const auto& host = hosts[0].as_object();
    EXPECT_EQ(host.at("ts_or_ip"), (json::array{"198.18.0.10", "198.18.0.11"}));
    EXPECT_EQ(host.at("port_number"), (json::array{"22", "2222"}));
    EXPECT_EQ(host.at("roles"), (json::array{"PE", "Core"}));
    EXPECT_EQ(host.at("jump_host"), "bastion");
    EXPECT_EQ(host.at("family"), "Unknown") << "not discovered yet";
    EXPECT_EQ(host.at("created_by"), "admin");
    EXPECT_TRUE(host.at("created_time").as_string().ends_with(" GMT"));
    EXPECT_FALSE(host.contains("password"));
    EXPECT_FALSE(host.contains("enable_password"));
}

TEST_F(CsmInventory, AnUpdateReplacesTheKeysGivenAndKeepsTheOthers) {
    CreateRegionAndJumpHost();
    ASSERT_EQ(Post("hosts", R"({"hostname": "pe-1", "region": "west", "connection_type": "ssh",
                                "ts_or_ip": "198.18.0.10", "location": "lab",
                                "jump_host": "bastion"})")
                  .status,
              200);
    ASSERT_EQ(Post("hosts", R"({"hostname": "pe-1", "location": "rack 7",
                                "connection_type": "telnet"})")
                  .status,
              200);
    const auto host = Inner(csm_->Get("/api/v1/hosts?hostname=pe-1")).at("host_list").at(0);
    EXPECT_EQ(host.at("location"), "rack 7");
    EXPECT_EQ(host.at("connection_type"), "telnet");
    EXPECT_EQ(host.at("ts_or_ip"), (json::array{"198.18.0.10"}));
    EXPECT_EQ(host.at("jump_host"), "bastion");
    // A region's repository list given replaces the old one.
    ASSERT_EQ(Post("server_repositories", R"({"hostname": "local-1", "server_type": "LOCAL",
                                              "device_path": "harddisk:"})")
                  .status,
              200);
    ASSERT_EQ(
        Post("regions", R"({"region_name": "west", "server_repositories": ["local-1"]})").status,
        200);
    const auto region = Inner(csm_->Get("/api/v1/regions?region_name=west")).at("region_list");
    EXPECT_EQ(region.at(0).at("server_repositories"), (json::array{"local-1"}));
    // A command containing a comma stays one command.
    ASSERT_EQ(
        Post("custom_command_profiles",
             R"({"profile_name": "checks", "command_list": ["show run | i a,b", "show clock"]})")
            .status,
        200);
    const auto profile =
        Inner(csm_->Get("/api/v1/custom_command_profiles")).at("custom_command_profile_list");
    EXPECT_EQ(profile.at(0).at("command_list"), (json::array{"show run | i a,b", "show clock"}));
}

TEST_F(CsmInventory, DeletesRefuseWhatIsInUseAndNameWhatIsMissing) {
    CreateRegionAndJumpHost();
    ASSERT_EQ(Post("hosts", R"({"hostname": "pe-1", "region": "west", "connection_type": "ssh",
                                "ts_or_ip": "198.18.0.10", "jump_host": "bastion"})")
                  .status,
              200);
    const auto refused = [this](const std::string& path) {
        const auto answer = csm_->Delete("/api/v1/" + path);
        EXPECT_EQ(answer.status, 400) << path;
        return Message(answer);
    };
    EXPECT_EQ(refused("regions/west/delete"),
              "Unable to delete region 'west'. Verify that it is not used by other hosts.");
    EXPECT_EQ(refused("server_repositories/tftp-1/delete"),
              "Unable to delete server repository 'tftp-1'. Verify that it is not used by other "
              "regions or by install jobs that have not finished.");
    EXPECT_EQ(refused("jump_hosts/bastion/delete"),
              "Unable to delete jump host 'bastion'. Verify that it is not used by other hosts.");
    EXPECT_EQ(refused("hosts/pe-9/delete"), "Host 'pe-9' does not exist in the database.");
    EXPECT_EQ(refused("custom_command_profiles/none/delete"),
              "Custom command profile 'none' does not exist in the database.");

    const auto deleted = csm_->Delete("/api/v1/hosts/pe-1/delete");
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    EXPECT_EQ(Inner(deleted), (json::object{{"hostname", "pe-1"}, {"status", "SUCCESS"}}));
    EXPECT_EQ(csm_->Delete("/api/v1/jump_hosts/bastion/delete").status, 200);
    EXPECT_EQ(csm_->Delete("/api/v1/regions/west/delete").status, 200);
    EXPECT_EQ(csm_->Delete("/api/v1/server_repositories/tftp-1/delete").status, 200);
    EXPECT_EQ(Inner(csm_->Get("/api/v1/regions")).at("region_list").as_array().size(), 0u);
}

TEST_F(CsmInventory, HostsComeAThousandAPageFilteredByRegionAndFamily) {
    ASSERT_EQ(Post("regions", R"([{"region_name": "west"}, {"region_name": "east"}])").status, 200);
    json::array hosts;
    for (int i = 0; i < 1001; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "r%04d", i);
        hosts.push_back({{"hostname", name},
                         {"region", i == 1000 ? "east" : "west"},
                         {"connection_type", "ssh"},
                         {"ts_or_ip", "198.18.0.10"}});
    }
    const auto created = Post("hosts", json::serialize(hosts));
    ASSERT_EQ(created.status, 200) << created.body.substr(0, 400);

    const auto page = [this](const std::string& query) {
        const auto answer = csm_->Get("/api/v1/hosts" + query);
        EXPECT_EQ(answer.status, 200) << answer.body.substr(0, 400);
        return Parsed(answer).as_object();
    };
    auto first = page("");
    EXPECT_EQ(first.at("total_pages").as_int64(), 2);
    EXPECT_EQ(first.at("current_page").as_int64(), 1);
    EXPECT_EQ(first.at("api_response").at("host_list").as_array().size(), 1000u);
    EXPECT_EQ(first.at("api_response").at("host_list").at(0).at("hostname"), "r0000");
    auto second = page("?page=2");
    EXPECT_EQ(second.at("api_response").at("host_list").as_array().size(), 1u);
    EXPECT_EQ(second.at("api_response").at("host_list").at(0).at("hostname"), "r1000");
    EXPECT_EQ(page("?page=3").at("api_response").at("host_list").as_array().size(), 0u);
    EXPECT_EQ(page("?page=0").at("current_page").as_int64(), 1);
    auto east = page("?region=east");
    EXPECT_EQ(east.at("total_pages").as_int64(), 1);
    EXPECT_EQ(east.at("api_response").at("host_list").as_array().size(), 1u);
    EXPECT_EQ(page("?family=ASR9K").at("total_pages").as_int64(), 0);
    EXPECT_EQ(page("?family=Unknown&region=west").at("total_pages").as_int64(), 1);

    auto bad = csm_->Get("/api/v1/hosts?page=two");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Message(bad), "page must be an numeric value");
    bad = csm_->Get("/api/v1/hosts?region=north");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Message(bad), "Region 'north' does not exist in the database.");
    bad = csm_->Get("/api/v1/hosts?hostname=r9999");
    EXPECT_EQ(Message(bad), "Host 'r9999' does not exist in the database.");
}

TEST_F(CsmInventory, NamesAreSanitisedAsCsmDidAndAnsweredSo) {
    const auto answer = Post("regions", R"({"region_name": "  West   Coast!#{} "})");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(Text(Rows(answer, "region_list")[0], "region_name"), "West Coast");
    const auto found = csm_->Get("/api/v1/regions?region_name=West%20Coast");
    ASSERT_EQ(found.status, 200) << found.body;
    const auto bad = Post("regions", R"({"region_name": "%$#"})");
    EXPECT_EQ(bad.status, 207);
    EXPECT_EQ(Text(Rows(bad, "region_list")[0], "status_message"),
              "'%$#' is an invalid region name.");
}

}  // namespace
}  // namespace escd::test
