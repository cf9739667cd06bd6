// The rolling image upgrade on real qemu guests (docs/behaviour.md, "Update"): a PUT that gives
// a group of two VNFs the image of release 2, published in escd's software catalogue, remakes
// them one at a time, so that one of them answers its pings at every moment; a release 2 that
// does not boot rolls the group back to release 1; escd SIGKILLed in the middle of an upgrade
// finishes it after its restart, never leaving the group half on each release. See
// vnf_fixture.hpp for the setting (tests/run-vnf.sh).

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {
namespace {

namespace json = boost::json;

/// Pings every address of a group from a thread of its own, from construction to Stop(), and
/// keeps the longest time in which none of them answered: a group that always had one VNF
/// alive has no such time longer than a few lost pings.
class AliveWatch {
  public:
    explicit AliveWatch(std::vector<std::string> addresses)
        : addresses_(std::move(addresses)), thread_([this] { Run(); }) {}
    ~AliveWatch() { Stop(); }

    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    /// The longest time between two answers from any of the addresses.
    Clock::duration LongestSilence() const {
        std::lock_guard lock(mutex_);
        return longest_;
    }
    std::size_t Answers() const {
        std::lock_guard lock(mutex_);
        return answers_;
    }

  private:
    void Run() {
        auto last_answer = Clock::now();
        while (!stop_) {
            const auto round = Clock::now();
            for (const auto& address : addresses_) {
                if (!AnswersPing(address, std::chrono::milliseconds(300))) continue;
                const auto now = Clock::now();
                std::lock_guard lock(mutex_);
                longest_ = std::max(longest_, now - last_answer);
                last_answer = now;
                ++answers_;
            }
            std::this_thread::sleep_until(round + std::chrono::milliseconds(200));
        }
        std::lock_guard lock(mutex_);
        longest_ = std::max(longest_, Clock::now() - last_answer);
    }

    const std::vector<std::string> addresses_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    Clock::duration longest_{};
    std::size_t answers_ = 0;
    std::thread thread_;
};

/// A lost ping or two on a loaded machine is not a VNF down; a VNF remade takes far longer (its
/// domain is deleted, made again and booted: 10 s and more under TCG).
constexpr auto kAllowedSilence = std::chrono::seconds(3);

class VnfRolling : public VnfTest {
  protected:
    /// Publishes `content` as release `version` of product ESCD-VNF in the catalogue and makes
    /// the ESC image `name` from it (`catalogue:<GUID>`: read in place, checksums checked).
    void PublishAndMakeImage(const std::string& version,
                             const std::string& content,
                             const std::string& name) {
        const std::map<std::string, std::string> json_type{{"Content-Type", "application/json"}};
        ASSERT_EQ(
            client_->Put("/catalogue/v1/products/ESCD-VNF", R"({"mdfId":"1"})", json_type).status /
                100,
            2);
        auto release = client_->Post(
            "/catalogue/v1/releases",
            R"({"pid":"ESCD-VNF","softwareTypeId":"1","softwareTypeName":"VNF Software",)"
            R"("version":")" +
                version + R"("})",
            json_type);
        ASSERT_EQ(release.status / 100, 2) << release.body;
        const auto release_id = json::parse(release.body).at("releaseId").as_int64();
        auto image =
            client_->Post("/catalogue/v1/releases/" + std::to_string(release_id) + "/images",
                          R"({"name":"escd-vnf-)" + version + R"(.img"})", json_type);
        ASSERT_EQ(image.status / 100, 2) << image.body;
        const auto guid = std::string(json::parse(image.body).at("imageGuid").as_string());
        auto stored = client_->Put("/catalogue/v1/images/" + guid + "/content", content,
                                   {{"Content-Type", "application/octet-stream"}});
        ASSERT_EQ(stored.status / 100, 2) << stored.body;
        auto made = Mutate("POST", "/v0/images/" + name,
                           "<image><name>" + name + "</name><src>catalogue:" + guid +
                               "</src><disk_format>raw</disk_format></image>");
        ASSERT_EQ(made.callback.Header("ESC-Status-Code"), "200") << made.callback.body;
    }

    /// Release 1 is the VNF image as built; release 2 the same guest with other bytes after its
    /// file system (another file, its own checksums, as a rebuilt release is); a broken release
    /// 2 is a disk of zeros as long, which no BIOS boots.
    void PublishReleases() {
        std::ifstream in(image_, std::ios::binary);
        const std::string one((std::istreambuf_iterator<char>(in)), {});
        ASSERT_FALSE(one.empty()) << image_;
        std::string two = one;
        two.append("escd-vnf release 2\n");
        two.resize(two.size() + 4096 - two.size() % 4096, '\0');
        PublishAndMakeImage("1.0", one, "vnf-r1");
        PublishAndMakeImage("2.0", two, "vnf-r2");
        PublishAndMakeImage("2.0-broken", std::string(one.size(), '\0'), "vnf-broken");
        group_image_ = "vnf-r1";
    }

    /// The datamodel of Datamodel(2) on `image`: min_active 1 (one VNF may be down at a time),
    /// max_active 2, each VM alive within `bootup_time`.
    std::string OnImage(const std::string& image, int bootup_time = 240) const {
        auto body = Datamodel(2);
        const auto replace = [&](const std::string& from, const std::string& to) {
            body.replace(body.find(from), from.size(), to);
        };
        replace("<image>" + group_image_ + "</image>", "<image>" + image + "</image>");
        replace("<min_active>2</min_active>", "<min_active>1</min_active>");
        replace("<bootup_time>240</bootup_time>",
                "<bootup_time>" + std::to_string(bootup_time) + "</bootup_time>");
        return body;
    }

    /// Deploys two VNFs of release 1; their addresses.
    std::vector<std::string> DeployReleaseOne() {
        PublishReleases();
        if (HasFatalFailure()) return {};
        std::vector<std::string> addresses;
        for (const auto& [name, address] : DeployAlive(2)) {
            addresses.push_back(address);
            names_.insert(name);
        }
        return addresses;
    }

    std::string PutImage(const std::string& image, int bootup_time = 240) {
        auto put = client_->Put("/v0/deployments/" + deployment_, OnImage(image, bootup_time),
                                WithCallback());
        EXPECT_EQ(put.status, 200) << put.body;
        return put.Header("ESC-Transaction-Id");
    }

    /// Every domain of the deployment boots from `image`'s volume, runs, and GET shows it alive.
    void ExpectAllOn(const std::string& image) {
        const auto facts = Facts();
        EXPECT_EQ(facts.size(), 2u);
        for (const auto& [name, f] : facts) {
            EXPECT_NE(f.xml.find("escd-image-" + image + "'"), std::string::npos)
                << name << " does not boot from " << image << ":\n"
                << f.xml;
            EXPECT_EQ(f.state, VIR_DOMAIN_RUNNING) << name;
        }
        for (const auto& [name, vm] : VmsByGet()) EXPECT_EQ(vm.first, "VM_ALIVE_STATE") << name;
        EXPECT_EQ(ServiceStateByGet(), "SERVICE_ACTIVE_STATE");
    }

    /// The texts of the VM_UPDATED callbacks in `callbacks`, with their status.
    static Strings Updates(const std::vector<ReceivedRequest>& callbacks) {
        Strings out;
        for (const auto& cb : callbacks) {
            if (StageOf(cb) != "VM_UPDATED") continue;
            out.push_back(cb.Header("ESC-Status-Code") + " " + cb.Header("ESC-Status-Message"));
        }
        return out;
    }

    std::set<std::string> names_;
};

