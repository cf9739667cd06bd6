#include "orchestrator/csm/host_discovery.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "orchestrator/csm/exr_text.hpp"

namespace escd::orchestrator::csm {

asio::awaitable<ConnectionPlan> PlanFor(model::CsmStore& store,
                                        const model::csm::Host& host,
                                        const DeviceAccess& access) {
    std::optional<model::csm::JumpHost> jump_host;
    if (!host.jump_host.empty()) {
        const std::optional<std::string> name = host.jump_host;
        auto jump_hosts = co_await store.ListJumpHosts(name);
        if (jump_hosts.empty()) {
            throw Error(ErrorCode::kBadRequest,
                        "Jump host '" + host.jump_host + "' does not exist in the database.");
        }
        jump_host = std::move(jump_hosts.front());
    }
    auto plan = MakeConnectionPlan(host, jump_host, access.connect_timeout);
    plan.allowed_addresses = access.allowed_addresses;
    co_return plan;
}

asio::awaitable<model::csm::DeviceFacts> ReadFacts(DeviceSession& session,
                                                   std::chrono::milliseconds deadline) {
    const auto version = co_await session.Command("show version", deadline);
    const auto inventory = co_await session.Command("show inventory", deadline);
    co_return FactsFrom(version, inventory);
}

HostDiscovery::HostDiscovery(asio::any_io_executor executor,
                             model::CsmStore& store,
                             DeviceAccess access)
    : executor_(std::move(executor)), store_(store), access_(std::move(access)) {}

asio::awaitable<model::csm::Host> HostDiscovery::Discover(const std::string& hostname) {
    auto host = co_await store_.GetHost(hostname);
    if (!host) {
        throw Error(ErrorCode::kNotFound,
                    "Host '" + hostname + "' does not exist in the database.");
    }
    const auto plan = co_await PlanFor(store_, *host, access_);
    // Kept in memory: a discovery has no job, hence no log directory; a failure says why.
    Transcript transcript;
    DeviceConnector connector(executor_);
    auto session = co_await connector.Connect(plan, transcript);
    host->facts = co_await ReadFacts(*session, access_.command_timeout);
    co_await session->Close();
    co_await store_.SetHostFacts(hostname, host->facts);
    co_return *host;
}

void HostDiscovery::DiscoverSoon(std::string hostname) {
    asio::co_spawn(
        asio::make_strand(executor_),
        [this, hostname = std::move(hostname)]() -> asio::awaitable<void> {
            try {
                const auto host = co_await Discover(hostname);
                ESCD_INFO("csm") << "discovered " << hostname << ": " << host.facts.family << " "
                                 << host.facts.os_type << " " << host.facts.software_version;
            } catch (const std::exception& e) {
                ESCD_WARN("csm") << "discovery of " << hostname << " failed: " << e.what();
            }
        },
        asio::detached);
}

void HostDiscovery::DiscoverWhenUp(std::string hostname, std::chrono::seconds within) {
    asio::co_spawn(
        asio::make_strand(executor_),
        [this, hostname = std::move(hostname), within]() -> asio::awaitable<void> {
            using std::chrono::steady_clock;
            const auto deadline = steady_clock::now() + within;
            auto pause = std::chrono::seconds(2);
            for (int attempt = 1;; ++attempt) {
                std::string failure;
                bool again = false;
                try {
                    const auto host = co_await Discover(hostname);
                    ESCD_INFO("csm") << "discovered " << hostname << " (attempt " << attempt
                                     << "): " << host.facts.family << " " << host.facts.os_type
                                     << " " << host.facts.software_version;
                    co_return;
                } catch (const DeviceError& e) {
                    failure = e.what();
                    again = e.failure() == DeviceFailure::kUnreachable ||
                            e.failure() == DeviceFailure::kTimeout ||
                            e.failure() == DeviceFailure::kDisconnected;
                } catch (const std::exception& e) {
                    failure = e.what();
                }
                if (!again || steady_clock::now() + pause > deadline) {
                    ESCD_WARN("csm") << "discovery of " << hostname << " failed (attempt "
                                     << attempt << "): " << failure;
                    co_return;
                }
                asio::steady_timer timer(co_await asio::this_coro::executor, pause);
                co_await timer.async_wait(asio::use_awaitable);
                pause = std::min(pause * 2, std::chrono::seconds(30));
            }
        },
        asio::detached);
}

}  // namespace escd::orchestrator::csm
