add_library(gpushare_warnings INTERFACE)
add_library(gpushare::warnings ALIAS gpushare_warnings)
set(_gpushare_cxx_warnings -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(GPUSHARE_ENABLE_WERROR)
  list(APPEND _gpushare_cxx_warnings -Werror)
endif()
target_compile_options(gpushare_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:${_gpushare_cxx_warnings}>
  $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
