// Boost.JSON, compiled once for escd (header-only mode, like Asio in common/asio_impl.cpp): the
// OpenStack APIs speak JSON. Everything else includes <boost/json.hpp> only.
#include <boost/json/src.hpp>
