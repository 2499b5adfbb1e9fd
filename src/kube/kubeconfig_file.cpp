#include "kube/kubeconfig_file.h"

#include <map>

#include <nlohmann/json.hpp>

#include "mgw/base/json_patch.h"
#include "mgw/manifest/yaml_json.h"

namespace mgw {
namespace {

using nlohmann::json;

// A named entry (context, cluster or user) and the file that defined it.
struct Named {
  json body;
  std::string file;
};

struct Merged {
  std::string current_context;
  std::map<std::string, Named> contexts, clusters, users;
  std::string files;  // the files read, for messages
};

std::string DirOf(const std::string& file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "" : file.substr(0, slash + 1);
}

std::string Resolve(const std::string& path, const std::string& file) {
  return path.empty() || path.front() == '/' ? path : DirOf(file) + path;
}

// A string field of `obj`: "" when absent or null, INVALID_ARGUMENT for another type.
StatusOr<std::string> StringField(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgumentError(where + ": " + key + " must be a string");
  return it->get<std::string>();
}

Status AddEntries(const json& root, const char* list, const char* inner, const std::string& file,
                  std::map<std::string, Named>& into) {
  auto it = root.find(list);
  if (it == root.end() || it->is_null()) return Status();
  if (!it->is_array()) return InvalidArgumentError(file + ": " + list + " must be a list");
  for (const json& entry : *it) {
    if (!entry.is_object())
      return InvalidArgumentError(file + ": " + list + " entries must be maps");
    MGW_ASSIGN_OR_RETURN(std::string name, StringField(entry, "name", file));
    auto body = entry.find(inner);
    json value = body != entry.end() && body->is_object() ? *body : json::object();
    into.emplace(name, Named{std::move(value), file});  // the first definition wins
  }
  return Status();
}

Status MergeFile(const std::string& file, std::string_view text, Merged& merged) {
  MGW_ASSIGN_OR_RETURN(std::vector<YamlDocument> docs, ParseYamlStream(text, file));
  json root = docs.empty() ? json() : docs.front().root;
  if (root.is_null()) return Status();  // an empty file contributes nothing
  if (!root.is_object()) return InvalidArgumentError(file + ": not a kubeconfig (expected a map)");
  MGW_ASSIGN_OR_RETURN(std::string current, StringField(root, "current-context", file));
  if (merged.current_context.empty()) merged.current_context = current;
  MGW_RETURN_IF_ERROR(AddEntries(root, "contexts", "context", file, merged.contexts));
  MGW_RETURN_IF_ERROR(AddEntries(root, "clusters", "cluster", file, merged.clusters));
  return AddEntries(root, "users", "user", file, merged.users);
}

// Inline base64 data (whitespace tolerated, as kubectl does) or the named file.
StatusOr<std::string> DataOrFile(const Named& entry, const char* data_key, const char* file_key,
                                 const std::string& where, const FileReader& files) {
  MGW_ASSIGN_OR_RETURN(std::string data, StringField(entry.body, data_key, where));
  if (!data.empty()) {
    std::string compact;
    for (char c : data) {
      if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact += c;
    }
    StatusOr<std::string> decoded = Base64Decode(compact);
    if (!decoded.ok()) {
      return InvalidArgumentError(where + ": " + data_key + " is not valid base64");
    }
    return decoded;
  }
  MGW_ASSIGN_OR_RETURN(std::string path, StringField(entry.body, file_key, where));
  if (path.empty()) return std::string();
  StatusOr<std::string> text = files(Resolve(path, entry.file));
  if (!text.ok()) return text.status().WithContext(where + ": " + file_key);
  return text;
}

Status FillCluster(const Named& cluster, const std::string& where, const FileReader& files,
                   KubeConfig& config) {
  MGW_ASSIGN_OR_RETURN(config.server, StringField(cluster.body, "server", where));
  if (config.server.empty()) return InvalidArgumentError(where + ": no server URL");
  if (Status s = ParseServerUrl(config.server).status(); !s.ok()) return s.WithContext(where);
  auto insecure = cluster.body.find("insecure-skip-tls-verify");
  if (insecure != cluster.body.end() && insecure->is_boolean() && insecure->get<bool>()) {
    return InvalidArgumentError(where +
                                ": insecure-skip-tls-verify is not supported; give the "
                                "cluster's CA in certificate-authority(-data)");
  }
  MGW_ASSIGN_OR_RETURN(config.ca_pem, DataOrFile(cluster, "certificate-authority-data",
                                                 "certificate-authority", where, files));
  return Status();
}

Status CheckSupportedUser(const Named& user, const std::string& where) {
  for (const char* key : {"exec", "auth-provider"}) {
    auto it = user.body.find(key);
    if (it != user.body.end() && !it->is_null()) {
      return InvalidArgumentError(where + ": " + key +
                                  " credential plugins are not supported; use a token, "
                                  "tokenFile or client certificate");
    }
  }
  if (user.body.contains("username") || user.body.contains("password")) {
    return InvalidArgumentError(where + ": basic auth (username/password) is not supported");
  }
  return Status();
}

Status FillUser(const Named& user, const std::string& where, const FileReader& files,
                KubeConfig& config) {
  MGW_RETURN_IF_ERROR(CheckSupportedUser(user, where));
  MGW_ASSIGN_OR_RETURN(config.token, StringField(user.body, "token", where));
  MGW_ASSIGN_OR_RETURN(std::string token_file, StringField(user.body, "tokenFile", where));
  if (!token_file.empty()) {
    config.token_file = Resolve(token_file, user.file);
    if (Status s = files(config.token_file).status(); !s.ok()) {
      return s.WithContext(where + ": tokenFile");
    }
  }
  MGW_ASSIGN_OR_RETURN(config.client_cert_pem, DataOrFile(user, "client-certificate-data",
                                                          "client-certificate", where, files));
  MGW_ASSIGN_OR_RETURN(config.client_key_pem,
                       DataOrFile(user, "client-key-data", "client-key", where, files));
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return InvalidArgumentError(where +
                                ": client-certificate and client-key must be given together");
  }
  if (config.token.empty() && config.token_file.empty() && config.client_cert_pem.empty()) {
    return InvalidArgumentError(
        where + ": no credentials (token, tokenFile, or client-certificate with client-key)");
  }
  return Status();
}

const Named* FindNamed(const std::map<std::string, Named>& in, const std::string& name) {
  auto it = in.find(name);
  return it == in.end() ? nullptr : &it->second;
}

StatusOr<KubeConfig> Build(const Merged& merged, std::string context_name,
                           const FileReader& files) {
  if (context_name.empty()) {
    return InvalidArgumentError(merged.files +
                                ": no current-context is set (kubectl config use-context NAME)");
  }
  std::string where = merged.files + ": context \"" + context_name + "\"";
  const Named* context = FindNamed(merged.contexts, context_name);
  if (context == nullptr) return InvalidArgumentError(where + " is not defined");
  MGW_ASSIGN_OR_RETURN(std::string cluster_name, StringField(context->body, "cluster", where));
  MGW_ASSIGN_OR_RETURN(std::string user_name, StringField(context->body, "user", where));
  const Named* cluster = FindNamed(merged.clusters, cluster_name);
  if (cluster == nullptr) {
    return InvalidArgumentError(where + ": cluster \"" + cluster_name + "\" is not defined");
  }
  const Named* user = FindNamed(merged.users, user_name);
  if (user == nullptr) {
    return InvalidArgumentError(where + ": user \"" + user_name + "\" is not defined");
  }
  KubeConfig config;
  MGW_RETURN_IF_ERROR(
      FillCluster(*cluster, where + ", cluster \"" + cluster_name + "\"", files, config));
  MGW_RETURN_IF_ERROR(FillUser(*user, where + ", user \"" + user_name + "\"", files, config));
  MGW_ASSIGN_OR_RETURN(config.default_namespace, StringField(context->body, "namespace", where));
  config.source = "kubeconfig " + merged.files + " (context " + context_name + ")";
  return config;
}

}  // namespace

std::vector<std::string> SplitKubeconfigPaths(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(':', start);
    if (end == std::string_view::npos) end = value.size();
    if (end > start) out.emplace_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

StatusOr<KubeConfig> LoadKubeconfig(const std::vector<std::string>& paths, const FileReader& files,
                                    std::string_view context) {
  if (paths.empty()) return InvalidArgumentError("no kubeconfig file given");
  Merged merged;
  for (const std::string& path : paths) {
    StatusOr<std::string> text = files(path);
    if (!text.ok() && paths.size() > 1 && text.status().code() == StatusCode::kNotFound) continue;
    if (!text.ok()) return text.status().WithContext("kubeconfig");
    MGW_RETURN_IF_ERROR(MergeFile(path, *text, merged));
    merged.files += (merged.files.empty() ? "" : ":") + path;
  }
  if (merged.files.empty()) {
    return NotFoundError("none of the kubeconfig files exists: " + paths.front() + " ...");
  }
  return Build(merged, context.empty() ? merged.current_context : std::string(context), files);
}

}  // namespace mgw
