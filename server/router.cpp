#include "server/router.hpp"

#include <algorithm>
#include <array>

namespace escd::server {
namespace {
std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        auto end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        parts.push_back(path.substr(pos, end - pos));
        pos = end;
    }
    return parts;
}

bool IsParam(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void Router::Add(http::verb method, std::string pattern, Handler handler, RouteOptions options) {
    std::vector<std::string> segments;
    for (auto part : SplitPath(pattern)) segments.emplace_back(part);
    routes_.push_back(Route{method, std::move(segments), std::move(handler), options});
}

bool Router::MatchSegments(const Route& route,
                           const std::vector<std::string_view>& parts,
                           std::map<std::string, std::string>* params) {
    if (route.segments.size() != parts.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& segment = route.segments[i];
        if (IsParam(segment)) continue;
        if (segment != parts[i]) return false;
    }
    if (params) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto& segment = route.segments[i];
            if (IsParam(segment))
                (*params)[segment.substr(1, segment.size() - 2)] = std::string(parts[i]);
        }
    }
    return true;
}

Router::Match Router::Find(http::verb method, std::string_view path) const {
    Match match;
    auto parts = SplitPath(path);
    // Literal segments win over parameters ("/vims/default_vim_connector" before "/vims/{id}"),
    // and an earlier literal over a later one ("/images/{id}" before "/{tenant}/volumes" for
    // "/images/volumes"): each literal weighs more than all the segments after it together.
    const Route* best = nullptr;
    int best_literals = -1;
    for (const auto& route : routes_) {
        if (!MatchSegments(route, parts, nullptr)) continue;
        match.path_known = true;
        if (route.method != method) {
            // Overlapping patterns ("/vims/{id}" and "/vims/default_vim_connector") may offer
            // the same method twice; the Allow header names it once.
            if (std::find(match.allowed.begin(), match.allowed.end(), route.method) ==
                match.allowed.end()) {
                match.allowed.push_back(route.method);
            }
            continue;
        }
        int literals = 0;
        for (std::size_t i = 0; i < route.segments.size() && i < 24; ++i)
            literals += IsParam(route.segments[i]) ? 0 : 1 << (24 - i);
        if (literals > best_literals) {
            best = &route;
            best_literals = literals;
        }
    }
    if (best) {
        MatchSegments(*best, parts, &match.params);
        match.handler = &best->handler;
        match.options = best->options;
    }
    return match;
}

std::optional<std::string_view> Router::StripBase(std::string_view target) {
    static constexpr std::array<std::string_view, 3> kBases{"/ESCManager/v0", "/ESCManger/v0",
                                                            "/v0"};
    for (auto base : kBases) {
        if (target.substr(0, base.size()) != base) continue;
        auto rest = target.substr(base.size());
        if (rest.empty() || rest.front() == '/') return rest;
    }
    // The reference's /internal/... routes (ssl reload, snapshots) keep their "/internal" prefix.
    static constexpr std::array<std::string_view, 3> kInternal{"/ESCManager/internal",
                                                               "/ESCManger/internal", "/internal"};
    for (auto base : kInternal) {
        if (target.substr(0, base.size()) != base) continue;
        auto rest = target.substr(base.size());
        if (rest.empty() || rest.front() == '/')
            return target.substr(base.size() - 9);  // "/internal..."
    }
    return std::nullopt;
}

}  // namespace escd::server
