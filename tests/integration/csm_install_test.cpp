// The CSM face's install job routes through a real escd (docs/csm.md, "Install jobs"):
// POST /install checks every item before it creates any job, then creates them host by host in
// CSM's action order with the implicit chain, or the dependency asked for by id or by action;
// times in the client's offset (a negative half-hour one too); GET /install's filters;
// DELETE /install/delete and its cascade. The jobs here are scheduled a day ahead: these tests
// are about the routes, not about running jobs.

#include <chrono>

#include "server/csm/install_time.hpp"
#include "tests/integration/csm_fixture.hpp"

namespace escd::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class CsmInstall : public CsmTest {
  protected:
    void SetUp() override {
        CsmTest::SetUp();
        auto post = [this](const char* path, const char* body) {
            const auto answer = csm_->Post(std::string("/api/v1/") + path, body, Json());
            ASSERT_EQ(answer.status, 200) << path << ": " << answer.body;
        };
        post("server_repositories", R"({"hostname": "tftp-1", "server_type": "TFTP",
                "tftp_server_path": "198.18.0.1", "file_directory": "/srv/tftp"})");
        post("regions", R"({"region_name": "lab", "server_repositories": ["tftp-1"]})");
        post("custom_command_profiles",
             R"({"profile_name": "bgp", "command_list": ["show bgp summary"]})");
        post("hosts", R"([{"hostname": "pe-1", "region": "lab", "connection_type": "ssh",
                           "ts_or_ip": "198.18.0.2"},
                          {"hostname": "pe-2", "region": "lab", "connection_type": "ssh",
                           "ts_or_ip": "198.18.0.3"}])");
    }

    /// Tomorrow at 09:30 local time at -03:30, as a client writes it.
    static std::string Tomorrow(int minutes_later = 0) {
        const auto utc = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                         24h + 13h + std::chrono::minutes(minutes_later);
        return server::csm::LocalTimeText(utc, -210min);
    }

    /// A query value with its blanks escaped.
    static std::string Encoded(std::string text) {
        for (std::size_t at = text.find(' '); at != std::string::npos; at = text.find(' ', at))
            text.replace(at, 1, "%20");
        return text;
    }

    HttpResponse Install(const std::string& body) {
        return csm_->Post("/api/v1/install", body, Json());
    }
    json::array Jobs(const std::string& query) {
        const auto answer = csm_->Get("/api/v1/install" + query);
        EXPECT_EQ(answer.status, 200) << answer.body;
        return Rows(answer, "install_job_list");
    }
};

