// Stored states and types are parsed strictly, against a real PostgreSQL: a value escd does not
// know (a row written by hand, or by another version) is an internal error naming the table, the
// row and the value, never defaulted to one escd would then act on.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

class StoredStateTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        // One deployment with its service, a VM and a snapshot, every state a known one.
        db_.Query(
            "INSERT INTO resources (internal_id, kind, name, state, spec) VALUES "
            "('dep-1', 'deployment', 'dep-1', 'ACTIVE', '<deployment/>')");
        db_.Query(
            "INSERT INTO services (deployment_id, state) VALUES "
            "('dep-1', 'SERVICE_ACTIVE_STATE')");
        db_.Query(
            "INSERT INTO vms (vm_name, deployment_id, vm_group, vm_index, state) VALUES "
            "('dep-1_g_0', 'dep-1', 'g', 0, 'VM_ALIVE_STATE')");
        db_.Query(
            "INSERT INTO vm_snapshots (snapshot_id, name, tenant_id, vm_name, state) "
            "VALUES ('snap-1', 'snap', 't', 'dep-1_g_0', 'ACTIVE')");
        store_ = std::make_unique<PgStore>(db_.dsn(), 1, 1);
    }
    void TearDown() override {
        if (store_) store_->Stop();
    }

    // `read` fails with an internal error (500, not retried) whose message names all of `parts`.
    static void ExpectUnknownState(const std::function<void()>& read,
                                   std::initializer_list<std::string> parts) {
        try {
            read();
            ADD_FAILURE() << "an unknown stored state was read without an error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kInternal) << e.what();
            EXPECT_FALSE(e.retryable()) << e.what();
            EXPECT_EQ(HttpStatusOf(e, Reply::kAnswer), 500) << e.what();
            for (const auto& part : parts)
                EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
                    << "'" << e.what() << "' does not name " << part;
        }
    }

    escd::test::TestDatabase db_{escd::test::TestDatabase::Schema::kEscd};
    std::unique_ptr<PgStore> store_;

    /// The operations a node finds when it takes over the transactions of the operations the
    /// test inserted (as the single process before the leases migration left them: nobody's).
    std::vector<Operation> TakenOverOperations() {
        db_.Query(
            "INSERT INTO leases (unit_kind, unit_id) "
            "SELECT 'transaction', transaction_id::text FROM operations");
        SyncWait(store_->RegisterNode("00000000-0000-0000-0000-0000000000aa", "stored-state"));
        return SyncWait(store_->ClaimOrphanTransactions(std::chrono::seconds(10), 100)).operations;
    }
};

TEST_F(StoredStateTest, KnownStatesAreReadAsStored) {
    EXPECT_EQ(SyncWait(store_->GetResource(ResourceKind::kDeployment, "dep-1"))->state,
              ResourceState::kActive);
    EXPECT_EQ(SyncWait(store_->ReadDeployment("dep-1"))->service, ServiceState::kActive);
    EXPECT_EQ(SyncWait(store_->GetVm("dep-1_g_0"))->state, VmState::kAlive);
    auto snapshots = SyncWait(store_->FindVmSnapshots("snap-1"));
    ASSERT_EQ(snapshots.size(), 1u);
    EXPECT_EQ(snapshots[0].state, SnapshotState::kActive);
}

TEST_F(StoredStateTest, AnUnknownResourceStateIsAnError) {
    db_.Query("UPDATE resources SET state = 'HAPPY' WHERE internal_id = 'dep-1'");
    ExpectUnknownState([&] { SyncWait(store_->GetResource(ResourceKind::kDeployment, "dep-1")); },
                       {"resources", "dep-1", "'HAPPY'"});
    ExpectUnknownState(
        [&] { SyncWait(store_->ListResources(ResourceKind::kDeployment, std::nullopt)); },
        {"resources", "dep-1", "'HAPPY'"});
}

