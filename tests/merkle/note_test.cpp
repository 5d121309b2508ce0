// C2SP signed notes, vkeys, checkpoints and the trust policy: every case of notes.json
// (per-signature status and overall result), every verifier-key parsing case, the real
// Rekor v1 entry from leaf to signed checkpoint, the signer, and named negative tests.
#include <ppx/merkle.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <openssl/pem.h>

using namespace ppx;
using namespace ppx::merkle;
using ppx::test::load_json;
using ppx::test::unhex;

namespace {

std::vector<verifier> keys_of(const nlohmann::json& arr) {
    std::vector<verifier> out;
    for (auto& k : arr) {
        auto v = verifier::parse(k.get<std::string>());
        if (!v) throw std::runtime_error("vector key does not parse: " + k.get<std::string>());
        out.push_back(*v);
    }
    return out;
}

std::string hint_hex(std::uint32_t id) {
    const std::uint8_t b[4] = {std::uint8_t(id >> 24), std::uint8_t(id >> 16), std::uint8_t(id >> 8), std::uint8_t(id)};
    return to_hex(bytes_view(b, 4));
}

const nlohmann::json& notes() {
    static const nlohmann::json j = load_json("merkle/notes/notes.json");
    return j;
}

const nlohmann::json& note_case(const std::string& id) {
    for (auto& c : notes()["cases"])
        if (c["id"] == id) return c;
    throw std::runtime_error("no such case " + id);
}

bytes pem_to_spki_der(const bytes& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(k);
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(k, &der);
    REQUIRE(n > 0);
    bytes out(der, der + n);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
    return out;
}

note_signer make_signer(std::string_view name, sig_type t, std::uint64_t seed) {
    deterministic_rng r(seed);
    auto s = note_signer::generate(name, t, r);
    REQUIRE(s);
    return std::move(*s);
}

} // namespace

TEST_CASE("notes.json: all 27 cases give their per-signature statuses and overall result", "[merkle][note][vectors]") {
    const auto& cases = notes()["cases"];
    REQUIRE(cases.size() == 27);
    for (auto& c : cases) {
        DYNAMIC_SECTION(c["id"].get<std::string>()) {
            const std::string text = c["note"].get<std::string>();
            const std::string expect = c["expect"].get<std::string>();
            auto keys = keys_of(c["verifier_keys"]);
            auto parsed = parse_note(text);
            if (c["reference_check_here"].is_null()) {
                // The malformed cases: refused at parse time, and so by open_note.
                REQUIRE_FALSE(parsed);
                CHECK((parsed.error().code == errc::malformed || parsed.error().code == errc::limit_exceeded));
                CHECK_FALSE(open_note(text, keys));
                continue;
            }
            REQUIRE(parsed);
            auto checks = check_signatures(*parsed, keys);
            const auto& ref = c["reference_check_here"];
            REQUIRE(checks.size() == ref.size());
            for (std::size_t i = 0; i < checks.size(); ++i) {
                CHECK(checks[i].name == ref[i]["name"].get<std::string>());
                CHECK(hint_hex(checks[i].id) == ref[i]["key_hint"].get<std::string>());
                CHECK(std::string(to_string(checks[i].status)) == ref[i]["status"].get<std::string>());
            }
            auto opened = open_note(text, keys);
            const bool want_ok = expect.rfind("ok", 0) == 0 || expect.rfind("policy", 0) == 0;
            CHECK(opened.has_value() == want_ok);
            if (expect.rfind("error: invalid signature", 0) == 0) CHECK(opened.error().code == errc::crypto_failure);
            if (expect.find("no verifiable signatures") != std::string::npos) CHECK(opened.error().code == errc::key_mismatch);
        }
    }
}

