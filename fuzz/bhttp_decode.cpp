// Fuzz target: the Binary HTTP decoder (RFC 9292).
// Invariants: (1) a message that decodes re-encodes canonically, and the canonical form
// decodes to the same message and re-encodes to itself byte for byte; (2) the incremental
// decoder fed the input in two pieces (split chosen by the input) accepts exactly what the
// one-shot decoder accepts and yields the same message.
#include "fuzz.hpp"

#include <ppx/bhttp.hpp>

using namespace ppx;

namespace {

using message = std::variant<bhttp::request, bhttp::response>;

result<message> decode_split(bytes_view in, std::size_t cut) {
    bhttp::decoder d;
    bhttp::detail::collector c;
    PPX_TRY(d.feed(in.first(cut), c));
    PPX_TRY(d.feed(in.subspan(cut), c));
    PPX_TRY(d.finish(c));
    if (c.is_request) return message(std::move(c.req));
    return message(std::move(c.res));
}

result<bytes> encode_any(const message& m) {
    return std::visit([](const auto& x) { return bhttp::encode(x); }, m);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = ppx::fuzz::input(data, size);
    auto one = bhttp::decode(in);
    const std::size_t cut = size == 0 ? 0 : data[size - 1] % (size + 1);
    auto split = decode_split(in, cut);
    PPX_FUZZ_CHECK(one.has_value() == split.has_value());
    if (!one) return 0;
    PPX_FUZZ_CHECK(*one == *split);
    auto canon = encode_any(*one);
    PPX_FUZZ_CHECK(canon.has_value());
    PPX_FUZZ_CHECK(canon->size() <= size);  // canonical is never longer (minimal varints, one chunk)
    auto again = bhttp::decode(*canon);
    PPX_FUZZ_CHECK(again.has_value());
    PPX_FUZZ_CHECK(*again == *one);
    auto canon2 = encode_any(*again);
    PPX_FUZZ_CHECK(canon2.has_value() && *canon2 == *canon);
    return 0;
}
