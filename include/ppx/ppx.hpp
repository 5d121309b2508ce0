// ppx/ppx.hpp: the whole library (every component's umbrella header).
// Opt-in headers with extra dependencies are not included: <ppx/ratls/tls.hpp> (libssl) and
// <ppx/privacypass/redis_spend_store.hpp> (hiredis).
#pragma once

#include <ppx/core.hpp>
#include <ppx/hpke.hpp>
#include <ppx/mlkem.hpp>
#include <ppx/bhttp.hpp>
#include <ppx/ohttp.hpp>
#include <ppx/oprf.hpp>
#include <ppx/blindrsa.hpp>
#include <ppx/privacypass.hpp>
#include <ppx/ratls.hpp>
#include <ppx/merkle.hpp>
