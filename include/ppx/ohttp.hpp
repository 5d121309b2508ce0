// ppx/ohttp.hpp: Oblivious HTTP (RFC 9458) and chunked OHTTP (draft-ietf-ohai-chunked-ohttp-08):
// key configurations, client, gateway, chunked streams. Inner messages: ppx/bhttp.hpp.
#pragma once

#include <ppx/ohttp/chunked.hpp>
#include <ppx/ohttp/client.hpp>
#include <ppx/ohttp/common.hpp>
#include <ppx/ohttp/gateway.hpp>
#include <ppx/ohttp/key_config.hpp>
#include <ppx/ohttp/replay.hpp>
