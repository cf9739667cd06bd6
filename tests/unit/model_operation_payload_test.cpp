#include <gtest/gtest.h>

#include "common/error.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "tests/unit/error_code_of.hpp"

namespace escd::model::xml {
namespace {

using escd::test::CodeOf;

TEST(OperationPayload, ADeploymentActionReadsBackAsWritten) {
    const DeploymentAction manual{.operation = "recover",
                                  .vm_name = "dep__g__0__abc",
                                  .trigger = "manual",
                                  .check_first = true};
    const auto read = DeploymentActionFromPayload(ToPayload(manual));
    EXPECT_EQ(read.operation, "recover");
    EXPECT_EQ(read.vm_name, "dep__g__0__abc");
    EXPECT_EQ(read.vm_group, "");
    EXPECT_EQ(read.trigger, "manual");
    EXPECT_TRUE(read.check_first);

    const auto scale =
        DeploymentActionFromPayload(ToPayload({.operation = "scale_out", .vm_group = "g1"}));
    EXPECT_EQ(scale.operation, "scale_out");
    EXPECT_EQ(scale.vm_group, "g1");
    EXPECT_EQ(scale.vm_name, "");
    EXPECT_FALSE(scale.check_first);
}

// Operations accepted by an earlier escd are read by this one (the stored format).
TEST(OperationPayload, PayloadsStoredByEarlierVersionsStillRead) {
    const auto recovery = DeploymentActionFromPayload(
        "<operation><name>recover</name><vm_name>v1</vm_name><trigger>manual</trigger>"
        "<check_first>false</check_first></operation>");
    EXPECT_EQ(recovery.operation, "recover");
    EXPECT_EQ(recovery.vm_name, "v1");
    EXPECT_FALSE(recovery.check_first);

    const auto plan = MigrationPlanFromPayload(
        "<migration><vm_name>v1</vm_name><migration_type>cold</migration_type>"
        "<source_host>h1</source_host><host>h2</host><block_migration>true</block_migration>"
        "</migration>");
    EXPECT_EQ(plan.type, MigrationType::kCold);
    EXPECT_EQ(plan.source_host, "h1");
    EXPECT_EQ(plan.target_host, "h2");
    EXPECT_TRUE(plan.block_migration);

    const auto task = SnapshotTaskFromPayload(
        "<snapshot_operation><snapshot_id>s1</snapshot_id><name>before</name>"
        "<vm_name>v1</vm_name><volume_id>vol1</volume_id></snapshot_operation>");
    EXPECT_EQ(task.snapshot_id, "s1");
    EXPECT_EQ(task.name, "before");
    EXPECT_EQ(task.vm_name, "v1");
    EXPECT_EQ(task.volume_id, "vol1");
}

TEST(OperationPayload, AMigrationPlanAndASnapshotTaskReadBackAsWritten) {
    const MigrationPlan plan{"v1", MigrationType::kLive, "h1", "h2", false};
    const auto read = MigrationPlanFromPayload(ToPayload(plan));
    EXPECT_EQ(read.vm_name, "v1");
    EXPECT_EQ(read.type, MigrationType::kLive);
    EXPECT_EQ(read.target_host, "h2");
    EXPECT_FALSE(read.block_migration);

    const auto task = SnapshotTaskFromPayload(ToPayload(SnapshotTask{"s1", "n", "v1", ""}));
    EXPECT_EQ(task.snapshot_id, "s1");
    EXPECT_EQ(task.volume_id, "");
}

// A stored payload is escd's own writing: one that does not read is an internal error.
TEST(OperationPayload, AnUnreadableStoredPayloadIsAnInternalError) {
    EXPECT_EQ(CodeOf([] { DeploymentActionFromPayload("not xml <"); }), ErrorCode::kInternal);
    EXPECT_EQ(CodeOf([] { SnapshotTaskFromPayload("<operation><name>stop</name></operation>"); }),
              ErrorCode::kInternal);
    EXPECT_EQ(CodeOf([] {
                  MigrationPlanFromPayload(
                      "<migration><migration_type>warm</migration_type></migration>");
              }),
              ErrorCode::kInternal);
}

TEST(OperationPayload, MigrationTypesHaveTheirNames) {
    for (auto type : {MigrationType::kLive, MigrationType::kCold})
        EXPECT_EQ(ParseMigrationType(ToString(type)), type);
    EXPECT_EQ(ParseMigrationType("warm"), std::nullopt);
}

}  // namespace
}  // namespace escd::model::xml
