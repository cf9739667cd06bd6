#include "tests/support/zip_reading.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "common/crypto.hpp"
#include "common/process.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;

// Prints every member with what the tests compare; the data in base64, since a member holds any
// bytes and JSON strings do not.
constexpr const char* kListMembers = R"(import base64, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    bad = archive.testzip()
    if bad is not None:
        sys.exit("bad CRC in " + bad)
    print(json.dumps([{"name": m.filename, "data": base64.b64encode(archive.read(m)).decode(),
                       "date_time": list(m.date_time), "crc": m.CRC,
                       "compress_type": m.compress_type, "flag_bits": m.flag_bits,
                       "external_attr": m.external_attr, "extra": m.extra.hex()}
                      for m in archive.infolist()]))
)";

// A directory of its own for the archive and the tool's output, removed whatever happens.
class ScratchDirectory {
  public:
    ScratchDirectory() {
        std::string pattern = (fs::temp_directory_path() / "escd-zip-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

}  // namespace

ToolRun RunOnArchive(std::vector<std::string> argv, const std::string& archive) {
    const ScratchDirectory scratch;
    const auto archive_path = scratch.path() / "archive.zip";
    const auto output_path = scratch.path() / "output.txt";
    std::ofstream(archive_path, std::ios::binary) << archive;
    argv.push_back(archive_path.string());
    ToolRun run;
    run.exit_code = RunProcess(argv, output_path.string());
    std::ifstream output(output_path, std::ios::binary);
    run.output.assign(std::istreambuf_iterator<char>(output), {});
    return run;
}

std::vector<ZipEntry> ReadZipWithPython(const std::string& archive) {
    const auto run = RunOnArchive({"python3", "-c", kListMembers}, archive);
    if (run.exit_code != 0) throw std::runtime_error("python3 zipfile: " + run.output);
    std::vector<ZipEntry> entries;
    boost::json::value parsed = boost::json::parse(run.output);
    if (!parsed.is_array()) throw std::runtime_error("python3 zipfile printed: " + run.output);
    const boost::json::array& items = parsed.get_array();
    for (const auto& item : items) {
        const auto& member = item.as_object();
        ZipEntry entry;
        entry.name = std::string(member.at("name").as_string());
        const std::string data(member.at("data").as_string());
        entry.bytes = Base64Decode(data).value();
        const auto& date_time = member.at("date_time").as_array();
        for (std::size_t i = 0; i < entry.date_time.size(); ++i)
            entry.date_time[i] = static_cast<int>(date_time.at(i).as_int64());
        entry.crc = static_cast<std::uint32_t>(member.at("crc").as_int64());
        entry.compress_type = static_cast<int>(member.at("compress_type").as_int64());
        entry.flag_bits = static_cast<int>(member.at("flag_bits").as_int64());
        entry.external_attr = static_cast<std::uint32_t>(member.at("external_attr").as_int64());
        entry.extra_hex = std::string(member.at("extra").as_string());
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace escd::test