TEST_F(CsmInstall, AnUpgradeInOneRequestIsChainedHostByHostInCsmsOrder) {
    const auto when = Tomorrow();
    const auto answer = Install(R"([
        {"hostname": "pe-1", "install_action": "Commit", "scheduled_time": ")" +
                                when + R"(",
         "utc_offset": "-03:30"},
        {"hostname": "pe-1", "install_action": "Activate", "scheduled_time": ")" +
                                when + R"(",
         "utc_offset": "-03:30", "software_packages": ["xrv9k-mgbl-3.0.0.0-r613.x86_64.rpm"]},
        {"hostname": "pe-1", "install_action": "Pre-Upgrade", "scheduled_time": ")" +
                                when + R"(",
         "utc_offset": "-03:30", "command_profile": "bgp"},
        {"hostname": "pe-1", "install_action": "Post-Upgrade", "scheduled_time": ")" +
                                when + R"(",
         "utc_offset": "-03:30", "command_profile": ["bgp"]},
        {"hostname": "pe-1", "install_action": "Add", "scheduled_time": ")" +
                                when + R"(",
         "utc_offset": "-03:30", "server_repository": "tftp-1", "server_directory": "xr",
         "software_packages": ["xrv9k-mgbl-3.0.0.0-r613.x86_64.rpm", "README.txt"]}])");
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto rows = Rows(answer, "install_job_list");
    ASSERT_EQ(rows.size(), 5u);
    const std::vector<std::string> order{"Pre-Upgrade", "Add", "Activate", "Post-Upgrade",
                                         "Commit"};
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(Text(rows[i], "install_action"), order[i]);
        EXPECT_EQ(Text(rows[i], "status"), "SUCCESS");
        ids.push_back(rows[i].at("id").as_int64());
    }

    const auto jobs = Jobs("?hostname=pe-1&utc_offset=-03:30");
    ASSERT_EQ(jobs.size(), 5u);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        EXPECT_EQ(jobs[i].at("id").as_int64(), ids[i]);
        EXPECT_EQ(Text(jobs[i], "status"), "scheduled");
        EXPECT_EQ(Text(jobs[i], "scheduled_time"), when) << "the time as the client wrote it";
        if (i == 0)
            EXPECT_EQ(jobs[i].at("dependency"), "");
        else
            EXPECT_EQ(jobs[i].at("dependency").as_int64(), ids[i - 1]) << order[i];
    }
    EXPECT_EQ(jobs[1].at("software_packages"), (json::array{"xrv9k-mgbl-3.0.0.0-r613.x86_64.rpm"}))
        << "Add keeps only package files, as CSM";
    EXPECT_EQ(Text(jobs[1], "server_repository"), "tftp-1");
    EXPECT_EQ(jobs[0].at("command_profile"), (json::array{"bgp"}));
    EXPECT_EQ(Text(jobs[0], "created_by"), "admin");
    // Without an offset, the times are HTTP dates in GMT: 13:00 UTC is 09:30 at -03:30.
    EXPECT_TRUE(Text(Jobs("?id=" + std::to_string(ids[0]))[0], "scheduled_time")
                    .ends_with(" 13:00:00 GMT"));
}

TEST_F(CsmInstall, OneBadItemCreatesNothingAndEveryItemSaysWhy) {
    const auto answer = Install(R"([
        {"hostname": "pe-1", "install_action": "Pre-Upgrade"},
        {"hostname": "pe-9", "install_action": "Commit"},
        {"hostname": "pe-1", "install_action": "Add", "software_packages": ["a.rpm"]},
        {"hostname": "pe-2", "install_action": "Pre-Upgrade", "scheduled_time": "13-01-2026 10:00 AM",
         "utc_offset": "+01:00"},
        {"hostname": "pe-2", "install_action": "Commit", "scheduled_time": "01-01-2027 10:00 AM"},
        {"hostname": "pe-2", "install_action": "Rollback"},
        {"hostname": "pe-2", "install_action": "Activate", "software_packages": ["a.rpm"],
         "server_repository": "nowhere"},
        {"hostname": "pe-1", "install_action": "Pre-Upgrade", "command_profile": "bgp"}])");
    ASSERT_EQ(answer.status, 400) << answer.body;
    const auto rows = Rows(answer, "install_job_list");
    ASSERT_EQ(rows.size(), 8u);
    EXPECT_EQ(Text(rows[0], "status_message"),
              "More than one entry with the same hostname: 'pe-1' and install_action: "
              "'Pre-Upgrade'. Remove any duplicate and resubmit.");
    EXPECT_EQ(Text(rows[1], "status_message"), "'pe-9' is an invalid hostname.");
    EXPECT_EQ(Text(rows[2], "status_message"), "Missing JSON key: 'server_repository'.");
    EXPECT_EQ(Text(rows[3], "status_message"),
              "Invalid scheduled_time: 13-01-2026 10:00 AM must be in 'mm-dd-yyyy hh:mm AM|PM' "
              "format.");
    EXPECT_EQ(Text(rows[4], "status_message"),
              "Missing utc_offset. If scheduled_time is submitted, utc_offset is also required.");
    EXPECT_EQ(Text(rows[5], "status_message"), "'Rollback' is not supported by escd.");
    EXPECT_EQ(Text(rows[6], "status_message"), "'nowhere' is an invalid server repository.");
    EXPECT_EQ(Text(rows[7], "status"), "FAILED");
    EXPECT_EQ(rows[7].at("hostname"), "pe-1") << "rows echo the item as posted";
    EXPECT_TRUE(Jobs("").empty()) << "nothing was created";
}

