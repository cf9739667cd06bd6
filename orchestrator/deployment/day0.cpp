#include "orchestrator/deployment/day0.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace escd::orchestrator::day0 {
namespace {
bool IsNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Writes `value` as zero-padded octal into a field of `width` bytes (NUL-terminated).
void Octal(char* field, std::size_t width, unsigned long long value) {
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), value);
}
}  // namespace

std::string Substitute(const std::string& text, const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '$') {
            out += text[i++];
            continue;
        }
        const bool braced = i + 1 < text.size() && text[i + 1] == '{';
        std::size_t start = i + (braced ? 2 : 1);
        std::size_t end = start;
        while (end < text.size() && IsNameChar(text[end])) ++end;
        if (braced && (end >= text.size() || text[end] != '}')) {
            out += text[i++];  // "${" without a closing brace: not a variable
            continue;
        }
        auto it = values.find(text.substr(start, end - start));
        if (end == start || it == values.end()) {
            out += text[i++];  // not ours: leave it as written
            continue;
        }
        out += it->second;
        i = end + (braced ? 1 : 0);
    }
    return out;
}

std::string TarArchive(const std::vector<std::pair<std::string, std::string>>& files) {
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

}  // namespace escd::orchestrator::day0
