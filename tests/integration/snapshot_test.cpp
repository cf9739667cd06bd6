// VM snapshots end to end on the libvirt test driver ("18-VM Snapshots" and snapshot-vm): taken,
// listed with the reference's filters, reverted, deleted; a volume from one; the refusals that
// store nothing; a snapshot accepted before a SIGKILL taken after the restart; undeploy takes
// the snapshots with the VMs.

#include <set>

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class Snapshots : public DeploymentTest {
  protected:
    // Deploys `dep` (one VM) in tenant "ten" and returns its VM's name.
    std::string DeployOne(const std::string& dep) {
        auto post = client_->Post("/v0/deployments/" + dep,
                                  DatamodelOf("ten", dep, Group("g", 1, 1)), WithCallback());
        EXPECT_EQ(post.status, 200) << post.body;
        auto deployed = CallbacksOf(post.Header("ESC-Transaction-Id"), 3);
        EXPECT_EQ(Stages(deployed),
                  (std::vector<std::string>{"VM_DEPLOYED", "VM_ALIVE", "SERVICE_ALIVE"}));
        return deployed.empty() ? std::string() : XmlText(deployed[0].body, "vm_name");
    }

    static std::string SnapshotBody(const std::string& name, const std::string& id = {}) {
        return "<vm_operation xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
               "<operation>snapshot</operation><name>" +
               name + "</name>" + (id.empty() ? "" : "<id>" + id + "</id>") + "</vm_operation>";
    }

    HttpResponse Snapshot(const std::string& vm,
                          const std::string& name,
                          const std::string& id = {},
                          const std::string& tenant = "ten") {
        return client_->Post("/v0/" + tenant + "/deployments/snapshot-vm/" + vm,
                             SnapshotBody(name, id), WithCallback());
    }

    // The one callback of the operation `response` accepted.
    ReceivedRequest Done(const HttpResponse& response) {
        auto callbacks = CallbacksOf(response.Header("ESC-Transaction-Id"), 1);
        EXPECT_EQ(callbacks.size(), 1u) << response.body;
        return callbacks.empty() ? ReceivedRequest{} : callbacks.front();
    }

    // snapshot_id -> state, as GET lists them at `target`.
    std::map<std::string, std::string> Listed(const std::string& target) {
        auto response = client_->Get(target);
        EXPECT_EQ(response.status, 200) << response.body;
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(response.body.c_str()));
        std::map<std::string, std::string> out;
        for (auto s : doc.document_element().children("vm_snapshot"))
            out[s.child_value("snapshot_id")] = s.child_value("state");
        return out;
    }

    static std::string VolumeBody(const std::string& name, const std::string& id = {}) {
        return "<volume><name>" + name + "</name>" +
               (id.empty() ? "" : "<internal_volume_id>" + id + "</internal_volume_id>") +
               "</volume>";
    }
};

using States = std::map<std::string, std::string>;

TEST_F(Snapshots, EmptyUntilSnapshotsExist) {
    EXPECT_TRUE(Listed("/ESCManager/v0/snapshots").empty());
    EXPECT_TRUE(Listed("/ESCManager/internal/snapshots").empty());
}

