#pragma once
// The fixture of the deployment tests: a tenant "ten" with network mgmt (127.10.0.0/24), image
// vnf-img and flavor small, datamodel builders, and callbacks grouped by transaction.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/ping_block.hpp"
#include "tests/integration/resource_fixture.hpp"
#include "tests/support/esc_fragments.hpp"

namespace escd::test {

class DeploymentTest : public ResourceTest {
  protected:
    void SetUp() override {
        ResourceTest::SetUp();
        CreateTenantAndWait("ten");
        Mutate("POST", "/v0/ten/networks/mgmt", NetworkBody("mgmt"));
        Mutate("POST", "/v0/ten/subnets/mgmt-sub", SubnetBody("mgmt", "127.10.0.0/24"));
        auto dir = std::filesystem::path(escd_->data_dir()) / "files";
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "vnf.qcow2") << std::string(8192, 'v');
        Mutate("POST", "/v0/images/vnf-img",
               "<image><name>vnf</name><src>file://" + (dir / "vnf.qcow2").string() +
                   "</src></image>");
        Mutate("POST", "/v0/flavors/small",
               "<flavor><name>small</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>");
    }

    static std::string Datamodel(const std::string& tenant,
                                 const std::string& image = "vnf-img",
                                 int count = 2) {
        return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant><name>)" +
               tenant +
               R"(</name><deployments><deployment><name>demo</name>
                 <vm_group><name>g1</name><image>)" +
               image + R"(</image><flavor>small</flavor><bootup_time>60</bootup_time>
                   <interfaces><interface><nicid>0</nicid><network>mgmt</network></interface>
                   </interfaces>
                   <scaling><min_active>)" +
               std::to_string(count) + "</min_active><max_active>" + std::to_string(count) +
               R"(</max_active><elastic>false</elastic></scaling>
                   <extensions><extension><name>VNF-INFO-NAME</name></extension></extensions>
                 </vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
    }

    // The first `count` callbacks of transaction `tx`, once they arrived.
    std::vector<ReceivedRequest> CallbacksOf(const std::string& tx, std::size_t count) {
        std::vector<ReceivedRequest> mine;
        for (int attempt = 0; attempt < 2 && mine.size() < count; ++attempt) {
            mine.clear();
            for (const auto& cb :
                 receiver_.WaitForDelivered(expected_callbacks_ + count, callback_wait_)) {
                if (cb.Header("ESC-Transaction-Id") == tx) mine.push_back(cb);
            }
        }
        // The first `count`: what came after them (a workflow that went on meanwhile) is the
        // next callbacks' (NextCallbacks).
        if (mine.size() > count) mine.resize(count);
        expected_callbacks_ += mine.size();
        return mine;
    }

    // The first callback of transaction `tx`, whatever comes before it (a restarted escd may
    // first resend callbacks it could not mark delivered before it was killed); nullopt when
    // none comes in time.
    std::optional<ReceivedRequest> AwaitTransaction(const std::string& tx) {
        for (std::size_t seen = receiver_.Requests().size() + 1;; ++seen) {
            auto delivered = receiver_.WaitForDelivered(seen, callback_wait_);
            for (const auto& cb : delivered)
                if (cb.Header("ESC-Transaction-Id") == tx) return cb;
            if (delivered.size() < seen) return std::nullopt;  // nothing more came in time
        }
    }

    static std::vector<std::string> Stages(const std::vector<ReceivedRequest>& callbacks) {
        std::vector<std::string> out;
        for (const auto& cb : callbacks) out.push_back(XmlText(cb.body, "deployment_stage"));
        return out;
    }

    // Whether escd, running as this user, can open a raw ICMP socket for its pings.
    static bool CanPing() {
        int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
        if (fd < 0) return false;
        ::close(fd);
        return true;
    }

    /// One vm_group: `nics` are (nicid, network) pairs; `extra` goes inside the group as is.
    static std::string Group(const std::string& name,
                             int min_active,
                             int max_active,
                             const std::vector<std::pair<int, std::string>>& nics = {{0, "mgmt"}},
                             const std::string& extra = {}) {
        std::string out = "<vm_group><name>" + name +
                          "</name><image>vnf-img</image><flavor>small</flavor>"
                          "<bootup_time>60</bootup_time><interfaces>";
        for (const auto& [nicid, network] : nics) {
            out += "<interface><nicid>" + std::to_string(nicid) + "</nicid><network>" + network +
                   "</network></interface>";
        }
        out += "</interfaces><scaling><min_active>" + std::to_string(min_active) +
               "</min_active><max_active>" + std::to_string(max_active) +
               "</max_active></scaling>" + extra + "</vm_group>";
        return out;
    }

    /// A datamodel of deployment `name` in tenant `tenant` with `groups` (see Group()).
    static std::string DatamodelOf(const std::string& tenant,
                                   const std::string& name,
                                   const std::string& groups,
                                   const std::string& extra = {}) {
        return "<esc_datamodel xmlns=\"http://www.cisco.com/esc/esc\"><tenants><tenant><name>" +
               tenant + "</name><deployments><deployment><name>" + name + "</name>" + groups +
               extra + "</deployment></deployments></tenant></tenants></esc_datamodel>";
    }

    // VM_ALIVE rules without "FALSE recover autohealing": a down VM stays inert (tests of the
    // monitoring verdicts alone, which a recovery would otherwise race).
    static std::string AliveRulesWithoutHealing() {
        return "<rules><admin_rules><rule><event_name>VM_ALIVE</event_name>"
               "<action>ALWAYS log</action><action>TRUE esc_vm_alive_notification</action>"
               "</rule></admin_rules></rules>";
    }

    // Why a test that makes VMs unreachable (PingBlock) cannot run here; "" when it can: escd
    // must be able to ping, and this user to add iptables rules.
    static std::string WhyNoPingBlocks() {
        if (!CanPing()) return "escd cannot ping as this user (needs CAP_NET_RAW)";
        PingBlock probe("127.11.255.250");
        if (!probe.ok()) return "iptables is not usable here (needs root)";
        return "";
    }

    // Network `name` with subnet `name`-sub on `cidr`: a test that blocks pings uses a network
    // of its own, so that the rule touches no other test's VMs (tests run in parallel).
    void AddNetwork(const std::string& name, const std::string& cidr) {
        Mutate("POST", "/v0/ten/networks/" + name, NetworkBody(name));
        Mutate("POST", "/v0/ten/subnets/" + name + "-sub", SubnetBody(name, cidr));
    }

    // The next `count` callbacks, whatever their transaction.
    std::vector<ReceivedRequest> NextCallbacks(std::size_t count) {
        auto all = receiver_.WaitForDelivered(expected_callbacks_ + count, callback_wait_);
        std::vector<ReceivedRequest> out;
        for (std::size_t i = expected_callbacks_; i < all.size() && out.size() < count; ++i)
            out.push_back(all[i]);
        expected_callbacks_ += out.size();
        return out;
    }

    std::map<std::string, std::string> Both() const {
        return {{"Callback", receiver_.Url()}, {"Callback-ESC-Events", receiver_.Url()}};
    }
};

}  // namespace escd::test
