// ppx/blindrsa.hpp: umbrella header for RFC 9474 RSA blind signatures (RSABSSA-SHA384).
#pragma once

#include <ppx/blindrsa/blindrsa.hpp>
