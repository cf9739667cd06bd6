// OpenStackAdapter, the vim::Vim of an OpenStack VIM: its construction (the clients of the
// OpenStack services and the shared server poller), the helpers the capabilities share (an id
// looked up by name, when a VM was last changed), Nova's compute hosts (ListHosts), the
// connection (CheckStatus, Reconnect), VM events (from the server poller), and what this VIM
// does not offer yet (snapshots, migration). Tenants, networks, volumes, images, flavors and
// routers are in openstack_resources.cpp; VMs, their NICs and statistics in
// openstack_compute.cpp.

#include "vim/openstack/openstack_adapter.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "common/error.hpp"
#include "vim/openstack/json_fields.hpp"
#include "vim/openstack/server_metadata.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
using Clock = ServerPoller::Clock;
}  // namespace

OpenStackAdapter::OpenStackAdapter(ApiClient& client,
                                   Credentials credentials,
                                   OpenStackOptions options,
                                   asio::any_io_executor executor,
                                   asio::thread_pool& files)
    : options_(std::move(options)),
      files_(files),
      client_(client),
      session_(client, std::move(credentials)),
      neutron_(session_),
      nova_(session_),
      glance_(session_, files),
      cinder_(session_),
      projects_(session_),
      ports_(session_),
      routers_(session_),
      servers_(session_),
      poller_(
          std::move(executor),
          [this]() { return servers_.ListServers(kInstanceKey, options_.instance_id); },
          options_.poll_period) {}

OpenStackAdapter::~OpenStackAdapter() {
    poller_.Stop();
}

asio::awaitable<std::optional<std::string>> OpenStackAdapter::IdByName(std::string service,
                                                                       std::string path,
                                                                       std::string collection,
                                                                       std::string name) {
    const auto answer = co_await session_.Call(service, http::verb::get, path);
    boost::system::error_code ec;
    auto parsed = json::parse(answer.body, ec);
    if (ec || !parsed.is_object()) co_return std::nullopt;
    const auto* list = parsed.as_object().if_contains(collection);
    if (!list || !list->is_array()) co_return std::nullopt;
    for (const auto& item : list->as_array())
        if (StringAt(item, "name") == name) co_return StringAt(item, "id");
    co_return std::nullopt;
}

void OpenStackAdapter::Touch(const std::string& name) {
    std::lock_guard lock(mutex_);
    touched_[name] = Clock::now();
}

Clock::time_point OpenStackAdapter::TouchedAt(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = touched_.find(name);
    return it == touched_.end() ? Clock::time_point{} : it->second;
}

// --- hosts -----------------------------------------------------------------------------------

asio::awaitable<std::vector<std::string>> OpenStackAdapter::ListHosts() {
    {
        std::lock_guard lock(mutex_);
        if (hosts_) co_return *hosts_;
    }
    // Those that asked meanwhile wait for the first answer instead of asking Nova too.
    co_await hosts_lock_.Lock();
    const AsyncMutex::Unlocker unlock(hosts_lock_);
    {
        std::lock_guard lock(mutex_);
        if (hosts_) co_return *hosts_;
    }
    // Nova's compute services (admin): the hosts a server can be placed on with zone:host.
    const auto answer =
        co_await session_.Call("compute", http::verb::get, "/os-services?binary=nova-compute");
    std::vector<std::string> hosts;
    boost::system::error_code ec;
    auto parsed = json::parse(answer.body, ec);
    if (!ec && parsed.is_object()) {
        if (const auto* services = parsed.as_object().if_contains("services");
            services && services->is_array()) {
            for (const auto& service : services->as_array())
                if (auto host = StringAt(service, "host"); !host.empty())
                    hosts.push_back(std::move(host));
        }
    }
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    std::lock_guard lock(mutex_);
    hosts_ = hosts;
    co_return hosts;
}

// --- not on this VIM yet ---------------------------------------------------------------------

asio::awaitable<void> OpenStackAdapter::CreateVmSnapshot(const SnapshotRequest&) {
    throw VimError(ErrorCode::kNotImplemented, "VM snapshots are not supported on OpenStack VIMs");
    co_return;
}

asio::awaitable<void> OpenStackAdapter::RevertVmSnapshot(const std::string&,
                                                         const std::string&,
                                                         bool) {
    throw VimError(ErrorCode::kNotImplemented, "VM snapshots are not supported on OpenStack VIMs");
    co_return;
}

asio::awaitable<void> OpenStackAdapter::DeleteVmSnapshot(const std::string&, const std::string&) {
    co_return;  // none were taken: the goal state holds
}

asio::awaitable<SnapshotVolume> OpenStackAdapter::CreateVolumeFromSnapshot(
    const SnapshotVolumeRequest&) {
    throw VimError(ErrorCode::kNotImplemented, "VM snapshots are not supported on OpenStack VIMs");
    co_return SnapshotVolume{};
}

asio::awaitable<VmInfo> OpenStackAdapter::MigrateVm(const MigrationRequest&) {
    throw VimError(ErrorCode::kNotImplemented, "VM migration is not supported on OpenStack VIMs");
    co_return VmInfo{};
}

// --- connection ------------------------------------------------------------------------------

asio::awaitable<VimStatus> OpenStackAdapter::CheckStatus() {
    try {
        co_await session_.keystone().Current();
        const auto& c = session_.keystone().credentials();
        co_return VimStatus{
            true, "authenticated to " + c.auth_url + " as " + c.user + " in project " + c.project};
    } catch (const std::exception& e) {
        co_return VimStatus{false, e.what()};
    }
}

asio::awaitable<VimStatus> OpenStackAdapter::Reconnect() {
    session_.keystone().Invalidate();
    co_return co_await CheckStatus();
}

bool OpenStackAdapter::SubscribeVmEvents(VmEventHandler handler) {
    poller_.Subscribe(std::move(handler));
    return true;
}

}  // namespace escd::vim::openstack
