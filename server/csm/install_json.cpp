#include "server/csm/install_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <system_error>
#include <utility>

#include <boost/json.hpp>

#include "common/text.hpp"
#include "server/csm/install_time.hpp"
#include "server/csm/json_fields.hpp"

namespace escd::server::csm {
namespace {

namespace json = boost::json;
using model::csm::InstallAction;
using model::csm::InstallJob;
using model::csm::JobStatus;
using model::csm::TimePoint;

constexpr std::string_view kNotSubmitted = "Not submitted. Check other jobs for error message.";
constexpr std::string_view kMissingUtcOffset =
    "Missing utc_offset. If scheduled_time is submitted, utc_offset is also required.";
constexpr std::string_view kInvalidUtcOffset =
    "Invalid utc_offset: Must be in '<+|->dd:dd' format and be between -12:00 and +14:00.";

std::string Quoted(std::string_view text) {
    return "'" + Shown(text) + "'";
}

/// CSM's actions escd does not run (docs/csm.md): refused with their own message rather than
/// as unknown, so that a CSM client learns why.
bool NotRunByEscd(std::string_view action) {
    return action == "FPD-Upgrade" || action == "Rollback";
}

std::string NotSupportedMessage(std::string_view action) {
    return Quoted(action) + " is not supported by escd.";
}

std::string InvalidActionMessage(std::string_view action) {
    return Quoted(action) + " is an invalid install action.";
}

std::string InvalidScheduledTimeMessage(std::string_view text) {
    return "Invalid scheduled_time: " + Shown(text) +
           " must be in 'mm-dd-yyyy hh:mm AM|PM' format.";
}

// The keys each action requires (docs/csm.md).
const std::initializer_list<std::string_view> kHostRequired{"hostname"};
const std::initializer_list<std::string_view> kAddRequired{"hostname", "server_repository",
                                                           "software_packages"};
const std::initializer_list<std::string_view> kPackagesRequired{"hostname", "software_packages"};

const std::initializer_list<std::string_view>& RequiredKeys(InstallAction action) {
    switch (action) {
        case InstallAction::kAdd:
            return kAddRequired;
        case InstallAction::kActivate:
        case InstallAction::kRemove:
        case InstallAction::kDeactivate:
            return kPackagesRequired;
        default:  // CSM's table lacked Remove All Inactive (a KeyError): it needs the host only
            return kHostRequired;
    }
}

/// The profile names of command_profile: a list or one value, trimmed, empty ones dropped,
/// each once. Not split at commas: a profile's name may contain one.
std::optional<std::string> ReadProfiles(const json::object& item, std::vector<std::string>& out) {
    const auto* value = Given(item, "command_profile");
    if (value == nullptr) return std::nullopt;
    const json::array one{*value};
    const auto& values = value->is_array() ? value->get_array() : one;
    for (const auto& element : values) {
        const auto text = TextOf(element);
        if (!text)
            return std::string(
                "The value of 'command_profile' must be a string or a list of strings.");
        const auto name = Trimmed(*text);
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end())
            out.emplace_back(name);
    }
    return std::nullopt;
}

/// software_packages: a list of names, trimmed, empty ones dropped. CSM refused a non-list
/// only when creating the job (a 207 after earlier jobs of the request were created); it is
/// refused here, in phase 1, so that a request in CSM guide's own comma-string format creates
/// nothing rather than part of its jobs. An empty value ("", [], [" "]) is "cannot be empty",
/// as CSM's is_empty saw it before the type.
std::optional<std::string> ReadPackages(const json::object& item,
                                        std::optional<std::vector<std::string>>& out) {
    const auto* value = Given(item, "software_packages");
    if (value == nullptr) return std::nullopt;
    std::vector<std::string> packages;
    if (const auto* array = value->if_array()) {
        for (const auto& element : *array) {
            const auto text = TextOf(element);
            if (!text) return std::string("software_packages must be a list of strings.");
            if (const auto name = Trimmed(*text); !name.empty()) packages.emplace_back(name);
        }
    } else if (!(value->is_string() && Trimmed(value->get_string()).empty())) {
        return std::string("software_packages must be a list type.");
    }
    if (packages.empty()) return std::string("Software packages when specified cannot be empty.");
    out = std::move(packages);
    return std::nullopt;
}

/// The dependency: an id (a non-negative integer, or its digits as a string; CSM refused a
/// JSON number with an AttributeError text) or an action's name.
std::optional<std::string> ReadDependency(const json::object& item,
                                          std::optional<InstallDependency>& out) {
    const auto* value = Given(item, "dependency");
    if (value == nullptr) return std::nullopt;
    const auto invalid = [](std::string_view shown) {
        return Quoted(shown) +
               " is an invalid dependency: it must be an install job id or an install action.";
    };
    if (value->is_int64()) {
        if (value->get_int64() < 0) return invalid(std::to_string(value->get_int64()));
        out = value->get_int64();
        return std::nullopt;
    }
    if (value->is_uint64()) return invalid(std::to_string(value->get_uint64()));
    if (!value->is_string())
        return std::string(
            "The value of 'dependency' must be an install job id or an install action.");
    const std::string_view text = value->get_string();
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
        std::int64_t id = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc{} || end != text.data() + text.size()) return invalid(text);
        out = id;
        return std::nullopt;
    }
    const auto action = model::csm::ParseInstallAction(text);
    if (!action) return invalid(text);
    out = *action;
    return std::nullopt;
}

