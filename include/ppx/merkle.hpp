// ppx/merkle.hpp: umbrella for the transparency component: RFC 9162 Merkle proofs
// (tree.hpp), C2SP checkpoints (checkpoint.hpp), signed notes and keys (note.hpp), trust
// policy and client log view (policy.hpp), tlog-tiles (tiles.hpp), an in-memory log
// (log.hpp) and the ppx entry formats (entry.hpp).
#pragma once

#include <ppx/merkle/checkpoint.hpp>
#include <ppx/merkle/entry.hpp>
#include <ppx/merkle/log.hpp>
#include <ppx/merkle/note.hpp>
#include <ppx/merkle/policy.hpp>
#include <ppx/merkle/tiles.hpp>
#include <ppx/merkle/tree.hpp>
