// mustgather-webhook: one binary, one subcommand per job.
#include <iostream>
#include <string>
#include <vector>

#include "mgw/cmd/reconcile_command.h"
#include "mgw/cmd/review_command.h"
#include "mgw/cmd/serve_command.h"
#include "mgw/cmd/upload_command.h"
#include "mgw/cmd/validate_cli.h"
#include "mgw/platform/command_support.h"

namespace {

constexpr const char* kUsage =
    "Usage: mustgather-webhook COMMAND [flags]\n"
    "\n"
    "Commands:\n"
    "  serve      Serve the MustGather admission webhooks over HTTPS.\n"
    "  reconcile  Turn MustGathers into gather Jobs and keep their status (the sidecar).\n"
    "  review     Run one AdmissionReview (stdin or -f FILE) through the webhook's rules.\n"
    "  validate   Check MustGather manifests offline with the webhook's rules (for CI).\n"
    "  upload     Stream a must-gather directory to a support case's SFTP server.\n"
    "  version    Print the version.\n"
    "\n"
    "Run 'mustgather-webhook COMMAND --help' for a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = args.front();
  args.erase(args.begin());
  if (command == "serve") {
    mgw::BlockStopSignals();
    return mgw::ServeMain(args, mgw::ProcessEnv());
  }
  if (command == "reconcile") {
    mgw::BlockStopSignals();
    return mgw::ReconcileMain(args, mgw::ProcessEnv());
  }
  if (command == "review")
    return mgw::ReviewMain(args, mgw::ProcessEnv(), std::cin, std::cout, std::cerr);
  if (command == "upload") return mgw::UploadMain(args, mgw::ProcessEnv(), std::cout, std::cerr);
  if (command == "validate") return mgw::ValidateMain(args, std::cin, std::cout, std::cerr);
  if (command == "version" || command == "--version") {
    std::cout << "mustgather-webhook " << MGW_VERSION << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
