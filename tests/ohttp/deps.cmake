# The tool tests (cli_test.cpp) run the ppx binary: build it first when tools are enabled.
if(TARGET ppx_tool OR PPX_BUILD_TOOLS)
  add_dependencies(${target} ppx_tool)
endif()
