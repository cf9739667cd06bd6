#include "server/handlers/config_handlers.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;
using orchestrator::ConfigParameters;

void FillParameter(pugi::xml_node node, const model::ConfigParameter& parameter) {
    xml::AppendText(node, "category", parameter.category);
    xml::AppendText(node, "key", parameter.key);
    xml::AppendText(node, "type", parameter.type);
    auto value = node.append_child("value");
    value.append_attribute("xmlns:xsi").set_value("http://www.w3.org/2001/XMLSchema-instance");
    value.append_attribute("xmlns:xs").set_value("http://www.w3.org/2001/XMLSchema");
    value.text().set(parameter.value.c_str());
}

Response One(const model::ConfigParameter& parameter) {
    pugi::xml_document doc;
    FillParameter(doc.append_child("escconfigparameter"), parameter);
    Response response;
    response.body = xml::Serialize(doc);
    return response;
}

Response Many(const std::vector<model::ConfigParameter>& parameters) {
    pugi::xml_document doc;
    auto list = doc.append_child("escconfigparameters");
    for (const auto& parameter : parameters)
        FillParameter(list.append_child("escconfigparameter"), parameter);
    Response response;
    response.body = xml::Serialize(doc);
    return response;
}

// POST bodies come as plain text, a JSON string ("debug") or XML (<value>debug</value>, or a
// whole <escconfigparameter>).
std::string ValueFromBody(const std::string& body) {
    std::string_view text = body;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (!text.empty() && text.front() == '<') {
        auto doc = xml::ParseBody(text);
        auto root = doc->document_element();
        if (xml::LocalName(root) == "value") return root.child_value();
        if (auto value = xml::ChildText(root, "value")) return *value;
        throw Error(ErrorCode::kBadRequest, "the XML body has no <value>");
    }
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
    return std::string(text);
}
}  // namespace

void RegisterConfigRoutes(Router& router,
                          orchestrator::ConfigParameters& config,
                          model::SettingsStore& settings) {
    router.Add(http::verb::get, "/config", [&settings](Request&) -> asio::awaitable<Response> {
        co_return Many(co_await settings.ListConfigParameters());
    });
    router.Add(http::verb::get, "/config/{category}",
               [&settings](Request& r) -> asio::awaitable<Response> {
                   auto category = ConfigParameters::CanonicalName(r.Param("category"), "category");
                   auto all = co_await settings.ListConfigParameters();
                   std::vector<model::ConfigParameter> in_category;
                   for (auto& p : all) {
                       if (p.category == category) in_category.push_back(std::move(p));
                   }
                   if (in_category.empty())
                       throw Error(ErrorCode::kNotFound,
                                   "config category " + category + " not found");
                   co_return Many(in_category);
               });
    router.Add(http::verb::get, "/config/{category}/{key}",
               [&settings](Request& r) -> asio::awaitable<Response> {
                   auto category = ConfigParameters::CanonicalName(r.Param("category"), "category");
                   auto key = ConfigParameters::CanonicalName(r.Param("key"), "key");
                   const auto all = co_await settings.ListConfigParameters();
                   for (const auto& p : all) {
                       if (p.category == category && p.key == key) co_return One(p);
                   }
                   throw Error(ErrorCode::kNotFound,
                               "config parameter " + category + "/" + key + " not found");
               });
    router.Add(http::verb::post, "/config/{category}/{key}",
               [&config](Request& r) -> asio::awaitable<Response> {
                   auto category = ConfigParameters::CanonicalName(r.Param("category"), "category");
                   auto key = ConfigParameters::CanonicalName(r.Param("key"), "key");
                   auto value = ValueFromBody(r.Body());
                   co_return One(co_await config.Create(category, key, value));
               });
    router.Add(http::verb::put, "/config/{category}/{key}/{value}",
               [&config](Request& r) -> asio::awaitable<Response> {
                   auto category = ConfigParameters::CanonicalName(r.Param("category"), "category");
                   auto key = ConfigParameters::CanonicalName(r.Param("key"), "key");
                   co_return One(co_await config.Update(category, key, r.Param("value")));
               });
}

}  // namespace escd::server::handlers
