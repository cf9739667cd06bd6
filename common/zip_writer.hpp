#pragma once
/// @file
/// A ZIP archive built in memory (PKWARE APPNOTE 6.3.x, the subset every reader takes): members
/// stored uncompressed (method 0), flat names, no ZIP64, no encryption, no comment. escd has no
/// compression library, and what it zips (an install job's session logs, docs/csm.md) is a few
/// megabytes of text: readability by any client matters, the size does not.
///
/// Each member carries its modification time twice: as the DOS date and time every reader
/// knows (in UTC: the format has no zone, and UTC is the only one a remote client can assume),
/// and as the Info-ZIP extended timestamp (the exact second, which unzip restores).
///
/// Usage: ZipWriter zip; zip.Add("session.log", bytes, mtime); ...; std::string archive =
/// zip.Finish();  Not thread-safe; blocking work is the caller's (it does no I/O itself).

#include <chrono>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace escd {

/// The archive would exceed its size cap, or the format's 65535 members.
class ZipTooLarge : public std::length_error {
  public:
    using std::length_error::length_error;
};

/// CRC-32 (ISO-HDLC, the one of ZIP, gzip and PNG) of `bytes`, continuing from `crc` (the CRC
/// of the bytes before them; 0 to start). Crc32("123456789") == 0xCBF43926.
std::uint32_t Crc32(std::string_view bytes, std::uint32_t crc = 0);

/// A time as MS-DOS writes it: 2-second resolution, 1980-01-01 to 2107-12-31 (earlier and later
/// times are clamped to those ends).
struct DosDateTime {
    std::uint16_t time = 0;  ///< hour << 11 | minute << 5 | second / 2
    std::uint16_t date = 0;  ///< (year - 1980) << 9 | month << 5 | day
};
/// `time` in UTC as a DOS date and time.
DosDateTime ToDosDateTime(std::chrono::system_clock::time_point time);

class ZipWriter {
  public:
    /// The default cap on the whole archive. Far above a job's logs; low enough that building
    /// the archive in memory on a shared thread pool stays harmless.
    static constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{256} << 20;

    /// `max_bytes`: the archive, headers and directory included, never grows past it (at most
    /// 4 GiB - 1, since there is no ZIP64).
    explicit ZipWriter(std::uint64_t max_bytes = kDefaultMaxBytes);

    /// Appends a member `name` holding `bytes`, modified at `mtime`.
    /// Throws std::invalid_argument when `name` is empty, ".", "..", longer than 65535 bytes,
    /// holds '/', '\\' or a NUL (members are flat: a name never makes a reader create a
    /// directory or leave the one it extracts into), or was added already; throws ZipTooLarge
    /// when the archive would pass the cap or hold more than 65535 members. Either way the
    /// archive is as it was.
    void Add(std::string_view name,
             std::string_view bytes,
             std::chrono::system_clock::time_point mtime);

    /// The most content bytes one more member could hold (its own headers not counted): a
    /// caller reading files may stop reading one once it is past this, since Add would refuse
    /// it anyway.
    std::uint64_t room() const;

    /// The archive: the members in the order they were added, then the central directory and
    /// its end record. An archive without members is the 22-byte end record alone, which every
    /// reader takes as an empty archive. The writer is empty again afterwards.
    std::string Finish();

  private:
    /// The bytes the archive would have if finished now.
    std::uint64_t FinishedSize() const;

    std::uint64_t max_bytes_;
    std::string members_;    ///< local headers and data
    std::string directory_;  ///< central directory entries
    std::uint32_t count_ = 0;
    std::set<std::string, std::less<>> names_;
};

}  // namespace escd
