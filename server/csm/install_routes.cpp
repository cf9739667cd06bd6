#include "server/csm/install_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include "common/offload.hpp"
#include "common/zip_writer.hpp"
#include "orchestrator/csm/job_log.hpp"
#include "server/csm/csm_answers.hpp"
#include "server/csm/csm_json_text.hpp"
#include "server/csm/install_json.hpp"
#include "server/query.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::csm::InstallAction;
using model::csm::InstallJob;
using model::csm::JobStatus;
using model::csm::TimePoint;

// A job created earlier in the same request: what a later item's dependency may name.
struct CreatedJob {
    std::string hostname;
    InstallAction action;
    TimePoint scheduled_time;
    std::int64_t id;
};

std::string JobReferenceMessage(const model::MissingReference& missing) {
    switch (missing.kind) {
        case model::MissingReference::Kind::kHost:
            return InvalidHostnameMessage(missing.name);
        case model::MissingReference::Kind::kServerRepository:
            return InvalidServerRepositoryMessage(missing.name);
        case model::MissingReference::Kind::kCommandProfile:
            return InvalidCommandProfileMessage(missing.name);
        case model::MissingReference::Kind::kRegion:
        case model::MissingReference::Kind::kJumpHost:
            break;  // a job names neither
    }
    return "'" + missing.name + "' does not exist in the database.";
}

/// At most `limit` + 1 bytes of `in`: enough for the zip to see that a file does not fit,
/// without holding a file of any size in memory.
std::string ReadJobLogFile(std::ifstream& in, std::uint64_t limit) {
    std::string bytes;
    std::array<char, 64 * 1024> chunk{};
    while (bytes.size() <= limit && in.read(chunk.data(), chunk.size()).gcount() > 0)
        bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    return bytes;
}

/// The zip CSM answered for a job's logs: every regular file of its directory, by name, stored
/// flat; nullopt when the directory has no session.log (the job never started). Subdirectories
/// and symbolic links are left out: the directory is shared by the nodes, and a link could
/// lead anywhere on the node that answers. Blocking (run on the pool). Throws ZipTooLarge past
/// the writer's cap.
std::optional<std::string> ZipJobLogDirectory(const std::filesystem::path& directory) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto session_log = fs::symlink_status(directory / orchestrator::csm::kSessionLogName, ec);
    if (session_log.type() != fs::file_type::regular) return std::nullopt;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.symlink_status().type() == fs::file_type::regular) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return a.filename().native() < b.filename().native();
    });
    ZipWriter zip;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        const auto modified = fs::last_write_time(file, ec);
        // A running job may remove a file after the listing: one that is gone is not there.
        if (ec == std::errc::no_such_file_or_directory) continue;
        if (!in || ec) throw std::runtime_error("cannot read " + file.string());
        const auto mtime = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
            std::chrono::file_clock::to_sys(modified));
        zip.Add(file.filename().native(), ReadJobLogFile(in, zip.room()), mtime);
    }
    return zip.Finish();
}

class InstallRoutes {
  public:
    explicit InstallRoutes(InstallRouteDeps deps) : deps_(std::move(deps)) {}

    asio::awaitable<Response> Create(const Request& request);
    asio::awaitable<Response> List(const Request& request);
    asio::awaitable<Response> Delete(const Request& request);
    asio::awaitable<Response> Logs(const Request& request);

  private:
    /// Phase 1's checks that need the store; the item's message or nullopt.
    asio::awaitable<std::optional<std::string>> StoreCheck(const InstallItem& item);
    /// The id the item's job depends on (nullopt: none), or the message why it cannot be made.
    asio::awaitable<std::variant<std::optional<std::int64_t>, std::string>> DependencyOf(
        const InstallItem& item, TimePoint scheduled_time, const std::vector<CreatedJob>& created);
    /// The jobs of `hostname` (any host when none) with `status` (none: the live jobs, not
    /// completed ones, which are history as CSM's archived jobs were); nullopt when the host
    /// is not in the inventory.
    asio::awaitable<std::optional<model::JobFilter>> Selection(
        const std::optional<std::string>& hostname, const std::optional<JobStatus>& status);
    /// Deletes what depended on the deleted job `id`, transitively (through jobs that cannot
    /// be deleted to their own dependants): the ids deleted.
    asio::awaitable<std::vector<std::int64_t>> DeleteDependants(
        const std::vector<InstallJob>& dependants);

