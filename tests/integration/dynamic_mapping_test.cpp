// Dynamic mappings: the CORE set, creation, protection of CORE entries, deletion.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class DynamicMappings : public EscdTest {
  protected:
    std::vector<std::string> Names(const std::string& target) {
        auto response = client_->Get(target);
        EXPECT_EQ(response.status, 200) << response.body;
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(response.body.c_str()));
        std::vector<std::string> names;
        for (auto node : doc.select_nodes("//name")) {
            // Entry names only, not property names.
            if (std::string(node.node().parent().name()) == "action" ||
                std::string(node.node().parent().name()) == "metric") {
                names.push_back(node.node().child_value());
            }
        }
        return names;
    }
};

const char* kScaleAction = R"(<dynamic_mappings><actions>
  <action><name>TRUE my_scale_script</name><type>SCRIPT</type>
    <metaData><type>script</type><properties><property><name>script_filename</name>
    <value>/opt/scripts/scale.sh</value></property></properties></metaData></action>
  <action><name>FALSE my_other_script</name><type>SCRIPT</type><core>true</core></action>
</actions></dynamic_mappings>)";

TEST_F(DynamicMappings, TheCoreSetIsPreloaded) {
    auto actions = Names("/ESCManager/v0/dynamic_mapping/actions");
    for (const char* core :
         {"ALWAYS log", "TRUE esc_vm_alive_notification", "FALSE recover autohealing",
          "TRUE servicescaleup.sh", "TRUE servicescalein.sh"}) {
        EXPECT_NE(std::find(actions.begin(), actions.end(), core), actions.end()) << core;
    }
    // ICMPPing, and the VIM's domain statistics (orchestrator/monitor/vm_metrics.hpp).
    EXPECT_EQ(Names("/v0/dynamic_mapping/metrics"),
              (std::vector<std::string>{"CPU", "ICMPPing", "MEMORY"}));
    auto one = client_->Get("/v0/dynamic_mapping/actions/ALWAYS%20log");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(XmlText(one.body, "core"), "true");
}

TEST_F(DynamicMappings, CreatedEntriesAreListedNeverCoreAndConflictOnceThere) {
    auto created = client_->Post("/v0/dynamic_mapping/actions", kScaleAction);
    ASSERT_EQ(created.status, 200) << created.body;
    auto mine = client_->Get("/v0/dynamic_mapping/actions/FALSE%20my_other_script");
    ASSERT_EQ(mine.status, 200);
    EXPECT_EQ(XmlText(mine.body, "core"), "false");  // a client cannot make CORE entries
    EXPECT_EQ(
        XmlText(client_->Get("/v0/dynamic_mapping/actions/TRUE%20my_scale_script").body, "value"),
        "/opt/scripts/scale.sh");

    auto again = client_->Post("/v0/dynamic_mapping/actions",
                               "<action><name>TRUE my_scale_script</name></action>");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(XmlText(again.body, "message"), "Action TRUE my_scale_script already exists.");
}

TEST_F(DynamicMappings, BadBodiesAre400AndCreateNothing) {
    const auto before = Names("/v0/dynamic_mapping/metrics");
    EXPECT_EQ(client_->Post("/v0/dynamic_mapping/metrics", "<metrics/>").status, 400);
    EXPECT_EQ(
        client_->Post("/v0/dynamic_mapping/metrics", "<metric><type>X</type></metric>").status,
        400);
    EXPECT_EQ(client_->Post("/v0/dynamic_mapping/metrics", "<metric><name>m</name>").status, 400);
    EXPECT_EQ(client_
                  ->Post("/v0/dynamic_mapping/metrics",
                         "<metrics><metric><name>m</name></metric><metric><name>m</name>"
                         "</metric></metrics>")
                  .status,
              400);
    // All or nothing: one new entry and one existing one create neither.
    EXPECT_EQ(client_
                  ->Post("/v0/dynamic_mapping/metrics",
                         "<metrics><metric><name>NEW</name></metric><metric><name>ICMPPing</name></"
                         "metric></metrics>")
                  .status,
              409);
    EXPECT_EQ(Names("/v0/dynamic_mapping/metrics"), before);
}

TEST_F(DynamicMappings, CoreEntriesCannotBeDeletedOthersCan) {
    auto core = client_->Delete("/v0/dynamic_mapping/metrics/ICMPPing");
    EXPECT_EQ(core.status, 400);
    EXPECT_EQ(XmlText(core.body, "message"), "Metric ICMPPing is a CORE metric, cannot delete.");
    EXPECT_EQ(client_->Delete("/v0/dynamic_mapping/metrics/nothing").status, 404);

    ASSERT_EQ(
        client_->Post("/v0/dynamic_mapping/metrics", "<metric><name>DISK</name></metric>").status,
        200);
    EXPECT_EQ(client_->Delete("/v0/dynamic_mapping/metrics/DISK").status, 200);
    EXPECT_EQ(client_->Get("/v0/dynamic_mapping/metrics/DISK").status, 404);
}

TEST_F(DynamicMappings, DeletingTheCollectionKeepsOnlyTheCoreSet) {
    ASSERT_EQ(client_->Post("/v0/dynamic_mapping/actions", kScaleAction).status, 200);
    auto remaining = client_->Delete("/v0/dynamic_mapping/actions");
    ASSERT_EQ(remaining.status, 200);
    auto names = Names("/v0/dynamic_mapping/actions");
    EXPECT_EQ(names.size(), 5u);
    EXPECT_EQ(std::find(names.begin(), names.end(), "TRUE my_scale_script"), names.end());
}

}  // namespace
}  // namespace escd::test