/// Reads the scheduled_time / utc_offset pair into `item`.
std::optional<std::string> ReadTimes(const json::object& object, InstallItem& item) {
    const auto* time_value = Given(object, "scheduled_time");
    const auto* offset_value = Given(object, "utc_offset");
    if (time_value != nullptr && offset_value == nullptr) return std::string(kMissingUtcOffset);
    // An offset without a time is checked too: CSM ignored it, but a bad one is the client's
    // mistake all the same.
    if (offset_value != nullptr) {
        const auto text = TextOf(*offset_value);
        item.utc_offset = text ? ParseUtcOffset(*text) : std::nullopt;
        if (!item.utc_offset) return std::string(kInvalidUtcOffset);
    }
    if (time_value != nullptr) {
        const std::string text = time_value->is_string() ? std::string(time_value->get_string())
                                                         : json::serialize(*time_value);
        if (time_value->is_string())
            item.scheduled_time = ParseScheduledTime(text, *item.utc_offset);
        if (!item.scheduled_time) return InvalidScheduledTimeMessage(text);
    }
    return std::nullopt;
}

/// A query parameter's value; nullopt when absent or empty (CSM tested `if value:`).
std::optional<std::string> Parameter(const std::map<std::string, std::string>& query,
                                     const std::string& key) {
    const auto it = query.find(key);
    if (it == query.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

/// An id parameter: an optional '-' and decimal digits, else throws "<head>'<t>' must be an
/// integer."; an integer past int64 names no job: "<head>'<t>' does not exist in the
/// database." (CSM's answer for an id it did not find).
std::int64_t ParseIdParameter(const std::string& text, std::string_view head) {
    const std::string_view digits = text.front() == '-' ? std::string_view(text).substr(1) : text;
    const bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
    if (!ok) throw CsmRequestError(std::string(head) + Quoted(text) + " must be an integer.");
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw CsmRequestError(std::string(head) + Quoted(text) +
                              " does not exist in the database.");
    return id;
}

std::string TimeText(const std::optional<TimePoint>& time,
                     const std::optional<std::chrono::minutes>& utc_offset) {
    if (!time) return "";
    return utc_offset ? LocalTimeText(*time, *utc_offset) : HttpDate(*time);
}

std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        if (!out.empty()) out.push_back('\n');
        out += line;
    }
    return out;
}

json::object JobRowStart(const InstallJob& job) {
    return {{"id", job.id},
            {"install_action", model::csm::InstallActionName(job.action)},
            {"hostname", job.hostname}};
}

}  // namespace

// ---- POST /install --------------------------------------------------------------------------

