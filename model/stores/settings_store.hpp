#pragma once
/// @file
/// model::SettingsStore — the role of the store that keeps escd's own settings: the config
/// parameters of /v0/config (categories and keys upper case) and the internal key-value settings
/// (admin password hash, operation mode, instance id). Conventions:
/// model/stores/resource_store.hpp.

#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/config_parameter.hpp"

namespace escd::model {

class SettingsStore {
  public:
    virtual ~SettingsStore() = default;

    virtual asio::awaitable<std::vector<ConfigParameter>> ListConfigParameters() = 0;
    /// Inserts a new parameter; false when (category, key) exists already.
    virtual asio::awaitable<bool> CreateConfigParameter(const ConfigParameter& parameter) = 0;
    /// Changes the value of an existing parameter; false when there is none.
    virtual asio::awaitable<bool> UpdateConfigParameter(const std::string& category,
                                                        const std::string& key,
                                                        const std::string& value) = 0;

    /// The value of an internal setting; nullopt when it was never put.
    virtual asio::awaitable<std::optional<std::string>> GetSetting(const std::string& key) = 0;
    virtual asio::awaitable<void> PutSetting(const std::string& key, const std::string& value) = 0;
    /// The value of `key`, `candidate` put first when it has none: of nodes that start at once
    /// on a new database, the first to commit wins and every one reads its value.
    virtual asio::awaitable<std::string> SettingOrPut(const std::string& key,
                                                      const std::string& candidate) = 0;
};

}  // namespace escd::model
