#include "common/zip_writer.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace escd {
namespace {

using std::chrono::system_clock;

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndRecordSignature = 0x06054b50;
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::uint64_t kCentralHeaderSize = 46;
constexpr std::uint64_t kEndRecordSize = 22;
// Info-ZIP's extended timestamp ("UT"): tag, size, flags, mtime. The same 9 bytes serve the
// local and the central header, since both carry the modification time only.
constexpr std::uint16_t kExtendedTimestampTag = 0x5455;
constexpr std::uint64_t kExtendedTimestampSize = 9;
constexpr std::uint32_t kMaxMembers = 0xFFFF;
constexpr std::uint64_t kMaxNameBytes = 0xFFFF;
// Without ZIP64 every offset and size is 32 bits.
constexpr std::uint64_t kMaxArchiveBytes = 0xFFFFFFFF;

// Stored is all a reader needs to know of; 1.0 is the version that introduced nothing else.
constexpr std::uint16_t kVersionNeeded = 10;
// Made by Unix (high byte 3), so that the external attributes below are read as a mode; 2.0.
constexpr std::uint16_t kVersionMadeBy = (3 << 8) | 20;
// A regular file, rw-r--r--: what unzip gives the extracted file (the default would be 0666
// less the umask of whoever extracts, or even executable on some readers).
constexpr std::uint32_t kRegularFileAttributes = 0100644u << 16;
// General purpose bit 11: the name is UTF-8. Set only for a name with non-ASCII bytes, as
// Info-ZIP does: readers that predate the flag then see ASCII names as before.
constexpr std::uint16_t kUtf8NameFlag = 1u << 11;

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
    // The reflected form of the polynomial 0x04C11DB7: bytes are taken low bit first.
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < table.size(); ++n) {
        std::uint32_t c = n;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    return table;
}
constexpr auto kCrcTable = MakeCrcTable();

void ZipPut16(std::string& out, std::uint16_t value) {
    out.push_back(static_cast<char>(value & 0xFFu));
    out.push_back(static_cast<char>(value >> 8));
}

void ZipPut32(std::string& out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

// What the local header and the central directory entry of a member both say.
struct ZipMemberFacts {
    std::string_view name;
    std::uint16_t flags = 0;
    DosDateTime modified;
    std::uint32_t crc = 0;
    std::uint32_t size = 0;
    std::int32_t unix_mtime = 0;
};

// From "version needed" to the extra field's length: the same fields in the same order in both
// headers (APPNOTE 4.3.7 and 4.3.12).
void ZipPutSharedFields(std::string& out, const ZipMemberFacts& member) {
    ZipPut16(out, kVersionNeeded);
    ZipPut16(out, member.flags);
    ZipPut16(out, 0);  // method: stored
    ZipPut16(out, member.modified.time);
    ZipPut16(out, member.modified.date);
    ZipPut32(out, member.crc);
    ZipPut32(out, member.size);  // compressed size: stored, the same
    ZipPut32(out, member.size);
    ZipPut16(out, static_cast<std::uint16_t>(member.name.size()));
    ZipPut16(out, static_cast<std::uint16_t>(kExtendedTimestampSize));
}

void ZipPutExtendedTimestamp(std::string& out, std::int32_t unix_mtime) {
    ZipPut16(out, kExtendedTimestampTag);
    ZipPut16(out, static_cast<std::uint16_t>(kExtendedTimestampSize - 4));
    out.push_back('\x01');  // flags: the modification time follows
    ZipPut32(out, static_cast<std::uint32_t>(unix_mtime));
}

void CheckMemberName(std::string_view name) {
    const bool flat = name.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
    if (name.empty() || name == "." || name == ".." || !flat || name.size() > kMaxNameBytes)
        throw std::invalid_argument("not a flat ZIP member name: '" + std::string(name) + "'");
}

}  // namespace

