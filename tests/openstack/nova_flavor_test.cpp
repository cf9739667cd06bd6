// escd's flavors on the real Nova of tests/openstack/up.sh (vim/openstack/nova.hpp): made once
// with the asked size, found again by name, deleted, each checked through the Nova API.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "common/asio.hpp"
#include "tests/openstack/os_test_env.hpp"
#include "vim/openstack/nova.hpp"

namespace escd::test {
namespace {
using namespace vim::openstack;

TEST(OpenStackNova, AFlavorIsMadeOnceWithItsSizeAndDeleted) {
    if (const auto why = WhyNoOpenStack(); !why.empty()) GTEST_SKIP() << why;
    ssl::context tls(ssl::context::tls_client);
    ApiClient client(tls, std::chrono::seconds(30), CidrList::Parse("127.0.0.0/8,::1/128"));
    Session session(client, TestCredentials());
    Nova nova(session);
    const vim::FlavorRequest request{"fl" + std::to_string(::getpid()), "small", 2, 256, 1024, 0};

    const auto id = RunNow<std::string>([&] { return nova.EnsureFlavor(request); });
    EXPECT_EQ(RunNow<std::string>([&] { return nova.EnsureFlavor(request); }), id) << "made once";
    const auto shown = RunNow<ApiResponse>(
        [&] { return session.Call("compute", http::verb::get, "/flavors/" + id); });
    const auto flavor = boost::json::parse(shown.body).at("flavor");
    EXPECT_EQ(flavor.at("name").as_string(), "escd-" + request.internal_id);
    EXPECT_EQ(flavor.at("vcpus").as_int64(), 2);
    EXPECT_EQ(flavor.at("ram").as_int64(), 256);
    EXPECT_EQ(flavor.at("disk").as_int64(), 1);

    RunNow<int>([&]() -> asio::awaitable<int> {
        co_await nova.DeleteFlavor(id);
        co_await nova.DeleteFlavor(id);  // gone already: done
        co_return 0;
    });
    EXPECT_FALSE(
        RunNow<std::optional<std::string>>([&] { return nova.FindFlavor(request.internal_id); }));
}

}  // namespace
}  // namespace escd::test
