// The OpenStack adapter's HTTP client (vim/openstack/api_client.hpp) on the wire, against real
// HTTP servers on loopback: the callback receiver standing in for any REST endpoint, a socket
// that accepts and never answers, a port nobody listens on. (The OpenStack services themselves
// are the openstack-labelled tests'.)

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "common/asio.hpp"
#include "tests/support/callback_receiver.hpp"
#include "vim/openstack/api_client.hpp"

namespace escd::test {
namespace {
using vim::openstack::ApiClient;
using vim::openstack::ApiRequest;
using vim::openstack::ApiResponse;

// Runs one Send on a fresh io_context; rethrows what it threw.
ApiResponse SendNow(const ApiRequest& request, std::chrono::milliseconds deadline) {
    asio::io_context ioc;
    ssl::context tls(ssl::context::tls_client);
    ApiClient client(tls, deadline, CidrList::Parse("127.0.0.0/8,::1/128"));
    std::promise<ApiResponse> result;
    asio::co_spawn(ioc, client.Send(request), [&](std::exception_ptr e, ApiResponse response) {
        if (e) {
            result.set_exception(e);
        } else {
            result.set_value(std::move(response));
        }
    });
    ioc.run();
    return result.get_future().get();
}

TEST(OpenStackApiClient, SendsTheRequestWithJsonAndClosesTheConnection) {
    CallbackReceiver server;
    server.SetResponseStatus(202);
    ApiRequest request;
    request.method = http::verb::post;
    request.url = server.Url("/v2.1/servers?x=1");
    request.body = R"({"server": {"name": "vm"}})";
    request.headers = {{"X-Auth-Token", "tok"}, {"OpenStack-API-Version", "compute 2.67"}};
    const auto response = SendNow(request, std::chrono::seconds(5));
    EXPECT_EQ(response.status, 202);
    EXPECT_TRUE(response.Ok());

    const auto got = server.WaitForDelivered(1, std::chrono::seconds(5));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].method, "POST");
    EXPECT_EQ(got[0].target, "/v2.1/servers?x=1");
    EXPECT_EQ(got[0].body, request.body);
    EXPECT_EQ(got[0].Header("X-Auth-Token"), "tok");
    EXPECT_EQ(got[0].Header("OpenStack-API-Version"), "compute 2.67");
    EXPECT_EQ(got[0].Header("Content-Type"), "application/json");
    EXPECT_EQ(got[0].Header("Accept"), "application/json");
    // Keystone under uwsgi resets reused connections: every call says it closes.
    EXPECT_EQ(got[0].Header("Connection"), "close");
}

TEST(OpenStackApiClient, AFailedAnswerIsReturnedNotThrown) {
    CallbackReceiver server;
    server.SetResponseStatus(409);
    ApiRequest request;
    request.method = http::verb::delete_;
    request.url = server.Url("/v2.0/ports/p1");
    const auto response = SendNow(request, std::chrono::seconds(5));
    EXPECT_EQ(response.status, 409);
    EXPECT_FALSE(response.Ok());
    EXPECT_EQ(vim::openstack::ApiError(response, "DELETE port").code(), ErrorCode::kConflict);
}

TEST(OpenStackApiClient, NoAnswerIsVimUnavailable) {
    // Nobody listens: refused at once.
    std::uint16_t free_port = 0;
    {
        asio::io_context ioc;
        tcp::acceptor probe(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        free_port = probe.local_endpoint().port();
    }
    ApiRequest refused;
    refused.url = "http://127.0.0.1:" + std::to_string(free_port) + "/v3";
    try {
        SendNow(refused, std::chrono::seconds(5));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
        EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos) << e.what();
    }

    // Accepted, never answered: the deadline ends it.
    asio::io_context ioc;
    tcp::acceptor silent(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    ApiRequest hanging;
    hanging.url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/v3";
    const auto started = std::chrono::steady_clock::now();
    try {
        SendNow(hanging, std::chrono::milliseconds(300));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
        EXPECT_NE(std::string(e.what()).find("read"), std::string::npos) << e.what();
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));

    // An address outside openstack.allowed_cidrs is never called.
    ApiRequest outside;
    outside.url = "http://192.0.2.10:5000/v3/auth/tokens";
    try {
        SendNow(outside, std::chrono::seconds(1));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
        EXPECT_NE(std::string(e.what()).find("openstack.allowed_cidrs"), std::string::npos)
            << e.what();
    }

    ApiRequest bad;
    bad.url = "ftp://127.0.0.1/x";
    try {
        SendNow(bad, std::chrono::seconds(1));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest) << e.what();
    }
}

}  // namespace
}  // namespace escd::test