TEST_F(StoredStateTest, AnUnknownServiceStateIsAnError) {
    db_.Query("UPDATE services SET state = 'SERVICE_HAPPY_STATE' WHERE deployment_id = 'dep-1'");
    ExpectUnknownState([&] { SyncWait(store_->ReadDeployment("dep-1")); },
                       {"services", "dep-1", "'SERVICE_HAPPY_STATE'"});
    ExpectUnknownState([&] { SyncWait(store_->ReadDeployments()); },
                       {"services", "dep-1", "'SERVICE_HAPPY_STATE'"});
}

TEST_F(StoredStateTest, AnUnknownVmStateIsAnError) {
    db_.Query("UPDATE vms SET state = 'VM_HAPPY_STATE' WHERE vm_name = 'dep-1_g_0'");
    ExpectUnknownState([&] { SyncWait(store_->GetVm("dep-1_g_0")); },
                       {"vms", "dep-1_g_0", "'VM_HAPPY_STATE'"});
    ExpectUnknownState([&] { SyncWait(store_->ReadDeployment("dep-1")); },
                       {"vms", "dep-1_g_0", "'VM_HAPPY_STATE'"});
}

TEST_F(StoredStateTest, AnUnknownSnapshotStateIsAnError) {
    db_.Query("UPDATE vm_snapshots SET state = 'HAPPY' WHERE snapshot_id = 'snap-1'");
    ExpectUnknownState([&] { SyncWait(store_->FindVmSnapshots("snap-1")); },
                       {"vm_snapshots", "snap-1", "'HAPPY'"});
}

TEST_F(StoredStateTest, AnUnknownVimConnectorTypeIsAnError) {
    // As a later version that knows one more type would leave it (its migration widened the
    // check): read by this one, the type is not taken for one it knows.
    db_.Query("ALTER TABLE vim_connectors DROP CONSTRAINT vim_connectors_type_check");
    db_.Query(
        "INSERT INTO vim_connectors (id, type, properties) VALUES "
        "('vc-1', 'VMWARE', '<properties/>')");
    ExpectUnknownState([&] { SyncWait(store_->ListVimConnectors()); },
                       {"vim_connectors", "vc-1", "'VMWARE'"});
}

TEST_F(StoredStateTest, AnUnknownTargetKindIsAnError) {
    db_.Query(
        "INSERT INTO operations (transaction_id, kind, target_kind, target_id) VALUES "
        "('00000000-0000-0000-0000-000000000001', 'CREATE_TENANT', 'gadget', 'g-1')");
    ExpectUnknownState([&] { TakenOverOperations(); },
                       {"operations", "00000000-0000-0000-0000-000000000001", "'gadget'"});
}

TEST_F(StoredStateTest, AnUnknownOperationKindIsKeptAsItsTextBesideTheOthers) {
    // Not refused: the engine ends that operation with a failure and runs the others.
    db_.Query(
        "INSERT INTO operations (transaction_id, kind, target_kind, target_id, created_at) VALUES "
        "('00000000-0000-0000-0000-000000000001', 'FROM_THE_FUTURE', 'tenant', 't-1', "
        " now() - interval '1 minute'), "
        "('00000000-0000-0000-0000-000000000002', 'UPDATE_DEPLOYMENT', 'deployment', 'dep-1', "
        " now())");
    const auto operations = TakenOverOperations();
    ASSERT_EQ(operations.size(), 2u);
    EXPECT_FALSE(operations[0].kind);
    EXPECT_EQ(operations[0].unknown_kind, "FROM_THE_FUTURE");
    EXPECT_EQ(KindText(operations[0]), "FROM_THE_FUTURE");
    EXPECT_EQ(operations[0].target_kind, TargetKind::kTenant);
    EXPECT_EQ(operations[1].kind, OperationKind::kUpdateDeployment);
    EXPECT_EQ(operations[1].target_kind, TargetKind::kDeployment);
}

}  // namespace
}  // namespace escd::model::pg
