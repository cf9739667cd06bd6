#pragma once
/// @file
/// escd's engine in the test's own process (docs/architecture.md, "The fake VIM and in-process
/// engine tests"): the real PostgreSQL store on the test's database, the real Notifier,
/// FileFetcher and OperationMode, the routes of the real handlers, and the Engine, wired as
/// server/main.cpp wires them, with a vim::FakeVim as the VIM, a FakePinger as the guests'
/// answers to ICMPPing KPIs, and the callbacks going to a CallbackReceiver on loopback. Requests go
/// through the router to the handlers (validation, the role stores' Accept*, then Engine::Launch
/// once "answered"), without a socket.
///
/// Every timer of the engine and of the notifier takes the injected clock (common/clock.hpp):
/// here a ManualClock the test advances, so that a bootup_time, a poll period or a retry's
/// backoff passes in no real time.
/// The io_context runs on two threads of the harness (the engine's strands are exercised); the
/// test thread sends requests and awaits what it expects (callbacks, the fake's state) with
/// blocking waits that wake on the event, never on a sleep.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/asio.hpp"
#include "common/clock.hpp"
#include "model/store/pg/pg_store.hpp"
#include "model/stores/stores.hpp"
#include "orchestrator/csm/vnf_hosts.hpp"
#include "orchestrator/engine/engine.hpp"
#include "orchestrator/engine/operation_mode.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "orchestrator/resources/file_fetcher.hpp"
#include "server/handlers/mutation.hpp"
#include "server/router.hpp"
#include "tests/engine/fake_pinger.hpp"
#include "tests/support/callback_receiver.hpp"
#include "vim/fake/fake_vim.hpp"

namespace escd::test {

/// What the "server" answered a request.
struct Answer {
    int status = 0;
    std::string body;
    std::string transaction_id;  ///< ESC-Transaction-Id of an accepted mutation
};

/// The text of the first element named `name` anywhere in `xml` ("" if none).
std::string XmlTextOf(const std::string& xml, const char* name);
/// The deployment_stage of each callback, in order.
std::vector<std::string> StagesOf(const std::vector<ReceivedRequest>& callbacks);

/// The subnet CreateTenantNetworkImageFlavor makes; the FakePinger answers for its addresses.
inline constexpr const char* kTestSubnet = "10.77.0.0/24";

/// What outlives an escd process: its VIM, its VMs' guests and the client's callback receiver.
/// A restart test stops one harness and starts another on the same database and the same world.
struct EngineWorld {
    vim::FakeVim vim;
    FakePinger guests{CidrList::Parse(kTestSubnet)};
    CallbackReceiver receiver;
};

class EngineHarness {
  public:
    /// Wires and starts everything on the database `dsn` (escd's schema in it) and `world` (a
    /// new one by default); returns once the engine's start-up (reconciliation, resumption) is
    /// done. `options.paused_for_test`: operations are accepted, not run (until a restart).
    /// `node_name`: the node it is (docs/cluster.md); a harness named like an earlier one on
    /// the same database succeeds it, as a restarted escd does.
    explicit EngineHarness(const std::string& dsn,
                           std::shared_ptr<EngineWorld> world = std::make_shared<EngineWorld>(),
                           orchestrator::EngineOptions options = {},
                           const std::string& node_name = "engine-harness");
    /// Stops the engine as escd's graceful stop does: no new operation, running ones finish
    /// (the fake's hangs are released; awaited on Engine::WaitDrained), then the io_context
    /// ends.
    ~EngineHarness();
    EngineHarness(const EngineHarness&) = delete;
    EngineHarness& operator=(const EngineHarness&) = delete;

    const std::shared_ptr<EngineWorld>& world() const { return world_; }
    vim::FakeVim& vim() { return vim_; }
    /// Whether a VM's address answers the ICMPPing KPI.
    FakePinger& guests() { return world_->guests; }
    CallbackReceiver& receiver() { return receiver_; }
    orchestrator::Notifier& notifier() { return notifier_; }
    const model::Stores& stores() const { return stores_; }
    orchestrator::Engine& engine() { return engine_; }
    orchestrator::csm::VnfHosts& vnf_hosts() { return vnf_hosts_; }
    /// The engine's clock (common/clock.hpp): its timers that use it wait until the test
    /// advances it.
    ManualClock& clock() { return clock_; }
    /// file:// sources (images) must lie below it.
    const std::filesystem::path& files() const { return files_; }

    /// `method` `target` (e.g. "/v0/deployments/d1") through the router to its handler, with
    /// the receiver as Callback and Callback-ESC-Events; an accepted operation is launched after
    /// the answer, as the server does once it has written it.
    Answer Send(http::verb method, const std::string& target, const std::string& body = {});
    /// Sends and expects 200: the transaction id ("" and a test failure otherwise).
    std::string Accept(http::verb method, const std::string& target, const std::string& body = {});

    /// The callbacks of transaction `tx`, once `count` of them arrived (fewer after `timeout`).
    std::vector<ReceivedRequest> CallbacksOf(
        const std::string& tx,
        std::size_t count,
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// The callback number `nth` (0: the first) of any transaction with `stage` as
    /// deployment_stage, among all so far and those to come within `timeout`; nullopt if none.
    std::optional<ReceivedRequest> AwaitStage(
        const std::string& stage,
        std::chrono::milliseconds timeout = std::chrono::seconds(10),
        std::size_t nth = 0);

    /// The same for the callbacks with `event_type` (a VM operation's: VM_REBOOT_COMPLETE, ...).
    std::optional<ReceivedRequest> AwaitEvent(
        const std::string& event_type,
        std::chrono::milliseconds timeout = std::chrono::seconds(10),
        std::size_t nth = 0);

    /// One pass of the takeover a node runs every heartbeat (Engine::TakeOver), now.
    void TakeOverPass();

    /// A tenant, network + subnet, image (a file below files()) and flavor, each accepted and
    /// finished (its callback awaited): what a deployment of DeploymentBody() needs.
    void CreateTenantNetworkImageFlavor(const std::string& tenant);
    /// A datamodel of deployment `name` in `tenant`: one vm_group "g1" of `count` VMs of the
    /// image, flavor and network above; `group_extra` goes inside the group.
    static std::string DeploymentBody(const std::string& tenant,
                                      const std::string& name,
                                      int count,
                                      const std::string& group_extra = {});

  private:
    std::shared_ptr<EngineWorld> world_;
    vim::FakeVim& vim_;
    CallbackReceiver& receiver_;
    std::filesystem::path data_dir_;
    std::filesystem::path files_;
    model::pg::PgStore store_;
    model::Stores stores_;
    asio::io_context ioc_{2};
    asio::thread_pool blocking_pool_{2};
    asio::thread_pool file_pool_{2};
    ManualClock clock_;
    orchestrator::Notifier notifier_;
    orchestrator::FileFetcher fetcher_;
    orchestrator::OperationMode mode_;
    orchestrator::Engine engine_;
    /// escd's VNFs as CSM hosts, as server/main.cpp wires them; discovery may reach no device.
    orchestrator::csm::HostDiscovery host_discovery_{ioc_.get_executor(), stores_.csm, {}};
    orchestrator::csm::VnfHosts vnf_hosts_{ioc_.get_executor(), stores_.csm, host_discovery_};
    server::handlers::EngineFollowUps follow_ups_{engine_, notifier_};
    server::Router router_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
};

}  // namespace escd::test
