#pragma once
/// @file
/// The retry schedule of callback delivery: the delay before attempt n+1 after n failures is
/// initial * 2^(n-1), capped at `max`; delivery gives up once `horizon` has passed since the row
/// was created. Defaults: 1 s doubling to 5 min, for 24 h (docs/behaviour.md, "Callbacks";
/// docs/decisions.md#durable-callbacks-through-an-outbox).

#include <chrono>
#include <cstdint>

namespace escd {

struct BackoffPolicy {
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds max{300000};
    std::chrono::milliseconds horizon{86400000};

    /// Delay after `failures` (>= 1) consecutive failed attempts. Never overflows.
    std::chrono::milliseconds DelayAfter(std::uint32_t failures) const noexcept;
    /// True when a row created `age` ago must not be retried any more.
    bool Expired(std::chrono::milliseconds age) const noexcept { return age >= horizon; }
};

}  // namespace escd
