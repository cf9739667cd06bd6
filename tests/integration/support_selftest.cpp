// Proves the integration-test support library itself: the callback receiver, the HTTP client,
// per-test databases and the child-process harness (driven by a stand-in shell script, so these
// tests do not depend on escd).

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/callback_receiver.hpp"
#include "tests/support/escd_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kWait = seconds(10);

TEST(CallbackReceiverSelfTest, RecordsMethodTargetLowerCasedHeadersAndBody) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    client.SetBasicAuth("admin", "secret");

    const HttpResponse response =
        client.Post("/callback?x=1", "<event>up</event>", {{"X-Custom-Header", "Value 1"}});
    EXPECT_EQ(response.status, 200);

    const auto delivered = receiver.WaitForDelivered(1, kWait);
    ASSERT_EQ(delivered.size(), 1u);
    const ReceivedRequest& request = delivered[0];
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/callback?x=1");
    EXPECT_EQ(request.body, "<event>up</event>");
    EXPECT_EQ(request.answered_status, 200);
    EXPECT_EQ(request.headers.at("x-custom-header"), "Value 1");
    EXPECT_EQ(request.headers.at("content-type"), "application/xml");
    EXPECT_EQ(request.Header("X-CUSTOM-header"), "Value 1");
    EXPECT_EQ(request.Header("Authorization"), "Basic YWRtaW46c2VjcmV0");
    EXPECT_EQ(request.Header("Host"), "127.0.0.1:" + std::to_string(receiver.port()));
    EXPECT_EQ(request.Header("X-Absent"), "");
    for (const auto& [name, value] : request.headers) {
        for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name << ": " << value;
    }
    EXPECT_EQ(receiver.Url(), "http://127.0.0.1:" + std::to_string(receiver.port()) + "/callback");
    EXPECT_EQ(receiver.Url("/x"), "http://127.0.0.1:" + std::to_string(receiver.port()) + "/x");
}

TEST(CallbackReceiverSelfTest, GivenHeadersOverrideTheClientDefaults) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    client.SetBasicAuth("admin", "secret");
    client.Put("/a", "{}", {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}});
    client.ClearAuth();
    client.Delete("/b");

    const auto delivered = receiver.WaitForDelivered(2, kWait);
    ASSERT_EQ(delivered.size(), 2u);
    EXPECT_EQ(delivered[0].method, "PUT");
    EXPECT_EQ(delivered[0].Header("content-type"), "application/json");
    EXPECT_EQ(delivered[0].Header("authorization"), "Bearer t");
    EXPECT_EQ(delivered[1].method, "DELETE");
    EXPECT_EQ(delivered[1].Header("authorization"), "");
    EXPECT_EQ(delivered[1].Header("content-type"), "");
}

TEST(CallbackReceiverSelfTest, FailedAnswersCountAsAttemptsButNotDeliveries) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    receiver.SetResponseStatus(503);
    EXPECT_EQ(client.Post("/callback", "<a/>").status, 503);

    const auto attempts = receiver.WaitForAttempts(1, kWait);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].answered_status, 503);
    // The attempt is already recorded, so no waiting is needed to see it is not a delivery.
    EXPECT_TRUE(receiver.WaitForDelivered(1, milliseconds(0)).empty());

    receiver.SetResponseStatus(204);
    EXPECT_EQ(client.Post("/callback", "<b/>").status, 204);
    const auto delivered = receiver.WaitForDelivered(1, kWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].body, "<b/>");
    EXPECT_EQ(delivered[0].answered_status, 204);
    EXPECT_EQ(receiver.WaitForAttempts(2, kWait).size(), 2u);
    EXPECT_EQ(receiver.Requests().size(), 2u);
}

