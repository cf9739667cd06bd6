// GET /v0/snapshots and its /internal alias: what the vm_snapshots table holds, filtered.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class Snapshots : public EscdTest {
  protected:
    std::vector<std::string> Ids(const std::string& target) {
        auto response = client_->Get(target);
        EXPECT_EQ(response.status, 200) << response.body;
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(response.body.c_str()));
        std::vector<std::string> ids;
        for (auto s : doc.document_element().children("vm_snapshot"))
            ids.push_back(s.child_value("snapshot_id"));
        return ids;
    }
};

TEST_F(Snapshots, EmptyUntilSnapshotsExist) {
    EXPECT_TRUE(Ids("/ESCManager/v0/snapshots").empty());
    EXPECT_TRUE(Ids("/ESCManager/internal/snapshots").empty());
}

TEST_F(Snapshots, ListsWhatExistsFilteredByTenantAndVm) {
    // Until VM operations take snapshots (deployments), rows written directly stand in for them.
    db_.Query(
        "INSERT INTO vm_snapshots (snapshot_id, name, tenant_id, vm_name, state) VALUES "
        "('s1', 'snap-1', 'ta', 'vm-a', 'ACTIVE'), ('s2', 'snap-2', 'ta', 'vm-b', 'ACTIVE'), "
        "('s3', 'snap-3', 'tb', 'vm-a', 'ACTIVE')");
    EXPECT_EQ(Ids("/v0/snapshots"), (std::vector<std::string>{"s1", "s2", "s3"}));
    EXPECT_EQ(Ids("/v0/snapshots?internalTenantId=ta"), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(Ids("/internal/snapshots?internalTenantId=ta&generatedVMName=vm-a"),
              (std::vector<std::string>{"s1"}));
    EXPECT_EQ(client_->Get("/v0/snapshots?internalTenantId=bad~id").status, 400);
}

}  // namespace
}  // namespace escd::test
