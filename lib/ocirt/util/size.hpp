#pragma once
// Human sizes on the command line, as runc's (docker/go-units RAMInBytes):
// "512", "1.5k", "64m", "2 GiB", "1gb": a number (decimals allowed), an
// optional space, an optional unit k/m/g/t/p (any case, powers of 1024), an
// optional "i" and an optional "b". No sign.
#include <cstdint>
#include <string>

namespace ocirt {

// Bytes; throws Error("invalid size: 'TEXT'") on anything else or on overflow.
int64_t parse_ram_size(const std::string& text);

}  // namespace ocirt
