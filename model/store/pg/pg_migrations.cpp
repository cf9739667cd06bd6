// PgStore::ApplyMigrations: the numbered files of schemas/sql/ that the database has not
// applied yet, in one transaction at start-up. A number names one migration: schema_migrations
// records it once, so of two files with one number the second would be skipped on every
// database; such a directory is refused before anything is applied.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "common/log.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int PgStore::ApplyMigrations(const std::string& dsn, const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::pair<int, fs::path>> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (entry.path().extension() != ".sql" || name.size() < 6 ||
            !std::isdigit(static_cast<unsigned char>(name[0]))) {
            continue;
        }
        files.emplace_back(std::stoi(name.substr(0, name.find('_'))), entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::runtime_error("no migrations found in " + dir);
    const auto same =
        std::adjacent_find(files.begin(), files.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; });
    if (same != files.end()) {
        throw std::runtime_error("migrations " + same->second.filename().string() + " and " +
                                 std::next(same)->second.filename().string() + " in " + dir +
                                 " have the same number " + std::to_string(same->first));
    }

    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    // Serialises concurrent start-ups of several escd on one database.
    tx.exec("SELECT pg_advisory_xact_lock(74657363)");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT "
        "NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (const auto& [version, path] : files) {
        if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", version).empty())
            continue;
        tx.exec(ReadFile(path));
        tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version,
                       path.filename().string());
        ESCD_INFO("store") << "applied migration " << path.filename().string();
        ++applied;
    }
    tx.commit();
    return applied;
}

}  // namespace escd::model::pg
