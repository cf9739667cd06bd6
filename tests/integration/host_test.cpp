// Host actions: status, disable/enable with their events, persistence, refusals.
#include <unistd.h>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

// The libvirt test driver reports this machine's host name as its only host.
std::string VimHost() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

class Hosts : public EscdTest {
  protected:
    HttpResponse Act(const std::string& action) {
        return client_->Post("/ESCManager/v0/hosts/" + VimHost() + "/" + action, "",
                             {{"Callback-ESC-Events", receiver_.Url("/events")}});
    }
    std::string Status() {
        return XmlText(client_->Get("/v0/hosts/" + VimHost() + "/status").body, "status");
    }
};

TEST_F(Hosts, TheVimsHostStartsEnabledAndUnknownHostsAre404) {
    auto status = client_->Get("/v0/hosts/" + VimHost() + "/status");
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(XmlText(status.body, "host_name"), VimHost());
    EXPECT_EQ(XmlText(status.body, "status"), "ENABLED");
    EXPECT_EQ(XmlText(status.body, "schedulable"), "true");
    EXPECT_EQ(client_->Get("/v0/hosts/no-such-host/status").status, 404);
    EXPECT_EQ(
        client_
            ->Post("/v0/hosts/no-such-host/disable", "", {{"Callback-ESC-Events", receiver_.Url()}})
            .status,
        404);
}

TEST_F(Hosts, DisableAndEnableAnswerAtOnceAndSendTheirEvents) {
    auto disabled = Act("disable");
    ASSERT_EQ(disabled.status, 200) << disabled.body;
    EXPECT_TRUE(IsUuid(disabled.Header("ESC-Transaction-Id")));
    EXPECT_EQ(XmlText(disabled.body, "status"), "DISABLED");
    EXPECT_EQ(Status(), "DISABLED");

    auto enabled = Act("enable");
    ASSERT_EQ(enabled.status, 200);
    EXPECT_EQ(Status(), "ENABLED");

    auto events = receiver_.WaitForDelivered(2, kCallbackWait);
    ASSERT_EQ(events.size(), 2u);
    // One transaction each; ordered per transaction, so match them by id.
    for (const auto& event : events) {
        EXPECT_EQ(event.target, "/events");
        EXPECT_EQ(event.Header("ESC-Status-Code"), "200");
        const bool is_disable =
            event.Header("ESC-Transaction-Id") == disabled.Header("ESC-Transaction-Id");
        EXPECT_EQ(XmlText(event.body, "type"), is_disable ? "HOST_DISABLED" : "HOST_ENABLED");
        EXPECT_EQ(XmlText(event.body, "host_name"), VimHost());
    }
}

TEST_F(Hosts, TheSwitchSurvivesARestart) {
    ASSERT_EQ(Act("disable").status, 200);
    StartEscd();
    EXPECT_EQ(Status(), "DISABLED");
}

TEST_F(Hosts, MissingEventsHeaderIs400AndChangesNothing) {
    auto response = client_->Post("/v0/hosts/" + VimHost() + "/disable", "");
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(XmlText(response.body, "message").find("Callback-ESC-Events"), std::string::npos);
    EXPECT_EQ(Status(), "ENABLED");
    EXPECT_EQ(Count("hosts"), 0);
    EXPECT_EQ(Count("operations"), 0);
}

TEST_F(Hosts, AnUnreachableVimIs503) {
    StartEscd({"--vim.uri=test:///nonexistent/escd-no-such-host.xml"});
    EXPECT_EQ(client_->Get("/v0/hosts/" + VimHost() + "/status").status, 503);
}

TEST_F(Hosts, RefusedInMaintenanceMode) {
    ASSERT_EQ(client_->Post("/v0/operationmode/MAINTENANCE", "").status, 200);
    EXPECT_EQ(Act("disable").status, 503);
    EXPECT_EQ(Status(), "ENABLED");
}

}  // namespace
}  // namespace escd::test
