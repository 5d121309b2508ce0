// ppx/oprf.hpp: umbrella header for RFC 9380 hash-to-curve, the RFC 9497 prime-order groups
// and the RFC 9497 OPRF / VOPRF / POPRF protocols.
#pragma once

#include <ppx/oprf/group.hpp>
#include <ppx/oprf/hash_to_curve.hpp>
#include <ppx/oprf/oprf.hpp>