TEST(CallbackReceiverSelfTest, StopRefusesConnectionsAndStartAcceptsOnTheSamePort) {
    CallbackReceiver receiver;
    const std::uint16_t port = receiver.port();
    HttpClient client("127.0.0.1", port);
    EXPECT_EQ(client.Get("/before").status, 200);

    receiver.Stop();
    // The keep-alive connection was closed too, so the client's one reconnect is refused.
    EXPECT_THROW(client.Get("/during"), std::runtime_error);
    EXPECT_THROW(HttpClient("127.0.0.1", port).Get("/during"), std::runtime_error);
    EXPECT_THROW(RawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), std::runtime_error);

    receiver.Start();
    EXPECT_EQ(receiver.port(), port);
    EXPECT_EQ(client.Get("/after").status, 200);

    const auto delivered = receiver.WaitForDelivered(2, kWait);
    ASSERT_EQ(delivered.size(), 2u);
    EXPECT_EQ(delivered[0].target, "/before");
    EXPECT_EQ(delivered[1].target, "/after");
}

TEST(CallbackReceiverSelfTest, StopAndStartCanRepeat) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    for (int round = 0; round < 5; ++round) {
        receiver.Stop();
        receiver.Stop();  // idempotent
        EXPECT_THROW(client.Get("/"), std::runtime_error);
        receiver.Start();
        receiver.Start();  // idempotent
        EXPECT_EQ(client.Get("/").status, 200);
    }
    EXPECT_EQ(receiver.WaitForDelivered(5, kWait).size(), 5u);
}

TEST(CallbackReceiverSelfTest, KeepAliveConnectionIsReusedForManyRequests) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(client.Post("/callback", "<n>" + std::to_string(i) + "</n>").status, 200);
    }
    EXPECT_EQ(client.connections_opened(), 1u);

    const auto delivered = receiver.WaitForDelivered(100, kWait);
    ASSERT_EQ(delivered.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(delivered[i].body, "<n>" + std::to_string(i) + "</n>");
        EXPECT_EQ(delivered[i].connection, delivered[0].connection);
    }
}

TEST(CallbackReceiverSelfTest, ServesSeveralConcurrentConnections) {
    CallbackReceiver receiver;
    constexpr int kClients = 4;
    constexpr int kEach = 25;
    std::vector<std::thread> threads;
    for (int c = 0; c < kClients; ++c) {
        threads.emplace_back([&receiver, c] {
            HttpClient client("127.0.0.1", receiver.port());
            for (int i = 0; i < kEach; ++i) {
                client.Post("/c" + std::to_string(c), std::to_string(i));
            }
        });
    }
    // Two clients holding open connections at the same time, interleaved on one thread.
    HttpClient first("127.0.0.1", receiver.port());
    HttpClient second("127.0.0.1", receiver.port());
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(first.Get("/first").status, 200);
        EXPECT_EQ(second.Get("/second").status, 200);
    }
    for (auto& thread : threads) thread.join();

    const auto delivered = receiver.WaitForDelivered(kClients * kEach + 20, kWait);
    ASSERT_EQ(delivered.size(), static_cast<std::size_t>(kClients * kEach + 20));
    std::set<std::uint64_t> connections;
    for (const auto& request : delivered) connections.insert(request.connection);
    EXPECT_EQ(connections.size(), static_cast<std::size_t>(kClients + 2));
}

