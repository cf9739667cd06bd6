#pragma once
/// @file
/// An ESC config parameter (/v0/config/{category}/{key}).

#include <string>

namespace escd::model {

struct ConfigParameter {
    std::string category;  ///< upper case: DEFAULT, LOG, ...
    std::string key;       ///< upper case: LEVEL, VM_RECOVERY_RETRY_MAX, ...
    std::string value;
    std::string type = "STRING";  ///< STRING or INT
};

}  // namespace escd::model
