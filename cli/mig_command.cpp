#include "cli/mig_command.hpp"

#include "common/error.hpp"

namespace gpushare::cli {

void add_mig_subcommand(CLI::App& app, mig_arguments& arguments,
                        const std::function<void()>& on_selected) {
  auto* mig = app.add_subcommand("mig", "MIG profiles, geometry validation and planning");
  mig->group("");
  mig->callback([&arguments, on_selected] {
    arguments.action = "none";
    on_selected();
  });
}

int run_mig_command(const mig_arguments& /*arguments*/, std::ostream& /*out*/) {
  throw usage_error("mig: not available yet");
}

} // namespace gpushare::cli
