#pragma once
/// @file
/// The CSM face's install jobs as JSON (docs/csm.md, "Install jobs"): POST /install's items
/// read and checked, its answers, GET /install's and DELETE /install/delete's parameters and
/// rows. Messages are CSM's own texts (docs/csm.md), with CSM's bugs fixed where noted.
/// Conventions as server/csm/inventory_json.hpp: null is "not given", a number is taken as its
/// text where a string is expected, list-valued keys take a list or one value. Pure functions.
///
/// POST /install, as the handler does it:
///
///   Phase 1 (nothing is created unless every item passes): per item of BulkItems(body),
///   ParseInstallItem (every check that needs no store, in CSM's order), then the store's
///   checks of an item that passed — InvalidHostnameMessage (host looked up by the raw name),
///   InvalidServerRepositoryMessage, InvalidCommandProfileMessage — then DuplicateMessages over
///   the items still valid. Any failure: 400 with ValidationFailedBody.
///
///   Phase 2: the items in CreationOrder; each job's time is ScheduledTimeOf(item, now), its
///   dependency found by the handler (Dependency*Message texts), JobToCreate makes the job;
///   rows CreatedRow / CreationFailedRow, answered BulkResponse(kInstallJobList, rows) with
///   BulkHttpStatus (200, or 207 when a creation failed).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "model/csm/install_job.hpp"
#include "server/csm/csm_json_text.hpp"

