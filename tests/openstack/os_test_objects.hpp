#pragma once
// What the OpenStack tests of ports, routers and servers share: unique names on a control plane
// other tests use at the same time, raw API calls to check what the adapter made, and a tiny
// Glance image for Nova's imageRef (made with raw calls: the adapter's Glance module is not
// these tests' subject).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/session.hpp"

namespace escd::test {

/// Runs the coroutine `make()` returns (one without a value) to completion.
template <class Make>
void RunVoid(Make make) {
    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await make();
        co_return 0;
    });
}

/// Runs a clean-up coroutine; a failure is reported and the next clean-up step still runs.
template <class Make>
void CleanUp(Make make) {
    try {
        RunVoid(make);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "clean-up failed: " << e.what();
    }
}

/// A call through `session`, its answer parsed ("null" for an empty body); `accepted` as in
/// Session::Call.
inline boost::json::value Api(vim::openstack::Session& session,
                              std::string service,
                              http::verb method,
                              std::string path,
                              std::string body = {},
                              std::set<int> accepted = {},
                              int* status = nullptr) {
    const auto answer = RunNow<vim::openstack::ApiResponse>(
        [&] { return session.Call(service, method, path, body, accepted); });
    if (status) *status = answer.status;
    return answer.body.empty() ? boost::json::value() : boost::json::parse(answer.body);
}

/// A private Glance image of a few bytes (raw), `active`; deleted with the object.
class TestImage {
  public:
    TestImage(vim::openstack::ApiClient& client,
              vim::openstack::Session& session,
              const std::string& name)
        : session_(session) {
        const auto made =
            Api(session, "image", http::verb::post, "/v2/images",
                boost::json::serialize(boost::json::object{{"name", name},
                                                           {"disk_format", "raw"},
                                                           {"container_format", "bare"},
                                                           {"visibility", "private"}}));
        id_ = made.at("id").as_string().c_str();
        // The upload is octet-stream, which Session::Call does not send: the client directly.
        const auto token =
            RunNow<vim::openstack::Token>([&] { return session.keystone().Current(); });
        const auto endpoint =
            RunNow<std::string>([&] { return session.keystone().Endpoint("image"); });
        vim::openstack::ApiRequest upload;
        upload.method = http::verb::put;
        upload.url = endpoint + "/v2/images/" + id_ + "/file";
        upload.content_type = "application/octet-stream";
        upload.body = "escd test image";
        upload.headers = {{"X-Auth-Token", token.id}};
        const auto uploaded =
            RunNow<vim::openstack::ApiResponse>([&] { return client.Send(upload); });
        EXPECT_EQ(uploaded.status, 204) << uploaded.body;
        // Glance's file store writes the data within the PUT: the image is active when it returns.
        const auto shown = Api(session, "image", http::verb::get, "/v2/images/" + id_);
        EXPECT_EQ(shown.at("status").as_string(), "active");
    }
    ~TestImage() {
        try {
            const std::set<int> gone{404};
            Api(session_, "image", http::verb::delete_, "/v2/images/" + id_, {}, gone);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "image " << id_ << " not deleted: " << e.what();
        }
    }
    TestImage(const TestImage&) = delete;
    TestImage& operator=(const TestImage&) = delete;

    const std::string& id() const { return id_; }

  private:
    vim::openstack::Session& session_;
    std::string id_;
};

}  // namespace escd::test
