#include "server/tls_context.hpp"

namespace escd::server {

std::shared_ptr<ssl::context> MakeServerTlsContext(const std::string& cert_path,
                                                   const std::string& key_path) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    context->use_certificate_chain_file(cert_path);
    context->use_private_key_file(key_path, ssl::context::pem);
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
        throw std::runtime_error("the private key " + key_path +
                                 " does not match the certificate " + cert_path);
    }
    return context;
}

}  // namespace escd::server