ItemResult<InstallItem> ParseInstallItem(const json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr) return ItemFailure{"Each item must be a JSON object.", {}};
    const auto failed = [object](std::string message) {
        return ItemFailure{std::move(message), *object};
    };
    InstallItem item;
    item.original = *object;

    // 1. The action.
    const auto* action_value = Given(*object, "install_action");
    if (action_value == nullptr) return failed(MissingKey("install_action"));
    const auto action_text = TextOf(*action_value);
    if (!action_text) return failed(NotAString("install_action"));
    if (NotRunByEscd(*action_text)) return failed(NotSupportedMessage(*action_text));
    const auto action = model::csm::ParseInstallAction(*action_text);
    if (!action) return failed(InvalidActionMessage(*action_text));
    item.action = *action;

    // 2. The keys. fpd_location and fpd_type are FPD-Upgrade's, which escd does not run.
    if (auto invalid =
            InvalidKeys(*object, {"hostname", "install_action", "scheduled_time", "utc_offset",
                                  "command_profile", "dependency", "server_repository",
                                  "server_directory", "software_packages"}))
        return failed(std::move(*invalid));
    for (const auto key : RequiredKeys(*action))
        if (Given(*object, key) == nullptr) return failed(MissingKey(key));

    // 3, 4. The values CSM looked up next (the handler looks them up after this).
    std::optional<std::string> hostname;
    if (auto problem = ReadString(*object, "hostname", hostname)) return failed(*problem);
    item.hostname = std::move(*hostname);  // required for every action
    if (auto problem = ReadString(*object, "server_repository", item.server_repository))
        return failed(*problem);
    if (auto problem = ReadProfiles(*object, item.command_profiles)) return failed(*problem);
    if (auto problem = ReadString(*object, "server_directory", item.server_directory))
        return failed(*problem);

    // 5. The packages, 6. the time, then the dependency (CSM read it in phase 2).
    if (auto problem = ReadPackages(*object, item.software_packages)) return failed(*problem);
    if (auto problem = ReadTimes(*object, item)) return failed(*problem);
    if (auto problem = ReadDependency(*object, item.dependency)) return failed(*problem);
    return item;
}

std::string InvalidHostnameMessage(std::string_view hostname) {
    return Quoted(hostname) + " is an invalid hostname.";
}

std::string InvalidServerRepositoryMessage(std::string_view repository) {
    return Quoted(repository) + " is an invalid server repository.";
}

std::string InvalidCommandProfileMessage(std::string_view profile) {
    return Quoted(profile) + " is an invalid custom command profile.";
}

std::vector<std::optional<std::string>> DuplicateMessages(
    const std::vector<const InstallItem*>& items) {
    std::vector<std::optional<std::string>> messages(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i] == nullptr) continue;
        for (std::size_t j = 0; j < items.size(); ++j) {
            if (j == i || items[j] == nullptr) continue;
            if (items[j]->hostname != items[i]->hostname || items[j]->action != items[i]->action)
                continue;
            messages[i] =
                "More than one entry with the same hostname: " + Quoted(items[i]->hostname) +
                " and install_action: " + Quoted(model::csm::InstallActionName(items[i]->action)) +
                ". Remove any duplicate and resubmit.";
            break;
        }
    }
    return messages;
}

std::string ValidationFailedBody(const json::array& items,
                                 const std::vector<std::optional<std::string>>& messages) {
    json::array rows;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto* original = items[i].if_object();
        const auto& message = i < messages.size() ? messages[i] : std::nullopt;
        rows.emplace_back(FailedRow(original ? *original : json::object{},
                                    message ? std::string_view(*message) : kNotSubmitted));
    }
    return BulkResponse(kInstallJobList, std::move(rows));
}

