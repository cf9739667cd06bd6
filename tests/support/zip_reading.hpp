#pragma once
/// @file
/// Reading ZIP archives escd wrote with tools that owe nothing to escd's writer
/// (common/zip_writer.hpp): Python's zipfile and Info-ZIP's unzip, run as child processes.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace escd::test {

/// One member as Python's zipfile read it.
struct ZipEntry {
    std::string name;
    std::string bytes;
    std::array<int, 6> date_time{};  ///< the DOS fields: year, month, day, hour, minute, second
    std::uint32_t crc = 0;
    int compress_type = -1;
    int flag_bits = 0;
    std::uint32_t external_attr = 0;
    std::string extra_hex;  ///< the central directory entry's extra field, lower-case hex
};

/// The members of `archive` in the order of its central directory, read by python3's zipfile
/// after its testzip() checked every member's CRC. Throws std::runtime_error with Python's
/// words when python3 cannot run or refuses the archive.
std::vector<ZipEntry> ReadZipWithPython(const std::string& archive);

struct ToolRun {
    int exit_code = -1;
    std::string output;  ///< stdout and stderr together
};
/// Writes `archive` to a temporary file, runs `argv` followed by that file's path and removes
/// the file. Throws std::runtime_error when argv[0] cannot be started.
ToolRun RunOnArchive(std::vector<std::string> argv, const std::string& archive);

}  // namespace escd::test
