// The notifier: retries with backoff while the receiver is down or answers non-2xx, resumes after a
// restart, and never contacts a target outside the allow-list.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class CallbackDelivery : public EscdTest {
  protected:
    std::string OutboxState() {
        return db_.Query("SELECT state FROM outbox")[0][0].as<std::string>();
    }
    int OutboxAttempts() { return db_.Query("SELECT attempts FROM outbox")[0][0].as<int>(); }
};

TEST_F(CallbackDelivery, RetriedWhileTheReceiverAnswersNon2xx) {
    receiver_.SetResponseStatus(503);
    auto response = CreateTenant("t-503");
    ASSERT_EQ(response.status, 200);
    auto attempts = receiver_.WaitForAttempts(3, kCallbackWait);
    // At least three: on a loaded machine a fourth may land before this thread runs again.
    ASSERT_GE(attempts.size(), 3u);
    for (const auto& attempt : attempts) {
        EXPECT_EQ(attempt.answered_status, 503);
        EXPECT_EQ(attempt.Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
        EXPECT_EQ(XmlText(attempt.body, "event_type"), "CREATE_TENANT");
    }
    receiver_.SetResponseStatus(200);
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_TRUE(escd_->WaitForLog("marked DELIVERED", 1, kCallbackWait));
    EXPECT_EQ(OutboxState(), "DELIVERED");
    EXPECT_GE(OutboxAttempts(), 4);
}

TEST_F(CallbackDelivery, RetriedWhileTheReceiverIsDownThenDelivered) {
    receiver_.Stop();
    auto response = CreateTenant("t-down");
    ASSERT_EQ(response.status, 200);
    // Two refused connections prove escd kept trying while nobody listened.
    ASSERT_TRUE(escd_->WaitForLog("failed (connect", 2, kCallbackWait)) << escd_->Log();
    EXPECT_TRUE(receiver_.Requests().empty());
    receiver_.Start();
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(delivered[0].Header("ESC-Status-Code"), "200");
}

TEST_F(CallbackDelivery, PendingCallbacksAreDeliveredAfterARestart) {
    receiver_.Stop();
    auto response = CreateTenant("t-restart");
    ASSERT_EQ(response.status, 200);
    ASSERT_TRUE(escd_->WaitForLog("failed (connect", 1, kCallbackWait));
    escd_->Kill();
    receiver_.Start();
    StartEscd();
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(XmlText(delivered[0].body, "event_type"), "CREATE_TENANT");
}

TEST_F(CallbackDelivery, TargetOutsideTheAllowListIsRecordedAndNeverContacted) {
    // The receiver listens on 127.0.0.1, which this allow-list leaves out.
    StartEscd({"--callbacks.allowed_cidrs=127.0.0.2/32"});
    ASSERT_EQ(CreateTenant("t-refused").status, 200);
    ASSERT_TRUE(escd_->WaitForLog("refused callback", 1, kCallbackWait)) << escd_->Log();
    EXPECT_TRUE(escd_->WaitForLog("marked REFUSED", 1, kCallbackWait));
    EXPECT_EQ(OutboxState(), "REFUSED");
    EXPECT_TRUE(receiver_.Requests().empty());
    // The operation itself completed: only its callback was withheld.
    EXPECT_FALSE(XmlText(client_->Get("/v0/tenants/t-refused").body, "external_tenant_id").empty());
}

}  // namespace
}  // namespace escd::test
