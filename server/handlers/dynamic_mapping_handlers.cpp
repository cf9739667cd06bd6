#include "server/handlers/dynamic_mapping_handlers.hpp"

#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/xml_doc.hpp"
#include "server/handlers/mutation.hpp"
#include "server/query.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

// A route's kind: what its path segment means, parsed once here (model/kinds.hpp).
struct Kind {
    model::MappingKind kind;
    const char* plural;  ///< "actions": path segment and list element
    const char* label;   ///< "Action": in messages
    /// "action": the element of an entry (the kind's own text).
    std::string singular() const { return std::string(model::ToString(kind)); }
};
constexpr Kind kAction{model::MappingKind::kAction, "actions", "Action"};
constexpr Kind kMetric{model::MappingKind::kMetric, "metrics", "Metric"};

std::string NameFromPath(const Kind& kind, const std::string& raw) {
    auto name = PercentDecode(raw);
    try {
        model::ValidateName(name, model::kMaxNameLength, kind.singular() + " name");
    } catch (const Error&) {
        throw Error(ErrorCode::kBadRequest,
                    "Invalid " + kind.singular() + " name provided [" + name.substr(0, 80) + "].");
    }
    return name;
}

std::string ElementText(const pugi::xml_node& node) {
    std::ostringstream out;
    node.print(out, "", pugi::format_raw);
    return out.str();
}

// The entries of a POST body, as documents whose <core> is always false.
std::vector<model::DynamicMapping> ParseEntries(const Kind& kind, const std::string& body) {
    auto doc = xml::ParseBody(body);
    pugi::xml_node container = doc->document_element();
    if (xml::LocalName(container) == "dynamic_mappings")
        container = xml::Child(container, kind.plural);
    std::vector<pugi::xml_node> nodes;
    if (container && xml::LocalName(container) == kind.singular()) {
        nodes.push_back(container);
    } else if (container && xml::LocalName(container) == kind.plural) {
        for (auto child = container.first_child(); child; child = child.next_sibling()) {
            if (child.type() == pugi::node_element && xml::LocalName(child) == kind.singular())
                nodes.push_back(child);
        }
    }
    if (nodes.empty())
        throw Error(ErrorCode::kBadRequest, "No " + kind.singular() + " definition found.");

    std::vector<model::DynamicMapping> entries;
    std::set<std::string> seen;
    for (auto node : nodes) {
        auto name = xml::ChildText(node, "name");
        if (!name)
            throw Error(ErrorCode::kBadRequest, std::string(kind.label) + " without a <name>");
        model::ValidateName(*name, model::kMaxNameLength, kind.singular() + " name");
        if (!seen.insert(*name).second) {
            throw Error(ErrorCode::kBadRequest,
                        std::string(kind.label) + " " + *name + " appears twice in the body");
        }
        // Only escd's own entries are CORE.
        while (auto core = xml::Child(node, "core")) node.remove_child(core);
        xml::AppendBool(node, "core", false);
        entries.push_back({kind.kind, *name, false, ElementText(node)});
    }
    return entries;
}

Response ListDocument(const Kind& kind, const std::vector<model::DynamicMapping>& entries) {
    std::string body =
        "<?xml version=\"1.0\"?>\n<dynamic_mappings><" + std::string(kind.plural) + ">";
    for (const auto& entry : entries) body += entry.document;
    body += "</" + std::string(kind.plural) + "></dynamic_mappings>\n";
    Response response;
    response.body = std::move(body);
    return response;
}

asio::awaitable<std::vector<model::DynamicMapping>> List(model::DynamicMappingStore& mappings,
                                                         const Kind& kind) {
    co_return co_await mappings.ListDynamicMappings(kind.kind);
}

asio::awaitable<Response> GetOne(model::DynamicMappingStore& mappings,
                                 const Kind& kind,
                                 Request& request) {
    auto name = NameFromPath(kind, request.Param("name"));
    const auto entries = co_await List(mappings, kind);
    for (const auto& entry : entries) {
        if (entry.name == name) {
            Response response;
            response.body = "<?xml version=\"1.0\"?>\n" + entry.document + "\n";
            co_return response;
        }
    }
    throw Error(ErrorCode::kNotFound, std::string(kind.label) + " " + name + " not found.");
}

asio::awaitable<Response> Create(model::DynamicMappingStore& mappings,
                                 const Kind& kind,
                                 Request& request) {
    RequireXmlBody(request);
    auto entries = ParseEntries(kind, request.Body());
    co_await mappings.CreateDynamicMappings(entries);
    co_return ListDocument(kind, entries);
}

asio::awaitable<Response> DeleteOne(model::DynamicMappingStore& mappings,
                                    const Kind& kind,
                                    Request& request) {
    auto name = NameFromPath(kind, request.Param("name"));
    std::optional<model::DynamicMapping> found;
    auto entries = co_await List(mappings, kind);
    for (auto& entry : entries) {
        if (entry.name == name) found = std::move(entry);
    }
    if (!found)
        throw Error(ErrorCode::kNotFound, std::string(kind.label) + " " + name + " not found.");
    if (found->core) {
        throw Error(ErrorCode::kBadRequest, std::string(kind.label) + " " + name + " is a CORE " +
                                                kind.singular() + ", cannot delete.");
    }
    // Deployments do not exist yet; once they do, an entry their rules name is refused here too.
    bool deleted = co_await mappings.DeleteDynamicMapping(kind.kind, name);
    if (!deleted)
        throw Error(ErrorCode::kNotFound, std::string(kind.label) + " " + name + " not found.");
    Response response;
    response.body = "<?xml version=\"1.0\"?>\n" + found->document + "\n";
    co_return response;
}

asio::awaitable<Response> DeleteNonCore(model::DynamicMappingStore& mappings, const Kind& kind) {
    co_await mappings.DeleteNonCoreDynamicMappings(kind.kind);
    co_return ListDocument(kind, co_await List(mappings, kind));
}

void RegisterKind(Router& router, model::DynamicMappingStore& mappings, const Kind& kind) {
    const std::string base = std::string("/dynamic_mapping/") + kind.plural;
    router.Add(http::verb::get, base, [&mappings, &kind](Request&) -> asio::awaitable<Response> {
        co_return ListDocument(kind, co_await List(mappings, kind));
    });
    router.Add(http::verb::get, base + "/{name}",
               [&mappings, &kind](Request& r) { return GetOne(mappings, kind, r); });
    router.Add(http::verb::post, base,
               [&mappings, &kind](Request& r) { return Create(mappings, kind, r); });
    router.Add(http::verb::delete_, base + "/{name}",
               [&mappings, &kind](Request& r) { return DeleteOne(mappings, kind, r); });
    router.Add(http::verb::delete_, base,
               [&mappings, &kind](Request&) { return DeleteNonCore(mappings, kind); });
}
}  // namespace

void RegisterDynamicMappingRoutes(Router& router, model::DynamicMappingStore& mappings) {
    RegisterKind(router, mappings, kAction);
    RegisterKind(router, mappings, kMetric);
}

}  // namespace escd::server::handlers
