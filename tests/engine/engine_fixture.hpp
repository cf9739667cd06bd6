#pragma once
// The fixture of the engine tests: a fresh database (escd's schema in it), the engine in process
// with the fake VIM (engine_harness.hpp), and tenant "ten" with network mgmt, image vnf-img and
// flavor small.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/monitor/alive_check.hpp"
#include "tests/engine/engine_harness.hpp"
#include "tests/support/esc_fragments.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {

using vim::FakeCall;
using vim::FakeFailure;
using vim::FakeVmState;
using Stages = std::vector<std::string>;

class EngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        harness_ = std::make_unique<EngineHarness>(db_.dsn());
        harness_->CreateTenantNetworkImageFlavor("ten");
    }

    // Deploys `count` VMs as deployment `id` and expects the whole event sequence; the VMs'
    // names.
    std::vector<std::string> DeployAlive(const std::string& id, int count) {
        const auto tx = harness_->Accept(http::verb::post, "/v0/deployments/" + id,
                                         EngineHarness::DeploymentBody("ten", "demo", count));
        const auto deployed = harness_->CallbacksOf(tx, 2 * count + 1);
        Stages expected(count, "VM_DEPLOYED");
        expected.insert(expected.end(), count, "VM_ALIVE");
        expected.push_back("SERVICE_ALIVE");
        EXPECT_EQ(StagesOf(deployed), expected);
        std::vector<std::string> names;
        for (int i = 0; i < count && i < static_cast<int>(deployed.size()); ++i)
            names.push_back(XmlTextOf(deployed[i].body, "vm_name"));
        return names;
    }

    // Deploys one VM as deployment `id` (DeployAlive); its name ("" when it did not deploy).
    std::string DeployOne(const std::string& id) {
        const auto names = DeployAlive(id, 1);
        return names.empty() ? std::string() : names.front();
    }

    // Deploys one VM alive by IcmpAliveKpi() (the FakePinger answers unless silenced) as deployment
    // `id` (`group_extra` besides it in the group), with `waiting` other waits on the clock
    // meanwhile: its boot check probes, pauses kBootProbePeriod on the clock, and sees the answer.
    // The three callbacks.
    std::vector<ReceivedRequest> DeployPinged(const std::string& id,
                                              const std::string& group_extra,
                                              std::size_t waiting = 0) {
        using namespace std::chrono_literals;
        const auto tx = harness_->Accept(
            http::verb::post, "/v0/deployments/" + id,
            EngineHarness::DeploymentBody("ten", "demo", 1, IcmpAliveKpi() + group_extra));
        auto& clock = harness_->clock();
        EXPECT_TRUE(clock.WaitForWaiters(waiting + 1, 10s)) << "the boot check waits no probe";
        clock.Advance(orchestrator::kBootProbePeriod);
        const auto deployed = harness_->CallbacksOf(tx, 3);
        EXPECT_EQ(StagesOf(deployed), (Stages{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return deployed;
    }

    // Moves the clock a boot probe at a time, each once `waiters` waits are pending, until the
    // `nth` callback of `stage` came: a booting VM's alive check sees its guest answer. nullopt
    // after 10 probes.
    std::optional<ReceivedRequest> ProbeUntilStage(const std::string& stage,
                                                   std::size_t nth = 0,
                                                   std::size_t waiters = 1) {
        using namespace std::chrono_literals;
        auto& clock = harness_->clock();
        std::optional<ReceivedRequest> found;
        for (int probe = 0; probe < 10 && !found; ++probe) {
            if (!clock.WaitForWaiters(waiters, 10s)) break;
            clock.Advance(orchestrator::kBootProbePeriod);
            found = harness_->AwaitStage(stage, 200ms, nth);
        }
        return found;
    }

    std::string ServiceState(const std::string& id) {
        return XmlTextOf(harness_->Send(http::verb::get, "/v0/deployments/" + id).body,
                         "service_state_machine_state");
    }

    TestDatabase db_{TestDatabase::Schema::kEscd};
    std::unique_ptr<EngineHarness> harness_;
};

}  // namespace escd::test
