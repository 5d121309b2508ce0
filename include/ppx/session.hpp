// ppx/session.hpp: the Private Processing session layer: sans-IO client, gateway and VM
// state machines composing OHTTP, Privacy Pass, RA-TLS and the transparency log
// (docs/PROTOCOL.md).
#pragma once

#include <ppx/session/client.hpp>
#include <ppx/session/common.hpp>
#include <ppx/session/gateway.hpp>
#include <ppx/session/vm.hpp>
#include <ppx/session/attestation.hpp>
