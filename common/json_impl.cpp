// Boost.JSON, compiled once for escd (header-only mode, like Asio in asio_impl.cpp): the
// OpenStack APIs, the catalogue and its faces speak JSON. Everything else includes
// <boost/json.hpp> only.
#include <boost/json/src.hpp>
