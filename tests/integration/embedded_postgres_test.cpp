// escd on its embedded defaults: no DSN, so it runs initdb and its own PostgreSQL on a unix
// socket under its data directory, serves, and stops that PostgreSQL on SIGTERM.
#include <sys/stat.h>

#include <filesystem>

#include "common/process.hpp"
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

std::vector<std::string> PgCtl(const std::string& data, std::initializer_list<const char*> args) {
    auto argv = UnprivilegedPrefix();
    argv.emplace_back("/usr/lib/postgresql/15/bin/pg_ctl");
    for (const char* arg : args) argv.emplace_back(arg);
    argv.push_back("-D");
    argv.push_back(data);
    return argv;
}

// Whatever happens in the test, no PostgreSQL outlives it and the directory goes away.
struct ClusterCleanup {
    std::string dir;
    ~ClusterCleanup() {
        RunProcess(PgCtl(dir + "/pg/data", {"stop", "-m", "immediate"}), "/dev/null");
        std::filesystem::remove_all(dir);
    }
};

TEST(EmbeddedPostgres, StartsItsOwnClusterServesAndStopsItOnSigterm) {
    // The data directory must be reachable by the `postgres` user when the tests run as root.
    std::string dir = (std::filesystem::temp_directory_path() / "escd-embedded-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    ::chmod(dir.c_str(), 0755);
    ClusterCleanup cleanup{dir};

    CallbackReceiver receiver;
    {
        EscdOptions options;  // no dsn: the embedded default
        options.data_dir = dir;
        EscdProcess escd(options);
        auto client = escd.Client();
        auto created =
            client.Post("/v0/tenants/t-embedded", kTenantBody, {{"Callback", receiver.Url()}});
        ASSERT_EQ(created.status, 200) << created.body;
        ASSERT_EQ(receiver.WaitForDelivered(1, kCallbackWait).size(), 1u);
        EXPECT_TRUE(std::filesystem::exists(dir + "/pg/data/PG_VERSION"));
        EXPECT_TRUE(std::filesystem::exists(dir + "/pg/run/.s.PGSQL.5432"));

        EXPECT_EQ(escd.Terminate(), 0);
        EXPECT_NE(escd.Log().find("embedded PostgreSQL stopped"), std::string::npos) << escd.Log();
    }
    // pg_ctl status: 3 = no server running.
    EXPECT_EQ(RunProcess(PgCtl(dir + "/pg/data", {"status"}), "/dev/null"), 3);

    // And it comes back on the same cluster with the tenant still there.
    {
        EscdOptions options;
        options.data_dir = dir;
        EscdProcess escd(options);
        EXPECT_EQ(escd.Client().Get("/v0/tenants/t-embedded").status, 200);
        EXPECT_EQ(escd.Terminate(), 0);
    }
}

}  // namespace
}  // namespace escd::test
