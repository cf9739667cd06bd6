#include "common/config.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace escd {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

boost::asio::ip::address Address(const char* text) {
    return boost::asio::ip::make_address(text);
}

// A directory of its own per test, removed afterwards.
class ConfigFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("escd_config_test_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string WriteFile(const std::string& name, const std::string& text) {
        fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    }

    fs::path dir_;
};

// Sets or clears ESCD_ADMIN_PASSWORD for one test and restores the previous value.
class ScopedPasswordEnv {
  public:
    explicit ScopedPasswordEnv(const char* value) {
        if (const char* old = std::getenv(kName)) old_ = old;
        if (value) {
            ::setenv(kName, value, 1);
        } else {
            ::unsetenv(kName);
        }
    }
    ~ScopedPasswordEnv() {
        if (old_) {
            ::setenv(kName, old_->c_str(), 1);
        } else {
            ::unsetenv(kName);
        }
    }
    ScopedPasswordEnv(const ScopedPasswordEnv&) = delete;
    ScopedPasswordEnv& operator=(const ScopedPasswordEnv&) = delete;

  private:
    static constexpr const char* kName = "ESCD_ADMIN_PASSWORD";
    std::optional<std::string> old_;
};

// The ConfigError message of `fn`, or "" when it did not throw.
template <class Fn>
std::string ConfigErrorOf(Fn fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

bool Mentions(const std::string& message, const std::string& part) {
    return message.find(part) != std::string::npos;
}

TEST(Config, ALeaseOfAtMostTwoHeartbeatsIsRefusedNamingBothKeys) {
    ScopedPasswordEnv env(nullptr);
    const auto message = ConfigErrorOf([] {
        LoadConfig({"--cluster.heartbeat_ms=500", "--cluster.lease_ms=1000"}, "/src/schemas/sql");
    });
    EXPECT_TRUE(Mentions(message, "cluster.lease_ms (1000)")) << message;
    EXPECT_TRUE(Mentions(message, "cluster.heartbeat_ms (500)")) << message;
    const auto config =
        LoadConfig({"--cluster.heartbeat_ms=500", "--cluster.lease_ms=1001"}, "/src/schemas/sql");
    EXPECT_EQ(config.cluster_lease, std::chrono::milliseconds(1001));
}

TEST(Config, DefaultsMatchTheDocumentedValues) {
    ScopedPasswordEnv env(nullptr);
    Config config = LoadConfig({}, "/src/schemas/sql");
    EXPECT_EQ(config.data_dir, "./var");
    EXPECT_EQ(config.schema_dir, "/src/schemas/sql");
    EXPECT_EQ(config.listen_address, "127.0.0.1");
    EXPECT_EQ(config.http_port, 8080);
    EXPECT_EQ(config.https_port, 8443);
    EXPECT_EQ(config.tls_cert, "./var/tls/escd.crt");
    EXPECT_EQ(config.tls_key, "./var/tls/escd.key");
    EXPECT_EQ(config.server_threads, 2);
    EXPECT_EQ(config.ready_file, "");
    EXPECT_EQ(config.admin_user, "admin");
    EXPECT_EQ(config.admin_password, "");
    EXPECT_EQ(config.database_dsn, "");
    EXPECT_EQ(config.database_standby_dsn, "");
    EXPECT_EQ(config.database_pool_size, 8);
    EXPECT_EQ(config.vim_uri, "test:///default");
    EXPECT_EQ(config.vim_pool_size, 2);
    EXPECT_EQ(config.log_level, log::Level::kInfo);
    EXPECT_EQ(config.callback_allowed_cidrs.ToString(), "127.0.0.0/8,::1/128");
    EXPECT_EQ(config.callback_backoff.initial, milliseconds{1000});
    EXPECT_EQ(config.callback_backoff.max, milliseconds{300000});
    EXPECT_EQ(config.callback_backoff.horizon, milliseconds{86400000});
    EXPECT_EQ(config.callback_max_in_flight, 64);
    EXPECT_EQ(config.callback_timeout, milliseconds{10000});
    EXPECT_TRUE(config.callback_tls_verify);
    EXPECT_EQ(config.callback_ca_file, "");
    EXPECT_EQ(config.monitor_allowed_cidrs.ToString(), "127.0.0.0/8,::1/128");
    EXPECT_FALSE(config.engine_paused_for_test);
}

TEST(Config, FinishDerivesTlsPathsFromDataDirOnlyWhenEmpty) {
    Config config;
    config.data_dir = "/srv/escd";
    config.tls_key = "/etc/escd/own.key";
    config.Finish();
    EXPECT_EQ(config.tls_cert, "/srv/escd/tls/escd.crt");
    EXPECT_EQ(config.tls_key, "/etc/escd/own.key");
}

TEST(Config, SetAppliesEveryDocumentedKey) {
    Config config;
    config.Set("general.data_dir", "/d");
    config.Set("general.schema_dir", "/s");
    config.Set("server.listen_address", "::1");
    config.Set("server.http_port", "0");
    config.Set("server.https_port", "-1");
    config.Set("server.tls_cert", "/c.crt");
    config.Set("server.tls_key", "/c.key");
    config.Set("server.threads", "4");
    config.Set("server.ready_file", "/r");
    config.Set("auth.admin_user", "root");
    config.Set("auth.admin_password", " p w ");
    config.Set("database.dsn", "host=/run/pg dbname=escd");
    config.Set("database.pool_size", "3");
    config.Set("database.standby_dsn", " host=a,b target_session_attrs=any ");
    config.Set("vim.uri", "qemu:///system");
    config.Set("vim.pool_size", "5");
    config.Set("log.level", "debug");
    config.Set("callbacks.allowed_cidrs", "10.0.0.0/8");
    config.Set("callbacks.retry_initial_ms", "10");
    config.Set("callbacks.retry_max_ms", "20");
    config.Set("callbacks.retry_horizon_s", "30");
    config.Set("callbacks.max_in_flight", "7");
    config.Set("callbacks.timeout_ms", "250");
    config.Set("callbacks.tls_verify", "no");
    config.Set("callbacks.ca_file", "/ca.pem");
    config.Set("monitor.allowed_cidrs", "::/0");
    config.Set("engine.paused_for_test", "on");

    EXPECT_EQ(config.data_dir, "/d");
    EXPECT_EQ(config.schema_dir, "/s");
    EXPECT_EQ(config.listen_address, "::1");
    EXPECT_EQ(config.http_port, 0);
    EXPECT_EQ(config.https_port, -1);
    EXPECT_EQ(config.tls_cert, "/c.crt");
    EXPECT_EQ(config.tls_key, "/c.key");
    EXPECT_EQ(config.server_threads, 4);
    EXPECT_EQ(config.ready_file, "/r");
    EXPECT_EQ(config.admin_user, "root");
    EXPECT_EQ(config.admin_password, " p w ");
    EXPECT_EQ(config.database_dsn, "host=/run/pg dbname=escd");
    EXPECT_EQ(config.database_standby_dsn, "host=a,b target_session_attrs=any");
    EXPECT_EQ(config.database_pool_size, 3);
    EXPECT_EQ(config.vim_uri, "qemu:///system");
    EXPECT_EQ(config.vim_pool_size, 5);
    EXPECT_EQ(config.log_level, log::Level::kDebug);
    EXPECT_TRUE(config.callback_allowed_cidrs.Contains(Address("10.1.1.1")));
    EXPECT_FALSE(config.callback_allowed_cidrs.Contains(Address("127.0.0.1")));
    EXPECT_EQ(config.callback_backoff.initial, milliseconds{10});
    EXPECT_EQ(config.callback_backoff.max, milliseconds{20});
    EXPECT_EQ(config.callback_backoff.horizon, milliseconds{30000});
    EXPECT_EQ(config.callback_max_in_flight, 7);
    EXPECT_EQ(config.callback_timeout, milliseconds{250});
    EXPECT_FALSE(config.callback_tls_verify);
    EXPECT_EQ(config.callback_ca_file, "/ca.pem");
    EXPECT_TRUE(config.monitor_allowed_cidrs.Contains(Address("2001:db8::1")));
    EXPECT_TRUE(config.engine_paused_for_test);
}

TEST(Config, VimHostsAreNamedUrisInTheirOrder) {
    Config config;
    EXPECT_TRUE(config.vim_hosts.empty());
    config.Set("vim.hosts", " host-a=test:///tmp/a.xml , host-b = test:///tmp/b.xml");
    const std::vector<std::pair<std::string, std::string>> expected{
        {"host-a", "test:///tmp/a.xml"}, {"host-b", "test:///tmp/b.xml"}};
    EXPECT_EQ(config.vim_hosts, expected);
    // A URI keeps the '=' of its query.
    config.Set("vim.hosts", "h=qemu:///system?socket=/run/x.sock");
    EXPECT_EQ(config.vim_hosts.front().second, "qemu:///system?socket=/run/x.sock");
    config.Set("vim.hosts", "");
    EXPECT_TRUE(config.vim_hosts.empty());
}

TEST(Config, MalformedVimHostsAreRejectedNamingTheKey) {
    Config config;
    for (const char* bad : {"host-a", "=test:///a.xml", "host-a=", "a=test:///a,,b=test:///b",
                            "a=test:///a.xml,a=test:///b.xml"}) {
        try {
            config.Set("vim.hosts", bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("vim.hosts"), std::string::npos) << e.what();
        }
    }
}

TEST(Config, BoolAcceptsAllSpellings) {
    Config config;
    for (const char* yes : {"true", "TRUE", "yes", "Yes", "1", "on", "ON"}) {
        config.engine_paused_for_test = false;
        config.Set("engine.paused_for_test", yes);
        EXPECT_TRUE(config.engine_paused_for_test) << yes;
    }
    for (const char* no : {"false", "False", "no", "NO", "0", "off", "Off"}) {
        config.engine_paused_for_test = true;
        config.Set("engine.paused_for_test", no);
        EXPECT_FALSE(config.engine_paused_for_test) << no;
    }
}

TEST(Config, BadBoolIsRejectedNamingTheKey) {
    Config config;
    for (const char* bad : {"", "2", "y", "enabled", "truee"}) {
        std::string message = ConfigErrorOf([&] { config.Set("callbacks.tls_verify", bad); });
        EXPECT_TRUE(Mentions(message, "callbacks.tls_verify")) << bad << ": " << message;
    }
}

TEST(Config, BadIntIsRejectedNamingTheKey) {
    Config config;
    for (const char* bad : {"", "abc", "80x", "1.5", "0x50", "99999999999999999999"}) {
        std::string message = ConfigErrorOf([&] { config.Set("server.http_port", bad); });
        EXPECT_TRUE(Mentions(message, "server.http_port")) << bad << ": " << message;
    }
    EXPECT_EQ(config.http_port, 8080);
}

TEST(Config, IntRangesAreChecked) {
    Config config;
    EXPECT_NO_THROW(config.Set("server.http_port", "-1"));
    EXPECT_NO_THROW(config.Set("server.http_port", "65535"));
    EXPECT_NO_THROW(config.Set("server.https_port", "+443"));
    EXPECT_EQ(config.https_port, 443);
    EXPECT_THROW(config.Set("server.http_port", "-2"), ConfigError);
    EXPECT_THROW(config.Set("server.https_port", "65536"), ConfigError);
    EXPECT_THROW(config.Set("server.threads", "0"), ConfigError);
    EXPECT_THROW(config.Set("database.pool_size", "0"), ConfigError);
    EXPECT_THROW(config.Set("vim.pool_size", "-3"), ConfigError);
    EXPECT_THROW(config.Set("callbacks.max_in_flight", "0"), ConfigError);
    EXPECT_THROW(config.Set("callbacks.retry_initial_ms", "0"), ConfigError);
    EXPECT_THROW(config.Set("callbacks.retry_max_ms", "0"), ConfigError);
    EXPECT_THROW(config.Set("callbacks.retry_horizon_s", "0"), ConfigError);
    EXPECT_THROW(config.Set("callbacks.timeout_ms", "0"), ConfigError);
}

TEST(Config, BadCidrIsRejectedNamingTheKeyAndEntry) {
    Config config;
    std::string message =
        ConfigErrorOf([&] { config.Set("callbacks.allowed_cidrs", "127.0.0.0/8,10.0.0.0/40"); });
    EXPECT_TRUE(Mentions(message, "callbacks.allowed_cidrs")) << message;
    EXPECT_TRUE(Mentions(message, "10.0.0.0/40")) << message;
    EXPECT_THROW(config.Set("monitor.allowed_cidrs", "localhost"), ConfigError);
}

TEST(Config, BadLogLevelAndListenAddressAndEmptyRequiredStringsAreRejected) {
    Config config;
    EXPECT_THROW(config.Set("log.level", "verbose"), ConfigError);
    EXPECT_NO_THROW(config.Set("log.level", "WARNING"));
    EXPECT_EQ(config.log_level, log::Level::kWarn);
    EXPECT_THROW(config.Set("server.listen_address", "not an ip"), ConfigError);
    EXPECT_THROW(config.Set("general.data_dir", ""), ConfigError);
    EXPECT_THROW(config.Set("auth.admin_user", " "), ConfigError);
    EXPECT_THROW(config.Set("vim.uri", ""), ConfigError);
}

TEST(Config, UnknownKeyAndSectionAreRejected) {
    Config config;
    EXPECT_TRUE(
        Mentions(ConfigErrorOf([&] { config.Set("server.http_prot", "1"); }), "server.http_prot"));
    EXPECT_TRUE(Mentions(ConfigErrorOf([&] { config.Set("nosuch.key", "1"); }), "nosuch"));
    EXPECT_THROW(config.Set("Server.http_port", "1"), ConfigError);  // names are exact
    EXPECT_THROW(config.Set("http_port", "1"), ConfigError);
    EXPECT_THROW(config.Set("server.", "1"), ConfigError);
    EXPECT_THROW(config.Set(".http_port", "1"), ConfigError);
}

TEST(ConfigText, AppliesSectionsCommentsAndWhitespace) {
    Config config;
    ApplyConfigText(config,
                    "\xEF\xBB\xBF# leading comment\n"
                    "; another comment\n"
                    "\n"
                    "[server]\r\n"
                    "  http_port = 9090  \r\n"
                    "listen_address=::1\n"
                    "[ auth ]\n"
                    "admin_password = a#b;c = d\n"
                    "[callbacks]\n"
                    "allowed_cidrs = 127.0.0.0/8, 192.0.2.0/24\n"
                    "tls_verify = off\n"
                    "[server]\n"
                    "threads = 3",
                    "test.conf");
    EXPECT_EQ(config.http_port, 9090);
    EXPECT_EQ(config.listen_address, "::1");
    EXPECT_EQ(config.server_threads, 3);
    EXPECT_EQ(config.admin_password, "a#b;c = d");
    EXPECT_TRUE(config.callback_allowed_cidrs.Contains(Address("192.0.2.9")));
    EXPECT_FALSE(config.callback_tls_verify);
}

TEST(ConfigText, ErrorsNameOriginLineAndKey) {
    Config config;
    std::string message = ConfigErrorOf([&] {
        ApplyConfigText(config, "[server]\nhttp_port = 80\nhttps_port = lots\n", "my.conf");
    });
    EXPECT_TRUE(Mentions(message, "my.conf:3")) << message;
    EXPECT_TRUE(Mentions(message, "server.https_port")) << message;
}

TEST(ConfigText, UnknownSectionIsRejected) {
    Config config;
    std::string message =
        ConfigErrorOf([&] { ApplyConfigText(config, "[servre]\nhttp_port = 1\n", "my.conf"); });
    EXPECT_TRUE(Mentions(message, "my.conf:1")) << message;
    EXPECT_TRUE(Mentions(message, "servre")) << message;
}

TEST(ConfigText, UnknownKeyIsRejected) {
    Config config;
    std::string message =
        ConfigErrorOf([&] { ApplyConfigText(config, "[server]\nhttp_prot = 1\n", "my.conf"); });
    EXPECT_TRUE(Mentions(message, "my.conf:2")) << message;
    EXPECT_TRUE(Mentions(message, "server.http_prot")) << message;
}

TEST(ConfigText, MalformedLinesAreRejected) {
    Config config;
    EXPECT_THROW(ApplyConfigText(config, "http_port = 1\n", "f"), ConfigError);  // no section
    EXPECT_THROW(ApplyConfigText(config, "[server]\nhttp_port\n", "f"), ConfigError);
    EXPECT_THROW(ApplyConfigText(config, "[server]\n= 1\n", "f"), ConfigError);
    EXPECT_THROW(ApplyConfigText(config, "[server\n", "f"), ConfigError);
}

TEST_F(ConfigFileTest, FileValuesOverrideDefaults) {
    ScopedPasswordEnv env(nullptr);
    std::string path = WriteFile("escd.conf",
                                 "[general]\ndata_dir = /srv/escd\n"
                                 "[server]\nhttp_port = 0\nhttps_port = -1\n"
                                 "[vim]\npool_size = 4\n"
                                 "[log]\nlevel = error\n");
    Config config = LoadConfig({"--config=" + path}, "/schemas");
    EXPECT_EQ(config.data_dir, "/srv/escd");
    EXPECT_EQ(config.http_port, 0);
    EXPECT_EQ(config.https_port, -1);
    EXPECT_EQ(config.vim_pool_size, 4);
    EXPECT_EQ(config.log_level, log::Level::kError);
    EXPECT_EQ(config.schema_dir, "/schemas");
    EXPECT_EQ(config.tls_cert, "/srv/escd/tls/escd.crt");
    EXPECT_EQ(config.tls_key, "/srv/escd/tls/escd.key");
}

TEST_F(ConfigFileTest, FlagOverridesFileRegardlessOfOrder) {
    ScopedPasswordEnv env(nullptr);
    std::string path = WriteFile("escd.conf", "[server]\nhttp_port = 9000\nthreads = 3\n");
    Config config = LoadConfig({"--server.http_port=9001", "--config=" + path}, "/s");
    EXPECT_EQ(config.http_port, 9001);
    EXPECT_EQ(config.server_threads, 3);
}

TEST_F(ConfigFileTest, FileCanOverrideSchemaDirDefault) {
    ScopedPasswordEnv env(nullptr);
    std::string path = WriteFile("escd.conf", "[general]\nschema_dir = /other\n");
    EXPECT_EQ(LoadConfig({"--config=" + path}, "/s").schema_dir, "/other");
}

TEST_F(ConfigFileTest, MissingFileIsAnErrorNamingThePath) {
    std::string path = (dir_ / "does-not-exist.conf").string();
    std::string message = ConfigErrorOf([&] { LoadConfig({"--config=" + path}, "/s"); });
    EXPECT_TRUE(Mentions(message, path)) << message;
}

TEST_F(ConfigFileTest, DirectoryAsConfigFileIsAnError) {
    EXPECT_THROW(LoadConfig({"--config=" + dir_.string()}, "/s"), ConfigError);
}

TEST_F(ConfigFileTest, EmptyFileKeepsDefaults) {
    ScopedPasswordEnv env(nullptr);
    std::string path = WriteFile("empty.conf", "");
    EXPECT_EQ(LoadConfig({"--config=" + path}, "/s").http_port, 8080);
}

TEST_F(ConfigFileTest, ErrorInFileNamesFileAndKey) {
    std::string path = WriteFile("bad.conf", "[callbacks]\ntls_verify = maybe\n");
    std::string message = ConfigErrorOf([&] { LoadConfig({"--config=" + path}, "/s"); });
    EXPECT_TRUE(Mentions(message, path + ":2")) << message;
    EXPECT_TRUE(Mentions(message, "callbacks.tls_verify")) << message;
}

TEST(LoadConfig, ErrorInFlagNamesCommandLineAndKey) {
    std::string message = ConfigErrorOf([] { LoadConfig({"--server.threads=many"}, "/s"); });
    EXPECT_TRUE(Mentions(message, "command line")) << message;
    EXPECT_TRUE(Mentions(message, "server.threads")) << message;
}

TEST(LoadConfig, UnknownFlagKeyIsAnError) {
    std::string message = ConfigErrorOf([] { LoadConfig({"--server.nope=1"}, "/s"); });
    EXPECT_TRUE(Mentions(message, "server.nope")) << message;
    EXPECT_THROW(LoadConfig({"--nope.http_port=1"}, "/s"), ConfigError);
}

TEST(LoadConfig, MalformedFlagsAreErrors) {
    for (const char* bad :
         {"server.http_port=1", "-server.http_port=1", "--server.http_port", "--config",
          "--config=", "--help", "--=1", "--http_port=1", "positional"}) {
        EXPECT_THROW(LoadConfig({bad}, "/s"), ConfigError) << bad;
    }
}

TEST(LoadConfig, FlagsAreAppliedInOrder) {
    ScopedPasswordEnv env(nullptr);
    Config config = LoadConfig({"--server.threads=3", "--server.threads=5"}, "/s");
    EXPECT_EQ(config.server_threads, 5);
}

TEST(LoadConfig, FlagValueMayContainEqualsSign) {
    ScopedPasswordEnv env(nullptr);
    Config config = LoadConfig({"--database.dsn=host=/tmp dbname=x"}, "/s");
    EXPECT_EQ(config.database_dsn, "host=/tmp dbname=x");
}

TEST(LoadConfig, ExplicitTlsPathsSurviveFinish) {
    ScopedPasswordEnv env(nullptr);
    Config config = LoadConfig({"--server.tls_cert=/a.crt", "--general.data_dir=/d"}, "/s");
    EXPECT_EQ(config.tls_cert, "/a.crt");
    EXPECT_EQ(config.tls_key, "/d/tls/escd.key");
}

TEST_F(ConfigFileTest, EnvPasswordOverridesFile) {
    ScopedPasswordEnv env("from-env");
    std::string path = WriteFile("escd.conf", "[auth]\nadmin_password = from-file\n");
    EXPECT_EQ(LoadConfig({"--config=" + path}, "/s").admin_password, "from-env");
}

TEST(LoadConfig, EmptyEnvPasswordIsIgnored) {
    ScopedPasswordEnv env("");
    EXPECT_EQ(LoadConfig({}, "/s").admin_password, "");
}

TEST(LoadConfig, FlagPasswordOverridesEnv) {
    ScopedPasswordEnv env("from-env");
    EXPECT_EQ(LoadConfig({"--auth.admin_password=from-flag"}, "/s").admin_password, "from-flag");
    EXPECT_EQ(LoadConfig({}, "/s").admin_password, "from-env");
}

TEST(Config, TheCsmJobEngineKeysAndTheirDefaults) {
    Config defaults;
    defaults.data_dir = "/d";
    defaults.Finish();
    EXPECT_EQ(defaults.csm_log_dir, "/d/csm-logs");
    EXPECT_EQ(defaults.csm_max_parallel_jobs, 10);
    EXPECT_EQ(defaults.csm_device_allowed_cidrs.ToString(), "127.0.0.0/8,::1/128");
    EXPECT_EQ(defaults.csm_poll, std::chrono::seconds(10));
    EXPECT_EQ(defaults.csm_reload_timeout, std::chrono::seconds(3600));
    EXPECT_EQ(defaults.csm_operation_timeout, std::chrono::seconds(7200));

    Config config;
    config.Set("csm.log_dir", "/shared/csm");
    config.Set("csm.max_parallel_jobs", "50");
    config.Set("csm.device_allowed_cidrs", "198.18.0.0/15");
    config.Set("csm.connect_timeout_s", "5");
    config.Set("csm.command_timeout_s", "6");
    config.Set("csm.poll_s", "1");
    config.Set("csm.reload_timeout_s", "120");
    config.Set("csm.operation_timeout_s", "600");
    config.Finish();
    EXPECT_EQ(config.csm_log_dir, "/shared/csm");
    EXPECT_EQ(config.csm_max_parallel_jobs, 50);
    EXPECT_EQ(config.csm_device_allowed_cidrs.ToString(), "198.18.0.0/15");
    EXPECT_EQ(config.csm_connect_timeout, std::chrono::seconds(5));
    EXPECT_EQ(config.csm_command_timeout, std::chrono::seconds(6));
    EXPECT_EQ(config.csm_poll, std::chrono::seconds(1));
    EXPECT_EQ(config.csm_reload_timeout, std::chrono::seconds(120));
    EXPECT_EQ(config.csm_operation_timeout, std::chrono::seconds(600));
    EXPECT_THROW(config.Set("csm.poll_s", "0"), ConfigError);
    EXPECT_THROW(config.Set("csm.max_parallel_jobs", "0"), ConfigError);
}

}  // namespace
}  // namespace escd