TEST_CASE("notes.json: checkpoint bodies and cosignature timestamp", "[merkle][note][vectors]") {
    auto& c = note_case("sumdb-checkpoint-6476701");
    auto n = open_note(c["note"].get<std::string>(), keys_of(c["verifier_keys"]));
    REQUIRE(n);
    auto cp = parse_checkpoint(n->text);
    REQUIRE(cp);
    CHECK(cp->origin == "go.sum database tree");
    CHECK(cp->size == 6476701);
    CHECK(cp->extensions.empty());
    CHECK(format_checkpoint(*cp).value() == n->text);

    auto& w = note_case("rekor-v2-checkpoint-with-witness-cosignature-v1");
    auto keys = keys_of(w["verifier_keys"]);
    auto wn = open_note(w["note"].get<std::string>(), keys);
    REQUIRE(wn);
    REQUIRE(wn->signatures.size() == 2);
    CHECK(wn->signatures[1].info.timestamp == std::optional<std::uint64_t>(1791253884));

    // The policy: log key + 1 of 1 witnesses.
    trust_policy p{keys[0], "", {keys[1]}, 1, 0, 600};
    auto v = verify_checkpoint(w["note"].get<std::string>(), p);
    REQUIRE(v);
    CHECK(v->size() == 139911860);
    CHECK(v->witnesses() == std::vector<std::string>{"witness.stagemole.eu"});
    // A clock before the cosignature's time (beyond the skew) refuses it.
    p.now = 1791253884 - 3600;
    CHECK(verify_checkpoint(w["note"].get<std::string>(), p).error().code == errc::policy);
    p.now = 1791253884;
    CHECK(verify_checkpoint(w["note"].get<std::string>(), p));
}

TEST_CASE("policy: a witness cosignature never stands in for the log signature", "[merkle][policy][vectors]") {
    auto& c = note_case("rekor-v2-checkpoint-only-witness-key");
    const std::string text = c["note"].get<std::string>();
    auto witness = keys_of(c["verifier_keys"])[0];
    // Go's note.Open accepts this (one verified signature); so does open_note...
    CHECK(open_note(text, std::vector<verifier>{witness}));
    // ...but a checkpoint policy cannot take the cosigner as the log,
    CHECK(verify_checkpoint(text, trust_policy::log_only(witness)).error().code == errc::misuse);
    // and a log key that did not sign fails even with the witness quorum met.
    auto other_log = make_signer("log2025-1.rekor.sigstore.dev", sig_type::ed25519, 9).to_verifier();
    trust_policy p{other_log, "", {witness}, 1, 0, 600};
    CHECK(verify_checkpoint(text, p).error().code == errc::key_mismatch);
    // With the real log key and too high a quorum: misuse; with quorum 1 but no witness key: policy.
    auto log = keys_of(note_case("rekor-v2-checkpoint-with-witness-cosignature-v1")["verifier_keys"])[0];
    CHECK(verify_checkpoint(text, trust_policy{log, "", {witness}, 2, 0, 600}).error().code == errc::misuse);
    auto unrelated = make_signer("witness.example", sig_type::cosignature_v1, 10).to_verifier();
    CHECK(verify_checkpoint(text, trust_policy{log, "", {unrelated}, 1, 0, 600}).error().code == errc::policy);
    CHECK(verify_checkpoint(text, trust_policy{log, "", {unrelated, witness}, 1, 0, 600}));
    // The same witness listed twice counts once.
    CHECK(verify_checkpoint(text, trust_policy{log, "", {witness, witness}, 2, 0, 600}).error().code == errc::policy);
    // Wrong expected origin.
    CHECK(verify_checkpoint(text, trust_policy{log, "other.origin", {}, 0, 0, 600}).error().code == errc::key_mismatch);
}

TEST_CASE("notes.json: all 8 verifier-key parsing cases", "[merkle][vkey][vectors]") {
    const auto& cases = notes()["verifier_key_parsing"];
    REQUIRE(cases.size() == 8);
    for (auto& c : cases) {
        const std::string vkey = c["vkey"].get<std::string>();
        DYNAMIC_SECTION(vkey) {
            auto v = verifier::parse(vkey);
            const bool want_ok = c["expect"].get<std::string>().rfind("ok", 0) == 0;
            CHECK(v.has_value() == want_ok);
            if (v) {
                CHECK(v->to_string() == vkey);
                if (c.contains("hash_recomputed_c2sp")) CHECK(hint_hex(v->id()) == c["hash_recomputed_c2sp"].get<std::string>());
            }
        }
    }
}

