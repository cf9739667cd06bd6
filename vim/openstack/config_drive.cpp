#include "vim/openstack/config_drive.hpp"

#include <cstdint>

#include "common/error.hpp"

namespace escd::vim::openstack {
namespace {

constexpr std::size_t kBlock = 512;

std::uint64_t Octal(std::string_view field) {
    std::uint64_t value = 0;
    for (char c : field) {
        if (c == '\0' || c == ' ') {
            if (value) break;
            continue;
        }
        if (c < '0' || c > '7') throw Error(ErrorCode::kInternal, "config drive: bad octal field");
        value = value * 8 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

}  // namespace

ConfigFiles ConfigDriveFiles(std::string_view archive) {
    ConfigFiles files;
    std::size_t at = 0;
    while (at + kBlock <= archive.size()) {
        const auto header = archive.substr(at, kBlock);
        if (header.find_first_not_of('\0') == std::string_view::npos) break;  // end of archive
        unsigned sum = 0;
        for (std::size_t i = 0; i < kBlock; ++i)
            sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
        if (sum != Octal(header.substr(148, 8)))
            throw Error(ErrorCode::kInternal, "config drive: header checksum mismatch");
        const auto size = Octal(header.substr(124, 12));
        auto name = header.substr(0, 100);
        name = name.substr(0, name.find('\0'));
        at += kBlock;
        if (size > archive.size() - at)
            throw Error(ErrorCode::kInternal,
                        "config drive: file " + std::string(name) + " is cut short");
        const char type = header[156];
        if (type == '0' || type == '\0') {
            std::string path(name);
            if (path.empty() || path.front() != '/') path.insert(0, "/");
            files.emplace_back(std::move(path), std::string(archive.substr(at, size)));
        }
        at += (size + kBlock - 1) / kBlock * kBlock;
    }
    return files;
}

}  // namespace escd::vim::openstack
