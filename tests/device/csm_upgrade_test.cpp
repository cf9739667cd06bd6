// The CSM face's install jobs run for real: a real escd (its CSM listener, its scheduler and
// install runner, PostgreSQL) upgrades an emulated IOS XR router (tools/xr-device) in a network
// namespace, over SSH, fetching the packages from the router's own TFTP, FTP and SFTP/SCP
// servers. As root (label device).

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "orchestrator/csm/device/device_session.hpp"
#include "tests/device/device_harness.hpp"
#include "tests/integration/csm_fixture.hpp"
#include "tests/support/zip_reading.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using orchestrator::csm::ConnectionPlan;
using orchestrator::csm::DeviceConnector;
using orchestrator::csm::Endpoint;
using orchestrator::csm::Transcript;

constexpr const char* kIso = "xrv9k-mini-x-6.2.1.iso";
constexpr const char* kRpm = "xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm";

std::string FileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// "Mon, 07 Dec 2026 10:30:00 GMT" as seconds since the epoch; -1 when it is not one.
std::int64_t HttpDateSeconds(const std::string& text) {
    std::tm tm{};
    if (::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
    return static_cast<std::int64_t>(::timegm(&tm));
}

class CsmUpgrade : public CsmTest {
  protected:
    CsmUpgrade() {
        // The router's namespace is 198.18.0.0/15; looks at a running operation every second.
        escd_args_ = {"--csm.device_allowed_cidrs=198.18.0.0/15,127.0.0.0/8", "--csm.poll_s=1",
                      "--csm.reload_timeout_s=120", "--csm.connect_timeout_s=10"};
    }

    void SetUp() override {
        std::string why;
        device_ = XrDevice::Up("u" + std::to_string(::getpid() % 100000), DeviceOptions(), why);
        if (!device_) ESCD_SKIP_OR_FAIL(why);
        CsmTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        for (const char* name : {kIso, kRpm}) {
            const std::string content =
                std::string(name) == kIso ? "version=6.2.1\n" : "test rpm\n";
            std::ofstream(device_->repo() + "/" + name) << content;
        }
        const auto addr = device_->address();
        const auto repo = device_->repo();
        Post("server_repositories", {{"hostname", "tftp-lab"},
                                     {"server_type", "TFTP"},
                                     {"tftp_server_path", addr + "/repo"},
                                     {"file_directory", "/srv/tftp"}});
        for (const char* type : {"FTP", "SFTP", "SCP"}) {
            boost::json::object repository{
                {"hostname", std::string(type) + "-lab"},
                {"server_type", type},
                {"server_address", addr},
                {"home_directory", std::string(type) == "FTP" ? "/repo" : repo},
                {"username", "xfer"},
                {"password", "xfer"}};
            if (std::string(type) == "SCP") repository["destination_on_host"] = "harddisk:";
            Post("server_repositories", repository);
        }
        Post("regions", {{"region_name", "lab"},
                         {"server_repositories", {"tftp-lab", "FTP-lab", "SFTP-lab", "SCP-lab"}}});
        Post("custom_command_profiles",
             {{"profile_name", "lab-checks"},
              {"command_list", {"show install active", "show platform"}}});
        Post("hosts", {{"hostname", "r1"},
                       {"region", "lab"},
                       {"connection_type", "ssh"},
                       {"ts_or_ip", {addr}},
                       {"username", XrDevice::kUser},
                       {"password", XrDevice::kPassword}});
    }

    /// netns-device.sh's options: an eXR router whose operations take 2 s and reloads 5 s.
    virtual std::vector<std::string> DeviceOptions() const {
        return {"--op-seconds", "2", "--reload-seconds", "5"};
    }

    void Post(const std::string& kind, const boost::json::object& item) {
        const auto answer = csm_->Post("/api/v1/" + kind, boost::json::serialize(item), Json());
        ASSERT_EQ(answer.status, 200) << kind << ": " << answer.body;
    }

    // Schedules `jobs` (one request); their ids in the answer's order.
    std::vector<std::int64_t> Schedule(const boost::json::array& jobs) {
        const auto answer = csm_->Post("/api/v1/install", boost::json::serialize(jobs), Json());
        EXPECT_EQ(answer.status, 200) << answer.body;
        std::vector<std::int64_t> ids;
        if (answer.status != 200) return ids;
        for (const auto& row : Rows(answer, "install_job_list"))
            ids.push_back(row.at("id").as_int64());
        return ids;
    }

    boost::json::object Job(std::int64_t id) {
        const auto answer = csm_->Get("/api/v1/install?id=" + std::to_string(id));
        EXPECT_EQ(answer.status, 200) << answer.body;
        if (answer.status != 200) return {};
        return Rows(answer, "install_job_list").at(0).as_object();
    }

    // Waits until each job completed or failed (the CSM API has no event for it: its jobs are
    // read back, every 200 ms), at most `limit`; their rows.
    std::vector<boost::json::object> AwaitEnd(const std::vector<std::int64_t>& ids,
                                              std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            std::vector<boost::json::object> rows;
            bool ended = true;
            for (const auto id : ids) {
                rows.push_back(Job(id));
                const auto status = Text(rows.back(), "status");
                ended = ended && (status == "completed" || status == "failed");
            }
            if (ended || std::chrono::steady_clock::now() > deadline) {
                for (const auto& row : rows)
                    EXPECT_TRUE(Text(row, "status") == "completed" ||
                                Text(row, "status") == "failed")
                        << "not ended within " << limit.count()
                        << " s: " << boost::json::serialize(row);
                return rows;
            }
            std::this_thread::sleep_for(200ms);
        }
    }

    // What the router answers to `commands`, through a session of the test's own.
    std::vector<std::string> AskDevice(const std::vector<std::string>& commands) {
        IoThreads io;
        ConnectionPlan plan;
        plan.device = "r1";
        plan.targets.push_back(Endpoint{model::csm::ConnectionType::kSsh, device_->address(), 22,
                                        XrDevice::kUser, XrDevice::kPassword});
        Transcript log;
        return Await(
            io.ioc(),
            [&]() -> asio::awaitable<std::vector<std::string>> {
                DeviceConnector connector(io.executor());
                auto session = co_await connector.Connect(plan, log);
                std::vector<std::string> answers;
                for (const auto& command : commands)
                    answers.push_back(co_await session->Command(command, 30s));
                co_await session->Close();
                co_return answers;
            }(),
            60s);
    }

    // Schedules an Add and an Activate (with reload) of both packages; their ids once escd
    // has started the activation's install operation on the router.
    std::vector<std::int64_t> StartActivation() {
        auto add = InstallItem("Add");
        add["server_repository"] = "tftp-lab";
        add["software_packages"] = Packages();
        auto activate = InstallItem("Activate");
        activate["software_packages"] = Packages();
        const auto ids = Schedule({add, activate});
        if (ids.size() != 2) return ids;
        const auto started = "install job " + std::to_string(ids[1]) + ": install operation";
        EXPECT_TRUE(escd_->WaitForLog(started, 1, 60s)) << escd_->Log();
        return ids;
    }

    // The router runs 6.2.1, after exactly one activation whatever the crash cut.
    void ExpectOneActivationOf621() {
        const auto answers = AskDevice({"show version", "show install log"});
        EXPECT_NE(answers[0].find("Version 6.2.1"), std::string::npos) << answers[0];
        std::size_t activations = 0;
        for (std::size_t at = 0;
             (at = answers[1].find("install activate", at)) != std::string::npos; ++at)
            ++activations;
        EXPECT_EQ(activations, 1u) << answers[1];
    }

    static boost::json::object InstallItem(const char* action) {
        return {{"hostname", "r1"}, {"install_action", action}};
    }
    static boost::json::array Packages() { return {kIso, kRpm}; }

    std::string LogDir(std::int64_t id) const {
        return escd_->data_dir() + "/csm-logs/" + std::to_string(id);
    }

    std::unique_ptr<XrDevice> device_;
};

