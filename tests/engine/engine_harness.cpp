#include "tests/engine/engine_harness.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <pugixml.hpp>

#include "common/cidr.hpp"
#include "common/crypto.hpp"
#include "common/sync_wait.hpp"
#include "server/errors.hpp"
#include "server/handlers/deployment_handlers.hpp"
#include "server/handlers/migration_handlers.hpp"
#include "server/handlers/operation_mode_handlers.hpp"
#include "server/handlers/resource_handlers.hpp"
#include "server/handlers/snapshot_handlers.hpp"
#include "server/handlers/tenant_handlers.hpp"

namespace escd::test {
namespace {
using namespace std::chrono_literals;

std::filesystem::path MakeDataDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "escd-engine-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary directory");
    std::filesystem::create_directories(std::filesystem::path(pattern) / "files");
    return pattern;
}

orchestrator::NotifierOptions NotifierOptionsForTests() {
    orchestrator::NotifierOptions options;
    options.allowed = CidrList::Parse("127.0.0.0/8,::1/128");  // the receiver is on loopback
    // The retry waits run on the ManualClock; a row's stored next_attempt_at is wall-clock time,
    // and a wait is skipped once that is due. Far off, it never is within a test: only the
    // test's Advance ends a wait.
    options.backoff.initial = std::chrono::minutes(1);
    return options;
}

orchestrator::FetchOptions FetchOptionsBelow(const std::filesystem::path& data_dir) {
    orchestrator::FetchOptions options;
    options.root = (data_dir / "files").string();
    options.download_dir = (data_dir / "downloads").string();
    std::filesystem::create_directories(options.download_dir);
    return options;
}

// Callbacks whose `keep` holds, among every one delivered so far and those to come until
// `count` are there or `timeout` passed.
template <class Keep>
std::vector<ReceivedRequest> AwaitCallbacks(CallbackReceiver& receiver,
                                            Keep keep,
                                            std::size_t count,
                                            std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t want = 0;
    for (;;) {
        const auto left = std::max(std::chrono::milliseconds(0),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now()));
        const auto delivered = receiver.WaitForDelivered(want, left);
        std::vector<ReceivedRequest> kept;
        for (const auto& callback : delivered)
            if (keep(callback)) kept.push_back(callback);
        if (kept.size() >= count || std::chrono::steady_clock::now() >= deadline) return kept;
        want = delivered.size() + 1;  // woken by the next one
    }
}
}  // namespace

std::string XmlTextOf(const std::string& xml, const char* name) {
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) return "<malformed>";
    auto node = doc.select_node((std::string("//") + name).c_str());
    return node ? node.node().child_value() : "";
}

std::vector<std::string> StagesOf(const std::vector<ReceivedRequest>& callbacks) {
    std::vector<std::string> stages;
    for (const auto& callback : callbacks)
        stages.push_back(XmlTextOf(callback.body, "deployment_stage"));
    return stages;
}

EngineHarness::EngineHarness(const std::string& dsn,
                             std::shared_ptr<EngineWorld> world,
                             orchestrator::EngineOptions options,
                             const std::string& node_name)
    : world_(std::move(world)),
      vim_(world_->vim),
      receiver_(world_->receiver),
      data_dir_(MakeDataDir()),
      files_(data_dir_ / "files"),
      // One writer: each connection prepares every statement first (~60 ms in a Debug build),
      // and a test commits too little to need two.
      store_(dsn, 2, 1),
      stores_(store_.Roles()),
      notifier_(ioc_, stores_.operations, NotifierOptionsForTests(), clock_),
      fetcher_(file_pool_, FetchOptionsBelow(data_dir_)),
      mode_(stores_.settings),
      engine_(ioc_,
              stores_,
              blocking_pool_,
              vim_,
              notifier_,
              fetcher_,
              world_->guests,
              mode_,
              options,
              clock_) {
    SyncWait(mode_.Load());
    engine_.FollowVms(&vnf_hosts_);
    mode_.OnChange([this](orchestrator::Mode now) { engine_.OperationModeChanged(now); });
    server::handlers::RegisterTenantRoutes(router_, stores_.resources);
    server::handlers::RegisterResourceRoutes(router_, engine_, stores_.resources);
    server::handlers::RegisterDeploymentRoutes(router_,
                                               {engine_, stores_.resources, stores_.deployments});
    server::handlers::RegisterSnapshotRoutes(
        router_, {stores_.resources, stores_.deployments, stores_.snapshots});
    server::handlers::RegisterMigrationRoutes(
        router_, {vim_, stores_.resources, stores_.deployments, stores_.hosts});
    server::handlers::RegisterOperationModeRoutes(router_, mode_);
    SyncWait(stores_.nodes.RegisterNode(NewUuid(), node_name));
    work_.emplace(ioc_.get_executor());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
    asio::co_spawn(ioc_, engine_.Start(), asio::use_future).get();
}