namespace escd::server::csm {

/// The list key of every install answer.
inline constexpr std::string_view kInstallJobList = "install_job_list";
/// GET /install and DELETE /install/delete refuse to select more jobs than this (400).
inline constexpr std::int64_t kMaxJobResults = 5000;
inline constexpr std::string_view kTooManyResults = "Too many results; please refine your request.";

// ---- POST /install --------------------------------------------------------------------------

/// An explicit dependency: a job id, or an action (the latest job of that action on the same
/// host scheduled no later than this one, docs/csm.md).
using InstallDependency = std::variant<std::int64_t, model::csm::InstallAction>;

/// One item of POST /install that passed ParseInstallItem.
struct InstallItem {
    std::string hostname;  ///< as given (a number as its text): CSM looks hosts up by it raw
    model::csm::InstallAction action = model::csm::InstallAction::kPreUpgrade;
    /// The job's time in UTC, to the minute; nullopt: "now" (ScheduledTimeOf).
    std::optional<model::csm::TimePoint> scheduled_time;
    std::optional<std::chrono::minutes> utc_offset;
    std::vector<std::string> command_profiles;  ///< names as given (trimmed), each once
    std::optional<InstallDependency> dependency;
    std::optional<std::string> server_repository;  ///< given: must exist, whatever the action
    std::optional<std::string> server_directory;
    /// As given (trimmed, never empty); nullopt when not given. Add's filter is JobToCreate's.
    std::optional<std::vector<std::string>> software_packages;
    boost::json::object original;  ///< the item as posted, echoed by ValidationFailedBody
};

/// The checks of phase 1 that need no store, in CSM's order (action, keys, required keys,
/// value types, software_packages, utc_offset / scheduled_time, dependency); the first
/// failure is the item's message. ItemFailure::row is the item as posted.
ItemResult<InstallItem> ParseInstallItem(const boost::json::value& item);

/// "'<h>' is an invalid hostname." (no host of that raw name)
std::string InvalidHostnameMessage(std::string_view hostname);
/// "'<s>' is an invalid server repository."
std::string InvalidServerRepositoryMessage(std::string_view repository);
/// "'<p>' is an invalid custom command profile."
std::string InvalidCommandProfileMessage(std::string_view profile);

/// For each item, the duplicate message when another item of `items` has the same hostname
/// and action: "More than one entry with the same hostname: '<h>' and install_action: '<a>'.
/// Remove any duplicate and resubmit." Every item of a group gets it, the first too (CSM
/// marked only the later ones, leaving the first "Not submitted..."; naming all of them tells
/// the client which entries clash). A nullptr (an item that failed already) is skipped and
/// gets nullopt, as CSM checked duplicates only among items valid so far.
std::vector<std::optional<std::string>> DuplicateMessages(
    const std::vector<const InstallItem*>& items);

/// Phase 1's 400 body: {"api_response": {"install_job_list": rows}}, a row per item of
/// `items` in request order: its keys as posted, "status": "FAILED" and "status_message":
/// messages[i], or "Not submitted. Check other jobs for error message." where that is
/// nullopt. `messages` has one entry per item.
std::string ValidationFailedBody(const boost::json::array& items,
                                 const std::vector<std::optional<std::string>>& messages);

/// The order phase 2 creates the items in: indexes of `items` stable-sorted by hostname, then
/// by the action's place in CSM's list (which makes the implicit chain Pre-Upgrade <- Add <-
/// Activate <- Post-Upgrade <- Commit). Rows are answered in this order.
std::vector<std::size_t> CreationOrder(const std::vector<InstallItem>& items);

/// The job's scheduled time: item.scheduled_time, or `now` when none was given, to the minute
/// (CSM stored minutes only).
model::csm::TimePoint ScheduledTimeOf(const InstallItem& item, model::csm::TimePoint now);

/// Add's packages as CSM kept them: only the names containing ".pie", ".rpm", ".tar", ".smu",
/// ".iso", ".pkg" or ".bin" (case-sensitive, anywhere in the name); the others are dropped
/// without a word, as CSM did.
std::vector<std::string> AddablePackages(const std::vector<std::string>& packages);

/// The job to store for a checked item, as CSM's create_or_update_install_job made it: status
/// scheduled, time ScheduledTimeOf(item, now), `dependency` (the id the handler resolved).
/// Add keeps its repository, directory and AddablePackages; Activate, Remove and Deactivate
/// their packages as given; the other actions none of these. Command profiles are kept for
/// Pre-Upgrade and Post-Upgrade only.
model::csm::InstallJob JobToCreate(const InstallItem& item,
                                   model::csm::TimePoint now,
                                   std::optional<std::int64_t> dependency,
                                   std::string_view created_by);

/// How a dependency is named in messages: the id's digits or the action's name.
std::string DependencyText(const InstallDependency& dependency);
/// "Dependency '<d>' does not exist in the database." (no live job of that id)
std::string DependencyMissingMessage(const InstallDependency& dependency);
/// "The dependency '<d>' requested belongs to a different host."
std::string DependencyOtherHostMessage(const InstallDependency& dependency);
/// "The dependency '<d>' requested has a later scheduled time."
std::string DependencyLaterMessage(const InstallDependency& dependency);
/// "'<d>' is an invalid dependency or dependency does not belong to the same host." (no job
/// of that action on the host, scheduled no later)
std::string DependencyNotFoundMessage(const InstallDependency& dependency);

/// Phase 2's row of a created job: {"hostname", "install_action", "id", "status": "SUCCESS"}.
boost::json::object CreatedRow(const InstallItem& item, std::int64_t id);
/// Phase 2's row of an item not created: {"hostname", "install_action", "status": "FAILED",
/// "status_message"}.
boost::json::object CreationFailedRow(const InstallItem& item, std::string_view message);

// ---- GET /install ---------------------------------------------------------------------------

/// GET /install's parameters. An empty value counts as not given (CSM tested their truth).
struct JobQuery {
    /// One job; then only utc_offset matters (CSM ignored the other parameters).
    std::optional<std::int64_t> id;
    std::optional<std::string> hostname;  ///< raw; the handler checks it exists
    std::optional<model::csm::InstallAction> action;
    /// nullopt: the live jobs (scheduled, in-progress, failed; completed are not listed).
    std::optional<model::csm::JobStatus> status;
    std::optional<model::csm::TimePoint> scheduled_since;  ///< UTC: scheduled_time >= this
    /// Given: times are answered as local text at this offset, else as HTTP dates.
    std::optional<std::chrono::minutes> utc_offset;
};

/// Throws CsmRequestError with CSM's texts: a parameter not in id, hostname, install_action,
/// status, scheduled_time, utc_offset ("Following parameter, ..."); "'<s>' is an invalid job
/// status."; "'<a>' is an invalid install action." ("'FPD-Upgrade' is not supported by
/// escd." for CSM's actions escd does not run); "utc_offset must be specified if
/// scheduled_time is specified."; the utc_offset text of POST for a bad offset (also without
/// scheduled_time: CSM then fell back to GMT dates without a word); "Invalid scheduled_time:
/// <t> must be in 'mm-dd-yyyy hh:mm AM|PM' format." (CSM answered an UnboundLocalError text);
/// "Install id '<id>' must be an integer.".
JobQuery ParseJobQuery(const std::map<std::string, std::string>& query);

/// "Install id '<id>' does not exist in the database." (GET /install?id=)
std::string InstallIdMissingMessage(std::int64_t id);
/// "Host '<h>' does not exist in the database." (GET and DELETE's hostname)
std::string HostMissingMessage(std::string_view hostname);

/// A row of GET /install: id, install_action, dependency (the id, or "" for none),
/// scheduled_time, start_time, status_time (LocalTimeText at `utc_offset` when given, else
/// HttpDate; "" when unset), software_packages (list), status, trace, created_by, hostname,
/// warnings_or_errors (joined by newlines), package_change_list (list; [] unless completed, as
/// CSM), server_repository, server_directory, command_profile (list of names). No
/// status_message: CSM's GET never exposed its progress column (docs/csm.md).
boost::json::object InstallJobRow(const model::csm::InstallJob& job,
                                  std::optional<std::chrono::minutes> utc_offset);

// ---- DELETE /install/delete -----------------------------------------------------------------

/// DELETE /install/delete's parameters; an empty value counts as not given.
struct DeleteQuery {
    /// One live job; then hostname and status are not read (CSM ignored them) and stay
    /// nullopt, so "cascade unless a hostname was given" holds for an id as well.
    std::optional<std::int64_t> id;
    std::optional<std::string> hostname;          ///< raw; the handler checks it exists
    std::optional<model::csm::JobStatus> status;  ///< scheduled or failed only
};

/// Throws CsmRequestError: a parameter not in id, hostname, status; "Invalid value for status:
/// must be 'failed' or 'scheduled'."; "Install job id '<id>' must be an integer.".
DeleteQuery ParseDeleteQuery(const std::map<std::string, std::string>& query);

/// GET /install/logs/<id>'s `<id>` (a path segment, never empty), by DELETE's rules and texts:
/// throws CsmRequestError "Install job id '<id>' must be an integer." (CSM's route took
/// integers only).
std::int64_t ParseLogsJobId(const std::string& text);

/// "Install job id '<id>' does not exist in the database." (DELETE's and logs' id)
std::string InstallJobIdMissingMessage(std::int64_t id);
/// "Session log does not exist for install job id '<id>'." (GET /install/logs/<id>)
std::string SessionLogMissingMessage(std::int64_t id);
/// "Unable to delete install job '<id>' as it is in progress."
std::string InProgressMessage(std::int64_t id);

/// {"id", "install_action", "hostname", "status": "SUCCESS"}, and "deleted_dependencies":
/// [ids] when the cascade deleted any.
boost::json::object DeletedRow(const model::csm::InstallJob& job,
                               const std::vector<std::int64_t>& deleted_dependencies);
/// {"id", "install_action", "hostname", "status": "FAILED", "status_message"}.
boost::json::object NotDeletedRow(const model::csm::InstallJob& job, std::string_view message);

}  // namespace escd::server::csm