TEST_F(VnfRolling, AnUpgradeToRelease2FromTheCatalogueRemakesOneVnfAtATimeAndOneAlwaysAnswers) {
    const auto addresses = DeployReleaseOne();
    if (HasFatalFailure()) return;
    const auto uuids_before = Facts();

    AliveWatch watch(addresses);
    const auto asked = Clock::now();
    const auto tx = PutImage("vnf-r2");
    const auto callbacks = Await(tx, "SERVICE_UPDATED");
    const auto took = Clock::now() - asked;
    watch.Stop();
    std::cout << "[ vnf ] rolling upgrade of 2 VNFs: PUT to SERVICE_UPDATED " << Seconds(took)
              << " s; longest time no VNF answered " << Seconds(watch.LongestSilence()) << " s ("
              << watch.Answers() << " answers)\n";

    EXPECT_EQ(Stages(callbacks), (Strings{"VM_UPDATED", "VM_UPDATED", "SERVICE_UPDATED"}))
        << escd_->Log();
    for (const auto& cb : callbacks) EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
    EXPECT_EQ(VmsWith(Stage(callbacks, tx, "VM_UPDATED")), names_);
    EXPECT_LT(watch.LongestSilence(), kAllowedSilence) << "both VNFs were down at once";

    ExpectAllOn("vnf-r2");
    for (const auto& [name, f] : Facts())
        EXPECT_NE(f.uuid, uuids_before.at(name).uuid) << name << " was not remade";
    const auto after = VmsByGet();
    std::vector<std::string> now;
    for (const auto& [name, vm] : after) now.push_back(vm.second);
    std::sort(now.begin(), now.end());
    auto before = addresses;
    std::sort(before.begin(), before.end());
    EXPECT_EQ(now, before) << "each VNF keeps its address";
    UndeployLeavesNothing(names_);
}

