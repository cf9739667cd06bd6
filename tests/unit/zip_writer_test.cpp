// The ZIP writer (common/zip_writer.hpp), its archives read back by tools that owe nothing to
// it: Python's zipfile and Info-ZIP's unzip (tests/support/zip_reading.hpp).

#include "common/zip_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <string>

#include "tests/support/zip_reading.hpp"

namespace escd {
namespace {

using namespace std::chrono_literals;
namespace chrono = std::chrono;
using chrono::system_clock;
using test::ReadZipWithPython;
using test::RunOnArchive;

// 2016-06-01 15:15:31 UTC, CSM's example date; an odd second, which DOS times cannot hold.
const system_clock::time_point kJune2016 =
    chrono::sys_days{chrono::year{2016} / chrono::June / 1} + 15h + 15min + 31s;

std::string AllByteValues() {
    std::string bytes;
    for (int round = 0; round < 3; ++round)
        for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
    return bytes;
}

TEST(ZipWriterCrc32, GivesTheCheckValueOfTheStandard) {
    EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(Crc32(""), 0u);
    // Continued over a split, as a caller reading in chunks would.
    EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
    EXPECT_EQ(Crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(ZipWriterDosTime, PacksTheFieldsAndHalvesTheSeconds) {
    const auto dos = ToDosDateTime(kJune2016);
    EXPECT_EQ(dos.time, (15 << 11) | (15 << 5) | 15);
    EXPECT_EQ(dos.date, ((2016 - 1980) << 9) | (6 << 5) | 1);
}

TEST(ZipWriterDosTime, ClampsTimesTheFormatCannotHold) {
    const auto before = ToDosDateTime(system_clock::time_point{});  // 1970
    EXPECT_EQ(before.date, (1 << 5) | 1);
    EXPECT_EQ(before.time, 0);
    const auto after = ToDosDateTime(chrono::sys_days{chrono::year{2200} / chrono::January / 1});
    EXPECT_EQ(after.date, (127 << 9) | (12 << 5) | 31);
    EXPECT_EQ(after.time, (23 << 11) | (59 << 5) | 29);
}

TEST(ZipWriter, PythonReadsEveryMemberBackWithItsBytesAndTime) {
    const std::string log = "RP/0/RSP0/CPU0:pe-1#show version\r\nCisco IOS XR Software\r\n";
    ZipWriter zip;
    zip.Add("session.log", log, kJune2016);
    zip.Add("binary.bin", AllByteValues(), kJune2016 + 24h);
    zip.Add("empty.txt", "", kJune2016);
    const auto members = ReadZipWithPython(zip.Finish());

    ASSERT_EQ(members.size(), 3u);
    EXPECT_EQ(members[0].name, "session.log");
    EXPECT_EQ(members[0].bytes, log);
    EXPECT_EQ(members[0].crc, Crc32(log));
    EXPECT_EQ(members[0].date_time, (std::array{2016, 6, 1, 15, 15, 30}));
    EXPECT_EQ(members[1].name, "binary.bin");
    EXPECT_EQ(members[1].bytes, AllByteValues());
    EXPECT_EQ(members[1].date_time, (std::array{2016, 6, 2, 15, 15, 30}));
    EXPECT_EQ(members[2].name, "empty.txt");
    EXPECT_EQ(members[2].bytes, "");
    EXPECT_EQ(members[2].crc, 0u);
    for (const auto& member : members) {
        EXPECT_EQ(member.compress_type, 0) << member.name;  // stored
        EXPECT_EQ(member.flag_bits, 0) << member.name;      // ASCII names: no UTF-8 flag
        EXPECT_EQ(member.external_attr >> 16, 0100644u) << member.name;
    }
    // Info-ZIP's extended timestamp: "UT", 5 bytes, mtime flag, 1464794131 little-endian.
    EXPECT_EQ(members[0].extra_hex,
              "5554050001"
              "13fc4e57");
}

TEST(ZipWriter, UnzipFindsNoError) {
    ZipWriter zip;
    zip.Add("session.log", "login\n", kJune2016);
    zip.Add("show-running-config.txt", "hostname pe-1\n", kJune2016);
    zip.Add("nothing.txt", "", kJune2016);
    const auto run = RunOnArchive({"unzip", "-t"}, zip.Finish());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("No errors detected"), std::string::npos) << run.output;
}

TEST(ZipWriter, AnArchiveWithoutMembersIsTheEndRecordAlone) {
    ZipWriter zip;
    const auto archive = zip.Finish();
    EXPECT_EQ(archive, std::string("PK\x05\x06", 4) + std::string(18, '\0'));
    EXPECT_TRUE(ReadZipWithPython(archive).empty());
    // unzip says so (exit 1, a warning), rather than that it found no archive (exit 9).
    const auto run = RunOnArchive({"unzip", "-t"}, archive);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("zipfile is empty"), std::string::npos) << run.output;
}

TEST(ZipWriter, ANonAsciiNameIsMarkedUtf8) {
    ZipWriter zip;
    zip.Add("r\xC3\xA9sum\xC3\xA9.txt", "x", kJune2016);
    const auto members = ReadZipWithPython(zip.Finish());
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].name, "r\xC3\xA9sum\xC3\xA9.txt");
    EXPECT_EQ(members[0].flag_bits, 0x800);
}

TEST(ZipWriter, RefusesNamesThatAreNotFlatOrTakenAndKeepsTheArchive) {
    ZipWriter zip;
    zip.Add("session.log", "kept", kJune2016);
    for (const std::string& name :
         {std::string(), std::string("."), std::string(".."), std::string("logs/session.log"),
          std::string("..\\evil.txt"), std::string("a\0b", 3), std::string("session.log"),
          std::string(70000, 'n')}) {
        EXPECT_THROW(zip.Add(name, "refused", kJune2016), std::invalid_argument) << name;
    }
    const auto members = ReadZipWithPython(zip.Finish());
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].bytes, "kept");
}

TEST(ZipWriter, NeverGrowsPastItsCap) {
    EXPECT_EQ(ZipWriter::kDefaultMaxBytes, 256u << 20);
    ZipWriter zip(1000);
    EXPECT_EQ(zip.room(), 1000u - 22u);
    // Each member costs 30 + 46 bytes of headers, its name twice and 9 bytes of timestamp twice.
    const auto overhead = [](std::size_t name) { return 30 + 46 + 2 * (name + 9); };
    zip.Add("a", std::string(500, 'a'), kJune2016);
    EXPECT_EQ(zip.room(), 1000u - 22u - overhead(1) - 500u);
    const auto fits = zip.room() - overhead(1);
    EXPECT_THROW(zip.Add("b", std::string(fits + 1, 'b'), kJune2016), ZipTooLarge);
    zip.Add("b", std::string(fits, 'b'), kJune2016);
    EXPECT_EQ(zip.room(), 0u);
    const auto archive = zip.Finish();
    EXPECT_EQ(archive.size(), 1000u);
    EXPECT_EQ(ReadZipWithPython(archive).size(), 2u);
}

TEST(ZipWriter, RefusesACapBeyondWhatTheFormatCanAddress) {
    EXPECT_THROW(ZipWriter(std::uint64_t{1} << 32), std::invalid_argument);
    EXPECT_THROW(ZipWriter(21), std::invalid_argument);
}

TEST(ZipWriter, StartsAfreshAfterFinish) {
    ZipWriter zip;
    zip.Add("session.log", "first", kJune2016);
    (void)zip.Finish();
    zip.Add("session.log", "second", kJune2016);
    const auto members = ReadZipWithPython(zip.Finish());
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].bytes, "second");
}

}  // namespace
}  // namespace escd