    InstallRouteDeps deps_;
};

asio::awaitable<std::optional<std::string>> InstallRoutes::StoreCheck(const InstallItem& item) {
    // CSM looked the host up by the name as given.
    const auto host = co_await deps_.inventory.GetHost(item.hostname);
    if (!host) co_return InvalidHostnameMessage(item.hostname);
    if (item.server_repository) {
        const std::optional<std::string> name = *item.server_repository;
        const auto found = co_await deps_.inventory.ListServerRepositories(name);
        if (found.empty()) co_return InvalidServerRepositoryMessage(*item.server_repository);
    }
    for (const auto& profile : item.command_profiles) {
        const std::optional<std::string> name = profile;
        const auto found = co_await deps_.inventory.ListCommandProfiles(name);
        if (found.empty()) co_return InvalidCommandProfileMessage(profile);
    }
    co_return std::nullopt;
}

asio::awaitable<std::variant<std::optional<std::int64_t>, std::string>> InstallRoutes::DependencyOf(
    const InstallItem& item, TimePoint scheduled_time, const std::vector<CreatedJob>& created) {
    using Result = std::variant<std::optional<std::int64_t>, std::string>;
    if (!item.dependency) {
        // CSM's implicit chain: the last job this request made for the host among the chain's
        // actions, when it is not later than this one.
        if (!model::csm::InImplicitChain(item.action)) co_return Result{std::nullopt};
        for (auto it = created.rbegin(); it != created.rend(); ++it) {
            if (it->hostname != item.hostname || !model::csm::InImplicitChain(it->action)) continue;
            if (it->scheduled_time <= scheduled_time) co_return Result{it->id};
            break;
        }
        co_return Result{std::nullopt};
    }
    const auto& dependency = *item.dependency;
    if (const auto* id = std::get_if<std::int64_t>(&dependency)) {
        const auto job = co_await deps_.jobs.GetJob(*id);
        if (!job) co_return Result{DependencyMissingMessage(dependency)};
        if (job->hostname != item.hostname)
            co_return Result{DependencyOtherHostMessage(dependency)};
        if (job->scheduled_time > scheduled_time)
            co_return Result{DependencyLaterMessage(dependency)};
        if (job->status == JobStatus::kFailed)
            co_return Result{"The dependency '" + DependencyText(dependency) +
                             "' requested has failed."};
        co_return Result{*id};
    }
    // By action: this request's job of that action first, then the latest one stored that is
    // scheduled no later than this job (CSM took the newest and failed when it was later).
    const auto action = std::get<InstallAction>(dependency);
    for (const auto& job : created) {
        if (job.hostname == item.hostname && job.action == action &&
            job.scheduled_time <= scheduled_time)
            co_return Result{job.id};
    }
    model::JobFilter filter;
    filter.hostname = item.hostname;
    filter.action = action;
    filter.statuses = {JobStatus::kScheduled, JobStatus::kInProgress, JobStatus::kCompleted};
    const auto stored = co_await deps_.jobs.ListJobs(filter, kMaxJobResults);
    const InstallJob* best = nullptr;
    for (const auto& job : stored) {
        if (job.scheduled_time > scheduled_time) continue;
        if (!best || job.scheduled_time >= best->scheduled_time) best = &job;
    }
    if (!best) co_return Result{DependencyNotFoundMessage(dependency)};
    co_return Result{best->id};
}

