// PgStore: escd's own settings: config parameters, dynamic mappings, hosts (schedulable or not)
// and the key-value settings.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_rows.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {

asio::awaitable<std::vector<ConfigParameter>> PgStore::ListConfigParameters() {
    return OnPool([&]() -> std::vector<ConfigParameter> {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            std::vector<ConfigParameter> out;
            for (const auto& row : tx.exec_prepared("list_config")) {
                out.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                               row[2].as<std::string>(), row[3].as<std::string>()});
            }
            return out;
        });
    });
}

asio::awaitable<bool> PgStore::CreateConfigParameter(const ConfigParameter& parameter) {
    static const std::string kStatement = "create_config";
    std::vector<std::string> params{parameter.category, parameter.key, parameter.value,
                                    parameter.type};
    co_return (co_await Write(kStatement, params)).affected_rows() == 1;
}

asio::awaitable<bool> PgStore::UpdateConfigParameter(const std::string& category,
                                                     const std::string& key,
                                                     const std::string& value) {
    static const std::string kStatement = "update_config";
    std::vector<std::string> params{category, key, value};
    co_return (co_await Write(kStatement, params)).affected_rows() == 1;
}

asio::awaitable<std::vector<DynamicMapping>> PgStore::ListDynamicMappings(MappingKind kind) {
    return OnPool(
        [this, kind = Stored(kind)] { return AllRows("list_mappings", MappingFromRow, kind); });
}

asio::awaitable<void> PgStore::CreateDynamicMappings(const std::vector<DynamicMapping>& entries) {
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                // All checks before the first write (group-commit contract).
                for (const auto& entry : entries) {
                    if (!tx.exec_prepared("mapping_exists", Stored(entry.kind), entry.name)
                             .empty()) {
                        std::string kind = Stored(entry.kind);
                        kind[0] =
                            static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
                        throw Error(ErrorCode::kConflict,
                                    kind + " " + entry.name + " already exists.");
                    }
                }
                for (const auto& entry : entries)
                    tx.exec_prepared0("insert_mapping", Stored(entry.kind), entry.name,
                                      entry.document);
            },
            std::move(done));
    });
}

asio::awaitable<bool> PgStore::DeleteDynamicMapping(MappingKind kind, const std::string& name) {
    static const std::string kStatement = "delete_mapping";
    std::vector<std::string> params{Stored(kind), name};
    co_return (co_await Write(kStatement, params)).affected_rows() == 1;
}

asio::awaitable<int> PgStore::DeleteNonCoreDynamicMappings(MappingKind kind) {
    static const std::string kStatement = "delete_noncore_mappings";
    std::vector<std::string> params{Stored(kind)};
    co_return static_cast<int>((co_await Write(kStatement, params)).affected_rows());
}

asio::awaitable<bool> PgStore::HostSchedulable(const std::string& host) {
    return OnPool([&]() -> bool {
        return Read([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            auto rows = tx.exec_prepared("host_schedulable", host);
            return rows.empty() || rows[0][0].as<bool>();
        });
    });
}

asio::awaitable<std::vector<std::string>> PgStore::SchedulableHosts(
    const std::vector<std::string>& hosts) {
    return OnPool([&]() -> std::vector<std::string> {
        // The disabled hosts are few (a host is schedulable unless it was disabled).
        const auto disabled = AllRows(
            "disabled_hosts", [](const pqxx::row& row) { return row[0].as<std::string>(); });
        std::vector<std::string> out;
        for (const auto& host : hosts)
            if (std::find(disabled.begin(), disabled.end(), host) == disabled.end())
                out.push_back(host);
        return out;
    });
}

asio::awaitable<std::vector<OutboxRow>> PgStore::SetHostSchedulable(
    const std::string& host,
    bool schedulable,
    const Operation& op,
    const std::vector<OutboxMessage>& events) {
    std::vector<OutboxRow> rows;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                rows.clear();
                tx.exec_prepared0("set_host", host, schedulable);
                tx.exec_prepared0("insert_finished_operation", op.transaction_id,
                                  std::string(KindText(op)), Stored(op.target_kind), op.target_id,
                                  op.callback_url, op.events_url, op.payload, 200,
                                  std::string(schedulable ? "Host enabled" : "Host disabled"));
                for (const auto& message : events)
                    rows.push_back(InsertOutbox(tx, op.transaction_id, message, Node()));
            },
            std::move(done));
    });
    co_return rows;
}

asio::awaitable<std::optional<std::string>> PgStore::GetSetting(const std::string& key) {
    return OnPool([&]() -> std::optional<std::string> {
        return Read([&](pqxx::connection& c) -> std::optional<std::string> {
            pqxx::nontransaction tx(c);  // one statement: no BEGIN/COMMIT round trips
            auto rows = tx.exec_prepared("get_setting", key);
            if (rows.empty()) return std::nullopt;
            return rows[0][0].as<std::string>();
        });
    });
}

asio::awaitable<std::string> PgStore::SettingOrPut(const std::string& key,
                                                   const std::string& candidate) {
    std::vector<std::string> params{key, candidate};
    const auto result = co_await Write("setting_or_put", params);
    co_return result.at(0)[0].as<std::string>();
}

asio::awaitable<void> PgStore::PutSetting(const std::string& key, const std::string& value) {
    return OnPool([&]() -> void {
        With([&](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            tx.exec_prepared0("put_setting", key, value);
        });
    });
}

}  // namespace escd::model::pg
