// ppx/bhttp.hpp: Binary HTTP (RFC 9292): messages, incremental decoding, encoding.
#pragma once

#include <ppx/bhttp/decoder.hpp>
#include <ppx/bhttp/encoder.hpp>
#include <ppx/bhttp/message.hpp>
