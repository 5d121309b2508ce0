// ppx/core/result.hpp: ppx::result<T>, a value or a ppx::error.
//
// Its members mirror C++23 std::expected<T, ppx::error> (has_value, value, error,
// operator*, operator->, value_or, and_then), so moving to std::expected is a one-line
// change. It is [[nodiscard]]: ignoring a failure is a compile-time warning.
#pragma once

#include <ppx/core/error.hpp>

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace ppx {

/// The failure half of a result, as std::unexpected.
class unexpected {
public:
    constexpr explicit unexpected(error e) noexcept : e_(e) {}
    constexpr const error& value() const noexcept { return e_; }

private:
    error e_;
};

/// Shorthand used throughout ppx: `return fail(errc::malformed, "bhttp: truncated field");`
constexpr unexpected fail(errc code, const char* what = "") noexcept { return unexpected(error{code, what}); }

template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");

public:
    using value_type = T;
    using error_type = ppx::error;

    constexpr result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
    constexpr result(const T& v) : v_(std::in_place_index<0>, v) {}
    constexpr result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
                 !std::is_same_v<std::remove_cvref_t<U>, unexpected> &&
                 !std::is_same_v<std::remove_cvref_t<U>, result>)
    constexpr result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
    constexpr result(unexpected u) noexcept : v_(std::in_place_index<1>, u.value()) {}

    constexpr bool has_value() const noexcept { return v_.index() == 0; }
    constexpr explicit operator bool() const noexcept { return has_value(); }

    constexpr T& value() & { assert(has_value()); return *std::get_if<0>(&v_); }
    constexpr const T& value() const& { assert(has_value()); return *std::get_if<0>(&v_); }
    constexpr T&& value() && { assert(has_value()); return std::move(*std::get_if<0>(&v_)); }
    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T&& operator*() && { return std::move(*this).value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }

    constexpr const ppx::error& error() const& noexcept {
        assert(!has_value());
        return *std::get_if<1>(&v_);
    }

    template <class U>
    constexpr T value_or(U&& other) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(other));
    }

    /// Calls f(value) when there is a value; f must return a result<U>.
    template <class F>
    constexpr auto and_then(F&& f) && -> decltype(f(std::declval<T&&>())) {
        if (!has_value()) return unexpected(error());
        return f(std::move(value()));
    }

private:
    std::variant<T, ppx::error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    using error_type = ppx::error;

    constexpr result() noexcept = default;
    constexpr result(unexpected u) noexcept : ok_(false), e_(u.value()) {}

    constexpr bool has_value() const noexcept { return ok_; }
    constexpr explicit operator bool() const noexcept { return ok_; }
    constexpr void value() const noexcept { assert(ok_); }
    constexpr const ppx::error& error() const& noexcept { assert(!ok_); return e_; }

private:
    bool ok_ = true;
    ppx::error e_{};
};

/// The success value of result<void>: `return ok();`
constexpr result<void> ok() noexcept { return {}; }

} // namespace ppx

/// Propagates a failure: `PPX_TRY(w.u16(x));` returns the error from the enclosing function.
#define PPX_TRY(expr)                                                                          \
    do {                                                                                       \
        if (auto ppx_try_r_ = (expr); !ppx_try_r_) return ::ppx::unexpected(ppx_try_r_.error()); \
    } while (0)

#define PPX_CONCAT_INNER_(a, b) a##b
#define PPX_CONCAT_(a, b) PPX_CONCAT_INNER_(a, b)
/// Declares or assigns from a result, propagating its failure:
/// `PPX_TRY_ASSIGN(auto len, r.u16());`
#define PPX_TRY_ASSIGN(lhs, expr) PPX_TRY_ASSIGN_IMPL_(PPX_CONCAT_(ppx_try_v_, __LINE__), lhs, expr)
#define PPX_TRY_ASSIGN_IMPL_(tmp, lhs, expr)                       \
    auto tmp = (expr);                                             \
    if (!tmp) return ::ppx::unexpected(tmp.error());               \
    lhs = std::move(*tmp)