std::vector<std::size_t> CreationOrder(const std::vector<InstallItem>& items) {
    std::vector<std::size_t> order(items.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // By hostname itself: CSM compared hostname + two-digit action index as one string, which
    // sorts "r10" before "r1"; only the answer's order across hosts differs.
    std::stable_sort(order.begin(), order.end(), [&items](std::size_t a, std::size_t b) {
        const auto& x = items[a];
        const auto& y = items[b];
        if (x.hostname != y.hostname) return x.hostname < y.hostname;
        return static_cast<int>(x.action) < static_cast<int>(y.action);
    });
    return order;
}

TimePoint ScheduledTimeOf(const InstallItem& item, TimePoint now) {
    return std::chrono::floor<std::chrono::minutes>(item.scheduled_time.value_or(now));
}

std::vector<std::string> AddablePackages(const std::vector<std::string>& packages) {
    static constexpr std::array<std::string_view, 7> kExtensions{".pie", ".rpm", ".tar", ".smu",
                                                                 ".iso", ".pkg", ".bin"};
    std::vector<std::string> kept;
    for (const auto& package : packages) {
        const bool addable = std::any_of(kExtensions.begin(), kExtensions.end(), [&](auto ext) {
            return package.find(ext) != std::string::npos;
        });
        if (addable) kept.push_back(package);
    }
    return kept;
}

InstallJob JobToCreate(const InstallItem& item,
                       TimePoint now,
                       std::optional<std::int64_t> dependency,
                       std::string_view created_by) {
    InstallJob job;
    job.hostname = item.hostname;
    job.action = item.action;
    job.scheduled_time = ScheduledTimeOf(item, now);
    job.dependency = dependency;
    job.status = JobStatus::kScheduled;
    job.created_by = std::string(created_by);
    const auto packages = item.software_packages.value_or(std::vector<std::string>{});
    switch (item.action) {
        case InstallAction::kAdd:
            job.server_repository = item.server_repository.value_or("");
            job.server_directory = item.server_directory.value_or("");
            job.software_packages = AddablePackages(packages);
            break;
        case InstallAction::kActivate:
        case InstallAction::kRemove:
        case InstallAction::kDeactivate:
            job.software_packages = packages;  // external or internal names: the device maps
            break;
        case InstallAction::kPreUpgrade:
        case InstallAction::kPostUpgrade:
            job.command_profiles = item.command_profiles;
            break;
        default:
            break;
    }
    return job;
}

std::string DependencyText(const InstallDependency& dependency) {
    if (const auto* id = std::get_if<std::int64_t>(&dependency)) return std::to_string(*id);
    return std::string(model::csm::InstallActionName(std::get<InstallAction>(dependency)));
}

std::string DependencyMissingMessage(const InstallDependency& dependency) {
    return "Dependency '" + DependencyText(dependency) + "' does not exist in the database.";
}

std::string DependencyOtherHostMessage(const InstallDependency& dependency) {
    return "The dependency '" + DependencyText(dependency) +
           "' requested belongs to a different host.";
}

std::string DependencyLaterMessage(const InstallDependency& dependency) {
    return "The dependency '" + DependencyText(dependency) +
           "' requested has a later scheduled time.";
}

std::string DependencyNotFoundMessage(const InstallDependency& dependency) {
    return "'" + DependencyText(dependency) +
           "' is an invalid dependency or dependency does not belong to the same host.";
}

json::object CreatedRow(const InstallItem& item, std::int64_t id) {
    return SucceededRow({{"hostname", item.hostname},
                         {"install_action", model::csm::InstallActionName(item.action)},
                         {"id", id}});
}

json::object CreationFailedRow(const InstallItem& item, std::string_view message) {
    return FailedRow({{"hostname", item.hostname},
                      {"install_action", model::csm::InstallActionName(item.action)}},
                     message);
}

// ---- GET /install ---------------------------------------------------------------------------

JobQuery ParseJobQuery(const std::map<std::string, std::string>& query) {
    if (auto refused = DisallowedParameters(
            ParameterNames(query),
            {"id", "hostname", "install_action", "status", "scheduled_time", "utc_offset"}))
        throw CsmRequestError(*refused);
    JobQuery parsed;
    const auto offset_text = Parameter(query, "utc_offset");
    const auto read_offset = [&parsed, &offset_text] {
        if (!offset_text) return;
        parsed.utc_offset = ParseUtcOffset(*offset_text);
        if (!parsed.utc_offset) throw CsmRequestError(std::string(kInvalidUtcOffset));
    };
    if (const auto id = Parameter(query, "id")) {
        parsed.id = ParseIdParameter(*id, "Install id ");
        read_offset();
        return parsed;
    }
    if (const auto status = Parameter(query, "status")) {
        parsed.status = model::csm::ParseJobStatus(*status);
        if (!parsed.status) throw CsmRequestError(Quoted(*status) + " is an invalid job status.");
    }
    parsed.hostname = Parameter(query, "hostname");
    if (const auto action = Parameter(query, "install_action")) {
        if (NotRunByEscd(*action)) throw CsmRequestError(NotSupportedMessage(*action));
        parsed.action = model::csm::ParseInstallAction(*action);
        if (!parsed.action) throw CsmRequestError(InvalidActionMessage(*action));
    }
    const auto time_text = Parameter(query, "scheduled_time");
    if (time_text && !offset_text)
        throw CsmRequestError("utc_offset must be specified if scheduled_time is specified.");
    read_offset();
    if (time_text) {
        parsed.scheduled_since = ParseScheduledTime(*time_text, *parsed.utc_offset);
        if (!parsed.scheduled_since) throw CsmRequestError(InvalidScheduledTimeMessage(*time_text));
    }
    return parsed;
}

std::string InstallIdMissingMessage(std::int64_t id) {
    return "Install id '" + std::to_string(id) + "' does not exist in the database.";
}

std::string HostMissingMessage(std::string_view hostname) {
    return "Host " + Quoted(hostname) + " does not exist in the database.";
}

json::object InstallJobRow(const InstallJob& job, std::optional<std::chrono::minutes> utc_offset) {
    json::object row = JobRowStart(job);
    row["dependency"] = job.dependency ? json::value(*job.dependency) : json::value("");
    row["scheduled_time"] = TimeText(job.scheduled_time, utc_offset);
    row["start_time"] = TimeText(job.start_time, utc_offset);
    row["status_time"] = TimeText(job.status_time, utc_offset);
    row["software_packages"] = TextArray(job.software_packages);
    row["status"] = model::csm::JobStatusName(job.status);
    row["trace"] = job.trace;
    // escd's own key (CSM kept the text but never answered it): what a running job is doing,
    // or why it failed (a failed dependency names it); docs/csm.md.
    row["status_message"] = job.status_message;
    row["created_by"] = job.created_by;
    row["warnings_or_errors"] = Joined(job.warnings_or_errors);
    row["package_change_list"] =
        job.status == JobStatus::kCompleted ? TextArray(job.package_change_list) : json::array{};
    row["server_repository"] = job.server_repository;
    row["server_directory"] = job.server_directory;
    row["command_profile"] = TextArray(job.command_profiles);
    return row;
}

// ---- DELETE /install/delete -----------------------------------------------------------------

DeleteQuery ParseDeleteQuery(const std::map<std::string, std::string>& query) {
    if (auto refused = DisallowedParameters(ParameterNames(query), {"id", "hostname", "status"}))
        throw CsmRequestError(*refused);
    DeleteQuery parsed;
    if (const auto id = Parameter(query, "id")) {
        parsed.id = ParseIdParameter(*id, "Install job id ");
        return parsed;
    }
    parsed.hostname = Parameter(query, "hostname");
    if (const auto status = Parameter(query, "status")) {
        parsed.status = model::csm::ParseJobStatus(*status);
        if (parsed.status != JobStatus::kScheduled && parsed.status != JobStatus::kFailed)
            throw CsmRequestError("Invalid value for status: must be 'failed' or 'scheduled'.");
    }
    return parsed;
}

std::int64_t ParseLogsJobId(const std::string& text) {
    return ParseIdParameter(text, "Install job id ");
}

std::string InstallJobIdMissingMessage(std::int64_t id) {
    return "Install job id '" + std::to_string(id) + "' does not exist in the database.";
}

std::string SessionLogMissingMessage(std::int64_t id) {
    return "Session log does not exist for install job id '" + std::to_string(id) + "'.";
}

std::string InProgressMessage(std::int64_t id) {
    return "Unable to delete install job '" + std::to_string(id) + "' as it is in progress.";
}

json::object DeletedRow(const InstallJob& job,
                        const std::vector<std::int64_t>& deleted_dependencies) {
    json::object row = SucceededRow(JobRowStart(job));
    if (!deleted_dependencies.empty()) {
        json::array ids;
        for (const auto id : deleted_dependencies) ids.emplace_back(id);
        row["deleted_dependencies"] = std::move(ids);
    }
    return row;
}

json::object NotDeletedRow(const InstallJob& job, std::string_view message) {
    return FailedRow(JobRowStart(job), message);
}

}  // namespace escd::server::csm
