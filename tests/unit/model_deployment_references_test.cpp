// A datamodel whose <image>, <flavor> and <network> name objects by VIM name or UUID
// (model/xml/deployment_xml.hpp, RecordResolvedReferences): the typed view and what the
// deployment uses name internal ids, GET /deployments/config shows the client's text.
#include <gtest/gtest.h>

#include "model/xml/deployment_xml.hpp"

namespace escd::model::xml {
namespace {

std::string DatamodelReferring(const std::string& extra = {}) {
    return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant>
      <name>admin</name><deployments><deployment><name>demo</name>)" +
           extra + R"(<vm_group><name>g</name><image>uLinuxImg</image><flavor>Small Flavor</flavor>
        <interfaces><interface><nicid>0</nicid><network>Mgmt Net</network></interface>
          <interface><nicid>1</nicid><network>own</network></interface></interfaces>
        <scaling><min_active>1</min_active><max_active>2</max_active>
          <static_ip_address_pool><network>Mgmt Net</network><ip_address>127.0.0.5</ip_address>
          <ip_address>127.0.0.6</ip_address></static_ip_address_pool></scaling>
      </vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
}

const std::string kOwnNetwork = "<networks><network><name>own</name></network></networks>";

const std::vector<ResolvedReference> kResolved{
    {ResourceKind::kImage, "uLinuxImg", "my_image_id"},
    {ResourceKind::kFlavor, "Small Flavor", "small"},
    {ResourceKind::kNetwork, "Mgmt Net", "mgmt"},
};

TEST(DeploymentReferences, NamesAreReferencesUntilResolved) {
    auto parsed = ParseDeploymentRequest(DatamodelReferring(kOwnNetwork), "d");
    ASSERT_EQ(parsed.references.size(), 3u);  // the declared network is none
    EXPECT_EQ(parsed.references[0].internal_id, "uLinuxImg");
    EXPECT_EQ(parsed.references[1].internal_id, "Small Flavor");
    EXPECT_EQ(parsed.references[2].internal_id, "Mgmt Net");
}

TEST(DeploymentReferences, TheViewAndTheUsesNameInternalIdsTheConfigTheClientsText) {
    auto parsed = ParseDeploymentRequest(DatamodelReferring(kOwnNetwork), "d");
    const auto shown_before = DeploymentConfigDocument(parsed.stored);
    RecordResolvedReferences(parsed, kResolved);

    const auto& group = parsed.spec.vm_groups.at(0);
    EXPECT_EQ(group.image, "my_image_id");
    EXPECT_EQ(group.flavor, "small");
    EXPECT_EQ(group.interfaces.at(0).network, "mgmt");
    EXPECT_EQ(group.interfaces.at(1).network, "own");  // declared: its own id
    EXPECT_EQ(group.scaling.static_pools.at(0).network, "mgmt");
    ASSERT_EQ(parsed.references.size(), 3u);
    EXPECT_EQ(parsed.references[0].internal_id, "my_image_id");
    EXPECT_EQ(parsed.references[2].internal_id, "mgmt");

    // What is stored reads back to the same meaning (the workflow, a restart, a PUT's checks).
    auto stored = DeploymentSpecFromStored(parsed.stored, "d");
    EXPECT_EQ(stored.vm_groups.at(0).image, "my_image_id");
    EXPECT_EQ(stored.vm_groups.at(0).interfaces.at(0).network, "mgmt");
    auto uses = DeploymentReferences(parsed.stored, "d");
    ASSERT_EQ(uses.size(), 3u);
    EXPECT_EQ(uses[1].internal_id, "small");

    // What a PUT keeps: the texts that were not internal ids, with their meaning.
    auto kept = ResolvedReferencesOf(parsed.stored);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept[0].kind, ResourceKind::kFlavor);  // (kind, text) order
    EXPECT_EQ(kept[0].text, "Small Flavor");
    EXPECT_EQ(kept[0].internal_id, "small");

    // The client sees its own text, and nothing of escd's record.
    EXPECT_EQ(DeploymentConfigDocument(parsed.stored), shown_before);
    EXPECT_NE(shown_before.find("<image>uLinuxImg</image>"), std::string::npos);
}

TEST(DeploymentReferences, ReferencesByInternalIdLeaveTheStoredFormAsItWas) {
    auto parsed = ParseDeploymentRequest(DatamodelReferring(), "d");
    const auto before = parsed.stored;
    RecordResolvedReferences(parsed, {{ResourceKind::kImage, "uLinuxImg", "uLinuxImg"}});
    EXPECT_EQ(parsed.stored, before);
    EXPECT_EQ(parsed.spec.vm_groups.at(0).image, "uLinuxImg");
    // An unresolved reference keeps its text.
    EXPECT_EQ(parsed.spec.vm_groups.at(0).flavor, "Small Flavor");
}

TEST(DeploymentReferences, AClientCannotSendEscdsRecordOfWhatReferencesMean) {
    const std::string forged =
        "<escd_resolved_references><reference><kind>image</kind><text>uLinuxImg</text>"
        "<internal_id>someone_elses</internal_id></reference></escd_resolved_references>";
    auto body = DatamodelReferring();
    body.insert(body.rfind("</esc_datamodel>"), forged);
    auto parsed = ParseDeploymentRequest(body, "d");
    EXPECT_EQ(parsed.spec.vm_groups.at(0).image, "uLinuxImg");
    EXPECT_EQ(parsed.references.at(0).internal_id, "uLinuxImg");
    EXPECT_EQ(parsed.stored.find("someone_elses"), std::string::npos);
}

}  // namespace
}  // namespace escd::model::xml
