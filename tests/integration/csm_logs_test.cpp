// GET /api/v1/install/logs/{id} through a real escd (docs/csm.md, "Session logs"): a job's log
// directory below escd's default log_dir, <data_dir>/csm-logs, answered as CSM's
// session_logs.zip of its regular files; who may read it; CSM's 400s. The tests write the
// directory themselves, as the job runner would: they are about the route, and their job is
// scheduled far ahead, so it never runs here.

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "orchestrator/csm/job_log.hpp"
#include "tests/integration/csm_fixture.hpp"
#include "tests/support/zip_reading.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
namespace chrono = std::chrono;

constexpr const char* kLogsHost = R"({"hostname": "pe-1", "region": "lab", "connection_type": "ssh",
    "ts_or_ip": "198.18.0.2"})";
// Far ahead: the job never runs while the test writes its directory.
constexpr const char* kJobIn2100 = R"({"hostname": "pe-1", "install_action": "Pre-Upgrade",
    "scheduled_time": "01-01-2100 09:00 AM", "utc_offset": "+00:00"})";
const chrono::sys_seconds kLogTime =
    chrono::sys_days{chrono::year{2016} / chrono::June / 1} + 15h + 15min + 30s;

class CsmLogs : public CsmTest {
  protected:
    void SetUp() override {
        CsmTest::SetUp();
        const auto region = csm_->Post("/api/v1/regions", R"({"region_name": "lab"})", Json());
        ASSERT_EQ(region.status, 200) << region.body;
        const auto host = csm_->Post("/api/v1/hosts", kLogsHost, Json());
        ASSERT_EQ(host.status, 200) << host.body;
        CreateUsers({{"operator", "Operator"}, {"viewer", "Viewer"}});
    }

    /// A Pre-Upgrade of pe-1 in 2100: its id.
    std::string CreateJob() {
        const auto answer = csm_->Post("/api/v1/install", kJobIn2100, Json());
        EXPECT_EQ(answer.status, 200) << answer.body;
        return std::to_string(Rows(answer, "install_job_list").at(0).at("id").as_int64());
    }

    /// Where escd keeps the job's logs.
    fs::path LogDir(const std::string& id) const {
        return orchestrator::csm::JobLogDir(fs::path(escd_->data_dir()) / "csm-logs",
                                            std::stoll(id));
    }

    static void WriteFile(const fs::path& path, const std::string& bytes) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << bytes;
        fs::last_write_time(path, chrono::file_clock::from_sys(kLogTime));
    }

    HttpResponse GetLogs(const std::string& user, const std::string& id) {
        auto client =
            user == "admin" ? Csm("admin", escd_->admin_password()) : Csm(user, "pw-" + user);
        return client.Get("/api/v1/install/logs/" + id);
    }
};

TEST_F(CsmLogs, AnOperatorGetsTheRegularFilesOfTheJobsDirectoryAsAZip) {
    const auto id = CreateJob();
    const auto dir = LogDir(id);
    const std::string session = "RP/0/RP0/CPU0:pe-1#show running-config\r\nBuilding...\r\n";
    const std::string config = "hostname pe-1\n!\nend\n";
    std::string diff = "<html><body>";
    for (int value = 0; value < 256; ++value) diff.push_back(static_cast<char>(value));
    diff += "</body></html>";
    WriteFile(dir / "show-running-config.txt.diff.html", diff);
    WriteFile(dir / "session.log", session);
    WriteFile(dir / "show-running-config.txt", config);
    // Left out: a subdirectory and what is in it, and a link (to a file that would be taken).
    WriteFile(dir / "attempt-1" / "session.log", "an older transcript");
    fs::create_symlink(dir / "session.log", dir / "linked.log");

    for (const auto* user : {"operator", "admin"}) {
        const auto answer = GetLogs(user, id);
        ASSERT_EQ(answer.status, 200) << user << ": " << answer.body;
        EXPECT_EQ(answer.Header("Content-Type"), "application/zip");
        EXPECT_EQ(answer.Header("Content-Disposition"), "attachment; filename=session_logs.zip");
        const auto members = ReadZipWithPython(answer.body);
        ASSERT_EQ(members.size(), 3u) << user;
        EXPECT_EQ(members[0].name, "session.log");
        EXPECT_EQ(members[0].bytes, session);
        EXPECT_EQ(members[1].name, "show-running-config.txt");
        EXPECT_EQ(members[1].bytes, config);
        EXPECT_EQ(members[2].name, "show-running-config.txt.diff.html");
        EXPECT_EQ(members[2].bytes, diff);
        for (const auto& member : members)
            EXPECT_EQ(member.date_time, (std::array{2016, 6, 1, 15, 15, 30})) << member.name;
    }
}

TEST_F(CsmLogs, AViewerMayNotReadTheLogs) {
    const auto id = CreateJob();
    WriteFile(LogDir(id) / "session.log", "transcript");
    const auto answer = GetLogs("viewer", id);
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(Message(answer), "Not Authorized");
}

TEST_F(CsmLogs, RefusesWithCsmsMessages) {
    auto answer = GetLogs("operator", "abc");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), "Install job id 'abc' must be an integer.");

    answer = GetLogs("operator", "987654");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), "Install job id '987654' does not exist in the database.");

    // Never started: no directory at all, then one without its session.log.
    const auto id = CreateJob();
    const auto never_started = "Session log does not exist for install job id '" + id + "'.";
    answer = GetLogs("operator", id);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), never_started);
    WriteFile(LogDir(id) / "show-running-config.txt", "hostname pe-1\n");
    answer = GetLogs("operator", id);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), never_started);
}

}  // namespace
}  // namespace escd::test
