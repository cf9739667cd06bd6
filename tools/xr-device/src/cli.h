// Command line parsing the way the IOS XR parser behaves: keywords may be abbreviated to any
// unique prefix ("sh ver"), a wrong word is reported with a caret under it, a short line is
// "% Incomplete command.", and "| include/exclude/begin/utility egrep" filter the output.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace xr {

struct Token {
    std::string text;  // quotes removed
    size_t offset;     // column of the token in the typed line
};

// Splits a command line into words; "double quoted" words may contain blanks.
std::vector<Token> tokenize(const std::string& line);

// Splits off the "| filter" parts (outside quotes). Returns the command part; filters get the
// text after each '|' and the column where it starts.
std::string split_pipes(const std::string& line, std::vector<Token>& filters);

struct Session;
using Handler = std::function<void(Session&, const std::vector<std::string>& args)>;

struct Match {
    enum Kind { Ok, Invalid, Incomplete, Ambiguous } kind = Invalid;
    const Handler* handler = nullptr;
    std::vector<std::string> args;  // words matched by placeholders, in order
    size_t error_offset = 0;        // column of the offending word (Invalid, Ambiguous)
};

class Grammar {
  public:
    // Pattern words: keywords, <W> (any word), <N> (a number), <+> (one or more words till the
    // end), <*> (zero or more words till the end).
    void add(const std::string& pattern, Handler fn);
    Match match(const std::vector<Token>& tokens) const;

  private:
    struct Rule {
        std::vector<std::string> words;
        Handler fn;
    };
    std::vector<Rule> rules_;
};

// Applies parsed filters to command output. Returns false (and the caret column) when a filter
// is not understood.
bool apply_filters(const std::vector<Token>& filters, std::string& output, size_t& bad_col);

}  // namespace xr
