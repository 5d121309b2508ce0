# Dependencies of ppx's own programs (tests, tools, examples, benchmarks); the library
# itself needs only OpenSSL and libsodium.
pkg_check_modules(PPX_HTTPLIB IMPORTED_TARGET GLOBAL cpp-httplib)
find_package(Threads REQUIRED)

# Everything a program of this repository may link: ppx, JSON, threads, and, when present,
# cpp-httplib and hiredis (compile definitions PPX_HAVE_HTTPLIB / PPX_HAVE_HIREDIS).
add_library(ppx_programs INTERFACE)
target_link_libraries(ppx_programs INTERFACE ppx::ppx ppx::tls ppx_warnings Threads::Threads)
if(PPX_HTTPLIB_FOUND)
  target_link_libraries(ppx_programs INTERFACE PkgConfig::PPX_HTTPLIB)
  target_compile_definitions(ppx_programs INTERFACE PPX_HAVE_HTTPLIB=1)
endif()
if(TARGET ppx_redis)
  target_link_libraries(ppx_programs INTERFACE ppx::redis)
  target_compile_definitions(ppx_programs INTERFACE PPX_HAVE_HIREDIS=1)
endif()

# Helpers shared by the tool and the examples (tools/support: the HTTP driver of a
# client_session, used by `ppx session run` and the private_processing example's client).
target_include_directories(ppx_programs INTERFACE ${PROJECT_SOURCE_DIR}/tools/support)