TEST_F(VnfRolling, ARelease2ThatDoesNotBootRollsTheGroupBackToRelease1) {
    const auto addresses = DeployReleaseOne();
    if (HasFatalFailure()) return;
    AliveWatch watch(addresses);
    // Its bootup_time is the new group's: 30 s for the broken release to show it never boots.
    const auto tx = PutImage("vnf-broken", 30);
    const auto callbacks = Await(tx, "SERVICE_UPDATED");
    watch.Stop();
    std::cout << "[ vnf ] broken release rolled back; longest time no VNF answered "
              << Seconds(watch.LongestSilence()) << " s\n";

    ASSERT_EQ(Stages(callbacks), (Strings{"VM_UPDATED", "VM_UPDATED", "SERVICE_UPDATED"}))
        << escd_->Log();
    const auto updates = Updates(callbacks);
    const auto first = *names_.begin();
    EXPECT_EQ(updates[0],
              "500 VM [" + first + "] was not alive on image vnf-broken within its bootup_time");
    EXPECT_EQ(updates[1], "200 VM [" + first + "] rolled back to image vnf-r1");
    const auto& service = callbacks.back();
    EXPECT_EQ(service.Header("ESC-Status-Code"), "500");
    EXPECT_NE(service.Header("ESC-Status-Message")
                  .find("vm_group g rolled back to image vnf-r1: VM " + first +
                        " did not come alive on image vnf-broken"),
              std::string::npos)
        << service.Header("ESC-Status-Message");
    EXPECT_LT(watch.LongestSilence(), kAllowedSilence) << "both VNFs were down at once";
    ExpectAllOn("vnf-r1");
    const auto datamodel =
        db_.Query("SELECT spec FROM resources WHERE internal_id = '" + deployment_ + "'")[0][0]
            .as<std::string>();
    EXPECT_NE(datamodel.find("<image>vnf-r1</image>"), std::string::npos)
        << "the stored datamodel stays release 1's: " << datamodel;
    UndeployLeavesNothing(names_);
}

TEST_F(VnfRolling, KilledInTheMiddleOfAnUpgradeTheRestartedEscdFinishesItOnRelease2) {
    const auto addresses = DeployReleaseOne();
    if (HasFatalFailure()) return;
    AliveWatch watch(addresses);
    const auto tx = PutImage("vnf-r2");
    // The second VNF's turn: the first is on release 2, the second is being taken down.
    ASSERT_TRUE(escd_->WaitForLog("to image vnf-r2", 2, kVnfWait)) << escd_->Log();
    escd_->Kill();
    const auto states = db_.Query("SELECT vm_name, state, image FROM vms WHERE deployment_id = '" +
                                  deployment_ + "' ORDER BY vm_name");
    std::cout << "[ vnf ] escd killed mid-upgrade:";
    for (const auto& row : states)
        std::cout << " " << row[0].as<std::string>() << " " << row[1].as<std::string>() << " on "
                  << row[2].as<std::string>() << ";";
    std::cout << "\n";
    EXPECT_EQ(db_.Query("SELECT count(*) FROM vms WHERE deployment_id = '" + deployment_ +
                        "' AND image = 'vnf-r2' AND state = 'VM_ALIVE_STATE'")[0][0]
                  .as<int>(),
              1)
        << "escd was killed once one VNF was alive on release 2, before the other was";

    const auto killed = Clock::now();
    StartOnQemu();
    const auto callbacks = Await(tx, "SERVICE_UPDATED");
    watch.Stop();
    std::cout << "[ vnf ] restart to SERVICE_UPDATED " << Seconds(Clock::now() - killed)
              << " s; longest time no VNF answered " << Seconds(watch.LongestSilence()) << " s\n";
    ASSERT_FALSE(Stage(callbacks, tx, "SERVICE_UPDATED").empty()) << escd_->Log();
    EXPECT_EQ(callbacks.back().Header("ESC-Status-Code"), "200") << callbacks.back().body;
    // Every VNF reported on release 2 (the one made before the kill perhaps twice: a callback
    // committed but not delivered is delivered after the restart).
    EXPECT_EQ(VmsWith(Stage(callbacks, tx, "VM_UPDATED")), names_);
    EXPECT_LT(watch.LongestSilence(), kAllowedSilence) << "both VNFs were down at once";
    ExpectAllOn("vnf-r2");
    UndeployLeavesNothing(names_);
}

}  // namespace
}  // namespace escd::test
