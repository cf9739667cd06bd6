// The session log: order, format, secrets masked however the device's output is split, and the
// file written from the blocking pool.

#include "orchestrator/csm/device/transcript.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/sync_wait.hpp"

namespace escd::orchestrator::csm {
namespace {

// Every line of the transcript, the notes' time stamps replaced by "T".
std::string WithoutTimes(const std::string& text) {
    std::istringstream lines(text);
    std::string line, out;
    while (std::getline(lines, line)) {
        if (line.rfind("--- ", 0) == 0) line = "--- T" + line.substr(line.find(' ', 4));
        out += line + "\n";
    }
    return out;
}

TEST(Transcript, SentLinesReceivedTextAndNotesInOrder) {
    Transcript log;
    log.Note("connecting");
    log.Received("\r\nRP/0/RP0/CPU0:r1#");
    log.Sent("show clock");
    log.Received("show clock\r\n10:00\r\nRP/0/RP0/CPU0:r1#");
    log.Note("closing");
    EXPECT_EQ(WithoutTimes(log.Text()),
              "--- T connecting\n"
              "\n"
              "RP/0/RP0/CPU0:r1#\n"
              ">>> show clock\n"
              "show clock\n"
              "10:00\n"
              "RP/0/RP0/CPU0:r1#\n"
              "--- T closing\n");
}

TEST(Transcript, MasksSecretsInSentAndReceivedText) {
    Transcript log;
    log.AddSecret("s3cret");
    log.AddSecret("");  // ignored
    log.Sent("s3cret");
    log.Sent("install add source ftp://u:s3cret@host/dir");
    log.Received("echo ftp://u:s3cret@host and s3cret.\n");
    log.Note("password s3cret refused");
    const auto text = log.Text();
    EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
    EXPECT_NE(text.find(">>> ***\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ftp://u:***@host and ***."), std::string::npos) << text;
}

TEST(Transcript, MasksASecretSplitAcrossReads) {
    Transcript log;
    log.AddSecret("cisco123");
    for (const auto* chunk : {"user cis", "co", "12", "3 logged in; cisc", "o12 is not it\n"}) {
        log.Received(chunk);
    }
    EXPECT_EQ(log.Text(), "user *** logged in; cisco12 is not it\n");
}

TEST(Transcript, HeldBackTextIsWrittenBeforeWhatIsSentNext) {
    Transcript log;
    log.AddSecret("cisco");
    log.Received("RP/0/RP0/CPU0:r1#show c");  // "c" could begin "cisco"
    EXPECT_EQ(log.Text(), "RP/0/RP0/CPU0:r1#show ");
    log.Sent("exit");
    EXPECT_EQ(log.Text(), "RP/0/RP0/CPU0:r1#show c\n>>> exit\n");
}

TEST(Transcript, TheLongerOfOverlappingSecretsIsMaskedWhole) {
    Transcript log;
    log.AddSecret("pass");
    log.AddSecret("password1");
    log.Received("password1 pass passw\n");
    EXPECT_EQ(log.Text(), "*** *** ***w\n");
}

TEST(Transcript, FileIsAppendedFromThePoolAndFlushed) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("escd-transcript-test-" + std::to_string(::getpid()) + ".log");
    std::filesystem::remove(path);
    asio::thread_pool pool(1);
    {
        Transcript log(pool, path);
        log.AddSecret("pw");
        for (int i = 0; i < 1000; ++i) log.Received("line " + std::to_string(i) + " p");
        log.Received("w\n");
        log.Sent("pw");
        SyncWait(log.Flush());
        std::ifstream in(path);
        std::stringstream content;
        content << in.rdbuf();
        const auto text = content.str();
        EXPECT_NE(text.find("line 0 pline 1 p"), std::string::npos);
        EXPECT_NE(text.find("line 999 ***\n>>> ***\n"), std::string::npos) << text.substr(0, 200);
        EXPECT_EQ(log.Text(), "") << "a file transcript keeps nothing in memory";
    }
    pool.join();
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace escd::orchestrator::csm
