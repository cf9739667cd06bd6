#include "model/resource.hpp"

namespace escd::model {

std::string_view ParentKindOf(std::string_view k) noexcept {
    if (k == kind::kNetwork || k == kind::kVolume || k == kind::kRouter || k == kind::kDeployment) {
        return kind::kTenant;
    }
    if (k == kind::kSubnet) return kind::kNetwork;
    return {};
}

}  // namespace escd::model