TEST_F(CsmInstall, ADependencyByActionOrIdMustBeOfTheHostAndNoLater) {
    const auto first = Install(R"({"hostname": "pe-1", "install_action": "Add",
        "server_repository": "tftp-1", "software_packages": ["a.rpm"],
        "scheduled_time": ")" + Tomorrow() +
                               R"(", "utc_offset": "-03:30"})");
    ASSERT_EQ(first.status, 200) << first.body;
    const auto add = Rows(first, "install_job_list")[0].at("id").as_int64();

    const auto later = Install(R"([
        {"hostname": "pe-1", "install_action": "Activate", "software_packages": ["a.rpm"],
         "dependency": "Add", "scheduled_time": ")" +
                               Tomorrow(10) + R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-1", "install_action": "Deactivate", "software_packages": ["a.rpm"],
         "dependency": )" + std::to_string(add) +
                               R"(, "scheduled_time": ")" + Tomorrow(-10) +
                               R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-2", "install_action": "Activate", "software_packages": ["a.rpm"],
         "dependency": ")" + std::to_string(add) +
                               R"("},
        {"hostname": "pe-2", "install_action": "Commit", "dependency": "Add"},
        {"hostname": "pe-2", "install_action": "Remove", "software_packages": ["a.rpm"],
         "dependency": 999999}])");
    ASSERT_EQ(later.status, 207) << later.body;
    const auto rows = Rows(later, "install_job_list");
    ASSERT_EQ(rows.size(), 5u);
    // Host by host, each in CSM's action order: pe-1 Activate, Deactivate; pe-2 Activate,
    // Commit, Remove.
    EXPECT_EQ(Text(rows[0], "status"), "SUCCESS");
    EXPECT_EQ(Text(rows[1], "status_message"),
              "The dependency '" + std::to_string(add) + "' requested has a later scheduled time.");
    EXPECT_EQ(Text(rows[2], "status_message"), "The dependency '" + std::to_string(add) +
                                                   "' requested belongs to a different host.");
    EXPECT_EQ(Text(rows[3], "status_message"),
              "'Add' is an invalid dependency or dependency does not belong to the same host.");
    EXPECT_EQ(Text(rows[4], "status_message"),
              "Dependency '999999' does not exist in the database.");
    const auto activate = Jobs("?id=" + std::to_string(rows[0].at("id").as_int64()));
    EXPECT_EQ(activate[0].at("dependency").as_int64(), add);
}

TEST_F(CsmInstall, TheListFiltersAndRefusesWhatItCannotRead) {
    ASSERT_EQ(Install(R"([{"hostname": "pe-1", "install_action": "Pre-Upgrade",
        "scheduled_time": ")" +
                      Tomorrow() + R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-2", "install_action": "Commit",
        "scheduled_time": ")" +
                      Tomorrow(60) + R"(", "utc_offset": "-03:30"}])")
                  .status,
              200);
    EXPECT_EQ(Jobs("").size(), 2u);
    EXPECT_EQ(Jobs("?hostname=pe-2").size(), 1u);
    EXPECT_EQ(Jobs("?install_action=Pre-Upgrade").size(), 1u);
    EXPECT_EQ(Jobs("?status=scheduled").size(), 2u);
    EXPECT_EQ(Jobs("?status=completed").size(), 0u);
    EXPECT_EQ(Jobs("?scheduled_time=" + Encoded(Tomorrow(30)) + "&utc_offset=-03:30").size(), 1u);
    // '+' of an offset arrives as a space in a query string, as CSM's clients send it: the same
    // wall-clock text at +00:00 is 3 h 30 min earlier, before both jobs.
    EXPECT_EQ(Jobs("?scheduled_time=" + Encoded(Tomorrow(30)) + "&utc_offset=+00:00").size(), 2u);

    const auto refused = [this](const std::string& query) {
        const auto answer = csm_->Get("/api/v1/install" + query);
        EXPECT_EQ(answer.status, 400) << query;
        return Message(answer);
    };
    EXPECT_EQ(refused("?status=done"), "'done' is an invalid job status.");
    EXPECT_EQ(refused("?hostname=pe-9"), "Host 'pe-9' does not exist in the database.");
    EXPECT_EQ(refused("?install_action=Reboot"), "'Reboot' is an invalid install action.");
    EXPECT_EQ(refused("?scheduled_time=" + Encoded(Tomorrow())),
              "utc_offset must be specified if scheduled_time is specified.");
    EXPECT_EQ(refused("?id=424242"), "Install id '424242' does not exist in the database.");
    EXPECT_EQ(refused("?color=red"), "Following parameter, 'color', is not allowed.");
}

