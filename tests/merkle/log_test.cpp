// The in-memory log, tlog-tiles proofs (full and partial tiles), the client log view and the
// ppx entry formats.
#include <ppx/merkle.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace ppx;
using namespace ppx::merkle;

namespace {

memory_log make_log(std::string origin, std::uint64_t seed) {
    deterministic_rng r(seed);
    auto s = note_signer::generate(origin, sig_type::ed25519, r);
    REQUIRE(s);
    return memory_log(std::move(origin), std::move(*s));
}

void fill(memory_log& log, std::uint64_t n) {
    while (log.size() < n) REQUIRE(log.append(as_bytes("entry " + std::to_string(log.size()))));
}

// Fetches every tile a tile_set asks for from the log, the way a client would over HTTP.
void fetch_tiles(tile_set& ts, const memory_log& log, const std::vector<tile_id>& ids) {
    for (const auto& id : ids) {
        auto data = log.tile(id);
        REQUIRE(data);
        auto parsed = parse_tile_path(tile_path(id));
        REQUIRE(parsed);
        REQUIRE(*parsed == id);
        REQUIRE(ts.add(id, *data));
    }
}

} // namespace

TEST_CASE("tile paths: tlog-tiles encoding and strict parsing", "[merkle][tiles]") {
    CHECK(tile_path(tile_id{0, 1234067, 256, false}) == "tile/0/x001/x234/067");
    CHECK(tile_path(tile_id{1, 0, 17, false}) == "tile/1/000.p/17");
    CHECK(tile_path(tile_id{0, 5, 256, true}) == "tile/entries/005");
    CHECK(tile_path(tile_id{2, 1000, 3, true}) == "tile/entries/x001/000.p/3");
    for (std::uint64_t idx : {0ull, 7ull, 999ull, 1000ull, 1234067ull, 18446744073709551615ull}) {
        for (unsigned w : {1u, 255u, 256u}) {
            tile_id t{3, idx, w, false};
            auto p = parse_tile_path(tile_path(t));
            REQUIRE(p);
            CHECK(*p == t);
        }
    }
    CHECK(parse_tile_path("/tile/0/000"));
    for (const char* bad : {"tile/0/x001", "tile/0/1", "tile/0/0000", "tile/00/000", "tile/64/000", "tile/0/001/002",
                            "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01", "tile/0/000.p/", "tile/0/000x",
                            "tile/0/x018/x446/x744/x073/x709/x551/616", "tile/0/x01/000", "tile/0/x000/234", "tile/0/x000/x001/234", "tiles/0/000", "tile/0", "tile/entries/00a", ""})
        CHECK_FALSE(parse_tile_path(bad));
}

TEST_CASE("tile widths for the tlog-tiles size 70000 example", "[merkle][tiles]") {
    // 273 full level-0 tiles, a partial of 112; one full level-1 tile and a partial of 17; a level-2 partial of 1.
    CHECK(tile_width_at(0, 272, 70000) == 256);
    CHECK(tile_width_at(0, 273, 70000) == 112);
    CHECK(tile_width_at(0, 274, 70000) == 0);
    CHECK(tile_width_at(1, 0, 70000) == 256);
    CHECK(tile_width_at(1, 1, 70000) == 17);
    CHECK(tile_width_at(2, 0, 70000) == 1);
    CHECK(tile_width_at(3, 0, 70000) == 0);
    CHECK(tile_width_at(1, 0, 256) == 1);
}

