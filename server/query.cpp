#include "server/query.hpp"

#include "common/error.hpp"

namespace escd::server {
namespace {
int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string Decode(std::string_view text, bool plus_is_space = true) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size() || HexValue(text[i + 1]) < 0 || HexValue(text[i + 2]) < 0) {
                throw Error(ErrorCode::kBadRequest, "malformed percent escape in the query string");
            }
            const int high = HexValue(text[i + 1]);
            const int low = HexValue(text[i + 2]);
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}
}  // namespace

std::string PercentDecode(std::string_view text) {
    return Decode(text, /*plus_is_space=*/false);
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto key = Decode(pair.substr(0, eq));
        out[key] = eq == std::string_view::npos ? std::string{} : Decode(pair.substr(eq + 1));
    }
    return out;
}

}  // namespace escd::server
