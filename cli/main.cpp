// The whole program lives in gpushare::cli; main only hands it the arguments.
#include "cli/app.hpp"

int main(int argc, char** argv) {
  return gpushare::cli::run_app(argc, argv);
}