asio::awaitable<Response> InstallRoutes::Create(const Request& request) {
    const auto query = ParseQuery(request.query);
    if (auto refused = DisallowedParameters(ParameterNames(query), {}))
        co_return BadRequest(*refused);
    const auto items = BulkItems(request.Body());

    // Phase 1: every item checked; nothing is created unless all pass.
    std::vector<std::optional<InstallItem>> parsed;
    std::vector<std::optional<std::string>> messages;
    for (const auto& raw : items) {
        auto item = ParseInstallItem(raw);
        if (!item) {
            parsed.emplace_back();
            messages.push_back(item.failure().message);
            continue;
        }
        messages.push_back(co_await StoreCheck(*item));
        parsed.emplace_back(messages.back() ? std::nullopt : std::optional(std::move(*item)));
    }
    std::vector<const InstallItem*> valid;
    for (const auto& item : parsed) valid.push_back(item ? &*item : nullptr);
    const auto duplicates = DuplicateMessages(valid);
    for (std::size_t i = 0; i < duplicates.size(); ++i)
        if (duplicates[i]) messages[i] = duplicates[i];
    if (std::any_of(messages.begin(), messages.end(), [](const auto& m) { return m.has_value(); }))
        co_return JsonAnswer(ValidationFailedBody(items, messages), http::status::bad_request);

    // Phase 2: host by host, in CSM's action order, each job stored on its own.
    std::vector<InstallItem> checked;
    for (auto& item : parsed) checked.push_back(std::move(*item));
    const auto now = std::chrono::system_clock::now();
    std::vector<CreatedJob> created;
    json::array rows;
    for (const auto index : CreationOrder(checked)) {
        const auto& item = checked[index];
        const auto scheduled_time = ScheduledTimeOf(item, now);
        auto dependency = co_await DependencyOf(item, scheduled_time, created);
        if (const auto* message = std::get_if<std::string>(&dependency)) {
            rows.push_back(CreationFailedRow(item, *message));
            continue;
        }
        const auto job = JobToCreate(item, now, std::get<0>(dependency), request.principal);
        const auto stored = co_await deps_.jobs.CreateJob(job);
        if (const auto* missing = std::get_if<model::MissingReference>(&stored)) {
            rows.push_back(CreationFailedRow(item, JobReferenceMessage(*missing)));
            continue;
        }
        const auto id = std::get<std::int64_t>(stored);
        created.push_back({item.hostname, item.action, job.scheduled_time, id});
        rows.push_back(CreatedRow(item, id));
    }
    if (!created.empty() && deps_.jobs_created) deps_.jobs_created();
    const auto status = static_cast<http::status>(BulkHttpStatus(rows));
    co_return JsonAnswer(BulkResponse(kInstallJobList, std::move(rows)), status);
}

asio::awaitable<Response> InstallRoutes::List(const Request& request) {
    const auto query = ParseJobQuery(ParseQuery(request.query));
    json::array rows;
    if (query.id) {
        const auto job = co_await deps_.jobs.GetJob(*query.id);
        if (!job) co_return BadRequest(InstallIdMissingMessage(*query.id));
        rows.push_back(InstallJobRow(*job, query.utc_offset));
    } else {
        auto selected = co_await Selection(query.hostname, query.status);
        if (!selected) co_return BadRequest(HostMissingMessage(*query.hostname));
        auto& filter = *selected;
        filter.action = query.action;
        filter.scheduled_since = query.scheduled_since;
        const auto jobs = co_await deps_.jobs.ListJobs(filter, kMaxJobResults + 1);
        if (static_cast<std::int64_t>(jobs.size()) > kMaxJobResults)
            co_return BadRequest(std::string(kTooManyResults));
        for (const auto& job : jobs) rows.push_back(InstallJobRow(job, query.utc_offset));
    }
    json::object answer;
    answer[kInstallJobList] = std::move(rows);
    co_return JsonAnswer(ApiResponse(std::move(answer)));
}

asio::awaitable<std::optional<model::JobFilter>> InstallRoutes::Selection(
    const std::optional<std::string>& hostname, const std::optional<JobStatus>& status) {
    model::JobFilter filter;
    if (hostname) {
        const auto host = co_await deps_.inventory.GetHost(*hostname);
        if (!host) co_return std::nullopt;
        filter.hostname = hostname;
    }
    if (status)
        filter.statuses = {*status};
    else
        filter.statuses = {JobStatus::kScheduled, JobStatus::kInProgress, JobStatus::kFailed};
    co_return filter;
}

