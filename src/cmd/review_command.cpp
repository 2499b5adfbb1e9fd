#include "mgw/cmd/review_command.h"

#include <iostream>

#include "mgw/admission/webhook_http.h"
#include "mgw/base/file.h"
#include "mgw/platform/flags.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/allowlist_file_source.h"

namespace mgw {
namespace {

FlagSet ReviewFlags() {
  FlagSet f("review",
            "Read one AdmissionReview (stdin, or --file) and print the webhook's response.\n"
            "Exit status: 0 allowed, 1 denied, 2 unusable input.");
  FlagSpec file{"file", "", "", "Read the AdmissionReview from this file instead of stdin."};
  file.short_name = "f";
  f.Add(file);
  f.Add({"endpoint", "", "",
         "validate-mustgather, mutate-mustgather or validate-mustgatherimage (default: chosen by "
         "the request's kind)."});
  f.Add({"allowlist-file", "MGW_ALLOWLIST_FILE", "",
         "A MustGatherImage manifest to use as the allowlist."});
  f.Add({"default-image", "DEFAULT_MUST_GATHER_IMAGE", std::string(kDefaultGatherImage),
         "The default gather image, always allowed."});
  return f;
}

// The endpoint named by --endpoint, else the one that handles the request's kind.
StatusOr<Endpoint> ChooseEndpoint(const std::string& flag, std::string_view body) {
  if (!flag.empty()) {
    std::optional<Endpoint> e = EndpointForPath("/" + flag);
    if (!e) return InvalidArgumentError("unknown --endpoint \"" + flag + "\"");
    return *e;
  }
  StatusOr<AdmissionRequest> req = ParseAdmissionReview(body);
  if (req.ok() && req->kind.kind == kMustGatherImageKind) return Endpoint::kValidateMustGatherImage;
  return Endpoint::kValidateMustGather;
}

StatusOr<std::string> ReadInput(const std::string& file, std::istream& in) {
  if (file.empty() || file == "-") return ReadStreamToString(in, "<stdin>");
  return ReadFileToString(file);
}

}  // namespace

int ReviewMain(const std::vector<std::string>& args, const EnvLookup& env, std::istream& in,
               std::ostream& out, std::ostream& err) {
  FlagSet flags = ReviewFlags();
  StatusOr<FlagValues> v = flags.Parse(args, env);
  if (!v.ok() || v->help || !v->positional.empty()) {
    if (!v.ok()) err << "error: " << v.status().message() << "\n";
    if (v.ok() && !v->positional.empty())
      err << "error: unexpected argument " << v->positional[0] << "\n";
    (v.ok() && v->help ? out : err) << flags.Usage();
    return v.ok() && v->help ? 0 : 2;
  }
  StatusOr<std::string> body = ReadInput(v->Get("file"), in);
  StatusOr<std::unique_ptr<AllowlistFileSource>> allowlist =
      AllowlistFileSource::Open(v->Get("allowlist-file"), std::chrono::milliseconds(0));
  StatusOr<Endpoint> endpoint =
      body.ok() ? ChooseEndpoint(v->Get("endpoint"), *body) : StatusOr<Endpoint>(body.status());
  for (const Status& s : {body.status(), allowlist.status(), endpoint.status()}) {
    if (s.ok()) continue;
    err << "error: " << s.message() << "\n";
    return 2;
  }
  HandlerConfig config{v->Get("default-image"), allowlist->get()};
  HttpReply reply = ServeAdmission(*endpoint, {"POST", "application/json", *body}, config);
  if (reply.status != 200) {
    err << "error: " << reply.body;
    return 2;
  }
  nlohmann::json review = nlohmann::json::parse(reply.body);
  out << review.dump(2) << "\n";
  return review["response"]["allowed"].get<bool>() ? 0 : 1;
}

}  // namespace mgw
