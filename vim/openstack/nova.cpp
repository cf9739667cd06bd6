#include "vim/openstack/nova.hpp"

#include <boost/json.hpp>
#include <set>

#include "common/log.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

asio::awaitable<std::optional<std::string>> Nova::FindFlavor(std::string internal_id) {
    // Every flavor the project sees, public and private (is_public=None): one call.
    const auto answer =
        co_await session_.Call("compute", http::verb::get, "/flavors?is_public=None");
    boost::system::error_code ec;
    auto parsed = json::parse(answer.body, ec);
    const json::value* flavors = nullptr;
    if (!ec && parsed.is_object()) flavors = parsed.as_object().if_contains("flavors");
    if (!flavors || !flavors->is_array())
        throw VimError(ErrorCode::kVimError, "Nova's flavor list is not usable");
    const auto name = ObjectName(internal_id);
    for (const auto& flavor : flavors->as_array()) {
        if (!flavor.is_object()) continue;
        const auto* n = flavor.as_object().if_contains("name");
        const auto* id = flavor.as_object().if_contains("id");
        if (n && n->is_string() && n->as_string() == name && id && id->is_string())
            co_return std::string(id->as_string());
    }
    co_return std::nullopt;
}

asio::awaitable<std::string> Nova::EnsureFlavor(const FlavorRequest& request) {
    if (auto found = co_await FindFlavor(request.internal_id)) co_return *found;
    const auto created =
        co_await session_.Call("compute", http::verb::post, "/flavors", FlavorBody(request));
    auto id = IdIn(created.body, "flavor");
    ESCD_INFO("vim") << "created Nova flavor " << ObjectName(request.internal_id) << " " << id;
    co_return id;
}

asio::awaitable<void> Nova::DeleteFlavor(std::string flavor_id) {
    co_await session_.Call("compute", http::verb::delete_, "/flavors/" + flavor_id, std::string(),
                           kGoneIsAnAnswer);
    ESCD_INFO("vim") << "deleted Nova flavor " << flavor_id;
}

}  // namespace escd::vim::openstack
