// ppx/privacypass.hpp: Privacy Pass (RFC 9577 auth scheme, RFC 9578 issuance, batched tokens,
// ppx ACS tokens, spend stores). The Redis store is separate: <ppx/privacypass/redis_spend_store.hpp>
// (needs hiredis).
#pragma once

#include <ppx/privacypass/acs_tokens.hpp>
#include <ppx/privacypass/auth_header.hpp>
#include <ppx/privacypass/blind_rsa_tokens.hpp>
#include <ppx/privacypass/challenge.hpp>
#include <ppx/privacypass/generic_batch.hpp>
#include <ppx/privacypass/issuer.hpp>
#include <ppx/privacypass/origin.hpp>
#include <ppx/privacypass/rsa_spki.hpp>
#include <ppx/privacypass/spend_store.hpp>
#include <ppx/privacypass/token.hpp>
#include <ppx/privacypass/token_type.hpp>
#include <ppx/privacypass/voprf_tokens.hpp>
