// The `review` subcommand, as a function of its arguments and streams so tests can run
// it in-process.
#ifndef MGW_CMD_REVIEW_COMMAND_H_
#define MGW_CMD_REVIEW_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "mgw/base/env.h"

namespace mgw {

// `review`: one AdmissionReview from stdin or --file through the same code as the
// server; prints the response. 0 allowed, 1 denied, 2 unusable input or flags.
int ReviewMain(const std::vector<std::string>& args, const EnvLookup& env, std::istream& in,
               std::ostream& out, std::ostream& err);

}  // namespace mgw

#endif  // MGW_CMD_REVIEW_COMMAND_H_
