#include "vim/openstack/servers.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::vim::openstack {

namespace {
// Named sets: GCC 12 miscompiles a braced list passed to a coroutine inside co_await.
const std::set<int> kNone;
const std::set<int> kConflictOrGone{404, 409};

// Whether a server that Nova would not `action` (409) is where the action leads, or on its way.
bool AlreadyThere(const std::string& action, const Server& server) {
    if (action == "stop")
        return (server.status == "SHUTOFF" && server.task_state.empty()) ||
               server.task_state == "powering-off";
    if (action == "start")
        return (server.status == "ACTIVE" && server.task_state.empty()) ||
               server.task_state == "powering-on";
    return false;
}

// Sleeps the current poll pause (at most until `deadline`) and grows it for the next one.
asio::awaitable<void> Pause(std::chrono::milliseconds& pause,
                            std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    asio::steady_timer timer(co_await asio::this_coro::executor,
                             std::max(std::chrono::milliseconds(0), std::min(pause, left)));
    co_await timer.async_wait(asio::use_awaitable);
    pause = std::min(pause * 2, Servers::kLongestPoll);
}
}  // namespace

asio::awaitable<Server> Servers::CreateServer(ServerSpec spec, bool find_first) {
    if (find_first) {
        if (auto found = co_await FindServer(spec.name)) co_return std::move(*found);
    }
    const std::string version = spec.files.empty() ? std::string() : kFilesMicroversion;
    const auto answer = co_await session_.Call("compute", http::verb::post, "/servers",
                                               ServerBody(spec), kNone, version, kCreateDeadline);
    // The answer to a create holds the id (and links), not the server's description.
    Server server;
    server.id = IdIn(answer.body, "server");
    server.name = spec.name;
    server.status = "BUILD";
    server.config_drive = true;
    server.metadata = spec.metadata;
    ESCD_INFO("vim") << "created Nova server " << server.name << " " << server.id;
    co_return server;
}

asio::awaitable<std::optional<Server>> Servers::FindServer(std::string name) {
    auto servers = co_await FindServers(std::move(name));
    if (servers.empty()) co_return std::nullopt;
    co_return std::move(servers.front());
}

asio::awaitable<std::vector<Server>> Servers::FindServers(std::string name) {
    const auto answer = co_await session_.Call(
        "compute", http::verb::get,
        "/servers/detail?all_tenants=1&name=" + QueryValue(ExactNameRegex(name)));
    auto servers = ParseServers(answer.body);
    std::erase_if(servers,
                  [&name](const Server& server) { return server.name != name || server.Gone(); });
    co_return servers;
}

asio::awaitable<std::optional<Server>> Servers::GetServer(std::string id) {
    const auto answer = co_await session_.Call(
        "compute", http::verb::get, "/servers/" + QueryValue(id), std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    co_return ParseServer(answer.body);
}

asio::awaitable<std::vector<Server>> Servers::ListServers(std::string metadata_key,
                                                          std::string metadata_value) {
    // Nova filters no list on metadata: every project's servers (escd's VMs are in its tenants'
    // projects) are read and filtered here.
    std::vector<Server> out;
    std::string path = "/servers/detail?all_tenants=1";
    for (;;) {
        const auto answer = co_await session_.Call("compute", http::verb::get, path);
        auto servers = ParseServers(answer.body);
        for (auto& server : servers) {
            const auto value = server.metadata.find(metadata_key);
            if (value != server.metadata.end() && value->second == metadata_value)
                out.push_back(std::move(server));
        }
        const auto next = NextPageQuery(answer.body, "servers_links");
        if (next.empty()) break;
        path = "/servers/detail?" + next;
    }
    co_return out;
}

asio::awaitable<Server> Servers::WaitForStatus(std::string id,
                                               std::set<std::string> wanted,
                                               std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = kFirstPoll;
    for (;;) {
        auto server = co_await GetServer(id);
        if (!server) throw VimError(ErrorCode::kNotFound, "Nova has no server " + id);
        if (server->status == "ERROR" && !wanted.contains("ERROR"))
            throw VimError(ErrorCode::kVimError,
                           "Nova server " + server->name + " " + id + " failed: " +
                               (server->fault.empty() ? "status ERROR" : server->fault));
        if (wanted.contains(server->status) && server->task_state.empty())
            co_return std::move(*server);
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string states;
            for (const auto& status : wanted) states += (states.empty() ? "" : "|") + status;
            throw VimError(ErrorCode::kUnavailable,
                           "Nova server " + id + " is " + server->status +
                               (server->task_state.empty() ? "" : " (" + server->task_state + ")") +
                               ", not " + states + ", after " + std::to_string(timeout.count()) +
                               " ms");
        }
        co_await Pause(pause, deadline);
    }
}

