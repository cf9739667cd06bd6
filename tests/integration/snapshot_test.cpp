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

}  // namespace
}  // namespace escd::test
