// The store's reads of many rows at once, against a real PostgreSQL: GetResources (one query for
// every key) answers each key in order, and ReadVimConnectors (one query) gives every connector
// with its own users.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

class StoreBatchedReads : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        store_ = std::make_unique<PgStore>(db_.dsn(), 1, 1);
    }
    void TearDown() override {
        if (store_) store_->Stop();
    }

    void InsertGlobal(const std::string& kind, const std::string& id) {
        db_.Query("INSERT INTO resources (internal_id, kind, name, state, spec) VALUES ('" + id +
                  "', '" + kind + "', 'n', 'ACTIVE', '<" + kind + "/>')");
    }

    escd::test::TestDatabase db_{escd::test::TestDatabase::Schema::kEscd};
    std::unique_ptr<PgStore> store_;
};

TEST_F(StoreBatchedReads, GetResourcesAnswersEveryKeyInItsOrder) {
    // Ids a text[] literal must quote: a quote, a comma, a backslash, braces, the word NULL.
    const std::vector<std::string> flavors{"f\"1", "f,2", "f\\3", "{f4}", "NULL"};
    for (const auto& id : flavors) InsertGlobal("flavor", id);
    InsertGlobal("image", "img");

    std::vector<ResourceKey> keys;
    keys.emplace_back(ResourceKind::kImage, "img");
    for (auto it = flavors.rbegin(); it != flavors.rend(); ++it)
        keys.emplace_back(ResourceKind::kFlavor, *it);
    keys.emplace_back(ResourceKind::kFlavor, "absent");
    keys.emplace_back(ResourceKind::kFlavor, "img");  // an image's id, not a flavor's
    keys.emplace_back(ResourceKind::kImage, "img");   // asked twice

    const auto found = SyncWait(store_->GetResources(keys));
    ASSERT_EQ(found.size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const bool expected = keys[i].second != "absent" &&
                              !(keys[i].first == ResourceKind::kFlavor && keys[i].second == "img");
        ASSERT_EQ(found[i].has_value(), expected) << keys[i].second;
        if (!expected) continue;
        EXPECT_EQ(found[i]->kind, keys[i].first) << keys[i].second;
        EXPECT_EQ(found[i]->internal_id, keys[i].second);
    }
    const std::vector<ResourceKey> none;
    EXPECT_TRUE(SyncWait(store_->GetResources(none)).empty());
}

TEST_F(StoreBatchedReads, ReadVimConnectorsGivesEachConnectorItsOwnUsers) {
    const std::string properties =
        "<properties><property><name>os_auth_url</name><value>http://127.0.0.1:5000/v3</value>"
        "</property></properties>";
    for (const char* id : {"vc-a", "vc-b", "vc-c"}) {
        db_.Query("INSERT INTO vim_connectors (id, type, properties) VALUES ('" + std::string(id) +
                  "', 'OPENSTACK', '" + properties + "')");
    }
    db_.Query("INSERT INTO vim_default_connector (vim_id) VALUES ('vc-b')");
    const auto credentials = [](const std::string& user) {
        return "<properties><property><name>os_username</name><value>" + user +
               "</value></property></properties>";
    };
    db_.Query("INSERT INTO vim_users (vim_id, user_id, credentials) VALUES ('vc-a', 'u2', '" +
              credentials("two") + "'), ('vc-a', 'u1', '" + credentials("one") +
              "'), ('vc-c', 'u3', '" + credentials("three") + "')");

    const auto stored = SyncWait(store_->ReadVimConnectors());
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[0].connector.id, "vc-a");
    EXPECT_EQ(stored[1].connector.id, "vc-b");
    EXPECT_EQ(stored[2].connector.id, "vc-c");
    EXPECT_FALSE(stored[0].connector.is_default);
    EXPECT_TRUE(stored[1].connector.is_default);
    ASSERT_EQ(stored[0].connector.properties.size(), 1u);
    EXPECT_EQ(stored[0].connector.properties[0].value, "http://127.0.0.1:5000/v3");

    ASSERT_EQ(stored[0].users.size(), 2u);
    EXPECT_EQ(stored[0].users[0].id, "u1");
    EXPECT_EQ(stored[0].users[0].vim_id, "vc-a");
    ASSERT_EQ(stored[0].users[0].credentials.size(), 1u);
    EXPECT_EQ(stored[0].users[0].credentials[0].value, "one");
    EXPECT_EQ(stored[0].users[1].id, "u2");
    EXPECT_TRUE(stored[1].users.empty()) << "a connector without users has none";
    ASSERT_EQ(stored[2].users.size(), 1u);
    EXPECT_EQ(stored[2].users[0].id, "u3");
    EXPECT_EQ(stored[2].users[0].vim_id, "vc-c");
}

}  // namespace
}  // namespace escd::model::pg
