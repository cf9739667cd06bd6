// Two nodes choosing the same address of one pool (docs/cluster.md, "What moves from memory to
// SQL"): each node's own claims cannot see the other's, so the rows of ip_allocations decide.
// Steps of two stores (two nodes) commit VMs with the same address at once: one wins, the other
// is refused with AddressTaken having written nothing, and a first run's allocation committed
// again by the same VM is no conflict.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "common/crypto.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

class AddressRace : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        db_.Query(
            "INSERT INTO resources (internal_id, kind, name, state, spec) VALUES "
            "('dep-1', 'deployment', 'dep-1', 'ACTIVE', '<deployment/>'), "
            "('dep-2', 'deployment', 'dep-2', 'ACTIVE', '<deployment/>')");
        for (const char* name : {"a", "b"}) {
            nodes_.push_back(std::make_unique<PgStore>(db_.dsn(), 1, 1));
            SyncWait(nodes_.back()->RegisterNode(NewUuid(), name));
        }
    }
    void TearDown() override {
        for (auto& node : nodes_) node->Stop();
    }

    /// The step that creates VM `vm_name` of `deployment` with `address` on net-1.
    static DeploymentStep StepCreating(const std::string& deployment,
                                       const std::string& vm_name,
                                       const std::string& address) {
        DeploymentStep step;
        step.transaction_id = NewUuid();
        step.deployment_id = deployment;
        VmRecord vm;
        vm.vm_name = vm_name;
        vm.deployment_id = deployment;
        vm.vm_group = "g";
        step.upserts.push_back(vm);
        step.allocations.push_back({"net-1", address, vm_name, 0});
        return step;
    }

    long Count(const std::string& query) { return db_.Query(query)[0][0].as<long>(); }

    escd::test::TestDatabase db_{escd::test::TestDatabase::Schema::kEscd};
    std::vector<std::unique_ptr<PgStore>> nodes_;
};

TEST_F(AddressRace, TwoNodesCommittingOneAddressAtOnceBookItOnce) {
    for (int round = 0; round < 20; ++round) {
        const auto address = "10.0.0." + std::to_string(round + 2);
        const auto first = StepCreating("dep-1", "vm-1-" + std::to_string(round), address);
        const auto second = StepCreating("dep-2", "vm-2-" + std::to_string(round), address);
        auto commit = [](PgStore& node, const DeploymentStep& step) {
            try {
                SyncWait(node.RecordDeploymentStep(step));
                return std::string("committed");
            } catch (const AddressTaken& e) {
                EXPECT_EQ(e.network_id(), "net-1");
                EXPECT_TRUE(e.retryable()) << "the operation runs again and chooses anew";
                return std::string("taken");
            }
        };
        auto a = std::async(std::launch::async, commit, std::ref(*nodes_[0]), std::cref(first));
        auto b = std::async(std::launch::async, commit, std::ref(*nodes_[1]), std::cref(second));
        const auto outcomes = a.get() + "," + b.get();
        EXPECT_TRUE(outcomes == "committed,taken" || outcomes == "taken,committed") << outcomes;
        EXPECT_EQ(Count("SELECT count(*) FROM ip_allocations WHERE address = '" + address + "'"),
                  1);
        // The loser wrote nothing: no VM without its address.
        EXPECT_EQ(Count("SELECT count(*) FROM vms v WHERE NOT EXISTS (SELECT 1 FROM "
                        "ip_allocations a WHERE a.vm_name = v.vm_name)"),
                  0);
    }
}

TEST_F(AddressRace, AFirstRunsAllocationCommittedAgainIsNoConflict) {
    const auto step = StepCreating("dep-1", "vm-1", "10.0.0.2");
    SyncWait(nodes_[0]->RecordDeploymentStep(step));
    SyncWait(nodes_[1]->RecordDeploymentStep(step));  // the operation taken over, run again
    EXPECT_EQ(Count("SELECT count(*) FROM ip_allocations"), 1);
    EXPECT_THROW(
        SyncWait(nodes_[1]->RecordDeploymentStep(StepCreating("dep-2", "vm-2", "10.0.0.2"))),
        AddressTaken);
}

}  // namespace
}  // namespace escd::model::pg
