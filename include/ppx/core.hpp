// ppx/core.hpp: umbrella for the core layer (bytes, result/error, secrets, reader/writer, rng).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/error.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/core/writer.hpp>