TEST_CASE("memory log: checkpoints, proofs and tiles agree with the verifier", "[merkle][log]") {
    auto log = make_log("example.com/ppx-log", 1);
    const verifier vk = log.signer().to_verifier();
    const trust_policy policy = trust_policy::log_only(vk);
    std::optional<std::uint64_t> prev_size;
    hash_t prev_root{};
    for (std::uint64_t size : {1ull, 2ull, 3ull, 255ull, 256ull, 257ull, 511ull, 700ull, 65536ull + 300}) {
        fill(log, size);
        auto note = log.checkpoint_note();
        REQUIRE(note);
        auto cp = verify_checkpoint(*note, policy);
        REQUIRE(cp);
        REQUIRE(cp->size() == size);

        tile_set ts(size);
        for (std::uint64_t idx : {std::uint64_t{0}, size / 2, size - 1}) {
            auto proof = log.inclusion_proof(idx, size);
            REQUIRE(proof);
            auto leaf = leaf_hash(*log.entry(idx));
            REQUIRE(verify_inclusion(idx, size, leaf, *proof, cp->root()));
            // The same proof from tiles only.
            auto need = ts.tiles_for_inclusion(idx);
            REQUIRE(need);
            fetch_tiles(ts, log, *need);
            auto tproof = ts.inclusion_proof(idx);
            REQUIRE(tproof);
            CHECK(*tproof == *proof);
            CHECK(*ts.root() == cp->root());
        }
        if (prev_size) {
            auto proof = log.consistency_proof(*prev_size, size);
            REQUIRE(proof);
            REQUIRE(verify_consistency(*prev_size, size, prev_root, cp->root(), *proof));
            auto need = ts.tiles_for_consistency(*prev_size);
            REQUIRE(need);
            fetch_tiles(ts, log, *need);
            CHECK(*ts.consistency_proof(*prev_size) == *proof);
        }
        prev_size = size;
        prev_root = cp->root();
    }
}

TEST_CASE("tiles: entry bundles hash to the level-0 tile", "[merkle][tiles]") {
    auto log = make_log("example.com/bundles", 2);
    fill(log, 300);
    tile_set ts(300);
    for (std::uint64_t n : {0ull, 1ull}) {
        const unsigned w = tile_width_at(0, n, 300);
        auto bundle = log.tile(tile_id{0, n, w, true});
        REQUIRE(bundle);
        auto entries = parse_entry_bundle(*bundle, w);
        REQUIRE(entries);
        auto hashes = log.tile(tile_id{0, n, w, false});
        REQUIRE(hashes);
        for (unsigned j = 0; j < w; ++j) {
            const hash_t h = leaf_hash((*entries)[j]);
            CHECK(equal_bytes(h, bytes_view(*hashes).subspan(j * 32, 32)));
        }
        CHECK_FALSE(parse_entry_bundle(*bundle, w + 1 > 256 ? 1 : w + 1));
        CHECK_FALSE(parse_entry_bundle(bytes_view(*bundle).first(bundle->size() - 1), w));
    }
    CHECK(log.tile(tile_id{0, 1, 45, false}).error().code == errc::misuse);  // only 44 exist
    CHECK(log.tile(tile_id{0, 2, 1, false}).error().code == errc::misuse);
}

TEST_CASE("tiles: bad tiles are refused and wrong tile data is caught by the root", "[merkle][tiles][negative]") {
    auto log = make_log("example.com/bad-tiles", 3);
    fill(log, 600);
    const hash_t root = *log.root(600);
    tile_set ts(600);
    auto need = ts.tiles_for_inclusion(599);
    REQUIRE(need);
    // Partial level-0 tile of width 88 (600 - 512).
    tile_id last{0, 2, 88, false};
    auto data = log.tile(last);
    REQUIRE(data);
    for (std::size_t cut = 1; cut <= 32; cut += 31) CHECK(ts.add(last, bytes_view(*data).first(data->size() - cut)).error().code == errc::malformed);
    CHECK(ts.add(tile_id{0, 2, 87, false}, bytes_view(*data).first(87 * 32)).error().code == errc::malformed);
    CHECK(ts.add(tile_id{0, 3, 1, false}, bytes(32)).error().code == errc::misuse);
    CHECK(ts.add(tile_id{0, 0, 256, true}, bytes(32)).error().code == errc::misuse);
    CHECK(ts.inclusion_proof(599).error().code == errc::misuse);  // tiles missing
    fetch_tiles(ts, log, *need);
    auto proof = ts.inclusion_proof(599);
    REQUIRE(proof);
    CHECK(verify_inclusion(599, 600, leaf_hash(*log.entry(599)), *proof, root));
    // A tampered tile yields a proof that does not verify.
    tile_set evil(600);
    for (auto id : *need) {
        auto d = *log.tile(id);
        d[5] ^= 1;
        REQUIRE(evil.add(id, d));
    }
    auto bad_proof = evil.inclusion_proof(599);
    REQUIRE(bad_proof);
    CHECK_FALSE(verify_inclusion(599, 600, leaf_hash(*log.entry(599)), *bad_proof, root));
    // A full tile stands in for a partial one.
    auto log2 = make_log("example.com/bad-tiles", 3);
    fill(log2, 1024);
    tile_set fallback(600);
    for (auto id : *need) {
        tile_id full = id;
        if (id.level == 0) full.width = 256;
        REQUIRE(fallback.add(full, *log2.tile(full)));
    }
    CHECK(*fallback.inclusion_proof(599) == *proof);
}

