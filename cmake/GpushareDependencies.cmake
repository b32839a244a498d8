# All dependencies come from the system (Debian packages installed by scripts/setup.sh);
# nothing is downloaded at build time.
find_package(CUDAToolkit 12.0 REQUIRED)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(fmt 8 REQUIRED CONFIG)
find_package(Threads REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
if(GPUSHARE_ENABLE_TESTING)
  find_package(GTest REQUIRED CONFIG)
endif()
if(GPUSHARE_ENABLE_BENCH)
  find_package(benchmark REQUIRED CONFIG)
endif()
