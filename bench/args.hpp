#pragma once
/// @file
/// What the benchmark tools share: their command line (`--key value` or `--key=value`, every
/// option takes a value, unknown options are errors) and a nearest-rank percentile.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escd::bench {

class Args {
  public:
    Args(int argc, char** argv, int first) {
        for (int i = first; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (!arg.starts_with("--") || arg.size() < 3) {
                throw std::invalid_argument("unexpected argument '" + std::string(arg) + "'");
            }
            arg.remove_prefix(2);
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                values_[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
            } else if (i + 1 < argc) {
                values_[std::string(arg)] = argv[++i];
            } else {
                throw std::invalid_argument("option --" + std::string(arg) + " needs a value");
            }
        }
    }

    /// Every option must be consumed by exactly one Get*; leftovers are typos.
    void CheckAllUsed() const {
        for (const auto& [key, value] : values_) {
            if (!used_.contains(key)) throw std::invalid_argument("unknown option --" + key);
        }
    }

    std::optional<std::string> Get(const std::string& key) {
        used_[key] = true;
        const auto it = values_.find(key);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    std::string GetString(const std::string& key, std::string fallback) {
        return Get(key).value_or(std::move(fallback));
    }
    std::string Require(const std::string& key) {
        auto value = Get(key);
        if (!value) throw std::invalid_argument("missing --" + key);
        return *value;
    }
    double GetNumber(const std::string& key, std::optional<double> fallback) {
        const auto value = Get(key);
        if (!value) {
            if (!fallback) throw std::invalid_argument("missing --" + key);
            return *fallback;
        }
        std::size_t used = 0;
        double number = 0;
        try {
            number = std::stod(*value, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != value->size() || !std::isfinite(number) || number < 0) {
            throw std::invalid_argument("--" + key + " wants a non-negative number, got '" +
                                        *value + "'");
        }
        return number;
    }
    std::uint16_t GetPort(const std::string& key, std::optional<double> fallback) {
        const double port = GetNumber(key, fallback);
        if (port > 65535 || port != std::floor(port)) {
            throw std::invalid_argument("--" + key + " is not a port");
        }
        return static_cast<std::uint16_t>(port);
    }
    int GetCount(const std::string& key, double fallback, int min, int max) {
        const double count = GetNumber(key, fallback);
        if (count < min || count > max || count != std::floor(count)) {
            throw std::invalid_argument("--" + key + " must be an integer in [" +
                                        std::to_string(min) + ", " + std::to_string(max) + "]");
        }
        return static_cast<int>(count);
    }

  private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> used_;
};

/// Nearest-rank percentile of sorted values.
inline double Percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace escd::bench
