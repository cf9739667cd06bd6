// The kinds' name tables (model/kinds.hpp) are the stored and wire text: every enumerator's text
// parses back to it, an unknown text parses to nothing, and the operation catalog derives a
// resource's own operations from a verb and a subject.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/kinds.hpp"
#include "orchestrator/engine/operation_catalog.hpp"
#include "vim/capabilities/storage.hpp"

namespace escd::model {
namespace {

TEST(Kinds, EveryResourceKindRoundTrips) {
    std::set<std::string_view> texts;
    for (const auto& row : kResourceKindNames) {
        EXPECT_EQ(ToString(row.kind), row.text);
        EXPECT_EQ(ParseResourceKind(row.text), row.kind) << row.text;
        EXPECT_TRUE(texts.insert(row.text).second) << row.text << " twice";
    }
    EXPECT_EQ(ToString(ResourceKind::kFileServer), "file_server");
    EXPECT_EQ(ToString(ResourceKind::kTenant), "tenant");
    EXPECT_FALSE(ParseResourceKind("gadget"));
    EXPECT_FALSE(ParseResourceKind("Tenant"));
    EXPECT_FALSE(ParseResourceKind(""));
}

TEST(Kinds, EveryTargetKindRoundTripsAndResourcesConvert) {
    for (const auto& row : kResourceKindNames) {
        const auto target = TargetOf(row.kind);
        EXPECT_EQ(ToString(target), row.text);
        EXPECT_EQ(ParseTargetKind(row.text), target) << row.text;
        EXPECT_EQ(ResourceKindOf(target), row.kind) << row.text;
    }
    for (const auto& row : kOtherTargetKindNames) {
        EXPECT_EQ(ToString(row.kind), row.text);
        EXPECT_EQ(ParseTargetKind(row.text), row.kind) << row.text;
        EXPECT_FALSE(ResourceKindOf(row.kind)) << row.text;
        EXPECT_FALSE(ParseResourceKind(row.text)) << row.text << " is no resource";
    }
    EXPECT_EQ(ToString(TargetKind::kVimConnector), "vim_connector");
    EXPECT_EQ(ToString(TargetKind::kVimUser), "vim_user");
    EXPECT_EQ(ToString(TargetKind::kHost), "host");
    EXPECT_FALSE(ParseTargetKind("gadget"));
}

TEST(Kinds, EveryOperationKindRoundTrips) {
    std::set<std::string_view> texts;
    for (const auto& row : kOperationKindNames) {
        EXPECT_EQ(ToString(row.kind), row.text);
        EXPECT_EQ(ParseOperationKind(row.text), row.kind) << row.text;
        EXPECT_TRUE(texts.insert(row.text).second) << row.text << " twice";
    }
    EXPECT_EQ(ToString(OperationKind::kCreateTenant), "CREATE_TENANT");
    EXPECT_EQ(ToString(OperationKind::kCheckVimConnectorStatus), "CHECK_VIM_CONNECTOR_STATUS");
    EXPECT_EQ(ToString(OperationKind::kSnapshotVolume), "SNAPSHOT_VOLUME");
    EXPECT_FALSE(ParseOperationKind("FROM_THE_FUTURE"));
    EXPECT_FALSE(ParseOperationKind("create_tenant"));
    EXPECT_FALSE(ParseOperationKind("CREATE"));
}

TEST(Kinds, AResourceOperationIsNamedByItsVerbAndSubject) {
    // CREATE_NETWORK is the verb's word, "_", the subject's kind in capitals.
    const auto word = [](ResourceVerb verb) {
        return verb == ResourceVerb::kCreate   ? std::string("CREATE")
               : verb == ResourceVerb::kUpdate ? std::string("UPDATE")
                                               : std::string("DELETE");
    };
    int rows = 0;
    for (const auto& row : kOperationKindNames) {
        if (!row.verb) {
            EXPECT_FALSE(row.subject) << row.text;
            continue;
        }
        ASSERT_TRUE(row.subject) << row.text;
        ++rows;
        std::string subject(ToString(*row.subject));
        for (auto& c : subject) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(row.text, word(*row.verb) + "_" + subject);
        EXPECT_EQ(OperationOf(*row.verb, *row.subject), row.kind) << row.text;
    }
    EXPECT_EQ(rows, 3 * static_cast<int>(kResourceKindNames.size()));
}

TEST(Kinds, ParentKinds) {
    EXPECT_EQ(ParentKindOf(ResourceKind::kNetwork), ResourceKind::kTenant);
    EXPECT_EQ(ParentKindOf(ResourceKind::kDeployment), ResourceKind::kTenant);
    EXPECT_EQ(ParentKindOf(ResourceKind::kSubnet), ResourceKind::kNetwork);
    EXPECT_FALSE(ParentKindOf(ResourceKind::kTenant));
    EXPECT_FALSE(ParentKindOf(ResourceKind::kImage));
    EXPECT_FALSE(ParentKindOf(ResourceKind::kFileServer));
}

TEST(OperationCatalog, EveryResourceOperationHasItsStateAndMessages) {
    for (const auto& row : kOperationKindNames) {
        const auto info = orchestrator::FindOperation(row.kind);
        if (!row.verb) {
            EXPECT_FALSE(info) << row.text << " is no resource's own operation";
            continue;
        }
        ASSERT_TRUE(info) << row.text;
        EXPECT_EQ(info->kind, row.kind);
        EXPECT_EQ(info->target_kind, *row.subject);
        EXPECT_EQ(orchestrator::ResourceOperationKind(info->running, *row.subject), row.kind)
            << row.text;
    }
    const auto create = orchestrator::FindOperation(OperationKind::kCreateNetwork);
    ASSERT_TRUE(create);
    EXPECT_EQ(create->running, ResourceState::kCreating);
    EXPECT_EQ(create->success_message, "Network successfully created");
    EXPECT_EQ(create->failure_message, "Network creation failed");
    EXPECT_FALSE(
        orchestrator::ResourceOperationKind(ResourceState::kActive, ResourceKind::kTenant));
}

TEST(Kinds, EveryMappingKindRoundTrips) {
    for (const auto& row : kMappingKindNames) {
        EXPECT_EQ(ToString(row.kind), row.text);
        EXPECT_EQ(ParseMappingKind(row.text), row.kind) << row.text;
    }
    EXPECT_EQ(ToString(MappingKind::kAction), "action");
    EXPECT_EQ(ToString(MappingKind::kMetric), "metric");
    EXPECT_FALSE(ParseMappingKind("metrics"));
    EXPECT_FALSE(ParseMappingKind("Metric"));
}

TEST(VolumeKinds, NamesAreTheBackendsText) {
    EXPECT_EQ(ToString(vim::VolumeKind::kImage), "image");
    EXPECT_EQ(ToString(vim::VolumeKind::kVolume), "volume");
    EXPECT_EQ(ToString(vim::VolumeKind::kConfigDrive), "day0");
}

}  // namespace
}  // namespace escd::model
