#include "orchestrator/engine/vim_connectors.hpp"

#include <sstream>

namespace escd::orchestrator {
namespace {

std::string Fingerprint(const model::VimConnector& connector,
                        const std::vector<model::VimUser>& users) {
    std::ostringstream out;
    out << model::ToString(connector.type) << '\n';
    for (const auto& p : connector.properties) out << p.name << '=' << p.value << '\n';
    for (const auto& user : users) {
        out << "user " << user.id << '\n';
        for (const auto& p : user.credentials) out << p.name << '=' << p.value << '\n';
    }
    return out.str();
}

}  // namespace

asio::awaitable<void> VimConnectors::Refresh(model::VimConnectorStore& store) {
    std::vector<vim::VimRouter::Connector> connectors;
    std::string default_id;
    const auto stored = co_await store.ReadVimConnectors();
    for (const auto& entry : stored) {
        const auto& connector = entry.connector;
        if (connector.is_default) default_id = connector.id;
        vim::VimRouter::Connector routed;
        routed.id = connector.id;
        routed.fingerprint = Fingerprint(connector, entry.users);
        routed.why_not = "VIM connector " + connector.id + " of type " +
                         std::string(model::ToString(connector.type)) +
                         " cannot be driven by this escd";
        // Called by Update() below, while `stored` still lives in this frame.
        routed.build = [this, &entry] { return factory_(entry.connector, entry.users); };
        connectors.push_back(std::move(routed));
    }
    router_.Update(connectors, default_id);
}

}  // namespace escd::orchestrator
