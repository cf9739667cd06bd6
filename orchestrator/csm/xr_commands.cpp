#include "orchestrator/csm/xr_commands.hpp"

#include "common/error.hpp"

namespace escd::orchestrator::csm {
namespace {

std::string Joined(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    return text;
}

// "a/" + "/b/" -> "a/b/": one slash between the parts, none doubled.
std::string PathJoin(std::string left, std::string_view right) {
    while (!right.empty() && right.front() == '/') right.remove_prefix(1);
    if (right.empty()) return left;
    if (!left.empty() && left.back() != '/') left += '/';
    return left + std::string(right);
}

std::string WithoutTrailingSlashes(std::string text) {
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

}  // namespace

std::optional<XrCommandSet> CommandSetOf(const model::csm::DeviceFacts& facts) {
    if (facts.os_type == "eXR" || facts.os_type == "Calvados") return XrCommandSet::kExr;
    if (facts.os_type == "XR") return XrCommandSet::kClassicXr;
    return std::nullopt;
}

std::string XrCommands::ShowPlatform() const {
    return set_ == XrCommandSet::kExr ? "show platform" : "admin show platform";
}

std::string XrCommands::ShowPackages(PackageList list) const {
    const std::string_view name = list == PackageList::kActive     ? "active"
                                  : list == PackageList::kInactive ? "inactive"
                                                                   : "committed";
    if (set_ == XrCommandSet::kExr) return "show install " + std::string(name);
    return "admin show install " + std::string(name) + " summary";
}

std::string XrCommands::ShowRequest() const {
    return set_ == XrCommandSet::kExr ? "show install request" : "admin show install request";
}

std::string XrCommands::ShowLogDetail(int operation) const {
    const auto command = "show install log " + std::to_string(operation) + " detail";
    return set_ == XrCommandSet::kExr ? command : "admin " + command;
}

std::string XrCommands::ShowStartedOperations() const {
    const std::string command =
        R"(show install log reverse | utility egrep "Install operation [0-9]+ started")";
    return set_ == XrCommandSet::kExr ? command : "admin " + command;
}

std::string XrCommands::Add(std::string_view source,
                            const std::vector<std::string>& packages) const {
    const auto command = "install add source " + std::string(source) + " " + Joined(packages);
    return set_ == XrCommandSet::kExr ? command : "admin " + command + " async";
}

std::string XrCommands::Activate(const std::vector<std::string>& packages) const {
    if (set_ == XrCommandSet::kExr) return "install activate " + Joined(packages);
    return "admin install activate " + Joined(packages) + " prompt-level none async";
}

std::string XrCommands::Deactivate(const std::vector<std::string>& packages) const {
    if (set_ == XrCommandSet::kExr) return "install deactivate " + Joined(packages);
    return "admin install deactivate " + Joined(packages) + " prompt-level none async";
}

std::string XrCommands::Remove(const std::vector<std::string>& packages) const {
    if (set_ == XrCommandSet::kExr) return "install remove " + Joined(packages);
    return "admin install remove " + Joined(packages) + " prompt-level none async";
}

std::string XrCommands::RemoveAllInactive() const {
    return set_ == XrCommandSet::kExr ? "install remove inactive all"
                                      : "admin install remove inactive async";
}

std::string XrCommands::Commit() const {
    return set_ == XrCommandSet::kExr ? "install commit" : "admin install commit";
}

PackageSource SourceOf(const model::csm::ServerRepository& repository,
                       std::string_view server_directory,
                       XrCommandSet set) {
    using model::csm::RepositoryType;
    if (repository.address.empty()) {
        throw Error(ErrorCode::kNotSupported,
                    "Server repository '" + repository.hostname + "' has no address.");
    }
    PackageSource source;
    const auto vrf = repository.vrf.empty() ? std::string() : ";" + repository.vrf;
    // The user part of an FTP, SFTP or SCP URL; eXR asks for the password.
    const auto user = [&]() -> std::string {
        if (repository.username.empty()) return "";
        if (set == XrCommandSet::kClassicXr && !repository.password.empty())
            return repository.username + ":" + repository.password + "@";
        source.password = repository.password;
        return repository.username + "@";
    };
    switch (repository.type) {
        case RepositoryType::kTftp: {
            // tftp_server_path is `address/path`: the vrf goes between them.
            auto path = repository.address;
            const auto slash = path.find('/');
            if (!vrf.empty()) path.insert(slash == std::string::npos ? path.size() : slash, vrf);
            source.text = WithoutTrailingSlashes(PathJoin("tftp://" + path, server_directory));
            break;
        }
        case RepositoryType::kFtp:
        case RepositoryType::kSftp:
        case RepositoryType::kScp: {
            if (repository.type == RepositoryType::kScp && set == XrCommandSet::kClassicXr) {
                throw Error(ErrorCode::kNotSupported,
                            "SCP repositories are supported for IOS XR 64-bit devices only.");
            }
            const std::string_view scheme = repository.type == RepositoryType::kFtp    ? "ftp"
                                            : repository.type == RepositoryType::kSftp ? "sftp"
                                                                                       : "scp";
            const auto host = repository.address +
                              (repository.type == RepositoryType::kFtp ? vrf : std::string());
            const auto base = std::string(scheme) + "://" + user() + host;
            source.text = WithoutTrailingSlashes(
                PathJoin(PathJoin(base + "/", repository.directory), server_directory));
            break;
        }
        case RepositoryType::kLocal:
            source.text = repository.address;
            break;
    }
    return source;
}

}  // namespace escd::orchestrator::csm
