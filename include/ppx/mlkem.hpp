// ppx/mlkem.hpp: umbrella for ML-KEM (FIPS 203) and the Keccak/SHA-3 functions it uses.
#pragma once

#include <ppx/mlkem/keccak.hpp>
#include <ppx/mlkem/mlkem.hpp>
#include <ppx/mlkem/params.hpp>
#include <ppx/mlkem/poly.hpp>