std::uint32_t Crc32(std::string_view bytes, std::uint32_t crc) {
    crc = ~crc;
    for (const unsigned char byte : bytes) crc = kCrcTable[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

DosDateTime ToDosDateTime(system_clock::time_point time) {
    using namespace std::chrono;
    constexpr sys_seconds kFirst{sys_days{year{1980} / January / 1}};
    constexpr sys_seconds kLast{sys_days{year{2107} / December / 31} + hours{23} + minutes{59} +
                                seconds{58}};
    const auto at = std::clamp(floor<seconds>(time), kFirst, kLast);
    const auto day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss clock{at - day};
    DosDateTime dos;
    dos.time = static_cast<std::uint16_t>(
        clock.hours().count() << 11 | clock.minutes().count() << 5 | clock.seconds().count() / 2);
    dos.date =
        static_cast<std::uint16_t>((static_cast<int>(date.year()) - 1980) << 9 |
                                   static_cast<int>(static_cast<unsigned>(date.month())) << 5 |
                                   static_cast<int>(static_cast<unsigned>(date.day())));
    return dos;
}

ZipWriter::ZipWriter(std::uint64_t max_bytes) : max_bytes_(max_bytes) {
    if (max_bytes < kEndRecordSize || max_bytes > kMaxArchiveBytes)
        throw std::invalid_argument("a ZIP archive's cap must lie in 22 bytes .. 4 GiB - 1");
}

std::uint64_t ZipWriter::FinishedSize() const {
    return members_.size() + directory_.size() + kEndRecordSize;
}

std::uint64_t ZipWriter::room() const {
    const auto used = FinishedSize();
    return used >= max_bytes_ ? 0 : max_bytes_ - used;
}

void ZipWriter::Add(std::string_view name, std::string_view bytes, system_clock::time_point mtime) {
    CheckMemberName(name);
    if (names_.find(name) != names_.end())
        throw std::invalid_argument("ZIP member '" + std::string(name) + "' added twice");
    if (count_ >= kMaxMembers) throw ZipTooLarge("a ZIP archive holds at most 65535 members");
    const std::uint64_t added = kLocalHeaderSize + kCentralHeaderSize +
                                2 * (name.size() + kExtendedTimestampSize) + bytes.size();
    if (added > room())
        throw ZipTooLarge("ZIP member '" + std::string(name) + "' would take the archive past " +
                          std::to_string(max_bytes_) + " bytes");

    const bool ascii = std::all_of(name.begin(), name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const auto unix_seconds =
        std::chrono::floor<std::chrono::seconds>(mtime).time_since_epoch().count();
    ZipMemberFacts member;
    member.name = name;
    member.flags = ascii ? std::uint16_t{0} : kUtf8NameFlag;
    member.modified = ToDosDateTime(mtime);
    member.crc = Crc32(bytes);
    // Below the cap, which is below 4 GiB: the size fits.
    member.size = static_cast<std::uint32_t>(bytes.size());
    // The field is a signed 32-bit count of seconds: times past 2038 are clamped.
    member.unix_mtime = static_cast<std::int32_t>(
        std::clamp<std::int64_t>(unix_seconds, std::numeric_limits<std::int32_t>::min(),
                                 std::numeric_limits<std::int32_t>::max()));
    const auto offset = static_cast<std::uint32_t>(members_.size());

    ZipPut32(members_, kLocalHeaderSignature);
    ZipPutSharedFields(members_, member);
    members_.append(name);
    ZipPutExtendedTimestamp(members_, member.unix_mtime);
    members_.append(bytes);

    ZipPut32(directory_, kCentralHeaderSignature);
    ZipPut16(directory_, kVersionMadeBy);
    ZipPutSharedFields(directory_, member);
    ZipPut16(directory_, 0);  // comment length
    ZipPut16(directory_, 0);  // disk number
    ZipPut16(directory_, 0);  // internal attributes
    ZipPut32(directory_, kRegularFileAttributes);
    ZipPut32(directory_, offset);
    directory_.append(name);
    ZipPutExtendedTimestamp(directory_, member.unix_mtime);

    names_.emplace(name);
    ++count_;
}

std::string ZipWriter::Finish() {
    std::string archive = std::move(members_);
    const auto directory_offset = static_cast<std::uint32_t>(archive.size());
    archive.append(directory_);
    ZipPut32(archive, kEndRecordSignature);
    ZipPut16(archive, 0);                                   // this disk
    ZipPut16(archive, 0);                                   // the disk the directory starts on
    ZipPut16(archive, static_cast<std::uint16_t>(count_));  // members on this disk
    ZipPut16(archive, static_cast<std::uint16_t>(count_));  // members in all
    ZipPut32(archive, static_cast<std::uint32_t>(directory_.size()));
    ZipPut32(archive, directory_offset);
    ZipPut16(archive, 0);  // comment length

    members_.clear();
    directory_.clear();
    names_.clear();
    count_ = 0;
    return archive;
}

}  // namespace escd