TEST_F(CsmUpgrade, AFullUpgradeScheduledAMinuteAheadAtMinusThreeThirty) {
    // The next whole minute, at least 5 s ahead, as a wall clock at UTC-03:30 shows it.
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    const std::time_t at = (now + 5) / 60 * 60 + 60;
    const std::time_t local = at - (3 * 3600 + 30 * 60);
    std::tm tm{};
    ::gmtime_r(&local, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%m-%d-%Y %I:%M %p", &tm);

    boost::json::array jobs;
    for (const char* action : {"Pre-Upgrade", "Add", "Activate", "Post-Upgrade", "Commit"}) {
        auto item = InstallItem(action);
        item["scheduled_time"] = when;
        item["utc_offset"] = "-03:30";
        const std::string name = action;
        if (name == "Pre-Upgrade" || name == "Post-Upgrade") item["command_profile"] = "lab-checks";
        if (name == "Add") item["server_repository"] = "tftp-lab";
        if (name == "Add" || name == "Activate") item["software_packages"] = Packages();
        jobs.push_back(item);
    }
    const auto ids = Schedule(jobs);
    ASSERT_EQ(ids.size(), 5u);
    EXPECT_EQ(Text(Job(ids[0]), "status"), "scheduled") << "a minute ahead: not started yet";

    const auto rows = AwaitEnd(ids, 240s);
    for (const auto& row : rows) {
        EXPECT_EQ(Text(row, "status"), "completed")
            << boost::json::serialize(row) << "\n"
            << FileText(LogDir(row.at("id").as_int64()) + "/session.log");
        EXPECT_GE(HttpDateSeconds(Text(row, "start_time")), at)
            << "started before its time: " << boost::json::serialize(row);
    }
    // Add and Activate name what they did; the activation reloaded into 6.2.1.
    const auto names = [](const boost::json::object& row) {
        std::set<std::string> list;
        for (const auto& name : row.at("package_change_list").as_array())
            list.insert(std::string(name.as_string()));
        return list;
    };
    const std::set<std::string> expected{"xrv9k-mini-x-6.2.1", "xrv9k-mgbl-3.0.0.0-r621"};
    EXPECT_EQ(names(rows[1]), expected) << boost::json::serialize(rows[1]);
    EXPECT_EQ(names(rows[2]), expected) << boost::json::serialize(rows[2]);
    const auto host = Rows(csm_->Get("/api/v1/hosts?hostname=r1"), "host_list").at(0);
    EXPECT_EQ(Text(host, "software_version"), "6.2.1");
    EXPECT_EQ(Text(host, "os_type"), "eXR");

    const auto answers = AskDevice({"show version", "show install committed"});
    EXPECT_NE(answers[0].find("Version 6.2.1"), std::string::npos) << answers[0];
    EXPECT_NE(answers[1].find("xrv9k-mgbl-3.0.0.0-r621"), std::string::npos) << answers[1];

    // The logs: the transcript without the password, the captures, the diffs against the
    // Pre-Upgrade's.
    const std::string transcript = FileText(LogDir(ids[1]) + "/session.log");
    EXPECT_NE(transcript.find("install add source tftp://" + device_->address() + "/repo"),
              std::string::npos)
        << transcript;
    for (const char* file :
         {"show-running-config.txt", "show-install-active.txt", "show-platform.txt"}) {
        EXPECT_TRUE(std::filesystem::exists(LogDir(ids[0]) + "/" + file)) << file;
        EXPECT_TRUE(
            std::filesystem::exists(LogDir(ids[3]) + "/" + file + std::string(".diff.html")))
            << file;
    }
    // The same files through the API, as an operator's tool fetches them.
    const auto zip = csm_->Get("/api/v1/install/logs/" + std::to_string(ids[3]));
    ASSERT_EQ(zip.status, 200) << zip.body;
    std::set<std::string> members;
    for (const auto& entry : ReadZipWithPython(zip.body)) members.insert(entry.name);
    EXPECT_EQ(members,
              (std::set<std::string>{"session.log", "show-install-active.txt",
                                     "show-install-active.txt.diff.html", "show-platform.txt",
                                     "show-platform.txt.diff.html", "show-running-config.txt",
                                     "show-running-config.txt.diff.html"}));
    const auto page = FileText(LogDir(ids[3]) + "/show-install-active.txt.diff.html");
    EXPECT_NE(page.find("xrv9k-xr-6.2.1"), std::string::npos) << page;
}

TEST_F(CsmUpgrade, AddFromEachRepositoryType) {
    for (const char* repository : {"FTP-lab", "SFTP-lab", "SCP-lab"}) {
        auto item = InstallItem("Add");
        item["server_repository"] = repository;
        item["software_packages"] = {kRpm};
        const auto ids = Schedule({item});
        ASSERT_EQ(ids.size(), 1u);
        const auto row = AwaitEnd(ids, 60s).at(0);
        EXPECT_EQ(Text(row, "status"), "completed")
            << repository << ": " << boost::json::serialize(row);
        const std::string transcript = FileText(LogDir(ids[0]) + "/session.log");
        EXPECT_EQ(transcript.find("xfer@" + device_->address() + ":xfer"), std::string::npos);
        EXPECT_NE(transcript.find("Password: \n>>> ***"), std::string::npos)
            << repository << ": the password typed, masked\n"
            << transcript;
    }
    const auto answers = AskDevice({"show install log"});
    EXPECT_EQ(answers[0].find("aborted"), std::string::npos) << answers[0];
}

TEST_F(CsmUpgrade, AFailedAddFailsItsDependantsNamingIt) {
    auto add = InstallItem("Add");
    add["server_repository"] = "tftp-lab";
    add["software_packages"] = {"xrv9k-nosuch-1.0.0.0-r621.x86_64.rpm"};
    auto activate = InstallItem("Activate");
    activate["software_packages"] = {"xrv9k-nosuch-1.0.0.0-r621.x86_64.rpm"};
    const auto ids = Schedule({add, activate, InstallItem("Commit")});
    ASSERT_EQ(ids.size(), 3u);
    const auto rows = AwaitEnd(ids, 60s);
    EXPECT_EQ(Text(rows[0], "status"), "failed");
    EXPECT_NE(Text(rows[0], "trace").find("aborted"), std::string::npos)
        << boost::json::serialize(rows[0]);
    for (int i : {1, 2}) {
        EXPECT_EQ(Text(rows[i], "status"), "failed");
        EXPECT_EQ(Text(rows[i], "status_message"), "Dependency job " + std::to_string(ids[i - 1]) +
                                                       " (" + (i == 1 ? "Add" : "Activate") +
                                                       ") failed.")
            << boost::json::serialize(rows[i]);
        EXPECT_EQ(Text(rows[i], "start_time"), "") << "never ran";
    }
}

TEST_F(CsmUpgrade, KilledDuringAnActivateTheRestartedEscdFinishesItOnce) {
    const auto ids = StartActivation();
    ASSERT_EQ(ids.size(), 2u);
    escd_->Kill();
    StartEscd();
    csm_.emplace(Csm("admin", escd_->admin_password()));
    const auto row = AwaitEnd({ids[1]}, 180s).at(0);
    EXPECT_EQ(Text(row, "status"), "completed") << boost::json::serialize(row);
    EXPECT_TRUE(escd_->WaitForLog(
        "install job " + std::to_string(ids[1]) + " (Activate on r1) resumes", 1, 1s))
        << escd_->Log();
    ExpectOneActivationOf621();
}

TEST_F(CsmUpgrade, TwoNodesTheOneRunningAnActivateKilledTheOtherFinishesItOnce) {
    // Node a runs the activation; node b, on the same database and log directory, joins and
    // takes it over once a is dead (its lease: 2 s).
    const std::vector<std::string> cluster{"--cluster.heartbeat_ms=200", "--cluster.lease_ms=2000"};
    auto a_args = cluster;
    a_args.push_back("--cluster.node_name=a");
    StartEscd(a_args);
    csm_.emplace(Csm("admin", escd_->admin_password()));
    const auto ids = StartActivation();
    ASSERT_EQ(ids.size(), 2u);
    auto b_args = cluster;
    b_args.push_back("--cluster.node_name=b");
    b_args.push_back("--csm.log_dir=" + escd_->data_dir() + "/csm-logs");
    EscdProcess b(OptionsFor(b_args));
    escd_->Kill();
    csm_.emplace(HttpClient("127.0.0.1", b.csm_port()));
    csm_->SetBasicAuth("admin", b.admin_password());
    const auto row = AwaitEnd({ids[1]}, 180s).at(0);
    EXPECT_EQ(Text(row, "status"), "completed") << boost::json::serialize(row);
    EXPECT_TRUE(
        b.WaitForLog("install job " + std::to_string(ids[1]) + " (Activate on r1) resumes", 1, 1s))
        << b.Log();
    ExpectOneActivationOf621();
    // The transcript goes on in the same file: node a's part, then node b's.
    const auto transcript = FileText(LogDir(ids[1]) + "/session.log");
    EXPECT_LT(transcript.find(">>> install activate"), transcript.rfind("logged in to"))
        << transcript;
}

TEST_F(CsmUpgrade, ANewHostIsDiscoveredAndAgainOnRequest) {
    // Created in SetUp: discovered in the background; escd logs the discovery when it ends.
    ASSERT_TRUE(escd_->WaitForLog("discovered r1: ", 1, 60s)) << escd_->Log();
    const auto host = Rows(csm_->Get("/api/v1/hosts?hostname=r1"), "host_list").at(0);
    EXPECT_EQ(Text(host, "os_type"), "eXR");
    EXPECT_EQ(Text(host, "software_version"), "6.1.3");
    EXPECT_EQ(Text(host, "family"), "IOSXRv-9K");
    const auto again = csm_->Post("/api/v1/hosts/r1/discover", "", Json());
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(Text(Rows(again, "host_list").at(0), "software_version"), "6.1.3");

    Post("hosts", {{"hostname", "silent"},
                   {"region", "lab"},
                   {"connection_type", "ssh"},
                   {"ts_or_ip", {device_->silent_address()}},
                   {"username", XrDevice::kUser},
                   {"password", XrDevice::kPassword}});
    const auto unreachable = csm_->Post("/api/v1/hosts/silent/discover", "", Json());
    EXPECT_EQ(unreachable.status, 400);
    EXPECT_NE(Message(unreachable).find("Unable to discover 'silent': "), std::string::npos)
        << unreachable.body;
    const auto missing = csm_->Post("/api/v1/hosts/nosuch/discover", "", Json());
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(Message(missing), "Host 'nosuch' does not exist in the database.");
}

TEST_F(CsmUpgrade, AJobThroughAnSshJumpHost) {
    std::string why;
    const auto jump = JumpSshd::Up(JumpSshd::Auth::kPassword, why);
    if (!jump) ESCD_SKIP_OR_FAIL(why);
    Post("jump_hosts", {{"hostname", "bastion"},
                        {"connection_type", "ssh"},
                        {"host_or_ip", "127.0.0.1"},
                        {"port_number", std::to_string(jump->port())},
                        {"username", JumpSshd::kUser},
                        {"password", JumpSshd::kPassword}});
    Post("hosts", {{"hostname", "r1"}, {"jump_host", "bastion"}});
    const auto ids = Schedule({InstallItem("Pre-Upgrade")});
    ASSERT_EQ(ids.size(), 1u);
    const auto row = AwaitEnd(ids, 60s).at(0);
    const auto transcript = FileText(LogDir(ids[0]) + "/session.log");
    EXPECT_EQ(Text(row, "status"), "completed") << boost::json::serialize(row) << transcript;
    EXPECT_NE(transcript.find("connecting to jump host ssh://"), std::string::npos) << transcript;
    EXPECT_EQ(transcript.find(JumpSshd::kPassword), std::string::npos) << "masked";
}

TEST_F(CsmUpgrade, AJobOverTelnetFallsBackToTheStandbyAddress) {
    // The first address answers nobody (its connect times out: 10 s here), the second is the
    // router's telnet.
    Post("hosts", {{"hostname", "r1"},
                   {"connection_type", "telnet"},
                   {"ts_or_ip", {device_->silent_address(), device_->address()}}});
    const auto ids = Schedule({InstallItem("Pre-Upgrade")});
    ASSERT_EQ(ids.size(), 1u);
    const auto row = AwaitEnd(ids, 90s).at(0);
    const auto transcript = FileText(LogDir(ids[0]) + "/session.log");
    EXPECT_EQ(Text(row, "status"), "completed") << boost::json::serialize(row) << transcript;
    EXPECT_NE(transcript.find("telnet://***@" + device_->address() + ":23"), std::string::npos)
        << transcript;
    EXPECT_NE(transcript.find(device_->silent_address()), std::string::npos) << transcript;
}

TEST_F(CsmUpgrade, DeactivateRemoveAndRemoveAllInactive) {
    constexpr const char* kSecurity = "xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm";
    std::ofstream(device_->repo() + "/" + kSecurity) << "test rpm\n";
    auto add = InstallItem("Add");
    add["server_repository"] = "tftp-lab";
    add["software_packages"] = {kRpm, kSecurity};
    auto activate = InstallItem("Activate");
    activate["software_packages"] = {kRpm};
    auto ids = Schedule({add, activate});
    ASSERT_EQ(ids.size(), 2u);
    // One request each: CSM creates a request's jobs in its action order (Remove before
    // Deactivate), so each names the one before by id.
    for (const char* action : {"Deactivate", "Remove", "Remove All Inactive"}) {
        auto item = InstallItem(action);
        if (std::string(action) == "Deactivate") item["software_packages"] = {kRpm};
        if (std::string(action) == "Remove") item["software_packages"] = {kSecurity};
        item["dependency"] = ids.back();
        const auto created = Schedule({item});
        ASSERT_EQ(created.size(), 1u) << action;
        ids.push_back(created[0]);
    }
    for (const auto& row : AwaitEnd(ids, 180s)) {
        EXPECT_EQ(Text(row, "status"), "completed")
            << boost::json::serialize(row) << "\n"
            << FileText(LogDir(row.at("id").as_int64()) + "/session.log");
    }
    const auto answers = AskDevice({"show install active", "show install inactive"});
    EXPECT_EQ(answers[0].find("xrv9k-mgbl"), std::string::npos) << answers[0];
    EXPECT_NE(answers[1].find("No inactive package"), std::string::npos) << answers[1];
}

// The same runner on a classic IOS XR router (the emulator's classic mode: ASR9K, 5.3.3):
// admin commands run asynchronously, no reload question (the log says it reloads), packages
// listed as `disk0:...`, a [confirm] to answer.
class CsmUpgradeClassic : public CsmUpgrade {
  protected:
    std::vector<std::string> DeviceOptions() const override {
        return {"--os", "classic", "--op-seconds", "2", "--reload-seconds", "5"};
    }
};

TEST_F(CsmUpgradeClassic, AddActivateWithReloadCommitAndRemoveAllInactive) {
    constexpr const char* kMini = "asr9k-mini-px.pie-6.1.3";
    constexpr const char* kMpls = "asr9k-mpls-px.pie-6.1.3";
    std::ofstream(device_->repo() + "/" + kMini) << "version=6.1.3\n";
    std::ofstream(device_->repo() + "/" + kMpls) << "test pie\n";
    auto add = InstallItem("Add");
    add["server_repository"] = "tftp-lab";
    add["software_packages"] = {kMini, kMpls};
    auto activate = InstallItem("Activate");
    activate["software_packages"] = {kMini, kMpls};
    auto ids = Schedule({add, activate, InstallItem("Commit")});
    ASSERT_EQ(ids.size(), 3u);
    const auto last = Schedule({[&] {
        auto item = InstallItem("Remove All Inactive");
        item["dependency"] = ids.back();
        return item;
    }()});
    ASSERT_EQ(last.size(), 1u);
    ids.push_back(last[0]);
    for (const auto& row : AwaitEnd(ids, 240s)) {
        EXPECT_EQ(Text(row, "status"), "completed")
            << boost::json::serialize(row) << "\n"
            << FileText(LogDir(row.at("id").as_int64()) + "/session.log");
    }
    const auto host = Rows(csm_->Get("/api/v1/hosts?hostname=r1"), "host_list").at(0);
    EXPECT_EQ(Text(host, "os_type"), "XR");
    EXPECT_EQ(Text(host, "family"), "ASR9K");
    EXPECT_EQ(Text(host, "software_version"), "6.1.3");
    const auto activation = FileText(LogDir(ids[1]) + "/session.log");
    EXPECT_NE(activation.find("admin install activate disk0:asr9k-mini-px-6.1.3 "
                              "disk0:asr9k-mpls-px-6.1.3 prompt-level none async"),
              std::string::npos)
        << activation;
    EXPECT_NE(activation.find("waiting for r1 to come back"), std::string::npos) << activation;
    const auto answers =
        AskDevice({"admin show install committed summary", "admin show install inactive summary"});
    EXPECT_NE(answers[0].find("asr9k-mini-px-6.1.3"), std::string::npos) << answers[0];
    EXPECT_NE(answers[1].find("No packages."), std::string::npos) << answers[1];
}

}  // namespace
}  // namespace escd::test
