#pragma once
/// @file
/// What every state machine of escd is made of (resources, VMs, services, snapshots): one
/// constexpr table of (state, event) → state rows, checked at compile time to have one row per
/// (state, event), looked up linearly (the tables are a few dozen rows), and names indexed by
/// the enum's value.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace escd::model {

template <class State, class Event>
struct Transition {
    State from;
    Event on;
    State to;
};

template <class Table>
constexpr bool OneRowPerStateAndEvent(const Table& table) {
    for (std::size_t i = 0; i < table.size(); ++i)
        for (std::size_t j = i + 1; j < table.size(); ++j)
            if (table[i].from == table[j].from && table[i].on == table[j].on) return false;
    return true;
}

/// The row for (state, event); nullopt: the event is refused in that state.
template <class Table, class State, class Event>
std::optional<State> Lookup(const Table& table, State state, Event event) noexcept {
    for (const auto& row : table)
        if (row.from == state && row.on == event) return row.to;
    return std::nullopt;
}

/// The state named `text` in `names` (indexed by the enum's value).
template <class State, std::size_t N>
std::optional<State> ParseName(const std::array<std::string_view, N>& names,
                               std::string_view text) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == text) return static_cast<State>(i);
    return std::nullopt;
}

}  // namespace escd::model
