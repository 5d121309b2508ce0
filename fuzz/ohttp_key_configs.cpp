// Fuzz target: OHTTP key configurations and application/ohttp-keys lists (RFC 9458 §3).
// Invariants: a single config that parses re-encodes to exactly the input; a list that
// parses re-encodes to a list that parses to the same configs (unknown-KEM entries are the
// only thing dropped, so the re-encoding is never longer).
#include "fuzz.hpp"

#include <ppx/ohttp/key_config.hpp>

using namespace ppx;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = ppx::fuzz::input(data, size);
    if (auto one = ohttp::key_config::parse(in)) {
        const bytes enc = one->encode();
        PPX_FUZZ_CHECK(equal_bytes(enc, in));
        PPX_FUZZ_CHECK(one->encoded_size() == size);
    }
    auto list = ohttp::parse_key_configs(in);
    if (!list) return 0;
    auto enc = ohttp::encode_key_configs(*list);
    PPX_FUZZ_CHECK(enc.has_value());
    PPX_FUZZ_CHECK(enc->size() <= size);
    auto again = ohttp::parse_key_configs(*enc);
    PPX_FUZZ_CHECK(again.has_value() && *again == *list);
    return 0;
}
