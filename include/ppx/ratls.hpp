// ppx/ratls.hpp: RA-TLS (attestation evidence in X.509 certificates) and AMD SEV-SNP
// verification. The OpenSSL SSL_CTX hook is in <ppx/ratls/tls.hpp> (it needs libssl).
#pragma once

#include <ppx/ratls/cbor.hpp>
#include <ppx/ratls/cert.hpp>
#include <ppx/ratls/evidence.hpp>
#include <ppx/ratls/provider.hpp>
#include <ppx/ratls/snp_cert.hpp>
#include <ppx/ratls/snp_report.hpp>
#include <ppx/ratls/snp_roots.hpp>
#include <ppx/ratls/snp_verify.hpp>
#include <ppx/ratls/verify.hpp>
