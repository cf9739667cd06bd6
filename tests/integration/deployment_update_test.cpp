// PUT /v0/deployments/{id} (docs/behaviour.md, "Update"): groups added and removed, scaling bounds
// changed, interfaces added and removed, what an update may not change, and a failed update that
// leaves the deployment as it was.

#include <algorithm>

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class DeploymentUpdate : public DeploymentTest {
  protected:
    // Deploys `groups` as deployment `id` and waits for its SERVICE_ALIVE.
    void Deploy(const std::string& id, const std::string& groups, std::size_t events) {
        auto post = client_->Post("/v0/deployments/" + id, DatamodelOf("ten", "demo", groups),
                                  WithCallback());
        ASSERT_EQ(post.status, 200) << post.body;
        auto callbacks = CallbacksOf(post.Header("ESC-Transaction-Id"), events);
        ASSERT_EQ(callbacks.size(), events);
        ASSERT_EQ(Stages(callbacks).back(), "SERVICE_ALIVE");
        ASSERT_EQ(callbacks.back().Header("ESC-Status-Code"), "200");
    }

    std::vector<ReceivedRequest> Put(const std::string& id,
                                     const std::string& groups,
                                     std::size_t events) {
        auto put = client_->Put("/v0/deployments/" + id, DatamodelOf("ten", "demo", groups),
                                WithCallback());
        EXPECT_EQ(put.status, 200) << put.body;
        return CallbacksOf(put.Header("ESC-Transaction-Id"), events);
    }

    int VmsOf(const std::string& group) { return Count("vms WHERE vm_group = '" + group + "'"); }
};

