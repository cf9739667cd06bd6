// The migration runner's refusal of two files with one number: schema_migrations records a
// version once, so the second file would be skipped silently on every database.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

namespace fs = std::filesystem;

// A directory of migration files, removed with the test.
class MigrationDir {
  public:
    MigrationDir() {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("escd-migrations-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~MigrationDir() { fs::remove_all(path_); }
    void Add(const std::string& name) { std::ofstream(path_ / name) << "SELECT 1;\n"; }
    std::string path() const { return path_.string(); }

  private:
    fs::path path_;
};

// No server listens there: a runner that got as far as connecting fails with another message.
constexpr const char* kNoServer = "host=/nonexistent-escd-test-socket-dir connect_timeout=1";

TEST(Migrations, TwoFilesWithOneNumberAreRefusedNamingBoth) {
    MigrationDir dir;
    dir.Add("0001_base.sql");
    dir.Add("0002_hosts.sql");
    dir.Add("0002_snapshots.sql");
    dir.Add("0003_later.sql");
    try {
        PgStore::ApplyMigrations(kNoServer, dir.path());
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("0002_hosts.sql"), std::string::npos) << message;
        EXPECT_NE(message.find("0002_snapshots.sql"), std::string::npos) << message;
        EXPECT_NE(message.find("same number"), std::string::npos) << message;
    }
}

TEST(Migrations, OneNumberWrittenTwoWaysIsTheSameNumber) {
    MigrationDir dir;
    dir.Add("0001_base.sql");
    dir.Add("1_again.sql");
    try {
        PgStore::ApplyMigrations(kNoServer, dir.path());
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("0001_base.sql"), std::string::npos) << message;
        EXPECT_NE(message.find("1_again.sql"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace escd::model::pg