TEST_CASE("log view: consistency required, rollback and split view refused, state round trip", "[merkle][view]") {
    auto log = make_log("example.com/view", 4);
    const trust_policy policy = trust_policy::log_only(log.signer().to_verifier());
    log_view view;
    fill(log, 10);
    auto cp10 = *verify_checkpoint(*log.checkpoint_note(), policy);
    REQUIRE(view.update(cp10, {}));
    fill(log, 25);
    auto cp25 = *verify_checkpoint(*log.checkpoint_note(), policy);
    CHECK(view.update(cp25, {}).error().code == errc::malformed);  // no proof
    auto proof = *log.consistency_proof(10, 25);
    auto bad = proof;
    bad[0][0] ^= 1;
    CHECK(view.update(cp25, bad).error().code == errc::crypto_failure);
    CHECK(view.latest("example.com/view")->size == 10);  // unchanged on failure
    REQUIRE(view.update(cp25, proof));
    CHECK(view.latest("example.com/view")->size == 25);
    CHECK(view.update(cp10, {}).error().code == errc::policy);  // rollback
    CHECK(view.update(cp25, {}));                              // same checkpoint again

    // A fork: same origin and key, different entry 20, size 25 -> split view.
    auto fork = make_log("example.com/view", 4);
    fill(fork, 20);
    REQUIRE(fork.append(as_bytes("evil")));
    fill(fork, 25);
    auto fork25 = *verify_checkpoint(*fork.checkpoint_note(), policy);
    CHECK(view.update(fork25, {}).error().code == errc::crypto_failure);
    fill(fork, 30);
    auto fork30 = *verify_checkpoint(*fork.checkpoint_note(), policy);
    CHECK(view.update(fork30, *fork.consistency_proof(25, 30)).error().code == errc::crypto_failure);

    // Inclusion under the remembered checkpoint.
    CHECK(view.verify_inclusion("example.com/view", 3, leaf_hash(*log.entry(3)), *log.inclusion_proof(3, 25)));
    CHECK(view.verify_inclusion("nope", 3, leaf_hash(*log.entry(3)), *log.inclusion_proof(3, 25)).error().code == errc::key_mismatch);

    // Serialisation round trip, and every truncation / byte flip of the state is refused or harmless.
    auto other = make_log("example.com/other", 5);
    fill(other, 3);
    REQUIRE(view.update(*verify_checkpoint(*other.checkpoint_note(), trust_policy::log_only(other.signer().to_verifier())), {}));
    const bytes state = view.serialize();
    auto restored = log_view::deserialize(state);
    REQUIRE(restored);
    CHECK(restored->serialize() == state);
    CHECK(restored->size() == 2);
    for (std::size_t len = 0; len < state.size(); ++len) CHECK_FALSE(log_view::deserialize(bytes_view(state).first(len)));
    auto longer = state;
    longer.push_back(0);
    CHECK_FALSE(log_view::deserialize(longer));
    auto wrong_version = state;
    wrong_version[0] = 2;
    CHECK_FALSE(log_view::deserialize(wrong_version));
    // Restored state keeps enforcing consistency.
    fill(log, 40);
    auto cp40 = *verify_checkpoint(*log.checkpoint_note(), policy);
    CHECK_FALSE(restored->update(cp40, *log.consistency_proof(10, 40)));
    CHECK(restored->update(cp40, *log.consistency_proof(25, 40)));
}

