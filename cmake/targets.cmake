# Dependencies of ppx's own programs (tests, tools, examples, benchmarks); the library
# itself needs only OpenSSL and libsodium.
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(PPX_HTTPLIB IMPORTED_TARGET GLOBAL cpp-httplib)
pkg_check_modules(PPX_HIREDIS IMPORTED_TARGET GLOBAL hiredis)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED COMPONENTS SSL Crypto)

# Everything a program of this repository may link: ppx, JSON, threads, and, when present,
# cpp-httplib and hiredis (compile definitions PPX_HAVE_HTTPLIB / PPX_HAVE_HIREDIS).
add_library(ppx_programs INTERFACE)
target_link_libraries(ppx_programs INTERFACE ppx::ppx ppx_warnings nlohmann_json::nlohmann_json Threads::Threads OpenSSL::SSL)
if(PPX_HTTPLIB_FOUND)
  target_link_libraries(ppx_programs INTERFACE PkgConfig::PPX_HTTPLIB)
  target_compile_definitions(ppx_programs INTERFACE PPX_HAVE_HTTPLIB=1)
endif()
if(PPX_HIREDIS_FOUND)
  target_link_libraries(ppx_programs INTERFACE PkgConfig::PPX_HIREDIS)
  target_compile_definitions(ppx_programs INTERFACE PPX_HAVE_HIREDIS=1)
endif()
