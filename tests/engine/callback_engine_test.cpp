// Callback delivery with the engine in process (tests/engine/engine_harness.hpp; docs/behaviour.md,
// "Callbacks"): a callback the client's receiver (a real HTTP server on loopback) refuses is
// retried once the notifier's backoff has passed on the engine's clock, not before, and is then
// delivered as it was. The integration suite CallbackDelivery covers the backoff's growth, the
// allow-list and restarts against escd itself.

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;
using EngineCallbacks = EngineTest;

TEST_F(EngineCallbacks, ACallbackTheReceiverRefusesIsSentAgainOnceTheRetryWaitHasPassed) {
    auto& receiver = harness_->receiver();
    auto& clock = harness_->clock();
    const auto before = receiver.Requests().size();
    receiver.SetResponseStatus(503);
    const auto tx = harness_->Accept(
        http::verb::post, "/v0/flavors/big",
        "<flavor><name>big</name><vcpus>2</vcpus><memory_mb>512</memory_mb></flavor>");
    const auto refused = receiver.WaitForAttempts(before + 1, 10s);
    ASSERT_EQ(refused.size(), before + 1);
    EXPECT_EQ(refused.back().answered_status, 503);
    EXPECT_EQ(refused.back().Header("ESC-Transaction-Id"), tx);

    // The first retry waits the backoff's first delay (one minute in the harness) on the clock.
    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the retry does not wait on the engine's clock";
    clock.Advance(59s);
    EXPECT_EQ(clock.Waiting(), 1u) << "retried before its wait had passed";
    EXPECT_EQ(receiver.Requests().size(), before + 1);

    receiver.SetResponseStatus(200);
    clock.Advance(1s);
    const auto delivered = harness_->CallbacksOf(tx, 1);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(delivered[0].body, refused.back().body) << "the same callback, sent again";
    EXPECT_EQ(receiver.Requests().size(), before + 2) << "one refused attempt, one retry";
    EXPECT_TRUE(harness_->vim().HasFlavor("big"));
}

}  // namespace
}  // namespace escd::test