EngineHarness::~EngineHarness() {
    // The VIM outlives this harness (EngineWorld): its events must not reach the monitor that
    // goes with it.
    vim_.SubscribeVmEvents({});
    engine_.Stop();
    if (!vnf_hosts_.WaitIdleForTest(10s)) ADD_FAILURE() << "escd's VNF hosts were still syncing";
    notifier_.Stop();
    vim_.HealAll();  // hung calls go on, so that their operations end
    // escd's graceful stop: the operations still running finish first (bounded, as escd's).
    if (!engine_.WaitDrained(10s)) {
        ADD_FAILURE() << engine_.Running() << " operation(s) still running after 10 s";
        // Waiting on the clock, which the test no longer moves: ended as cancelled, they unwind
        // while the engine they belong to still exists.
        clock_.CancelAll();
        if (!engine_.WaitDrained(10s)) ADD_FAILURE() << "nor once the clock's waits were ended";
    }
    work_.reset();
    ioc_.stop();
    for (auto& thread : threads_) thread.join();
    blocking_pool_.join();
    file_pool_.join();
    store_.Stop();
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
}

Answer EngineHarness::Send(http::verb method, const std::string& target, const std::string& body) {
    http::request<http::string_body> raw{method, target, 11};
    raw.set("Callback", receiver_.Url());
    raw.set("Callback-ESC-Events", receiver_.Url());
    if (!body.empty()) raw.set(http::field::content_type, "application/xml");
    raw.body() = body;
    raw.prepare_payload();
    const auto query_at = target.find('?');
    const auto relative = server::Router::StripBase(std::string_view(target).substr(0, query_at));
    if (!relative) return {404, "no such path: " + target, {}};
    server::Request request{raw,
                            std::string(*relative),
                            query_at == std::string::npos ? "" : target.substr(query_at + 1),
                            {}};
    auto match = router_.Find(method, request.path);
    if (!match.handler) return {match.path_known ? 405 : 404, "no route for " + target, {}};
    request.params = match.params;
    const server::Handler& handler = *match.handler;
    auto answered = asio::co_spawn(
        ioc_,
        [&]() -> asio::awaitable<server::Response> {
            std::exception_ptr failure;
            try {
                co_return co_await handler(request);
            } catch (...) {
                failure = std::current_exception();
            }
            co_return server::ResponseForException(failure, target);
        },
        asio::use_future);
    auto response = answered.get();
    // The server launches the work once the answer is written: a callback never overtakes it.
    if (response.follow_up) follow_ups_.Start(std::move(*response.follow_up));
    return {static_cast<int>(response.status), response.body, response.transaction_id};
}

std::string EngineHarness::Accept(http::verb method,
                                  const std::string& target,
                                  const std::string& body) {
    const auto answer = Send(method, target, body);
    EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
    return answer.status == 200 ? answer.transaction_id : std::string();
}

