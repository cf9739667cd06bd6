#include "cli.h"

#include <cctype>
#include <regex>
#include <set>

#include "util.h"

namespace xr {

std::vector<Token> tokenize(const std::string& line) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i >= line.size()) break;
        Token t{"", i};
        bool quoted = false;
        while (i < line.size() && (quoted || !std::isspace(static_cast<unsigned char>(line[i])))) {
            if (line[i] == '"') {
                quoted = !quoted;
            } else {
                t.text += line[i];
            }
            ++i;
        }
        out.push_back(t);
    }
    return out;
}

std::string split_pipes(const std::string& line, std::vector<Token>& filters) {
    bool quoted = false;
    std::vector<size_t> bars;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '"') quoted = !quoted;
        if (line[i] == '|' && !quoted) bars.push_back(i);
    }
    if (bars.empty()) return line;
    for (size_t k = 0; k < bars.size(); ++k) {
        size_t end = k + 1 < bars.size() ? bars[k + 1] : line.size();
        filters.push_back({line.substr(bars[k] + 1, end - bars[k] - 1), bars[k] + 1});
    }
    return line.substr(0, bars[0]);
}

void Grammar::add(const std::string& pattern, Handler fn) {
    rules_.push_back({split_ws(pattern), std::move(fn)});
}

namespace {

bool is_placeholder(const std::string& w) {
    return !w.empty() && w[0] == '<';
}
bool is_rest(const std::string& w) {
    return w == "<+>" || w == "<*>";
}
bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

struct Cand {
    size_t rule = 0;
    size_t pos = 0;
    bool rest = false;
    std::vector<std::string> args;
};

}  // namespace

Match Grammar::match(const std::vector<Token>& toks) const {
    Match m;
    std::vector<Cand> cands;
    for (size_t r = 0; r < rules_.size(); ++r) {
        Cand c;
        c.rule = r;
        cands.push_back(c);
    }
    for (const auto& tok : toks) {
        // Keywords win over placeholders at the same position, as on XR where "install activate
        // id 5" is the id form and not a package called "id".
        std::set<std::string> kws;
        bool exact = false;
        for (const auto& c : cands) {
            const auto& w = rules_[c.rule].words;
            if (c.rest || c.pos >= w.size() || is_placeholder(w[c.pos])) continue;
            if (iprefix(tok.text, w[c.pos])) {
                kws.insert(lower(w[c.pos]));
                exact = exact || lower(w[c.pos]) == lower(tok.text);
            }
        }
        if (kws.size() > 1 && !exact) {
            m.kind = Match::Ambiguous;
            m.error_offset = tok.offset;
            return m;
        }
        std::vector<Cand> next;
        for (auto c : cands) {
            const auto& w = rules_[c.rule].words;
            if (c.rest) {
                c.args.push_back(tok.text);
                next.push_back(c);
                continue;
            }
            if (c.pos >= w.size()) continue;
            const auto& want = w[c.pos];
            if (is_placeholder(want)) {
                if (!kws.empty()) continue;
                if (want == "<N>" && !all_digits(tok.text)) continue;
                c.rest = is_rest(want);
                c.args.push_back(tok.text);
                ++c.pos;
                next.push_back(c);
            } else if (iprefix(tok.text, want) && (!exact || lower(want) == lower(tok.text))) {
                ++c.pos;
                next.push_back(c);
            }
        }
        if (next.empty()) {
            m.kind = Match::Invalid;
            m.error_offset = tok.offset;
            return m;
        }
        cands = std::move(next);
    }
    for (const auto& c : cands) {
        const auto& w = rules_[c.rule].words;
        if (c.rest || c.pos == w.size() || (c.pos + 1 == w.size() && w[c.pos] == "<*>")) {
            m.kind = Match::Ok;
            m.handler = &rules_[c.rule].fn;
            m.args = c.args;
            return m;
        }
    }
    m.kind = Match::Incomplete;
    return m;
}

bool apply_filters(const std::vector<Token>& filters, std::string& output, size_t& bad_col) {
    for (const auto& f : filters) {
        auto words = tokenize(f.text);
        if (words.empty()) {
            bad_col = f.offset;
            return false;
        }
        std::string verb = words[0].text;
        size_t argi = 1;
        enum { Include, Exclude, Begin } mode;
        if (iprefix(verb, "include")) {
            mode = Include;
        } else if (iprefix(verb, "exclude")) {
            mode = Exclude;
        } else if (iprefix(verb, "begin")) {
            mode = Begin;
        } else if (iprefix(verb, "utility") && words.size() > 1 &&
                   iprefix(words[1].text, "egrep")) {
            mode = Include;
            argi = 2;
        } else {
            bad_col = f.offset + words[0].offset;
            return false;
        }
        bool icase = false;
        if (argi < words.size() && words[argi].text == "-i") {
            icase = true;
            ++argi;
        }
        if (argi >= words.size()) {
            bad_col = f.offset + f.text.size();
            return false;
        }
        std::string pattern;
        for (size_t k = argi; k < words.size(); ++k)
            pattern += (k > argi ? " " : "") + words[k].text;
        std::regex re;
        try {
            re = std::regex(
                pattern, icase ? std::regex::extended | std::regex::icase : std::regex::extended);
        } catch (const std::regex_error&) {
            bad_col = f.offset + words[argi].offset;
            return false;
        }
        std::string kept;
        bool begun = false;
        auto lines = split(output, '\n');
        if (!lines.empty() && lines.back().empty()) lines.pop_back();
        for (const auto& line : lines) {
            bool hit = std::regex_search(line, re);
            bool keep = mode == Include ? hit : mode == Exclude ? !hit : (begun = begun || hit);
            if (keep) kept += line + "\n";
        }
        output = kept;
    }
    return true;
}

}  // namespace xr
