#pragma once
/// @file
/// "13-ESC VIM Connectors" and "14-ESC VIM Users" (ESC reference). Documents: see
/// model/xml/vim_connector_xml.hpp; secrets are stored and never shown.
///
/// - GET /vims, GET /vims/{vim_id}: connectors with their last status check, if any.
/// - POST /vims, PUT|DELETE /vims/{vim_id}: CREATE_VIM_CONNECTOR / UPDATE_VIM_CONNECTOR /
///   DELETE_VIM_CONNECTOR. The first connector becomes the default. An update replaces type and
///   properties (secrets must be sent again) and forgets the last status. A delete is a 409
///   while the connector has VIM users, and for the default connector while others exist.
/// - GET /vims/default_vim_connector: <default_vim_connector><defaultVimConnectorId>; 404 when
///   no connector is the default. POST /vims/default_vim_connector with a <defaultVimConnectorId>
///   (any root element) makes that connector the default: SET_DEFAULT_VIM_CONNECTOR, 404 for an
///   unknown connector. The id default_vim_connector is reserved (that path never reaches a
///   connector).
/// - PUT /vims/{vim_id}/check_status: checks the connector now and answers with its document
///   holding <status> CONNECTION_SUCCESSFUL | CONNECTION_FAILED and the reason; the status is
///   kept and shown by later GETs. LIBVIRT: its `uri` property (escd's configured vim.uri when
///   absent); escd's own URI is checked through escd's running adapter, another URI by opening
///   it. OPENSTACK: authenticates to its Keystone as its (first) VIM user and reports Keystone's
///   answer. The Callback header is optional here (the reference lists none); when given, it
///   receives the document with event_type CHECK_VIM_CONNECTOR_STATUS and ESC-Status-Code 200
///   whatever the outcome: the check itself succeeded, its result is the <status>.
/// - GET|POST /vims/{vim_id}/vim_users, GET|PUT|DELETE /vims/{vim_id}/vim_users/{vim_user_id}:
///   CREATE_VIM_USER / UPDATE_VIM_USER / DELETE_VIM_USER; 404 for an unknown connector or user.
///   User ids in paths are percent-decoded.
///
/// Every mutation other than check_status needs the Callback header (400 without). A mutation is
/// validated first (400 malformed XML, missing id, bad type, id differing from the path; 404;
/// 409 duplicate), then its change, a finished operation and its callback (ESC-Status-Code 200)
/// commit in one transaction; the answer is 200 with ESC-Transaction-Id and the callback goes
/// out after it. No VIM work follows, so nothing is left to resume after a crash. Mutations are
/// refused with 503 in maintenance mode, check_status included. After every committed change the
/// engine's VIM router (vim/vim_router.hpp, through orchestrator/engine/vim_connectors.hpp) reads
/// the connectors again, before the answer.

#include <functional>
#include <string>
#include <vector>

#include "model/stores/vim_connector_store.hpp"
#include "server/router.hpp"
#include "vim/capabilities/reachability.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::server::handlers {

struct VimConnectorContext {
    model::VimConnectorStore& store;
    vim::Reachability& vim;  ///< escd's own VIM
    std::string vim_uri;     ///< its URI (config vim.uri)
    /// Checks a libvirt URI other than vim_uri. Empty: such connectors are reported unreachable.
    std::function<asio::awaitable<vim::VimStatus>(const std::string& uri)> check_libvirt_uri;
    /// Authenticates to an OpenStack VIM with these credentials (Keystone). Empty: OPENSTACK
    /// connectors are reported unreachable.
    std::function<asio::awaitable<vim::VimStatus>(vim::openstack::Credentials)> check_openstack;
    /// Which catalog interface OpenStack endpoints are taken from (config openstack.endpoint).
    std::string openstack_endpoint = "publicURL";
    /// Called after every committed change of connectors or users (the engine's VIM router reads
    /// them again). Empty: nothing to tell.
    std::function<asio::awaitable<void>()> vims_changed{};
};

/// How escd authenticates to an OPENSTACK connector: its properties with its first VIM user (ESC
/// has one per VIM), endpoints of catalog interface `interface` (config openstack.endpoint).
/// Throws Error(kBadRequest) naming what is missing.
vim::openstack::Credentials CredentialsOf(const model::VimConnector& connector,
                                          const std::vector<model::VimUser>& users,
                                          const std::string& interface);

/// Preloads escd's own VIM, once per database, as the LIBVIRT connector
/// model::kOwnVimConnectorId with property uri = `context.vim_uri`, the default unless another
/// connector is (a connector the client deleted is not brought back); then registers the routes.
/// Blocking (one transaction): call at start-up.
void RegisterVimConnectorRoutes(Router& router, VimConnectorContext context);

}  // namespace escd::server::handlers