TEST_CASE("rekor v1 entry verifies from leaf to signed checkpoint", "[merkle][rekor][vectors]") {
    auto j = load_json("merkle/rekor-v1/logentry.json");
    REQUIRE(j.size() == 1);
    const std::string uuid = j.begin().key();
    const auto& e = j.begin().value();
    auto body = from_base64(e["body"].get<std::string>());
    REQUIRE(body);
    const hash_t leaf = leaf_hash(*body);
    CHECK(to_hex(leaf) == uuid.substr(uuid.size() - 64));  // the UUID ends with the leaf hash

    const auto& ip = e["verification"]["inclusionProof"];
    std::vector<hash_t> proof;
    for (auto& h : ip["hashes"]) proof.push_back(*to_hash(unhex(h)));
    const auto index = ip["logIndex"].get<std::uint64_t>(), size = ip["treeSize"].get<std::uint64_t>();
    auto root = root_from_inclusion_proof(index, size, leaf, proof);
    REQUIRE(root);
    CHECK(to_hex(*root) == ip["rootHash"].get<std::string>());

    const auto spki = pem_to_spki_der(ppx::test::load_file("merkle/rekor-v1/rekor_public_key.pem"));
    auto log_key = verifier::make("rekor.sigstore.dev", sig_type::ecdsa, spki);
    REQUIRE(log_key);
    CHECK(hint_hex(log_key->id()) == e["logID"].get<std::string>().substr(0, 8));  // key ID = SHA-256(PKIX)[:4] = logID prefix
    trust_policy p = trust_policy::log_only(*log_key);
    p.origin = "rekor.sigstore.dev - 1193050959916656506";
    const std::string note_text = ip["checkpoint"].get<std::string>();
    auto cp = verify_entry_inclusion(*body, index, proof, note_text, p);
    REQUIRE(cp);
    CHECK(cp->size() == size);

    // Each failure mode of the chain.
    auto wrong_body = *body;
    wrong_body[10] ^= 1;
    CHECK(verify_entry_inclusion(wrong_body, index, proof, note_text, p).error().code == errc::crypto_failure);
    CHECK(verify_entry_inclusion(*body, index - 1, proof, note_text, p).error().code == errc::crypto_failure);
    auto bad_note = note_text;
    bad_note[bad_note.find('\n') + 3] ^= 1;  // a digit of the tree size
    CHECK(verify_entry_inclusion(*body, index, proof, bad_note, p).error().code == errc::crypto_failure);
    p.origin.clear();
    CHECK(verify_entry_inclusion(*body, index, proof, note_text, p).error().code == errc::key_mismatch);
}

