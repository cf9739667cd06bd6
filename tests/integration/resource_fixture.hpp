#pragma once
// Helpers for the resource-route tests: a mutation that waits for ITS callback (matched by
// transaction id), error checks, and a tenant to put resources in.

#include <string>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {

struct Completed {
    HttpResponse response;
    ReceivedRequest callback;  ///< empty (no headers) when none arrived in time
};

class ResourceTest : public EscdTest {
  protected:
    /// Sends a mutation with a Callback header; expects 200 and returns its callback.
    Completed Mutate(const std::string& method,
                     const std::string& path,
                     const std::string& body = {}) {
        return MutateVia(*client_, method, path, body);
    }

    /// Mutate through `via` (another escd node's client).
    Completed MutateVia(HttpClient& via,
                        const std::string& method,
                        const std::string& path,
                        const std::string& body = {}) {
        Completed done;
        done.response = via.Request(method, path, body, WithCallback());
        EXPECT_EQ(done.response.status, 200) << method << " " << path << ": " << done.response.body;
        if (done.response.status != 200) return done;
        const auto tx = done.response.Header("ESC-Transaction-Id");
        ++expected_callbacks_;
        for (const auto& callback :
             receiver_.WaitForDelivered(expected_callbacks_, callback_wait_)) {
            if (callback.Header("ESC-Transaction-Id") == tx) done.callback = callback;
        }
        EXPECT_FALSE(done.callback.headers.empty()) << "no callback for " << method << " " << path;
        return done;
    }

    void CreateTenantAndWait(const std::string& id) {
        auto done = Mutate("POST", "/v0/tenants/" + id, kTenantBody);
        ASSERT_EQ(done.callback.Header("ESC-Status-Code"), "200");
    }

    static void ExpectError(const HttpResponse& response, int status, const std::string& needle) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(XmlText(response.body, "status"), std::to_string(status)) << response.body;
        EXPECT_NE(XmlText(response.body, "message").find(needle), std::string::npos)
            << "message lacks '" << needle << "': " << response.body;
    }

    static void ExpectSuccess(const ReceivedRequest& callback,
                              const std::string& event,
                              const std::string& message) {
        EXPECT_EQ(callback.Header("ESC-Status-Code"), "200") << callback.body;
        EXPECT_EQ(callback.Header("ESC-Status-Message").substr(0, message.size()), message);
        EXPECT_EQ(XmlText(callback.body, "event_type"), event) << callback.body;
    }

    HttpResponse SetMode(const std::string& mode) {
        return client_->Post("/ESCManager/v0/operationmode/" + mode, "");
    }

    std::size_t expected_callbacks_ = 0;
};

inline std::string NetworkBody(const std::string& name) {
    return "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>" + name +
           "</name><shared>false</shared><admin_state_up>true</admin_state_up></network>";
}

inline std::string SubnetBody(const std::string& network,
                              const std::string& cidr,
                              const std::string& extra = {}) {
    return "<subnet xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>sub</name>"
           "<internal_network_id>" +
           network + "</internal_network_id><cidr>" + cidr + "</cidr>" + extra + "</subnet>";
}

}  // namespace escd::test
