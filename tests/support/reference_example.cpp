#include "tests/support/reference_example.hpp"

namespace escd::test {

std::string ReferenceDeploymentBody(const ReferenceExample& e) {
    const std::string trunk = R"(
    <trunks><trunk><name>trunk-name</name><parent_nicaid>0</parent_nicaid><subports><subport>
      <name>child-port</name><network>child-net</network><segmentation_type>vlan
      </segmentation_type><segmentation_id>500</segmentation_id><mac_address>fa:16:3e:c4:cc:d0
      </mac_address><binding_profile><property><name>trusted</name><value>true</value>
      </property></binding_profile></subport></subports></trunk></trunks>)";
    const std::string volume = R"(
    <volumes><volume><name>MY_DATASTORE1</name><volid>1</volid></volume></volumes>)";
    return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"
        xmlns:ns2="urn:ietf:params:xml:ns:netconf:notification">
<tenants><tenant><name>)" +
           e.tenant + R"(</name><deployments><deployment>
  <name>MyDemoDepName</name>
  <vm_group>
    <name>ASA-1</name>
    <bootup_time>300</bootup_time>
    <reboot_time>100</reboot_time>
    <recovery_wait_time>10</recovery_wait_time>
    <image>)" +
           e.image + R"(</image>
    <interfaces><interface><nicaid>1</nicaid><network>)" +
           e.network + R"(</network>
      <ip_address>)" +
           e.address + R"(</ip_address></interface></interfaces>)" +
           (e.trunk_and_volume ? trunk : std::string()) + R"(
    <scaling><min_active>1</min_active><max_active>1</max_active><elastic>true</elastic>
      <static_ip_address_pool><network>)" +
           e.network + R"(</network><ip_address>)" + e.address + R"(
      </ip_address></static_ip_address_pool></scaling>
    <kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
      <metric_cond>GT</metric_cond><metric_type>UINT32</metric_type><metric_collector>
      <type>ICMPPing</type><nivid>1</nivid><poll_frequency>3</poll_frequency>
      <polling_unit>seconds</polling_unit><continuous_alarm>false</continuous_alarm>
      </metric_collector></kpi></kpi_data>
    <rules><admin_rules><rule><event_name>VM_ALIVE</event_name><action>"ALWAYS log"</action>
      <action>"TRUE esc_vm_alive_notification"</action></rule></admin_rules></rules>
    <config_data>
      <configuration><dst>day0-config</dst>
        <file>)" +
           e.file_server + R"(/share/images/day0-configASA</file></configuration>
      <configuration><dst>idtoken</dst>
        <file>)" +
           e.file_server + R"(/share/images/asa-smart.config</file></configuration>
    </config_data>
    <placement><type>zone_host</type><zone>MY_CLUSTER1</zone></placement>)" +
           (e.trunk_and_volume ? volume : std::string()) + R"(
  </vm_group>
</deployment></deployments></tenant></tenants></esc_datamodel>)";
}

}  // namespace escd::test
