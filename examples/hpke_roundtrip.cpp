// A walk through HPKE (RFC 9180) as ppx offers it: a recipient publishes a public key, a
// sender encrypts several messages to it in one context, and both sides derive the same
// exported secret. This is the primitive under OHTTP and the end-to-end request to the VM.
#include <ppx/hpke.hpp>

#include <cstdio>
#include <cstring>
#include <string>

using namespace ppx;

static int fail_with(const char* what, const error& e) {
    std::printf("%s failed: %s (%s)\n", what, std::string(to_string(e.code)).c_str(), e.what);
    return 1;
}

int main() {
    // 1. Choose a suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM (the OHTTP default).
    constexpr auto suite = hpke::suite::of<hpke::dhkem_x25519_sha256, hpke::hkdf_sha256, hpke::aes128gcm>();
    std::printf("suite: KEM 0x%04x, KDF 0x%04x, AEAD 0x%04x\n", unsigned(suite.kem().id), unsigned(suite.kdf().id),
                unsigned(suite.aead().id));

    // 2. The recipient (say, a confidential VM) generates a key pair and publishes the public key.
    auto recipient = hpke::private_key::generate(hpke::kem_id::x25519_sha256);
    if (!recipient) return fail_with("keygen", recipient.error());
    auto published = recipient->public_key();
    if (!published) return fail_with("public key", published.error());
    std::printf("recipient public key: %s\n", to_hex(published->bytes()).c_str());

    // 3. The sender sets up a context to that key. `info` binds the context to its purpose;
    //    `enc` is the encapsulated ephemeral key that travels with the first message.
    const std::string info = "ppx example: hpke round trip";
    auto sender = hpke::setup_base_s(suite, *published, as_bytes(info));
    if (!sender) return fail_with("setup_s", sender.error());
    std::printf("enc (%zu bytes): %s\n", sender->enc.size(), to_hex(sender->enc).c_str());

    // 4. The recipient decapsulates enc and gets the matching context.
    auto receiver = hpke::setup_base_r(suite, *recipient, sender->enc, as_bytes(info));
    if (!receiver) return fail_with("setup_r", receiver.error());

    // 5. Several messages in order; each gets a fresh nonce from the sequence number.
    const char* messages[] = {"summarise this chat", "in three bullet points", "thanks"};
    for (const char* m : messages) {
        auto ct = sender->ctx.seal(as_bytes("aad: request"), as_bytes(m));
        if (!ct) return fail_with("seal", ct.error());
        auto pt = receiver->open(as_bytes("aad: request"), *ct);
        if (!pt) return fail_with("open", pt.error());
        std::printf("sealed %2zu bytes -> %2zu bytes, opened: \"%.*s\"\n", std::strlen(m), ct->size(), int(pt->size()),
                    reinterpret_cast<const char*>(pt->data()));
    }

    // 6. A tampered ciphertext is refused, and the recipient's state does not move.
    auto ct = sender->ctx.seal({}, as_bytes("last"));
    if (!ct) return fail_with("seal", ct.error());
    (*ct)[0] ^= 1;
    auto bad = receiver->open({}, *ct);
    std::printf("tampered ciphertext: %s\n", bad ? "accepted (BUG)" : std::string(to_string(bad.error().code)).c_str());
    if (bad) return 1;

    // 7. Both sides export the same secret: this is how OHTTP keys its response.
    auto a = sender->ctx.export_secret(as_bytes("response key"), 16);
    auto b = receiver->export_secret(as_bytes("response key"), 16);
    if (!a || !b) return 1;
    std::printf("exported secrets match: %s\n", *a == *b ? "yes" : "NO");
    return *a == *b ? 0 : 1;
}
