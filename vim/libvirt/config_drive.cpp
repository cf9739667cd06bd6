#include "vim/libvirt/config_drive.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace escd::vim::libvirt {
namespace {
// Writes `value` as zero-padded octal into a field of `width` bytes (NUL-terminated).
void Octal(char* field, std::size_t width, unsigned long long value) {
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), value);
}
}  // namespace

std::string TarArchive(const std::vector<Day0File>& files) {
    std::string out;
    for (const auto& [name, content] : files) {
        if (name.empty() || name.size() > 99)
            throw std::invalid_argument("config drive file name '" + name + "' is not 1..99 bytes");
        char header[512] = {};
        std::memcpy(header, name.data(), name.size());  // name
        Octal(header + 100, 8, 0644);                   // mode
        Octal(header + 108, 8, 0);                      // uid
        Octal(header + 116, 8, 0);                      // gid
        Octal(header + 124, 12, content.size());        // size
        Octal(header + 136, 12, 0);                     // mtime: reproducible drives
        header[156] = '0';                              // a regular file
        std::memcpy(header + 257, "ustar", 6);          // magic, NUL
        std::memcpy(header + 263, "00", 2);             // version
        // The checksum is computed with its own field as eight spaces.
        std::memset(header + 148, ' ', 8);
        unsigned sum = 0;
        for (unsigned char c : header) sum += c;
        std::snprintf(header + 148, 8, "%06o", sum);
        header[155] = ' ';
        out.append(header, sizeof header);
        out += content;
        out.append((512 - content.size() % 512) % 512, '\0');
    }
    out.append(1024, '\0');
    return out;
}

}  // namespace escd::vim::libvirt
