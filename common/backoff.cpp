#include "common/backoff.hpp"

#include <algorithm>

namespace escd {

std::chrono::milliseconds BackoffPolicy::DelayAfter(std::uint32_t failures) const noexcept {
    using Rep = std::chrono::milliseconds::rep;
    const Rep cap = std::max<Rep>(max.count(), 0);
    const Rep base = std::clamp<Rep>(initial.count(), 0, cap);
    // failures == 0 is outside the contract; treating it as the first failure keeps it sane.
    const std::uint32_t doublings = failures > 0 ? failures - 1 : 0;
    // Shifting is only safe while the result stays below the cap, which is itself a valid Rep:
    // base << n <= cap  <=>  base <= cap >> n. Past 62 doublings any non-zero base exceeds it.
    if (base == 0) return std::chrono::milliseconds{0};
    if (doublings >= 62 || base > (cap >> doublings)) return std::chrono::milliseconds{cap};
    return std::chrono::milliseconds{base << doublings};
}

}  // namespace escd
