#pragma once
/// @file
/// The one place escd includes Asio and Beast. Both are compiled once, in common/asio_impl.cpp
/// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set on the escd_asio
/// target and propagate to every user), which keeps a 2-core build short.

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace escd {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

/// The completion token of an awaited operation whose error the caller reads rather than catches:
/// `auto [ec, n] = co_await stream.async_read_some(buffer, kNoThrow);`.
inline constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
}  // namespace escd
