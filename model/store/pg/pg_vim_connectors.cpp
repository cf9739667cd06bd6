// PgStore: VIM connectors and VIM users: their reads, and each change committed together with
// its finished operation and callbacks; the preload of escd's own VIM at start-up.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"
#include "model/xml/vim_connector_xml.hpp"

namespace escd::model::pg {

namespace {
// Marks, in `settings`, that escd's own VIM was preloaded once on this database.
constexpr const char* kVimPreloadedSetting = "vim_connectors.preloaded";

std::string ConnectorNotFound(const std::string& id) {
    return "VIM connector " + id + " not found";
}

std::string UserNotFound(const std::string& vim_id, const std::string& user_id) {
    return "VIM user " + user_id + " not found on VIM connector " + vim_id;
}

// The connector must exist; locks it against a concurrent delete (FOR SHARE) or change.
void RequireConnector(pqxx::work& tx, const std::string& id, const char* statement) {
    if (tx.exec_prepared(statement, id).empty())
        throw Error(ErrorCode::kNotFound, ConnectorNotFound(id));
}

void RequireUser(pqxx::work& tx, const std::string& vim_id, const std::string& user_id) {
    RequireConnector(tx, vim_id, "share_vim_connector");
    if (tx.exec_prepared("lock_vim_user", vim_id, user_id).empty())
        throw Error(ErrorCode::kNotFound, UserNotFound(vim_id, user_id));
}

using Change = std::function<void(pqxx::work&)>;

// `change` (its checks, then its writes: the group-commit contract), a finished `op` and its
// callbacks (their transaction leased to `node`), in one transaction. A retried batch runs the
// job again, hence rows.clear().
asio::awaitable<std::vector<OutboxRow>> CommitFinished(
    GroupCommit& writes,
    const std::string& node,
    const Change& change,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    std::vector<OutboxRow> rows;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                change(tx);
                tx.exec_prepared0("insert_finished_operation", op.transaction_id,
                                  std::string(KindText(op)), Stored(op.target_kind), op.target_id,
                                  op.callback_url, op.events_url, op.payload, 200, message);
                for (const auto& callback : callbacks)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, callback, node));
            },
            std::move(done));
    });
    co_return rows;
}
}  // namespace

asio::awaitable<std::vector<VimConnector>> PgStore::ListVimConnectors() {
    return OnPool([&]() -> std::vector<VimConnector> {
        return AllRows("list_vim_connectors", ConnectorFromRow);
    });
}

asio::awaitable<std::optional<VimConnector>> PgStore::GetVimConnector(const std::string& id) {
    return OnPool([&]() -> std::optional<VimConnector> {
        return FirstRow("get_vim_connector", ConnectorFromRow, id);
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CreateVimConnector(
    const VimConnector& connector,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto properties = xml::StoredProperties(connector.properties);
    const Change change = [&](pqxx::work& tx) {
        if (!tx.exec_prepared("vim_connector_exists", connector.id).empty()) {
            throw Error(ErrorCode::kConflict, "VIM connector " + connector.id + " already exists");
        }
        // A concurrent create of the same id makes this insert wait, then insert nothing; the
        // refusal then leaves nothing behind.
        auto inserted = tx.exec_prepared0("insert_vim_connector", connector.id,
                                          std::string(ToString(connector.type)), properties);
        if (inserted.affected_rows() == 0)
            throw Error(ErrorCode::kConflict, "VIM connector " + connector.id + " already exists");
        tx.exec_prepared0("default_vim_connector_if_none", connector.id);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::UpdateVimConnector(
    const VimConnector& connector,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto properties = xml::StoredProperties(connector.properties);
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, connector.id, "lock_vim_connector");
        tx.exec_prepared0("update_vim_connector", connector.id,
                          std::string(ToString(connector.type)), properties);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::DeleteVimConnector(
    const std::string& id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "lock_vim_connector");
        auto user = tx.exec_prepared("first_vim_user", id);
        if (!user.empty()) {
            throw Error(ErrorCode::kConflict, "VIM connector " + id + " still has VIM users (" +
                                                  user[0][0].as<std::string>() +
                                                  ", ...); delete them first");
        }
        // A default switch to this connector holds it FOR SHARE, so the row read here is not
        // about to name it.
        auto current = tx.exec_prepared("get_default_vim_connector");
        const bool is_default = !current.empty() && current[0][0].as<std::string>() == id;
        if (is_default && tx.exec_prepared1("count_vim_connectors")[0].as<long>() > 1) {
            throw Error(ErrorCode::kConflict,
                        "VIM connector " + id +
                            " is the default VIM connector; make another one the default first");
        }
        tx.exec_prepared0("clear_default_vim_connector", id);
        tx.exec_prepared0("delete_vim_connector", id);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::SetDefaultVimConnector(
    const std::string& id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "share_vim_connector");
        tx.exec_prepared0("set_default_vim_connector", id);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::RecordVimConnectorStatus(
    const std::string& id,
    const VimConnectorStatus& status,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto checked_at = std::to_string(ToMillis(status.checked_at));
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, id, "lock_vim_connector");
        tx.exec_prepared0("record_vim_connector_status", id, status.reachable, status.message,
                          checked_at);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<bool> PgStore::PreloadVimConnector(const VimConnector& connector) {
    bool inserted = false;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                inserted = false;
                if (!tx.exec_prepared("get_setting", std::string(kVimPreloadedSetting)).empty())
                    return;
                inserted = tx.exec_prepared0("insert_vim_connector", connector.id,
                                             std::string(ToString(connector.type)),
                                             xml::StoredProperties(connector.properties))
                               .affected_rows() == 1;
                if (inserted) tx.exec_prepared0("default_vim_connector_if_none", connector.id);
                tx.exec_prepared0("put_setting", std::string(kVimPreloadedSetting),
                                  std::string("true"));
            },
            std::move(done));
    });
    co_return inserted;
}

asio::awaitable<std::vector<VimUser>> PgStore::ListVimUsers(const std::string& vim_id) {
    return OnPool([this, &vim_id] { return VimUserRows(vim_id); });
}

asio::awaitable<std::vector<StoredVimConnector>> PgStore::ReadVimConnectors() {
    // One query, so that connectors and users are read at one point in time: a row per
    // (connector, user), ordered by connector.
    return OnPool([this]() -> std::vector<StoredVimConnector> {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            std::vector<StoredVimConnector> out;
            for (const auto& row : tx.exec_prepared("list_vim_connectors_with_users")) {
                const auto id = row[0].as<std::string>();
                if (out.empty() || out.back().connector.id != id)
                    out.push_back({ConnectorFromRow(row), {}});
                if (row[7].is_null()) continue;  // the connector has no users
                out.back().users.push_back({id, row[7].as<std::string>(),
                                            xml::PropertiesFromStored(row[8].as<std::string>())});
            }
            return out;
        });
    });
}

