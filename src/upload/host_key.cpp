#include "mgw/upload/host_key.h"

#include <memory>

#include <libssh/libssh.h>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

struct KeyInfo {
  std::string type;
  std::string fingerprint;  // "SHA256:..."
};

StatusOr<KeyInfo> ServerKey(ssh_session session) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session, &key) != SSH_OK) {
    return UnavailableError(std::string("reading the server's host key failed: ") +
                            ssh_get_error(session));
  }
  std::unique_ptr<ssh_key_struct, decltype(&ssh_key_free)> owned(key, &ssh_key_free);
  unsigned char* hash = nullptr;
  size_t length = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != 0) {
    return InternalError("hashing the server's host key failed");
  }
  char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
  ssh_clean_pubkey_hash(&hash);
  KeyInfo info{ssh_key_type_to_char(ssh_key_type(key)), text != nullptr ? text : "?"};
  ssh_string_free_char(text);
  return info;
}

std::string KnownHostsLine(ssh_session session) {
  char* entry = nullptr;
  if (ssh_session_export_known_hosts_entry(session, &entry) != SSH_OK) return "";
  std::string line = entry;
  ssh_string_free_char(entry);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

Status Refuse(const std::string& server, const KeyInfo& key, const std::string& file,
              std::string_view problem) {
  return FailedPreconditionError("host key check failed: " + server + " offered " + key.type +
                                 " key " + key.fingerprint + ", which " + std::string(problem) +
                                 " " + QuoteJson(file) +
                                 "; if the server's key really changed, update known_hosts");
}

}  // namespace

Status UseKnownHosts(ssh_session session, const std::string& known_hosts) {
  // "/dev/null" for the global file too, so no file but the one named is consulted.
  const char* user_file = known_hosts.empty() ? "/dev/null" : known_hosts.c_str();
  if (ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, user_file) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK) {
    return InvalidArgumentError("libssh refused the known_hosts file " + QuoteJson(known_hosts));
  }
  return Status::Ok();
}

Status VerifyHostKey(ssh_session session, const std::string& server, const std::string& known_hosts,
                     const LogFn& log) {
  MGW_ASSIGN_OR_RETURN(KeyInfo key, ServerKey(session));
  if (known_hosts.empty()) {
    LogTo(log, spdlog::level::warn, "accepting the SFTP server's host key unchecked",
          {{"server", server},
           {"key_type", key.type},
           {"fingerprint", key.fingerprint},
           {"known_hosts_line", KnownHostsLine(session)},
           {"how_to_pin", "put known_hosts_line in the credentials Secret's known_hosts key"}});
    return Status::Ok();
  }
  switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
      return Status::Ok();
    case SSH_KNOWN_HOSTS_CHANGED:
      return Refuse(server, key, known_hosts, "CHANGED: it differs from the key listed in");
    case SSH_KNOWN_HOSTS_OTHER:
      return Refuse(server, key, known_hosts, "is of another type than the key listed in");
    case SSH_KNOWN_HOSTS_UNKNOWN:
      return Refuse(server, key, known_hosts, "is not listed for this host in");
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return InvalidArgumentError("known_hosts file " + QuoteJson(known_hosts) + " does not exist");
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  return InvalidArgumentError("reading known_hosts file " + QuoteJson(known_hosts) +
                              " failed: " + ssh_get_error(session));
}

}  // namespace mgw
