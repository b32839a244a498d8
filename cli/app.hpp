#pragma once
// Entry point of the command line: parses, dispatches to a command, and turns every error
// into one line on stderr and an exit code (SPEC.md "Exit codes").

namespace gpushare::cli {

/// Runs the program as main() would and returns the process exit code.
int run_app(int argc, char** argv);

} // namespace gpushare::cli
