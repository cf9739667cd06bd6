#include "orchestrator/monitor/kpi_rules.hpp"

#include <string_view>
#include <vector>

namespace escd::orchestrator {

RuleActions ActionsFor(const model::VmGroupSpec& group, const std::string& event, bool value) {
    std::vector<std::string> actions;
    for (const auto& rule : group.rules)
        if (rule.event_name == event)
            actions.insert(actions.end(), rule.actions.begin(), rule.actions.end());
    if (actions.empty() && event == "VM_ALIVE")
        actions = {"ALWAYS log", "TRUE esc_vm_alive_notification", "FALSE recover autohealing"};
    RuleActions out;
    const std::string_view condition = value ? "TRUE" : "FALSE";
    for (const auto& action : actions) {
        const auto space = action.find(' ');
        if (space == std::string::npos) continue;
        const std::string_view when(action.data(), space);
        const std::string_view what = std::string_view(action).substr(space + 1);
        if (when != "ALWAYS" && when != condition) continue;
        if (what == "log") out.log = true;
        if (what == "esc_vm_alive_notification" || what == "servicebooted.sh") out.notify = true;
        if (what == "recover autohealing") out.heal = true;
        if (what == "servicescaleup.sh") out.scale_out = true;
        if (what == "servicescalein.sh" || what == "servicescaledown.sh") out.scale_in = true;
    }
    return out;
}

}  // namespace escd::orchestrator