TEST_F(Snapshots, TakenListedRevertedAndDeletedEachWithItsCallback) {
    const auto vm = DeployOne("dep-s");
    // Callback and Callback-ESC-Events differ: each gets the event.
    const std::map<std::string, std::string> both{{"Callback", receiver_.Url("/cb")},
                                                  {"Callback-ESC-Events", receiver_.Url("/ev")}};
    auto taken = client_->Post("/v0/ten/deployments/snapshot-vm/" + vm,
                               SnapshotBody("nightly", "snap-1"), both);
    ASSERT_EQ(taken.status, 201) << taken.body;
    EXPECT_TRUE(IsUuid(taken.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(taken.body, "snapshot_id"), "snap-1");
    EXPECT_EQ(XmlText(taken.body, "state"), "CREATING");
    auto callbacks = CallbacksOf(taken.Header("ESC-Transaction-Id"), 2);
    ASSERT_EQ(callbacks.size(), 2u);
    std::set<std::string> targets;
    for (const auto& cb : callbacks) {
        targets.insert(cb.target);
        EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
        EXPECT_EQ(cb.Header("ESC-Status-Message"),
                  "Successfully created snapshot [nightly] of VM [" + vm + "]");
        EXPECT_EQ(XmlText(cb.body, "event_type"), "VM_SNAPSHOT_COMPLETE");
        EXPECT_EQ(XmlText(cb.body, "snapshot_id"), "snap-1");
        EXPECT_EQ(XmlText(cb.body, "snapshot_name"), "nightly");
        EXPECT_EQ(XmlText(cb.body, "vm_name"), vm);
        EXPECT_EQ(XmlText(cb.body, "internal_deployment_id"), "dep-s");
    }
    EXPECT_EQ(targets, (std::set<std::string>{"/cb", "/ev"}));

    // The reference's filters, on both paths.
    EXPECT_EQ(Listed("/v0/snapshots"), (States{{"snap-1", "ACTIVE"}}));
    EXPECT_EQ(Listed("/v0/snapshots?internalTenantId=ten"), (States{{"snap-1", "ACTIVE"}}));
    EXPECT_TRUE(Listed("/v0/snapshots?internalTenantId=other").empty());
    EXPECT_EQ(Listed("/internal/snapshots?generatedVMName=" + vm), (States{{"snap-1", "ACTIVE"}}));
    EXPECT_TRUE(Listed("/internal/snapshots?internalTenantId=ten&generatedVMName=nope").empty());

    // A second one of the same name, its id chosen by escd, through the /internal path.
    auto second = client_->Post("/ESCManager/internal/ten/deployments/snapshot-vm/" + vm,
                                SnapshotBody("nightly"), WithCallback());
    ASSERT_EQ(second.status, 201) << second.body;
    const auto second_id = XmlText(second.body, "snapshot_id");
    EXPECT_TRUE(IsUuid(second_id)) << second_id;
    EXPECT_EQ(Done(second).Header("ESC-Status-Code"), "200");

    // Revert by id: the VM as it was, still alive.
    auto reverted = client_->Post("/v0/snapshots/snap-1", "", WithCallback());
    ASSERT_EQ(reverted.status, 202) << reverted.body;
    EXPECT_EQ(XmlText(reverted.body, "state"), "REVERTING");
    auto revert_done = Done(reverted);
    EXPECT_EQ(revert_done.Header("ESC-Status-Code"), "200") << revert_done.body;
    EXPECT_EQ(XmlText(revert_done.body, "event_type"), "VM_SNAPSHOT_REVERT_COMPLETE");
    EXPECT_EQ(revert_done.Header("ESC-Status-Message"),
              "Successfully reverted VM [" + vm + "] to snapshot [nightly]");
    auto deployment = client_->Get("/v0/deployments/dep-s").body;
    EXPECT_EQ(XmlText(deployment, "vm_state_machine_state"), "VM_ALIVE_STATE");
    EXPECT_EQ(XmlText(deployment, "service_state_machine_state"), "SERVICE_ACTIVE_STATE");

    // Delete by id, then the other by its name, which is unique again.
    auto deleted = client_->Delete("/v0/snapshots/snap-1", WithCallback());
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    EXPECT_EQ(XmlText(deleted.body, "state"), "DELETING");
    auto delete_done = Done(deleted);
    EXPECT_EQ(delete_done.Header("ESC-Status-Code"), "200") << delete_done.body;
    EXPECT_EQ(XmlText(delete_done.body, "event_type"), "VM_SNAPSHOT_DELETE_COMPLETE");
    EXPECT_EQ(Listed("/v0/snapshots"), (States{{second_id, "ACTIVE"}}));
    auto by_name = client_->Delete("/internal/snapshots/nightly", WithCallback());
    ASSERT_EQ(by_name.status, 200) << by_name.body;
    EXPECT_EQ(XmlText(by_name.body, "snapshot_id"), second_id);
    EXPECT_EQ(Done(by_name).Header("ESC-Status-Code"), "200");
    EXPECT_TRUE(Listed("/v0/snapshots").empty());
}

TEST_F(Snapshots, AVolumeFromASnapshotIsAVolumeOfItsTenant) {
    const auto vm = DeployOne("dep-v");
    ASSERT_EQ(Done(Snapshot(vm, "golden", "snap-v")).Header("ESC-Status-Code"), "200");

    auto made = client_->Post("/v0/snapshots/snap-v/volumes", VolumeBody("from-golden", "vol-g"),
                              WithCallback());
    ASSERT_EQ(made.status, 202) << made.body;
    EXPECT_EQ(XmlText(made.body, "internal_volume_id"), "vol-g");
    auto done = Done(made);
    EXPECT_EQ(done.Header("ESC-Status-Code"), "200") << done.body;
    EXPECT_EQ(done.Header("ESC-Status-Message"), "Volume successfully created");
    EXPECT_EQ(XmlText(done.body, "event_type"), "CREATE_VOLUME");
    EXPECT_EQ(XmlText(done.body, "internal_volume_id"), "vol-g");
    EXPECT_EQ(XmlText(done.body, "internal_tenant_id"), "ten");
    EXPECT_NE(XmlText(done.body, "external_volume_id").find("escd-volume-vol-g"), std::string::npos)
        << done.body;
    // The image (the VM's boot disk) holds 8 KiB: the volume's size, in whole MiB.
    EXPECT_EQ(XmlText(done.body, "size"), "1");
    EXPECT_EQ(XmlText(done.body, "sizeunit"), "MiB");
    EXPECT_EQ(XmlText(done.body, "snapshot_id"), "snap-v");

    auto got = client_->Get("/v0/ten/volumes/vol-g");
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(XmlText(got.body, "name"), "from-golden");
    // escd chooses the id when the body names none.
    auto unnamed =
        client_->Post("/internal/snapshots/golden/volumes", VolumeBody("copy"), WithCallback());
    ASSERT_EQ(unnamed.status, 202) << unnamed.body;
    const auto unnamed_id = XmlText(unnamed.body, "internal_volume_id");
    EXPECT_TRUE(IsUuid(unnamed_id)) << unnamed.body;
    EXPECT_EQ(Done(unnamed).Header("ESC-Status-Code"), "200");

    // An ordinary volume from now on.
    ExpectSuccess(Mutate("DELETE", "/v0/ten/volumes/vol-g").callback, "DELETE_VOLUME",
                  "Volume successfully deleted");
    ExpectSuccess(Mutate("DELETE", "/v0/ten/volumes/" + unnamed_id).callback, "DELETE_VOLUME",
                  "Volume successfully deleted");
    EXPECT_EQ(Listed("/v0/snapshots"), (States{{"snap-v", "ACTIVE"}}));
}

TEST_F(Snapshots, RefusalsAnswerAtOnceAndStoreNothing) {
    const auto vm = DeployOne("dep-r");
    ASSERT_EQ(Done(Snapshot(vm, "a", "snap-a")).Header("ESC-Status-Code"), "200");
    ASSERT_EQ(Done(Snapshot(vm, "twin", "snap-t1")).Header("ESC-Status-Code"), "200");
    ASSERT_EQ(Done(Snapshot(vm, "twin", "snap-t2")).Header("ESC-Status-Code"), "200");
    const auto operations = Count("operations");
    const auto path = "/v0/ten/deployments/snapshot-vm/" + vm;

    ExpectError(Snapshot("dep-r_g_0_no-such-vm", "x"), 404, "not found");
    ExpectError(Snapshot(vm, "x", {}, "other-tenant"), 404, "not found in tenant other-tenant");
    ExpectError(client_->Post(path, SnapshotBody("x")), 400, "missing Callback header");
    ExpectError(client_->Post(path, "<vm_operation><operation>stop</operation></vm_operation>",
                              WithCallback()),
                400, "is not snapshot");
    ExpectError(client_->Post(path, "<vm_operation><operation>snapshot</operation></vm_operation>",
                              WithCallback()),
                400, "<name> is required");
    ExpectError(client_->Post(path, "<vm_operation><operation>", WithCallback()), 400,
                "malformed XML");
    ExpectError(Snapshot(vm, "x", "bad~id"), 400, "id 'bad~id' has characters");
    ExpectError(Snapshot(vm, "x", "snap-a"), 409, "snapshot id snap-a is already used");

    ExpectError(client_->Post("/v0/snapshots/nope", "", WithCallback()), 404, "not found");
    ExpectError(client_->Delete("/v0/snapshots/nope", WithCallback()), 404, "not found");
    ExpectError(client_->Post("/v0/snapshots/nope/volumes", VolumeBody("v"), WithCallback()), 404,
                "not found");
    ExpectError(client_->Post("/v0/snapshots/snap-a", ""), 400, "missing Callback header");
    // Two snapshots are named "twin": by name it is ambiguous.
    ExpectError(client_->Post("/v0/snapshots/twin", "", WithCallback()), 409, "not unique");
    ExpectError(client_->Delete("/internal/snapshots/twin", WithCallback()), 409, "not unique");
    ExpectError(client_->Post("/v0/snapshots/twin/volumes", VolumeBody("v"), WithCallback()), 409,
                "not unique");
    ExpectError(client_->Post("/v0/snapshots/snap-a/volumes", "<volume/>", WithCallback()), 400,
                "<name> is required");
    // A volume's id is unique across every kind: "mgmt" is the fixture's network.
    ExpectError(
        client_->Post("/v0/snapshots/snap-a/volumes", VolumeBody("v", "mgmt"), WithCallback()), 409,
        "already used by a network");

    EXPECT_EQ(Count("operations"), operations);
    EXPECT_EQ(Listed("/v0/snapshots"),
              (States{{"snap-a", "ACTIVE"}, {"snap-t1", "ACTIVE"}, {"snap-t2", "ACTIVE"}}));
    EXPECT_EQ(Count("resources WHERE kind = 'volume'"), 0);
}

TEST_F(Snapshots, UndeployRemovesTheVmsSnapshots) {
    const auto vm = DeployOne("dep-u");
    ASSERT_EQ(Done(Snapshot(vm, "s", "snap-u")).Header("ESC-Status-Code"), "200");
    auto del = client_->Delete("/v0/deployments/dep-u", WithCallback());
    ASSERT_EQ(del.status, 200) << del.body;
    EXPECT_EQ(Stages(CallbacksOf(del.Header("ESC-Transaction-Id"), 2)),
              (std::vector<std::string>{"VM_UNDEPLOYED", "SERVICE_UNDEPLOYED"}));
    EXPECT_TRUE(Listed("/v0/snapshots").empty());
    EXPECT_EQ(Count("vm_snapshots"), 0);
    // And on libvirt: the domain went with its snapshots.
    EXPECT_NE(escd_->Log().find("deleted the snapshots of VM " + vm), std::string::npos);
}

TEST_F(Snapshots, ASnapshotAcceptedBeforeASigkillIsTakenAfterTheRestart) {
    const auto vm = DeployOne("dep-c");
    escd_->Kill();
    // The paused engine guarantees the kill lands between the commit and the work.
    StartEscd({"--engine.paused_for_test=true"});
    auto taken = Snapshot(vm, "before-crash", "snap-c");
    ASSERT_EQ(taken.status, 201) << taken.body;
    // The deployment is busy with it: another one is refused, storing nothing.
    ExpectError(Snapshot(vm, "second", "snap-d"), 409, "busy");
    EXPECT_EQ(Listed("/v0/snapshots"), (States{{"snap-c", "CREATING"}}));
    escd_->Kill();

    StartEscd();
    auto done = AwaitTransaction(taken.Header("ESC-Transaction-Id"));
    ASSERT_TRUE(done) << escd_->Log();
    EXPECT_EQ(done->Header("ESC-Status-Code"), "200") << done->body;
    EXPECT_EQ(XmlText(done->body, "event_type"), "VM_SNAPSHOT_COMPLETE");
    EXPECT_EQ(Listed("/v0/snapshots"), (States{{"snap-c", "ACTIVE"}}));
    EXPECT_EQ(
        db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0].as<int>(), 0);
}

}  // namespace
}  // namespace escd::test
