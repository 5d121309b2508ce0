// Fuzzes ppx::reader and ppx::writer: a byte-coded program of reads runs over the input;
// every value read is written back with the matching writer call, and the bytes written must
// equal the bytes consumed (non-minimal varints excepted, which must re-read to the same
// value). Failed reads must not move the cursor.
#include "fuzz.hpp"

#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t nops = data[0] % 16;
    if (size < 1 + nops) return 0;
    ppx::bytes_view ops(data + 1, nops);
    ppx::bytes_view in(data + 1 + nops, size - 1 - nops);
    ppx::reader r(in);
    ppx::writer w;
    for (std::uint8_t op : ops) {
        const std::size_t before = r.position();
        bool ok = true;
        switch (op % 9) {
        case 0: if (auto v = r.u8()) w.u8(*v); else ok = false; break;
        case 1: if (auto v = r.u16()) w.u16(*v); else ok = false; break;
        case 2: if (auto v = r.u24()) w.u24(*v); else ok = false; break;
        case 3: if (auto v = r.u32()) w.u32(*v); else ok = false; break;
        case 4: if (auto v = r.u64()) w.u64(*v); else ok = false; break;
        case 5: {
            auto v = r.varint();
            if (!v) { ok = false; break; }
            PPX_FUZZ_CHECK(*v <= ppx::max_varint);
            // Re-encode exactly as read (possibly non-minimal) by copying the consumed bytes,
            // and check the minimal form decodes to the same value.
            w.bytes(in.subspan(before, r.position() - before));
            ppx::writer m;
            m.varint(*v);
            auto mb = std::move(m).finish();
            PPX_FUZZ_CHECK(mb && mb->size() <= r.position() - before);
            ppx::reader back(*mb);
            PPX_FUZZ_CHECK(*back.varint() == *v && back.empty());
            break;
        }
        case 6: if (auto v = r.vec8()) w.vec8(*v); else ok = false; break;
        case 7: if (auto v = r.vec16()) w.vec16(*v); else ok = false; break;
        case 8: if (auto v = r.bytes(op / 9)) w.bytes(*v); else ok = false; break;
        }
        if (!ok) PPX_FUZZ_CHECK(r.position() == before);
    }
    auto out = std::move(w).finish();
    PPX_FUZZ_CHECK(out.has_value());
    PPX_FUZZ_CHECK(out->size() == r.position());
    PPX_FUZZ_CHECK(ppx::equal_bytes(*out, in.first(r.position())));
    return 0;
}
