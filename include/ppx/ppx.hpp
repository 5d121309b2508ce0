// ppx/ppx.hpp: the whole library.
#pragma once

#include <ppx/core.hpp>