TEST_F(CsmInstall, DeletingAJobDeletesWhatDependsOnItUnlessAHostWasNamed) {
    const auto when = Tomorrow();
    const auto chain = Install(R"([
        {"hostname": "pe-1", "install_action": "Pre-Upgrade", "scheduled_time": ")" +
                               when +
                               R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-1", "install_action": "Commit", "scheduled_time": ")" +
                               when +
                               R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-1", "install_action": "Post-Upgrade", "scheduled_time": ")" +
                               when +
                               R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-2", "install_action": "Pre-Upgrade", "scheduled_time": ")" +
                               when +
                               R"(", "utc_offset": "-03:30"},
        {"hostname": "pe-2", "install_action": "Commit", "scheduled_time": ")" +
                               when + R"(", "utc_offset": "-03:30"}])");
    ASSERT_EQ(chain.status, 200) << chain.body;
    const auto rows = Rows(chain, "install_job_list");
    const auto pre = rows[0].at("id").as_int64();

    const auto deleted = csm_->Delete("/api/v1/install/delete?id=" + std::to_string(pre));
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    const auto row = Rows(deleted, "install_job_list").at(0);
    EXPECT_EQ(row.at("id").as_int64(), pre);
    EXPECT_EQ(Text(row, "status"), "SUCCESS");
    EXPECT_EQ(row.at("deleted_dependencies"), (json::array{rows[1].at("id"), rows[2].at("id")}))
        << "Post-Upgrade depended on Pre-Upgrade, Commit on Post-Upgrade";
    EXPECT_EQ(Jobs("?hostname=pe-1").size(), 0u);

    // A host's jobs, named by the host: exactly those, no cascade needed.
    const auto by_host = csm_->Delete("/api/v1/install/delete?hostname=pe-2&status=scheduled");
    ASSERT_EQ(by_host.status, 200) << by_host.body;
    EXPECT_EQ(Rows(by_host, "install_job_list").size(), 2u);
    EXPECT_TRUE(Jobs("").empty());

    auto refused = csm_->Delete("/api/v1/install/delete?id=" + std::to_string(pre));
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(Message(refused),
              "Install job id '" + std::to_string(pre) + "' does not exist in the database.");
    refused = csm_->Delete("/api/v1/install/delete?status=completed");
    EXPECT_EQ(Message(refused), "Invalid value for status: must be 'failed' or 'scheduled'.");
}

TEST_F(CsmInstall, AViewerListsJobsAndAnOperatorSchedulesThem) {
    CreateUsers({{"vera", "Viewer"}, {"oscar", "Operator"}});
    auto viewer = Csm("vera", "pw-vera");
    auto operator_user = Csm("oscar", "pw-oscar");
    const std::string job = R"({"hostname": "pe-1", "install_action": "Commit",
        "scheduled_time": ")" +
                            Tomorrow() + R"(", "utc_offset": "-03:30"})";
    EXPECT_EQ(viewer.Post("/api/v1/install", job, Json()).status, 401);
    const auto created = operator_user.Post("/api/v1/install", job, Json());
    ASSERT_EQ(created.status, 200) << created.body;
    const auto listed = viewer.Get("/api/v1/install");
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(Text(Rows(listed, "install_job_list")[0], "created_by"), "oscar");
    EXPECT_EQ(viewer.Delete("/api/v1/install/delete?hostname=pe-1").status, 401);
    EXPECT_EQ(operator_user.Delete("/api/v1/install/delete?hostname=pe-1").status, 200);
}

}  // namespace
}  // namespace escd::test
