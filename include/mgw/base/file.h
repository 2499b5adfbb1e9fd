// Whole files and streams read into memory, with the size cap every reader shares, and
// FileReader: the seam through which modules that read files take them, so tests can
// hand in a map instead of a disk. Thread-safe.
#ifndef MGW_BASE_FILE_H_
#define MGW_BASE_FILE_H_

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

#include "mgw/base/status.h"

namespace mgw {

inline constexpr size_t kMaxFileBytes = size_t{64} << 20;  // 64 MiB per file or stream

// Reads a whole file. NOT_FOUND when it does not exist, PERMISSION_DENIED when it
// cannot be opened, INVALID_ARGUMENT for a directory, RESOURCE_EXHAUSTED above
// kMaxFileBytes, UNAVAILABLE for a read error. Messages start with `path`.
StatusOr<std::string> ReadFileToString(const std::string& path);

// Reads `in` to its end. RESOURCE_EXHAUSTED above kMaxFileBytes, UNAVAILABLE for a
// read error; messages start with `name`.
StatusOr<std::string> ReadStreamToString(std::istream& in, const std::string& name);

// Reads a whole file; errors as ReadFileToString reports them.
using FileReader = std::function<StatusOr<std::string>(const std::string& path)>;

// ReadFileToString, as a FileReader.
FileReader DiskFileReader();

}  // namespace mgw

#endif  // MGW_BASE_FILE_H_
