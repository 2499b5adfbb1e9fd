#include "mgw/base/file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <istream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mgw {
namespace {

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

Status TooLargeError(const std::string& path) {
  return ResourceExhaustedError(path + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                                " MiB");
}

// Reads `fd` to its end, or to just past kMaxFileBytes; false on a read error.
// `expected` is the size of a regular file (else 0): one read then usually suffices,
// as a short read of a regular file means its end.
bool ReadAll(int fd, size_t expected, std::string& out) {
  out.resize(expected + 1);
  size_t len = 0;
  while (len <= kMaxFileBytes) {
    if (len == out.size()) out.resize(std::min(2 * len, kMaxFileBytes + 1));
    ssize_t n = ::read(fd, out.data() + len, out.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    len += static_cast<size_t>(n);
    if (n == 0 || (expected > 0 && len < out.size())) break;
  }
  out.resize(len);
  return true;
}

}  // namespace

StatusOr<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int open_errno = errno;
  struct stat st {};
  const bool is_dir = fd >= 0 ? ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)
                              : open_errno != ENOENT && IsDirectory(path);
  if (fd < 0 && !is_dir) {
    std::string msg = path + ": " + std::strerror(open_errno);
    return open_errno == ENOENT ? NotFoundError(msg) : PermissionDeniedError(msg);
  }
  if (is_dir || (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > kMaxFileBytes)) {
    if (fd >= 0) ::close(fd);
    if (is_dir) return InvalidArgumentError(path + ": is a directory");
    return TooLargeError(path);
  }
  std::string out;
  const bool ok = ReadAll(fd, S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0, out);
  ::close(fd);
  if (!ok) return UnavailableError(path + ": read error");
  if (out.size() > kMaxFileBytes) return TooLargeError(path);
  return out;
}

StatusOr<std::string> ReadStreamToString(std::istream& in, const std::string& name) {
  std::string out;
  char chunk[1 << 16];
  while (out.size() <= kMaxFileBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    out.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return UnavailableError(name + ": read error");
  if (out.size() > kMaxFileBytes) return TooLargeError(name);
  return out;
}

FileReader DiskFileReader() {
  return [](const std::string& path) { return ReadFileToString(path); };
}

}  // namespace mgw
