// Deployments that run at the same time on one network: every VM gets an address of its own at
// the first attempt. Each deployment allocates on its own strand; before the allocations were
// claimed in memory, two of them read the same free address and the second commit failed on
// ip_allocations' primary key, its operation aborted and relaunched after a back-off.

#include <future>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/deployment_fixture.hpp"

namespace escd::test {
namespace {

class ConcurrentDeployments : public DeploymentTest {};

TEST_F(ConcurrentDeployments, ShareOneNetworkWithoutAddressConflicts) {
    constexpr int kDeployments = 8;  // 16 VMs in mgmt's 127.10.0.0/24
    // A client per thread, so the POSTs arrive together and their workflows allocate at once.
    std::vector<std::future<HttpResponse>> posts;
    for (int i = 0; i < kDeployments; ++i) {
        const auto id = "par" + std::to_string(i);
        posts.push_back(std::async(std::launch::async, [this, id] {
            auto client = escd_->Client();
            return client.Post("/v0/deployments/" + id, DatamodelOf("ten", id, Group("g1", 2, 2)),
                               WithCallback());
        }));
    }
    std::set<std::string> transactions;
    for (auto& post : posts) {
        const auto answer = post.get();
        ASSERT_EQ(answer.status, 200) << answer.body;
        transactions.insert(answer.Header("ESC-Transaction-Id"));
    }

    // VM_DEPLOYED twice, VM_ALIVE twice, SERVICE_ALIVE per deployment.
    const auto callbacks =
        receiver_.WaitForDelivered(expected_callbacks_ + 5 * kDeployments, kCallbackWait);
    std::set<std::string> addresses;
    int alive = 0;
    for (const auto& cb : callbacks) {
        if (!transactions.contains(cb.Header("ESC-Transaction-Id"))) continue;
        const auto stage = XmlText(cb.body, "deployment_stage");
        if (stage == "VM_DEPLOYED") {
            EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
            addresses.insert(XmlText(cb.body, "ip_address"));
        } else if (stage == "SERVICE_ALIVE") {
            EXPECT_EQ(cb.Header("ESC-Status-Code"), "200") << cb.body;
            ++alive;
        }
    }
    EXPECT_EQ(alive, kDeployments);
    EXPECT_EQ(addresses.size(), 2u * kDeployments);
    EXPECT_EQ(Count("ip_allocations"), 2 * kDeployments);
    EXPECT_EQ(escd_->Log().find(" aborted: "), std::string::npos)
        << "an operation was aborted and relaunched";
}

}  // namespace
}  // namespace escd::test