std::vector<ReceivedRequest> EngineHarness::CallbacksOf(const std::string& tx,
                                                        std::size_t count,
                                                        std::chrono::milliseconds timeout) {
    return AwaitCallbacks(
        receiver_,
        [&](const ReceivedRequest& callback) {
            return callback.Header("ESC-Transaction-Id") == tx;
        },
        count, timeout);
}

namespace {
// The `nth` callback whose element `name` is `value`, within `timeout`.
std::optional<ReceivedRequest> AwaitNth(CallbackReceiver& receiver,
                                        const char* name,
                                        const std::string& value,
                                        std::chrono::milliseconds timeout,
                                        std::size_t nth) {
    auto found = AwaitCallbacks(
        receiver,
        [&](const ReceivedRequest& callback) { return XmlTextOf(callback.body, name) == value; },
        nth + 1, timeout);
    if (found.size() <= nth) return std::nullopt;
    return found[nth];
}
}  // namespace

std::optional<ReceivedRequest> EngineHarness::AwaitStage(const std::string& stage,
                                                         std::chrono::milliseconds timeout,
                                                         std::size_t nth) {
    return AwaitNth(receiver_, "deployment_stage", stage, timeout, nth);
}

std::optional<ReceivedRequest> EngineHarness::AwaitEvent(const std::string& event_type,
                                                         std::chrono::milliseconds timeout,
                                                         std::size_t nth) {
    return AwaitNth(receiver_, "event_type", event_type, timeout, nth);
}

void EngineHarness::TakeOverPass() {
    asio::co_spawn(ioc_, engine_.TakeOver(), asio::use_future).get();
}

void EngineHarness::CreateTenantNetworkImageFlavor(const std::string& tenant) {
    std::ofstream(files_ / "vnf.qcow2") << std::string(8192, 'v');
    const std::vector<std::pair<std::string, std::string>> resources{
        {"/v0/tenants/" + tenant,
         "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>" + tenant +
             "</name></tenant>"},
        {"/v0/" + tenant + "/networks/mgmt",
         "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>mgmt</name>"
         "<shared>false</shared><admin_state_up>true</admin_state_up></network>"},
        // Answered by the FakePinger (no packet is sent): the VMs of a group with an ICMPPing
        // VM_ALIVE KPI are alive by it, the others by the VIM.
        {"/v0/" + tenant + "/subnets/mgmt-sub",
         "<subnet xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>sub</name>"
         "<internal_network_id>mgmt</internal_network_id><cidr>" +
             std::string(kTestSubnet) + "</cidr></subnet>"},
        {"/v0/images/vnf-img", "<image><name>vnf</name><src>file://" +
                                   (files_ / "vnf.qcow2").string() + "</src></image>"},
        {"/v0/flavors/small",
         "<flavor><name>small</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>"},
    };
    for (const auto& [target, body] : resources) {
        const auto tx = Accept(http::verb::post, target, body);
        const auto done = CallbacksOf(tx, 1);
        ASSERT_EQ(done.size(), 1u) << "no callback for " << target;
        ASSERT_EQ(done[0].Header("ESC-Status-Code"), "200") << target << ": " << done[0].body;
    }
}

std::string EngineHarness::DeploymentBody(const std::string& tenant,
                                          const std::string& name,
                                          int count,
                                          const std::string& group_extra) {
    const auto n = std::to_string(count);
    return "<esc_datamodel xmlns=\"http://www.cisco.com/esc/esc\"><tenants><tenant><name>" +
           tenant + "</name><deployments><deployment><name>" + name +
           "</name><vm_group><name>g1</name><image>vnf-img</image><flavor>small</flavor>"
           "<bootup_time>60</bootup_time><interfaces><interface><nicid>0</nicid>"
           "<network>mgmt</network></interface></interfaces><scaling><min_active>" +
           n + "</min_active><max_active>" + n + "</max_active><elastic>false</elastic></scaling>" +
           group_extra +
           "</vm_group></deployment></deployments></tenant></tenants></esc_datamodel>";
}

}  // namespace escd::test
