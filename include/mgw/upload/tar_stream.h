// A directory as a gzip'd tar, produced in pieces and handed to a sink as it is made,
// so nothing as large as the archive is ever stored (libarchive does the tar and
// gzip). Thread-compatible.
#ifndef MGW_UPLOAD_TAR_STREAM_H_
#define MGW_UPLOAD_TAR_STREAM_H_

#include <functional>
#include <string>
#include <string_view>

#include "mgw/base/status.h"
#include "mgw/platform/logging.h"

namespace mgw {

// Receives the next piece of the archive; a non-OK Status stops the archive.
using ByteSink = std::function<Status(std::string_view bytes)>;

// Writes a gzip'd POSIX (pax) tar of the tree under `dir` to `sink`: every regular
// file, directory and symbolic link (not followed), named "<top>/<path relative to
// dir>", with `top` itself as the first entry. A file that cannot be read (it vanished,
// or no permission) is left out with a warning through `log` (null: LogEvent), since a
// partial gather is still worth sending. Returns the sink's error as it gave it;
// NOT_FOUND or INVALID_ARGUMENT when `dir` is missing or not a directory; INTERNAL
// for a libarchive failure.
Status WriteTarGz(const std::string& dir, const std::string& top, const ByteSink& sink,
                  const LogFn& log = nullptr);

}  // namespace mgw

#endif  // MGW_UPLOAD_TAR_STREAM_H_