TEST_F(DeploymentUpdate, AddsAGroupRaisesMinActiveAndRemovesAGroup) {
    Deploy("dep", Group("g1", 2, 2) + Group("g2", 1, 1), 7);

    auto events = Put("dep", Group("g1", 3, 3) + Group("g3", 1, 1), 6);
    ASSERT_EQ(events.size(), 6u);
    EXPECT_EQ(Stages(events),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_DEPLOYED", "VM_ALIVE", "VM_ALIVE",
                                        "VM_UNDEPLOYED", "SERVICE_UPDATED"}));
    EXPECT_EQ(XmlText(events[0].body, "vm_name").rfind("dep_g1_2_", 0), 0u);
    EXPECT_EQ(XmlText(events[1].body, "vm_name").rfind("dep_g3_0_", 0), 0u);
    EXPECT_EQ(XmlText(events[4].body, "vm_name").rfind("dep_g2_0_", 0), 0u);
    EXPECT_EQ(events[5].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(events[5].Header("ESC-Status-Message"),
              "Service group update completed successfully");
    EXPECT_EQ(XmlText(events[5].body, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");

    EXPECT_EQ(VmsOf("g1"), 3);
    EXPECT_EQ(VmsOf("g2"), 0);
    EXPECT_EQ(VmsOf("g3"), 1);
    EXPECT_EQ(Count("vms WHERE state = 'VM_ALIVE_STATE'"), 4);
    auto config = client_->Get("/v0/deployments/config/dep").body;
    EXPECT_NE(config.find("<name>g3</name>"), std::string::npos);
    EXPECT_EQ(config.find("<name>g2</name>"), std::string::npos);
    EXPECT_EQ(XmlText(client_->Get("/v0/deployments/dep").body, "service_state_machine_state"),
              "SERVICE_ACTIVE_STATE");
    EXPECT_EQ(Count("ip_allocations"), 4);
}

TEST_F(DeploymentUpdate, LoweringMaxActiveRemovesTheHighestIndexFirst) {
    Deploy("dep", Group("g1", 3, 3), 7);
    auto events = Put("dep", Group("g1", 1, 1), 3);
    EXPECT_EQ(Stages(events),
              (std::vector<std::string>{"VM_UNDEPLOYED", "VM_UNDEPLOYED", "SERVICE_UPDATED"}));
    EXPECT_EQ(XmlText(events[0].body, "vm_name").rfind("dep_g1_2_", 0), 0u);
    EXPECT_EQ(XmlText(events[1].body, "vm_name").rfind("dep_g1_1_", 0), 0u);
    EXPECT_EQ(Count("vms WHERE vm_index = 0"), 1);
    EXPECT_EQ(Count("vms"), 1);

    // Raising only max_active keeps what there is; raising min_active adds.
    EXPECT_EQ(Stages(Put("dep", Group("g1", 1, 4), 1)),
              std::vector<std::string>{"SERVICE_UPDATED"});
    EXPECT_EQ(Count("vms"), 1);
    EXPECT_EQ(Stages(Put("dep", Group("g1", 2, 4), 3)),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_UPDATED"}));
    EXPECT_EQ(Count("vms WHERE vm_index = 1"), 1) << "the free index is used again";
}

TEST_F(DeploymentUpdate, InterfacesAreAddedAndRemovedWithVmUpdated) {
    Mutate("POST", "/v0/ten/networks/data", NetworkBody("data"));
    Mutate("POST", "/v0/ten/subnets/data-sub", SubnetBody("data", "127.11.0.0/24"));
    Deploy("dep", Group("g1", 1, 1), 3);

    auto added = Put("dep", Group("g1", 1, 1, {{0, "mgmt"}, {1, "data"}}), 2);
    ASSERT_EQ(Stages(added), (std::vector<std::string>{"VM_UPDATED", "SERVICE_UPDATED"}));
    EXPECT_EQ(added[0].Header("ESC-Status-Code"), "200") << added[0].Header("ESC-Status-Message");
    EXPECT_NE(added[0].body.find("127.11.0.2"), std::string::npos) << added[0].body;
    EXPECT_EQ(Count("ip_allocations WHERE network_id = 'data'"), 1);
    EXPECT_NE(client_->Get("/v0/deployments/dep").body.find("127.11.0.2"), std::string::npos);

    auto removed = Put("dep", Group("g1", 1, 1, {{1, "data"}}), 2);
    ASSERT_EQ(Stages(removed), (std::vector<std::string>{"VM_UPDATED", "SERVICE_UPDATED"}));
    EXPECT_EQ(removed[0].body.find("127.10.0.2"), std::string::npos) << removed[0].body;
    EXPECT_EQ(Count("ip_allocations WHERE network_id = 'mgmt'"), 0);
    // The network is no longer used: it can go once its subnet has gone.
    auto sub = client_->Delete("/v0/ten/subnets/mgmt-sub", WithCallback());
    EXPECT_EQ(sub.status, 200) << sub.body;
}

TEST_F(DeploymentUpdate, AFailedNewVmUndoesTheUpdate) {
    Deploy("dep", Group("g1", 1, 1), 3);
    const auto before = client_->Get("/v0/deployments/config/dep").body;
    // A placement on a host the VIM does not have: the new VM cannot be deployed.
    const std::string nowhere =
        "<placement><type>zone_host</type><enforcement>strict</enforcement>"
        "<host>no-such-host</host></placement>";
    auto events = Put("dep", Group("g1", 1, 1) + Group("g2", 1, 1, {{0, "mgmt"}}, nowhere), 3);
    ASSERT_EQ(Stages(events),
              (std::vector<std::string>{"VM_DEPLOYED", "VM_UNDEPLOYED", "SERVICE_UPDATED"}));
    EXPECT_NE(events[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(events[2].Header("ESC-Status-Code"), "500");
    EXPECT_NE(events[2].Header("ESC-Status-Message").find("Service group update failed"),
              std::string::npos);
    EXPECT_EQ(XmlText(events[2].body, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");
    EXPECT_EQ(client_->Get("/v0/deployments/config/dep").body, before);
    EXPECT_EQ(Count("vms"), 1);
    // Still functional: another update works.
    EXPECT_EQ(Stages(Put("dep", Group("g1", 2, 2), 3)).back(), "SERVICE_UPDATED");
}

TEST_F(DeploymentUpdate, WhatCannotChangeIsRefusedAndNothingIsStored) {
    Deploy("dep", Group("g1", 1, 1), 3);
    const auto before = client_->Get("/v0/deployments/config/dep").body;
    const auto put = [&](const std::string& body) {
        return client_->Put("/v0/deployments/dep", body, WithCallback());
    };
    ExpectError(client_->Put("/v0/deployments/nope", DatamodelOf("ten", "demo", Group("g1", 1, 1)),
                             WithCallback()),
                404, "deployment nope not found");
    ExpectError(put(DatamodelOf("ten", "other", Group("g1", 1, 1))), 400, "the name");
    Mutate("POST", "/v0/flavors/big",
           "<flavor><name>big</name><vcpus>2</vcpus><memory_mb>512</memory_mb></flavor>");
    auto bigger = Group("g1", 1, 1);
    bigger.replace(bigger.find("<flavor>small"), 13, "<flavor>big");
    ExpectError(put(DatamodelOf("ten", "demo", bigger)), 400, "vm_group g1: the flavor");
    auto moved = Group("g1", 1, 1, {{0, "elsewhere"}});
    ExpectError(put(DatamodelOf("ten", "demo", moved)), 400, "vm_group g1: interface 0");
    ExpectError(
        put(DatamodelOf("ten", "demo", Group("g1", 1, 1) + Group("g9", 1, 1, {{0, "ghost"}}))), 404,
        "network ghost");
    ExpectError(put("<esc_datamodel>"), 400, "");
    ExpectError(client_->Put("/v0/deployments/dep", DatamodelOf("ten", "demo", Group("g1", 1, 1))),
                400, "Callback");
    EXPECT_EQ(client_->Get("/v0/deployments/config/dep").body, before);
    EXPECT_EQ(Count("operations WHERE kind = 'UPDATE_DEPLOYMENT'"), 0);

    // A deployment busy with another operation: 409.
    StartEscd({"--engine.paused_for_test=true"});
    ASSERT_EQ(put(DatamodelOf("ten", "demo", Group("g1", 2, 2))).status, 200);
    ExpectError(put(DatamodelOf("ten", "demo", Group("g1", 3, 3))), 409, "");
}

}  // namespace
}  // namespace escd::test