std::vector<VimUser> PgStore::VimUserRows(const std::string& vim_id) {
    return Read([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec_prepared("list_vim_users", vim_id);
        if (rows.empty()) throw Error(ErrorCode::kNotFound, ConnectorNotFound(vim_id));
        std::vector<VimUser> out;
        for (const auto& row : rows) {
            if (row[0].is_null()) continue;  // the connector has no users
            out.push_back({vim_id, row[0].as<std::string>(),
                           xml::PropertiesFromStored(row[1].as<std::string>())});
        }
        return out;
    });
}

asio::awaitable<VimUser> PgStore::GetVimUser(const std::string& vim_id,
                                             const std::string& user_id) {
    return OnPool([&]() -> VimUser {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            auto rows = tx.exec_prepared("get_vim_user", vim_id, user_id);
            if (rows.empty()) throw Error(ErrorCode::kNotFound, ConnectorNotFound(vim_id));
            if (rows[0][0].is_null())
                throw Error(ErrorCode::kNotFound, UserNotFound(vim_id, user_id));
            return VimUser{vim_id, user_id,
                           xml::PropertiesFromStored(rows[0][1].as<std::string>())};
        });
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::CreateVimUser(
    const VimUser& user,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto credentials = xml::StoredProperties(user.credentials);
    const Change change = [&](pqxx::work& tx) {
        RequireConnector(tx, user.vim_id, "share_vim_connector");
        if (!tx.exec_prepared("lock_vim_user", user.vim_id, user.id).empty()) {
            throw Error(ErrorCode::kConflict,
                        "VIM user " + user.id + " already exists on VIM connector " + user.vim_id);
        }
        tx.exec_prepared0("insert_vim_user", user.vim_id, user.id, credentials);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::UpdateVimUser(
    const VimUser& user,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const auto credentials = xml::StoredProperties(user.credentials);
    const Change change = [&](pqxx::work& tx) {
        RequireUser(tx, user.vim_id, user.id);
        tx.exec_prepared0("update_vim_user", user.vim_id, user.id, credentials);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

asio::awaitable<std::vector<OutboxRow>> PgStore::DeleteVimUser(
    const std::string& vim_id,
    const std::string& user_id,
    const Operation& op,
    const std::string& message,
    const std::vector<OutboxMessage>& callbacks) {
    const Change change = [&](pqxx::work& tx) {
        RequireUser(tx, vim_id, user_id);
        tx.exec_prepared0("delete_vim_user", vim_id, user_id);
    };
    co_return co_await CommitFinished(writes_, Node(), change, op, message, callbacks);
}

}  // namespace escd::model::pg
