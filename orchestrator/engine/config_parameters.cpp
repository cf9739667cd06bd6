#include "orchestrator/engine/config_parameters.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "common/error.hpp"

namespace escd::orchestrator {
namespace {

constexpr std::size_t kMaxValueLength = 1024;

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool OneOf(std::string_view value, std::initializer_list<std::string_view> options) {
    return std::any_of(options.begin(), options.end(),
                       [&](auto option) { return IEquals(value, option); });
}

struct KnownParameter {
    std::string_view category;
    std::string_view key;
    bool (*valid)(std::string_view value);
    std::string_view expected;  ///< for the error message
};

constexpr std::array kKnown{
    KnownParameter{"DEFAULT", "VM_RECOVERY_RETRY_MAX",
                   [](std::string_view v) {
                       int n = -1;
                       auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), n);
                       return error == std::errc() && end == v.data() + v.size() && n >= 0 &&
                              n <= 100;
                   },
                   "an integer from 0 to 100"},
    KnownParameter{"OPENSTACK", "ENDPOINT",
                   [](std::string_view v) {
                       return OneOf(v, {"adminURL", "publicURL"});
                   },
                   "adminURL or publicURL"},
    KnownParameter{"LOG", "LEVEL",
                   [](std::string_view v) { return log::ParseLevel(v).has_value(); },
                   "INFO, TRACE, DEBUG, WARN or ERROR"},
    KnownParameter{"AFFINITY", "FILTER",
                   [](std::string_view v) {
                       return OneOf(v, {"SameHostFilter", "ServerGroupAffinity"});
                   },
                   "SameHostFilter or ServerGroupAffinity"},
    KnownParameter{"ANTI-AFFINITY", "FILTER",
                   [](std::string_view v) {
                       return OneOf(v, {"DifferentHostFilter", "ServerGroupAffinity"});
                   },
                   "DifferentHostFilter or ServerGroupAffinity"},
};

const KnownParameter* FindKnown(std::string_view category, std::string_view key) {
    for (const auto& known : kKnown) {
        if (known.category == category && known.key == key) return &known;
    }
    return nullptr;
}

void ValidateValue(const std::string& category, const std::string& key, const std::string& value) {
    if (value.empty() || value.size() > kMaxValueLength) {
        throw Error(ErrorCode::kBadRequest, "the value of " + category + "/" + key +
                                                " must have 1 to " +
                                                std::to_string(kMaxValueLength) + " characters");
    }
    if (auto* known = FindKnown(category, key); known && !known->valid(value)) {
        throw Error(ErrorCode::kBadRequest, "invalid value '" + value.substr(0, 64) + "' for " +
                                                category + "/" + key + ": expected " +
                                                std::string(known->expected));
    }
}

}  // namespace

std::string ConfigParameters::CanonicalName(std::string_view name, std::string_view field) {
    if (name.empty() || name.size() > 64) {
        throw Error(ErrorCode::kBadRequest,
                    "invalid " + std::string(field) + ": 1 to 64 characters");
    }
    std::string upper;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') {
            throw Error(ErrorCode::kBadRequest, "invalid " + std::string(field) + " name '" +
                                                    std::string(name.substr(0, 64)) + "'");
        }
        upper.push_back(static_cast<char>(std::toupper(u)));
    }
    return upper;
}

asio::awaitable<void> ConfigParameters::SyncLogLevelAtStart(log::Level level) {
    const std::string category = "LOG", key = "LEVEL", value(log::LevelName(level));
    co_await settings_.UpdateConfigParameter(category, key, value);
}

asio::awaitable<model::ConfigParameter> ConfigParameters::Update(const std::string& category,
                                                                 const std::string& key,
                                                                 const std::string& value) {
    ValidateValue(category, key, value);
    auto parameters = co_await settings_.ListConfigParameters();
    auto it = std::find_if(parameters.begin(), parameters.end(),
                           [&](const auto& p) { return p.category == category && p.key == key; });
    if (it == parameters.end())
        throw Error(ErrorCode::kNotFound,
                    "config parameter " + category + "/" + key + " not found");
    if (it->type == "INT" && !FindKnown(category, key)) {
        int n = 0;
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (error != std::errc() || end != value.data() + value.size()) {
            throw Error(ErrorCode::kBadRequest, category + "/" + key + " holds an integer");
        }
    }
    bool updated = co_await settings_.UpdateConfigParameter(category, key, value);
    if (!updated)
        throw Error(ErrorCode::kNotFound,
                    "config parameter " + category + "/" + key + " not found");
    if (category == "LOG" && key == "LEVEL") log::SetLevel(*log::ParseLevel(value));
    auto result = *it;
    result.value = value;
    co_return result;
}

asio::awaitable<model::ConfigParameter> ConfigParameters::Create(const std::string& category,
                                                                 const std::string& key,
                                                                 const std::string& value) {
    ValidateValue(category, key, value);
    model::ConfigParameter parameter{category, key, value, "STRING"};
    bool created = co_await settings_.CreateConfigParameter(parameter);
    if (!created)
        throw Error(ErrorCode::kConflict,
                    "config parameter " + category + "/" + key + " already exists");
    co_return parameter;
}

}  // namespace escd::orchestrator
