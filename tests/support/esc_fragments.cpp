#include "tests/support/esc_fragments.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>

namespace escd::test {

std::string IcmpAliveKpi() {
    return "<kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>"
           "<metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>"
           "<metric_occurrences_true>1</metric_occurrences_true>"
           "<metric_occurrences_false>2</metric_occurrences_false><metric_collector>"
           "<type>ICMPPing</type><nicid>0</nicid><poll_frequency>1</poll_frequency>"
           "<polling_unit>seconds</polling_unit><continuous_alarm>false</continuous_alarm>"
           "</metric_collector></kpi></kpi_data>";
}

std::vector<std::string> RecoveryGivenUpStages() {
    return {"VM_RECOVERY_INIT",     "VM_RECOVERY_REBOOT",     "VM_RECOVERY_UNDEPLOYED",
            "VM_RECOVERY_DEPLOYED", "VM_RECOVERY_UNDEPLOYED", "VM_RECOVERY_DEPLOYED",
            "VM_RECOVERY_COMPLETE"};
}

void ExpectRedeployedKeepingAddress(const std::string& body,
                                    const std::string& old_uuid,
                                    const std::string& address) {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(body.c_str())) << body;
    const auto details = doc.document_element().child("deployment_details");
    EXPECT_EQ(std::string(details.child("vm_source").child_value("vm_uuid")), old_uuid);
    EXPECT_NE(std::string(details.child("vm_target").child_value("vm_uuid")), old_uuid);
    EXPECT_EQ(std::string(details.child("vm_target")
                              .child("interfaces")
                              .child("interface")
                              .child_value("ip_address")),
              address);
}

}  // namespace escd::test
