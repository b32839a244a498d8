#include "cli/k8s_command.hpp"

#include "common/error.hpp"

namespace gpushare::cli {

void add_k8s_subcommand(CLI::App& app, k8s_arguments& arguments,
                        const std::function<void()>& on_selected) {
  auto* k8s =
      app.add_subcommand("k8s", "Kubernetes device plugin, mig-parted and MPS service artifacts");
  k8s->group("");
  k8s->callback([&arguments, on_selected] {
    arguments.action = "none";
    on_selected();
  });
}

int run_k8s_command(const k8s_arguments& /*arguments*/, std::ostream& /*out*/) {
  throw usage_error("k8s: not available yet");
}

} // namespace gpushare::cli