asio::awaitable<void> Servers::Action(std::string id, std::string action) {
    const auto path = "/servers/" + QueryValue(id) + "/action";
    const auto answer = co_await session_.Call("compute", http::verb::post, path,
                                               ServerActionBody(action), kConflictOrGone);
    if (answer.status == 404) throw ApiError(answer, "POST compute " + path + " (" + action + ")");
    if (answer.status != 409) co_return;
    // Nova's 409 says "Cannot 'stop' instance ... while it is in vm_state stopped": the state
    // is checked, not the message, which is not part of the API.
    const auto server = co_await GetServer(id);
    if (!server) throw VimError(ErrorCode::kNotFound, "Nova has no server " + id);
    if (AlreadyThere(action, *server)) co_return;
    // A server Nova is still working on (a task state: rebooting, powering-on, ...) refuses
    // actions for a moment: the VIM is busy, and the operation is tried again later.
    if (!server->task_state.empty())
        throw VimError(ErrorCode::kUnavailable, "Nova is busy with server " + id + " (" +
                                                    server->task_state + "): cannot " + action +
                                                    " it now");
    throw ApiError(answer, "POST compute " + path + " (" + action + ")");
}

asio::awaitable<void> Servers::DeleteServer(std::string id, std::chrono::milliseconds timeout) {
    const auto path = "/servers/" + QueryValue(id);
    const auto answer = co_await session_.Call("compute", http::verb::delete_, path, std::string(),
                                               kGoneIsAnAnswer);
    if (answer.status == 404) co_return;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = kFirstPoll;
    for (;;) {
        const auto server = co_await GetServer(id);
        if (!server) break;
        if (std::chrono::steady_clock::now() >= deadline)
            throw VimError(ErrorCode::kUnavailable,
                           "Nova server " + id + " is still " + server->status + " " +
                               server->task_state + " " + std::to_string(timeout.count()) +
                               " ms after its delete" +
                               (server->fault.empty() ? "" : ": " + server->fault));
        co_await Pause(pause, deadline);
    }
    ESCD_INFO("vim") << "deleted Nova server " << id;
}

asio::awaitable<std::string> Servers::EnsureServerGroup(std::string name, std::string policy) {
    const auto answer = co_await session_.Call("compute", http::verb::get, "/os-server-groups");
    const auto groups = ParseServerGroups(answer.body);
    for (const auto& group : groups) {
        if (group.name != name) continue;
        if (group.policy == policy) co_return group.id;
        co_await DeleteServerGroup(group.id);
        ESCD_INFO("vim") << "deleted Nova server group " << name << " " << group.id << ": policy "
                         << group.policy << ", not " << policy;
    }
    const auto created = co_await session_.Call("compute", http::verb::post, "/os-server-groups",
                                                ServerGroupBody(name, policy));
    auto group = ParseServerGroup(created.body);
    ESCD_INFO("vim") << "created Nova server group " << name << " " << group.id << " " << policy;
    co_return group.id;
}

asio::awaitable<std::optional<ServerGroup>> Servers::GetServerGroup(std::string id) {
    const auto answer =
        co_await session_.Call("compute", http::verb::get, "/os-server-groups/" + QueryValue(id),
                               std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    co_return ParseServerGroup(answer.body);
}

asio::awaitable<void> Servers::DeleteServerGroup(std::string id) {
    co_await session_.Call("compute", http::verb::delete_, "/os-server-groups/" + QueryValue(id),
                           std::string(), kGoneIsAnAnswer);
}

}  // namespace escd::vim::openstack