asio::awaitable<std::vector<std::int64_t>> InstallRoutes::DeleteDependants(
    const std::vector<InstallJob>& dependants) {
    std::vector<std::int64_t> deleted;
    for (const auto& job : dependants) {
        // Read before the delete: a deleted job's dependants are found through it.
        const auto next = co_await deps_.jobs.DependantsOf(job.id);
        if (job.status == JobStatus::kScheduled || job.status == JobStatus::kFailed) {
            if (co_await deps_.jobs.DeleteJob(job.id) == model::DeleteOutcome::kDeleted)
                deleted.push_back(job.id);
        }
        const auto deeper = co_await DeleteDependants(next);
        deleted.insert(deleted.end(), deeper.begin(), deeper.end());
    }
    co_return deleted;
}

asio::awaitable<Response> InstallRoutes::Delete(const Request& request) {
    const auto query = ParseDeleteQuery(ParseQuery(request.query));
    std::vector<InstallJob> candidates;
    if (query.id) {
        const auto job = co_await deps_.jobs.GetJob(*query.id);
        // A completed job is history, as CSM's archived ones: not a live job to delete.
        if (!job || job->status == JobStatus::kCompleted)
            co_return BadRequest(InstallJobIdMissingMessage(*query.id));
        candidates.push_back(*job);
    } else {
        const auto filter = co_await Selection(query.hostname, query.status);
        if (!filter) co_return BadRequest(HostMissingMessage(*query.hostname));
        candidates = co_await deps_.jobs.ListJobs(*filter, kMaxJobResults + 1);
        if (static_cast<std::int64_t>(candidates.size()) > kMaxJobResults)
            co_return BadRequest(std::string(kTooManyResults));
    }
    // The dependants of what is deleted go with it, unless the client chose a host's jobs
    // (then it chose exactly which).
    const bool cascade = !query.hostname;
    json::array rows;
    for (const auto& job : candidates) {
        std::vector<InstallJob> dependants;
        if (cascade) dependants = co_await deps_.jobs.DependantsOf(job.id);
        const auto outcome = co_await deps_.jobs.DeleteJob(job.id);
        if (outcome == model::DeleteOutcome::kMissing) continue;  // an earlier row's cascade
        if (outcome == model::DeleteOutcome::kInUse) {
            rows.push_back(NotDeletedRow(job, InProgressMessage(job.id)));
            continue;
        }
        const auto deleted = co_await DeleteDependants(dependants);
        rows.push_back(DeletedRow(job, deleted));
    }
    const auto status = static_cast<http::status>(BulkHttpStatus(rows));
    json::object answer;
    answer[kInstallJobList] = std::move(rows);
    co_return JsonAnswer(ApiResponse(std::move(answer)), status);
}

asio::awaitable<Response> InstallRoutes::Logs(const Request& request) {
    const auto id = ParseLogsJobId(request.Param("id"));
    // Any job, completed ones too: CSM looked in its history when the live table had none.
    const auto job = co_await deps_.jobs.GetJob(id);
    if (!job) co_return BadRequest(InstallJobIdMissingMessage(id));
    const auto directory = orchestrator::csm::JobLogDir(deps_.log_dir, id);
    auto archive = co_await Offload(deps_.blocking_pool,
                                    [&directory] { return ZipJobLogDirectory(directory); });
    if (!archive) co_return BadRequest(SessionLogMissingMessage(id));
    Response response;
    response.body = std::move(*archive);
    response.content_type = "application/zip";
    // Flask's send_file(as_attachment=True) under CSM's name for it.
    response.headers.emplace_back("Content-Disposition", "attachment; filename=session_logs.zip");
    co_return response;
}

}  // namespace

void RegisterInstallRoutes(Router& router, InstallRouteDeps deps) {
    auto routes = std::make_shared<InstallRoutes>(std::move(deps));
    router.Add(http::verb::post, "/install",
               [routes](Request& request) { return routes->Create(request); });
    router.Add(http::verb::get, "/install",
               [routes](Request& request) { return routes->List(request); });
    router.Add(http::verb::delete_, "/install/delete",
               [routes](Request& request) { return routes->Delete(request); });
    router.Add(http::verb::get, "/install/logs/{id}",
               [routes](Request& request) { return routes->Logs(request); });
}

}  // namespace escd::server::csm