TEST(CallbackReceiverSelfTest, ClientReconnectsWhenTheServerClosedTheConnection) {
    CallbackReceiver receiver;
    HttpClient client("127.0.0.1", receiver.port());
    EXPECT_EQ(client.Get("/one", {{"Connection", "close"}}).status, 200);
    EXPECT_EQ(client.Get("/two").status, 200);
    EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(RawRequestSelfTest, ReturnsTheRawAnswerAndEmptyForGarbage) {
    CallbackReceiver receiver;
    const std::string answer = RawRequest(
        receiver.port(), "GET /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
    EXPECT_EQ(receiver.WaitForDelivered(1, kWait).size(), 1u);

    // The receiver drops a connection it cannot parse, without answering.
    EXPECT_EQ(RawRequest(receiver.port(), "NOT HTTP AT ALL\r\n\r\n"), "");
    EXPECT_EQ(receiver.Requests().size(), 1u);
}

TEST(TestDatabaseSelfTest, CreatesAQueryableDatabaseAndDropsItEvenWhileConnected) {
    std::string name;
    std::string admin_dsn;
    {
        std::unique_ptr<pqxx::connection> lingering;
        TestDatabase db;
        ESCD_REQUIRE_PG(db);
        admin_dsn = std::getenv("ESCD_TEST_PG_DSN");
        name = db.name();
        EXPECT_EQ(name.rfind("escd_t_", 0), 0u);
        EXPECT_EQ(name.size(), 7u + 16u);
        EXPECT_EQ(db.dsn(), admin_dsn + " dbname=" + name);

        db.Query("CREATE TABLE t (x integer)");
        db.Query("INSERT INTO t VALUES (1), (2)");
        EXPECT_EQ(db.Query("SELECT sum(x) FROM t")[0][0].as<int>(), 3);
        EXPECT_EQ(db.Query("SELECT current_database()")[0][0].as<std::string>(), name);

        TestDatabase other;
        EXPECT_NE(other.name(), name);
        EXPECT_EQ(
            other.Query("SELECT count(*) FROM pg_tables WHERE tablename = 't'")[0][0].as<int>(), 0);

        // Destroyed after db: the drop must disconnect it.
        lingering = std::make_unique<pqxx::connection>(db.dsn());
    }
    pqxx::connection admin(admin_dsn);
    pqxx::nontransaction transaction(admin);
    const auto count =
        transaction.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name);
    EXPECT_EQ(count[0].as<int>(), 0);
}

TEST(TestDatabaseSelfTest, AnEscdDatabaseIsACopyOfTheTemplateWithEveryMigration) {
    TestDatabase db(TestDatabase::Schema::kEscd);
    ESCD_REQUIRE_PG(db);
    std::size_t migrations = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ESCD_SCHEMA_DIR))
        migrations += entry.path().extension() == ".sql";
    ASSERT_GT(migrations, 0u);
    EXPECT_EQ(db.Query("SELECT count(*) FROM schema_migrations")[0][0].as<std::size_t>(),
              migrations);
    EXPECT_EQ(db.name().rfind("escd_t_", 0), 0u);

    // A copy: what one test writes, no other test's database holds. (Nothing here connects to
    // the template itself: PostgreSQL refuses to copy a database while a session is in it.)
    db.Query("INSERT INTO settings (key, value) VALUES ('selftest', 'mine')");
    TestDatabase other(TestDatabase::Schema::kEscd);
    EXPECT_EQ(other.Query("SELECT count(*) FROM settings WHERE key = 'selftest'")[0][0].as<int>(),
              0);
    const std::string server = std::getenv("ESCD_TEST_PG_DSN");
    const std::string name = TestDatabase::EscdTemplate(server);
    EXPECT_EQ(name.rfind("escd_tpl_", 0), 0u);
    pqxx::connection admin(server);
    pqxx::nontransaction transaction(admin);
    EXPECT_EQ(
        transaction.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0]
            .as<int>(),
        1);
}

TEST(TestDatabaseSelfTest, UnavailableWithoutTheEnvironmentVariable) {
    const char* saved = std::getenv("ESCD_TEST_PG_DSN");
    const std::string value = saved != nullptr ? saved : "";
    ::unsetenv("ESCD_TEST_PG_DSN");
    {
        TestDatabase db;
        EXPECT_FALSE(db.available());
        EXPECT_THROW(db.Query("SELECT 1"), std::logic_error);
    }
    if (saved != nullptr) ::setenv("ESCD_TEST_PG_DSN", value.c_str(), 1);
}

// A stand-in for escd: a shell script in a temporary directory.
class EscdProcessSelfTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "escd-selftest-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string Script(const std::string& name, const std::string& body) {
        const auto path = dir_ / name;
        std::ofstream(path) << "#!/bin/sh\n" << body;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        return path.string();
    }

    EscdOptions Options(const std::string& binary) {
        EscdOptions options;
        options.dsn = "host=127.0.0.1 dbname=none";
        options.binary = binary;
        return options;
    }

    std::filesystem::path dir_;
};