TEST_CASE("signer: Ed25519 notes and cosignature/v1 round trip; skey form", "[merkle][signer]") {
    auto log = make_signer("example.com/log", sig_type::ed25519, 1);
    auto w1 = make_signer("witness.example/w1", sig_type::cosignature_v1, 2);
    auto w2 = make_signer("witness.example/w2", sig_type::cosignature_v1, 3);
    auto text = *format_checkpoint(checkpoint{"example.com/log", 5, leaf_hash(as_bytes("x")), {}});
    auto signed_note = log.sign(text);
    REQUIRE(signed_note);
    auto cosigned = w1.add_to(*signed_note, 1700000000);
    REQUIRE(cosigned);
    cosigned = w2.add_to(*cosigned, 1700000001);
    REQUIRE(cosigned);
    CHECK(w2.add_to(*cosigned, 5).error().code == errc::misuse);
    trust_policy p{log.to_verifier(), "", {w1.to_verifier(), w2.to_verifier()}, 2, 1700000100, 600};
    auto v = verify_checkpoint(*cosigned, p);
    REQUIRE(v);
    CHECK(v->witnesses().size() == 2);
    CHECK(v->signatures()[1].info.timestamp == std::optional<std::uint64_t>(1700000000));

    // The private key string round-trips and signs identically (Ed25519 is deterministic).
    auto sk = log.to_private_string();
    auto again = note_signer::parse(std::string(sk.begin(), sk.end()));
    REQUIRE(again);
    CHECK(again->sign(text).value() == *signed_note);
    CHECK(again->to_verifier().to_string() == log.to_verifier().to_string());
    std::string bad(sk.begin(), sk.end());
    bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
    CHECK_FALSE(note_signer::parse(bad));
    CHECK_FALSE(note_signer::parse("PRIVATE+KEY+name+00000000+AQ=="));
    CHECK_FALSE(note_signer::parse(std::string(sk.begin() + 1, sk.end())));
    CHECK(note_signer::from_seed("n", sig_type::ecdsa, ed25519_seed{}).error().code == errc::misuse);
    CHECK(note_signer::from_seed("bad name", sig_type::ed25519, ed25519_seed{}).error().code == errc::malformed);
    CHECK(log.sign("no final newline").error().code == errc::misuse);
    CHECK(w1.sign_line(text, std::uint64_t{1} << 63).error().code == errc::misuse);

    // The C2SP signed-note example: vkey verifies the spec's note.
    auto ex = verifier::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    REQUIRE(ex);
    CHECK(open_note("This is an example message.\n\n\xE2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
                    std::vector<verifier>{*ex}));
}

TEST_CASE("note: every flipped byte and every truncation is refused", "[merkle][note][negative]") {
    auto log = make_signer("example.com/log", sig_type::ed25519, 4);
    auto w = make_signer("w.example", sig_type::cosignature_v1, 5);
    auto text = *format_checkpoint(checkpoint{"example.com/log", 12, leaf_hash(as_bytes("y")), {"ext line"}});
    const std::string full = *w.add_to(*log.sign(text), 1234);
    const std::vector<verifier> keys = {log.to_verifier(), w.to_verifier()};
    REQUIRE(open_note(full, keys));
    // Cutting exactly after the log's signature line leaves a valid, less-signed note; a policy
    // that wants the witness then refuses it. Every other cut is refused outright.
    const std::size_t log_only_len = full.find("\xE2\x80\x94 w.example");
    for (std::size_t len = 0; len < full.size(); ++len) {
        INFO("truncated to " << len);
        auto r = open_note(std::string_view(full).substr(0, len), keys);
        CHECK(r.has_value() == (len == log_only_len));
    }
    trust_policy p{keys[0], "", {keys[1]}, 1, 0, 600};
    CHECK(verify_checkpoint(full, p));
    CHECK(verify_checkpoint(full.substr(0, log_only_len), p).error().code == errc::policy);
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
        std::string bad = full;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        auto r = open_note(bad, keys);
        // A flip inside a signer's name only turns that line into an unknown key: the other
        // signature still verifies over the untouched text. Anything else must fail.
        if (r) {
            ++accepted;
            CHECK(r->text == text);
            bool one_unknown = false;
            for (auto& s : r->signatures) one_unknown = one_unknown || s.status == sig_status::unknown_key;
            CHECK(one_unknown);
        }
    }
    // Name characters, plus the first 5 base64 characters of each line (30 bits of key ID).
    CHECK(accepted <= std::string("example.com/log").size() + std::string("w.example").size() + 2 * 5);
}

