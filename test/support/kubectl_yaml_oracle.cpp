#include "support/kubectl_yaml_oracle.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "mgw/manifest/yaml_json.h"

namespace mgw::testing {

std::unique_ptr<KubectlYamlOracle> KubectlYamlOracle::Start(const std::string& path) {
  if (path.empty() || access(path.c_str(), X_OK) != 0) return nullptr;
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return nullptr;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return nullptr;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a dead oracle shows as an empty answer instead
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  std::unique_ptr<KubectlYamlOracle> o(new KubectlYamlOracle());
  o->pid_ = pid;
  o->to_ = in[1];
  o->from_ = fdopen(out[0], "r");
  return o;
}

KubectlYamlOracle::~KubectlYamlOracle() {
  if (to_ >= 0) close(to_);
  if (from_ != nullptr) fclose(from_);
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

std::vector<std::string> KubectlYamlOracle::Convert(std::string_view text) {
  std::string record = std::to_string(text.size()) + "\n" + std::string(text);
  for (size_t done = 0; done < record.size();) {
    const ssize_t n = write(to_, record.data() + done, record.size() - done);
    if (n <= 0) return {};
    done += static_cast<size_t>(n);
  }
  std::vector<std::string> results;
  char* line = nullptr;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, from_)) > 0) {
    std::string s(line, static_cast<size_t>(len) - 1);
    if (s == "end") break;
    results.push_back(std::move(s));
  }
  const bool ended = len > 0;
  free(line);
  return ended ? results : std::vector<std::string>{};
}

namespace {

std::string Show(const std::vector<YamlDocument>& docs) {
  std::string out;
  for (const YamlDocument& d : docs) out += "  ok " + d.root.dump() + "\n";
  return out;
}

std::string ShowOracle(const std::vector<std::string>& results) {
  std::string out;
  for (const std::string& r : results) out += "  " + r + "\n";
  return out;
}

}  // namespace

std::string DifferenceFromKubectl(KubectlYamlOracle& oracle, std::string_view text) {
  const std::vector<std::string> kubectl = oracle.Convert(text);
  StatusOr<std::vector<YamlDocument>> ours = ParseYamlStream(text, "t.yaml");
  bool kubectl_refuses = false;
  for (const std::string& r : kubectl) kubectl_refuses |= r.starts_with("error ");
  const std::string both = "kubectl:\n" + ShowOracle(kubectl) + "ours:\n" +
                           (ours.ok() ? Show(*ours) : "  " + ours.status().ToString() + "\n");
  if (!ours.ok()) {
    const std::string m = ours.status().message();
    if (kubectl_refuses || m.find("nesting deeper than") != std::string::npos) return "";
    // kubectl's JSON decoder turns invalid UTF-8 into U+FFFD; we refuse it, as YAML does.
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{' &&
        (m.find("UTF-8") != std::string::npos || m.find("Unicode") != std::string::npos)) {
      return "";
    }
    return "we refuse what kubectl accepts\n" + both;
  }
  if (kubectl_refuses) return "we accept what kubectl refuses\n" + both;
  if (kubectl.size() != ours->size()) return "different document counts\n" + both;
  for (size_t i = 0; i < kubectl.size(); ++i) {
    nlohmann::json theirs = nlohmann::json::parse(kubectl[i].substr(3), nullptr, false);
    if (theirs.is_discarded() || theirs != (*ours)[i].root) {
      return "document " + std::to_string(i + 1) + " differs\n" + both;
    }
  }
  return "";
}

std::string KubectlYamlOraclePath() {
  if (const char* env = std::getenv("MGW_KUBECTL_YAML_ORACLE")) return env;
#ifdef MGW_KUBECTL_YAML_ORACLE
  return MGW_KUBECTL_YAML_ORACLE;
#else
  return "";
#endif
}

}  // namespace mgw::testing