TEST_CASE("entries: canonical measurement and key entries, inclusion helper with witnesses", "[merkle][entry]") {
    const bytes m = ppx::test::unhex(std::string(96, 'a'));
    auto enc = encode(measurement_entry{"amd-sev-snp", m});
    REQUIRE(enc);
    CHECK(as_chars(*enc) == "ppx/measurement/v1\nplatform amd-sev-snp\nmeasurement " + std::string(96, 'a') + "\n");
    auto parsed = parse_entry(*enc);
    REQUIRE(parsed);
    CHECK(std::get<measurement_entry>(*parsed).measurement == m);
    key_entry k{key_kind::ohttp_key_config, "gateway.example", bytes{1, 2, 3, 4}};
    auto kenc = encode(k);
    REQUIRE(kenc);
    CHECK(as_chars(*kenc) == "ppx/key/v1\nkind ohttp-key-config\nname gateway.example\nkey AQIDBA==\n");
    CHECK(std::get<key_entry>(*parse_entry(*kenc)) == k);

    // Non-canonical or malformed forms.
    for (std::string bad : {"ppx/measurement/v1\nplatform amd-sev-snp\nmeasurement AA\n", "ppx/measurement/v1\nplatform x\nmeasurement aa",
                            "ppx/measurement/v1\nplatform Bad\nmeasurement aa\n", "ppx/measurement/v1\nplatform x\nmeasurement \n",
                            "ppx/measurement/v1\nplatform x\nmeasurement aa\nextra\n", "ppx/key/v1\nkind ohttp-key-config\nname a b\nkey AA==\n",
                            "ppx/key/v1\nkind ohttp-key-config\nname a\nkey AA\n", "ppx/key/v1\nkind other\nname a\nkey AA==\n",
                            "ppx/other/v1\n", "", "\n"})
        CHECK_FALSE(parse_entry(as_bytes(bad)));
    CHECK(encode(measurement_entry{"x", {}}).error().code == errc::misuse);
    CHECK(encode(measurement_entry{"x", bytes(65)}).error().code == errc::misuse);
    CHECK(encode(key_entry{key_kind::privacypass_token_key, "", {1}}).error().code == errc::misuse);

    // A log with two witnesses; the client needs the log + 2 of 3 witnesses.
    auto log = make_log("ledger.example/ppx", 7);
    deterministic_rng r(8);
    std::vector<note_signer> ws;
    for (int i = 0; i < 3; ++i) ws.push_back(*note_signer::generate("witness" + std::to_string(i) + ".example", sig_type::cosignature_v1, r));
    fill(log, 5);
    const std::uint64_t idx = *log.append(*enc);
    REQUIRE(log.append(*kenc));
    fill(log, 9);
    std::string note = *log.checkpoint_note();
    trust_policy policy{log.signer().to_verifier(), "", {ws[0].to_verifier(), ws[1].to_verifier(), ws[2].to_verifier()}, 2, 1800000000, 600};
    auto proof = *log.inclusion_proof(idx, 9);
    CHECK(verify_measurement_approved("amd-sev-snp", m, idx, proof, note, policy).error().code == errc::policy);
    note = *ws[0].add_to(note, 1799999000);
    CHECK(verify_measurement_approved("amd-sev-snp", m, idx, proof, note, policy).error().code == errc::policy);
    note = *ws[2].add_to(note, 1799999001);
    auto cp = verify_measurement_approved("amd-sev-snp", m, idx, proof, note, policy);
    REQUIRE(cp);
    CHECK(cp->witnesses().size() == 2);
    CHECK(verify_key_published(k, idx + 1, *log.inclusion_proof(idx + 1, 9), note, policy));
    // A measurement that is not in the log, or the wrong index, fails.
    bytes other_m = m;
    other_m[47] ^= 1;
    CHECK(verify_measurement_approved("amd-sev-snp", other_m, idx, proof, note, policy).error().code == errc::crypto_failure);
    CHECK(verify_measurement_approved("intel-tdx", m, idx, proof, note, policy).error().code == errc::crypto_failure);
    CHECK(verify_measurement_approved("amd-sev-snp", m, idx + 1, proof, note, policy).error().code == errc::crypto_failure);
    CHECK(verify_key_published(k, idx, proof, note, policy).error().code == errc::crypto_failure);
}

TEST_CASE("proof_to_bytes writes into a caller buffer, never past it", "[merkle][buffers]") {
    auto log = make_log("example.com/buf", 9);
    fill(log, 13);
    auto proof = *log.inclusion_proof(6, 13);
    const std::size_t need = proof.size() * 32;
    for (std::size_t n = 0; n < need; ++n) {
        ppx::test::guarded_buffer g(n);
        CHECK(proof_to_bytes(proof, g.span()).error().code == errc::buffer_too_small);
        CHECK(g.guard_intact());
    }
    ppx::test::guarded_buffer g(need);
    auto len = proof_to_bytes(proof, g.span());
    REQUIRE(len);
    CHECK(*len == need);
    CHECK(g.guard_intact());
    CHECK(*proof_from_bytes(bytes_view(g.storage).first(need)) == proof);
}