TEST_F(EscdProcessSelfTest, ParsesTheReadyLineAndPassesTheArguments) {
    const std::string binary = Script("fake", R"(
echo "args: $*" >&2
echo "booting"
echo "escd ready http=4321 https=4322 csm=4323 csm_https=-1"
exec sleep 1000
)");
    EscdOptions options = Options(binary);
    options.extra_args = {"--server.http_port=5", "--log.level=debug"};
    std::string data_dir;
    {
        EscdProcess escd(options);
        data_dir = escd.data_dir();
        EXPECT_TRUE(std::filesystem::is_directory(data_dir));
        EXPECT_EQ(escd.http_port(), 4321);
        EXPECT_EQ(escd.https_port(), 4322);
        EXPECT_EQ(escd.csm_port(), 4323);
        EXPECT_TRUE(escd.running());

        const std::string log = escd.Log();
        const std::string expected_args =
            "args: --database.dsn=host=127.0.0.1 dbname=none --server.listen_address=127.0.0.1 "
            "--server.http_port=0 --server.https_port=0 --csm.http_port=0 --general.data_dir=" +
            data_dir + " --general.schema_dir=" + ESCD_SCHEMA_DIR +
            " --auth.admin_password=escd-test-pass --callbacks.retry_initial_ms=100 "
            "--callbacks.retry_max_ms=1000 --cluster.node_name=escd@" +
            data_dir + " --server.http_port=5 --log.level=debug\n";
        EXPECT_NE(log.find(expected_args), std::string::npos) << log;
        EXPECT_NE(log.find("booting\n"), std::string::npos) << log;

        EXPECT_EQ(escd.Terminate(), -SIGTERM);
        EXPECT_FALSE(escd.running());
    }
    EXPECT_FALSE(std::filesystem::exists(data_dir));
}

TEST_F(EscdProcessSelfTest, TerminateReturnsTheExitCode) {
    const std::string binary = Script("fake", R"(
sleep 1000 </dev/null >/dev/null 2>&1 &
child=$!
trap 'echo "got TERM" >&2; kill $child; wait $child; exit 3' TERM
echo "escd ready http=1 https=2"
wait $child
)");
    EscdProcess escd(Options(binary));
    EXPECT_EQ(escd.Terminate(seconds(20)), 3);
    EXPECT_FALSE(escd.running());
    EXPECT_NE(escd.Log().find("got TERM"), std::string::npos) << escd.Log();
}

TEST_F(EscdProcessSelfTest, KillEndsTheProcess) {
    EscdProcess escd(
        Options(Script("fake", "echo 'escd ready http=1 https=2'\nexec sleep 1000\n")));
    EXPECT_TRUE(escd.running());
    escd.Kill();
    EXPECT_FALSE(escd.running());
    escd.Kill();  // harmless once dead
    EXPECT_EQ(escd.Terminate(), -SIGKILL);
}

TEST_F(EscdProcessSelfTest, ExitBeforeReadyThrowsWithTheLogTail) {
    const std::string binary = Script("fake", "echo 'boom: bad config' >&2\nexit 7\n");
    try {
        EscdProcess escd(Options(binary));
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("exit code 7"), std::string::npos) << message;
        EXPECT_NE(message.find("boom: bad config"), std::string::npos) << message;
    }
}

TEST_F(EscdProcessSelfTest, SameDataDirKeepsTheLogHistory) {
    const std::string binary = Script("fake", R"(
echo "run $*" | sed 's/.*--marker=//' >&2
echo "escd ready http=1 https=2"
exec sleep 1000
)");
    EscdOptions options = Options(binary);
    options.data_dir = (dir_ / "data").string();
    options.extra_args = {"--marker=first"};
    {
        EscdProcess escd(options);
        EXPECT_NE(escd.Log().find("first"), std::string::npos);
    }
    options.extra_args = {"--marker=second"};
    EscdProcess escd(options);
    EXPECT_EQ(escd.Log().find("first"), std::string::npos) << escd.Log();
    EXPECT_NE(escd.Log().find("second"), std::string::npos) << escd.Log();
    std::ifstream file(escd.log_path());
    const std::string history((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
    EXPECT_NE(history.find("first"), std::string::npos) << history;
    EXPECT_TRUE(std::filesystem::exists(options.data_dir));  // not owned, so kept
}

}  // namespace
}  // namespace escd::test
