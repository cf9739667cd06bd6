#pragma once
/// @file
/// ESC config parameters (/v0/config): what the known ones may hold and what changing them does.
/// Known (with the reference's defaults): DEFAULT/VM_RECOVERY_RETRY_MAX (3, INT),
/// OPENSTACK/ENDPOINT (adminURL|publicURL), LOG/LEVEL (INFO; also TRACE, DEBUG, WARN, ERROR;
/// takes effect at once), AFFINITY/FILTER (SameHostFilter|ServerGroupAffinity),
/// ANTI-AFFINITY/FILTER (DifferentHostFilter|ServerGroupAffinity). POST may add other keys, held
/// as strings. Categories and keys match case-insensitively and are stored upper case.
///
/// LOG/LEVEL mirrors the running level: at start-up the configured log.level is written into it
/// (the configuration wins at start); PUT changes it until the next start.

#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "common/log.hpp"
#include "model/config_parameter.hpp"
#include "model/stores/settings_store.hpp"

namespace escd::orchestrator {

class ConfigParameters {
  public:
    explicit ConfigParameters(model::SettingsStore& settings) : settings_(settings) {}

    /// At start-up (see above). The list of parameters is model::SettingsStore's.
    asio::awaitable<void> SyncLogLevelAtStart(log::Level level);

    /// Upper-cases a category or key; Error(kBadRequest) unless it has 1..64 characters of
    /// A-Z a-z 0-9 - _ .
    static std::string CanonicalName(std::string_view name, std::string_view field);

    /// Validates (400), stores (404 when unknown) and applies a new value.
    asio::awaitable<model::ConfigParameter> Update(const std::string& category,
                                                   const std::string& key,
                                                   const std::string& value);
    /// Adds a new key (409 when it exists).
    asio::awaitable<model::ConfigParameter> Create(const std::string& category,
                                                   const std::string& key,
                                                   const std::string& value);

  private:
    model::SettingsStore& settings_;
};

}  // namespace escd::orchestrator
