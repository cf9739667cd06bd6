#include "orchestrator/csm/job_run.hpp"

#include <fstream>

#include "common/error.hpp"
#include "common/offload.hpp"
#include "orchestrator/csm/exr_text.hpp"

namespace escd::orchestrator::csm::detail {
namespace {

using model::csm::InstallAction;
using model::csm::JobStatus;

// The first line of the device's answer that says it refused a command (`% Invalid input
// detected at '^' marker.`); "" when none does.
std::string RefusalIn(const std::string& output) {
    for (const auto line : exr_detail::Lines(output)) {
        const auto trimmed = exr_detail::Trim(line);
        if (trimmed.starts_with("% ")) return std::string(trimmed);
    }
    return "";
}

void WriteFile(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw Error(ErrorOrigin::kInternal, ErrorCode::kInternal, "cannot write " + file.string());
    }
}

std::optional<std::string> ReadFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

asio::awaitable<StepOutcome> JobRun::CheckNodes() {
    const auto command = commands().ShowPlatform();
    const auto text = co_await Command(command);
    if (!AllNodesUp(PlatformNodes(text))) {
        co_return Fail("Not all nodes in correct state. Upgrade can not proceed", text);
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Capture() {
    std::vector<std::string> commands{std::string(XrCommands::kShowRunningConfig)};
    for (const auto& profile_name : job_.command_profiles) {
        const std::optional<std::string> name = profile_name;
        const auto profiles = co_await inventory_.ListCommandProfiles(name);
        if (profiles.empty()) {
            co_return Fail("Custom command profile '" + profile_name +
                           "' does not exist in the database.");
        }
        for (const auto& command : profiles.front().commands)
            if (!Listed(commands, command)) commands.push_back(command);
    }
    for (const auto& command : commands) {
        const auto output = co_await Command(command);
        if (const auto refusal = RefusalIn(output); !refusal.empty()) {
            co_return Fail("The device refused '" + command + "': " + refusal, output);
        }
        const auto file = dir_ / CommandFileName(command);
        co_await Offload(pool_, [&file, &output] { WriteFile(file, output); });
        captures_.push_back(file.filename().string());
    }
    co_return StepOutcome::kDone;
}

asio::awaitable<StepOutcome> JobRun::Diff() {
    if (job_.action != InstallAction::kPostUpgrade) co_return StepOutcome::kDone;
    model::JobFilter filter;
    filter.hostname = job_.hostname;
    filter.action = InstallAction::kPreUpgrade;
    filter.statuses = {JobStatus::kCompleted};
    const auto pre_upgrades = co_await jobs_.ListJobs(filter, 5000);
    if (pre_upgrades.empty()) {
        job_.warnings_or_errors.push_back("No completed Pre-Upgrade job of " + job_.hostname +
                                          " to compare the captures with.");
        co_return StepOutcome::kDone;
    }
    const auto pre_upgrade = pre_upgrades.back().id;
    const auto before_dir = JobLogDir(options_.log_dir, pre_upgrade);
    const auto title_of = [this, pre_upgrade](const std::string& name) {
        return name + ": Pre-Upgrade job " + std::to_string(pre_upgrade) +
               " against Post-Upgrade job " + std::to_string(job_.id);
    };
    co_await Offload(pool_, [this, &before_dir, &title_of] {
        for (const auto& name : captures_) {
            const auto before = ReadFile(before_dir / name);
            const auto after = ReadFile(dir_ / name);
            if (!before || !after) continue;
            WriteFile(dir_ / (name + ".diff.html"), DiffHtml(*before, *after, title_of(name)));
        }
    });
    co_return StepOutcome::kDone;
}

}  // namespace escd::orchestrator::csm::detail
