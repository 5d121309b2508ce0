# xwing_ohttp_tool_test.cpp runs the ppx binary: build it first when tools are enabled.
if(TARGET ppx_tool OR PPX_BUILD_TOOLS)
  add_dependencies(${target} ppx_tool)
endif()