TEST_CASE("note: malformed inputs named by the issue", "[merkle][note][negative]") {
    auto log = make_signer("example.com/log", sig_type::ed25519, 6);
    const std::string good = *log.sign("hello\n");
    const std::vector<verifier> keys = {log.to_verifier()};
    REQUIRE(open_note(good, keys));
    const std::string line = good.substr(good.find("\xE2\x80\x94"));
    auto code = [&](const std::string& s) { auto r = parse_note(s); return r ? errc{} : r.error().code; };
    CHECK(code("hel\xFFlo\n\n" + line) == errc::malformed);             // bad UTF-8
    CHECK(code("hel\xC0\xAFlo\n\n" + line) == errc::malformed);         // overlong UTF-8
    CHECK(code("hel\xED\xA0\x80lo\n\n" + line) == errc::malformed);     // surrogate
    CHECK(code("hel\tlo\n\n" + line) == errc::malformed);               // control character
    CHECK(code("hel\rlo\n\n" + line) == errc::malformed);
    CHECK(code("hello\n" + line) == errc::malformed);                   // missing blank line
    CHECK(code("hello\n\n" + line + line) == errc::malformed);          // duplicate signature
    CHECK(code("hello\n\n" + line.substr(0, line.size() - 2) + "*\n") == errc::malformed);  // bad base64
    CHECK(code("hello\n\n" + line.substr(0, line.size() - 2) + "\n") == errc::malformed);   // unpadded base64
    CHECK(code("hello\n\n\xE2\x80\x94 a+b AAAAAAA=\n") == errc::malformed);  // '+' in key name
    CHECK(code("hello\n\n\xE2\x80\x94 a\xC2\xA0" "b AAAAAAA=\n") == errc::malformed);  // NBSP in key name
    CHECK(code("hello\n\n\xE2\x80\x94 a AAAA\n") == errc::malformed);   // signature shorter than key ID + 1
    CHECK(code("hello\n\n- a AAAAAAA=\n") == errc::malformed);          // not an em dash
    CHECK(code(std::string(max_note_size + 1, 'a')) == errc::limit_exceeded);
    // 100 distinct signatures are accepted (the spec demands at least 16); 101 are not.
    std::string many = "hello\n\n";
    for (int i = 0; i < 100; ++i) many += "\xE2\x80\x94 k" + std::to_string(i) + " AAAAAAA=\n";
    CHECK(parse_note(many));
    CHECK(code(many + "\xE2\x80\x94 k100 AAAAAAA=\n") == errc::limit_exceeded);
}

TEST_CASE("vkey: malformed and unsupported forms", "[merkle][vkey][negative]") {
    const std::string good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    REQUIRE(verifier::parse(good));
    for (std::size_t len = 0; len < good.size(); ++len) CHECK_FALSE(verifier::parse(good.substr(0, len)));
    CHECK_FALSE(verifier::parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
    CHECK_FALSE(verifier::parse("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
    CHECK_FALSE(verifier::parse("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
    CHECK_FALSE(verifier::parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"));
    CHECK(verifier::parse("x+00000000+").error().code == errc::malformed);
    // A P-256 key presented as Ed25519, and an Ed25519 key presented as ECDSA.
    CHECK_FALSE(verifier::make("x", sig_type::ed25519, bytes(91, 1)));
    CHECK_FALSE(verifier::make("x", sig_type::ecdsa, bytes(32, 1)));
    CHECK(verifier::make("x", static_cast<sig_type>(0x06), bytes(1312, 1)).error().code == errc::unsupported);
}

TEST_CASE("checkpoint text: parse rules of tlog-checkpoint", "[merkle][checkpoint][negative]") {
    const std::string root = to_base64(leaf_hash(as_bytes("r")));
    CHECK(parse_checkpoint("o\n0\n" + root + "\n"));
    CHECK(parse_checkpoint("o\n18446744073709551615\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n18446744073709551616\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n01\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n-1\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n" + root));
    CHECK_FALSE(parse_checkpoint("\n1\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n" + root + "\n\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n" + root.substr(0, 40) + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n"));
    auto c = parse_checkpoint("o\n1\n" + root + "\na\nb\n");
    REQUIRE(c);
    CHECK(c->extensions == std::vector<std::string>{"a", "b"});
    std::string many = "o\n1\n" + root + "\n";
    for (std::size_t i = 0; i <= max_extension_lines; ++i) many += "e\n";
    CHECK(parse_checkpoint(many).error().code == errc::limit_exceeded);
    CHECK(format_checkpoint(checkpoint{"a\nb", 1, {}, {}}).error().code == errc::misuse);
}
