// System states: operation mode, VIM connection and notifier backlog, and their resets.
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class SystemState : public EscdTest {};

TEST_F(SystemState, ReportsTheThreeNamedStates) {
    auto mode = client_->Get("/ESCManager/v0/systemstate/OPERATION_MODE");
    ASSERT_EQ(mode.status, 200) << mode.body;
    EXPECT_EQ(XmlText(mode.body, "state"), "OPERATION");
    auto vim = client_->Get("/v0/systemstate/vim_connection");
    ASSERT_EQ(vim.status, 200);
    EXPECT_EQ(XmlText(vim.body, "state"), "CONNECTED");
    EXPECT_NE(XmlText(vim.body, "details").find("test:///default"), std::string::npos);
    EXPECT_EQ(XmlText(client_->Get("/v0/systemstate/NOTIFIER_BACKLOG").body, "state"), "0");
    EXPECT_EQ(client_->Get("/v0/systemstate/WEATHER").status, 404);
    EXPECT_EQ(client_->Post("/v0/systemstate/WEATHER/reset", "").status, 404);
}

TEST_F(SystemState, AnUnreachableVimIsReportedAndResetTriesAgain) {
    StartEscd({"--vim.uri=test:///nonexistent/escd-no-such-host.xml"});
    auto vim = client_->Get("/v0/systemstate/VIM_CONNECTION");
    EXPECT_EQ(XmlText(vim.body, "state"), "DISCONNECTED");
    EXPECT_FALSE(XmlText(vim.body, "details").empty());
    auto reset = client_->Post("/v0/systemstate/VIM_CONNECTION/reset", "");
    ASSERT_EQ(reset.status, 200);
    EXPECT_EQ(XmlText(reset.body, "state"), "DISCONNECTED");
}

TEST_F(SystemState, BacklogCountsWaitingCallbacksAndResetSendsThemNow) {
    // A long backoff: without the reset the next attempt would be a minute away.
    StartEscd({"--callbacks.retry_initial_ms=60000", "--callbacks.retry_max_ms=60000"});
    receiver_.SetResponseStatus(503);
    ASSERT_EQ(CreateTenant("t-backlog").status, 200);
    ASSERT_GE(receiver_.WaitForAttempts(1, kCallbackWait).size(), 1u);
    // The reset sends what waits for its next attempt: the refused one waits once escd has read
    // the 503 (the receiver has answered it before escd reads it).
    ASSERT_TRUE(escd_->WaitForLog("receiver answered 503", 1, kCallbackWait));
    EXPECT_EQ(XmlText(client_->Get("/v0/systemstate/NOTIFIER_BACKLOG").body, "state"), "1");

    receiver_.SetResponseStatus(200);
    ASSERT_EQ(client_->Post("/v0/systemstate/notifier_backlog/reset", "").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    ASSERT_TRUE(escd_->WaitForLog("marked DELIVERED", 1, kCallbackWait));
    EXPECT_EQ(XmlText(client_->Get("/v0/systemstate/NOTIFIER_BACKLOG").body, "state"), "0");
}

TEST_F(SystemState, ResettingTheOperationModeLeavesMaintenance) {
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    auto reset = client_->Post("/v0/systemstate/OPERATION_MODE/reset", "");
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(XmlText(reset.body, "state"), "OPERATION");
    EXPECT_EQ(CreateTenant("t-after-reset").status, 200);
}

}  // namespace
}  // namespace escd::test
