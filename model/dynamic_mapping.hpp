#pragma once
/// @file
/// A dynamic mapping entry: an action or a metric that KPI rules refer to by name.

#include <string>

namespace escd::model {

struct DynamicMapping {
    std::string kind;  ///< "action" or "metric"
    std::string name;  ///< e.g. "ALWAYS log", "ICMPPing"
    bool core = false;
    std::string document;  ///< canonical XML of the <action>/<metric> element
};

}  // namespace escd::model
