#include "mgw/upload/tar_stream.h"

#include <filesystem>
#include <memory>
#include <system_error>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;

constexpr int kBlockBytes = 64 * 1024;

struct SinkContext {
  const ByteSink* sink;
  Status failure;
};

la_ssize_t WriteToSink(archive* /*a*/, void* data, const void* buffer, size_t length) {
  auto* ctx = static_cast<SinkContext*>(data);
  if (!ctx->failure.ok()) return -1;  // a failed sink takes no more, not even the final flush
  Status s = (*ctx->sink)(std::string_view(static_cast<const char*>(buffer), length));
  if (s.ok()) return static_cast<la_ssize_t>(length);
  ctx->failure = s;
  return -1;
}

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using DiskPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

class TarWriter {
 public:
  TarWriter(const ByteSink& sink, const LogFn& log)
      : ctx_{&sink, Status::Ok()},
        out_(archive_write_new(), &archive_write_free),
        disk_(archive_read_disk_new(), &archive_read_free),
        log_(log) {}

  Status Open() {
    archive_read_disk_set_standard_lookup(disk_.get());
    archive_read_disk_set_symlink_physical(disk_.get());
    if (archive_write_set_format_pax_restricted(out_.get()) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(out_.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(out_.get(), kBlockBytes) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(out_.get(), 1) != ARCHIVE_OK ||
        archive_write_open2(out_.get(), &ctx_, nullptr, &WriteToSink, nullptr, nullptr) !=
            ARCHIVE_OK) {
      return Failure("starting the archive");
    }
    return Status::Ok();
  }

  // Adds `path` as `name`; a file that cannot be read is skipped with a warning.
  Status Add(const fs::path& path, const std::string& name) {
    EntryPtr entry(archive_entry_new(), &archive_entry_free);
    archive_entry_copy_sourcepath(entry.get(), path.c_str());
    int fd = -1;
    if (fs::is_regular_file(fs::symlink_status(path))) {
      fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Skip(path, "cannot be opened");
    }
    int rc = archive_read_disk_entry_from_file(disk_.get(), entry.get(), fd, nullptr);
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      if (fd >= 0) close(fd);
      return Skip(path, archive_error_string(disk_.get()));
    }
    archive_entry_copy_pathname(entry.get(), name.c_str());
    Status s = WriteEntry(entry.get(), fd);
    if (fd >= 0) close(fd);
    return s;
  }

  Status Close() {
    if (archive_write_close(out_.get()) != ARCHIVE_OK) return Failure("finishing the archive");
    return Status::Ok();
  }

 private:
  Status WriteEntry(archive_entry* entry, int fd) {
    if (archive_write_header(out_.get(), entry) < ARCHIVE_WARN) return Failure("writing a header");
    if (fd < 0) return Status::Ok();
    char buffer[kBlockBytes];
    ssize_t n = 0;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
      if (archive_write_data(out_.get(), buffer, static_cast<size_t>(n)) < 0) {
        return Failure("writing file data");
      }
    }
    // A file that shrank while being read is padded by libarchive to its header's size.
    return Status::Ok();
  }

  Status Skip(const fs::path& path, const char* why) {
    LogTo(log_, spdlog::level::warn, "left out of the upload",
          {{"path", path.string()}, {"reason", why != nullptr ? why : "unreadable"}});
    return Status::Ok();
  }

  Status Failure(std::string_view doing) {
    if (!ctx_.failure.ok()) return ctx_.failure;
    const char* why = archive_error_string(out_.get());
    return InternalError("libarchive failed " + std::string(doing) + ": " +
                         (why != nullptr ? why : "unknown error"));
  }

  // Declared first so it outlives out_: freeing an archive that was not closed
  // flushes what it holds through WriteToSink, which reads ctx_.
  SinkContext ctx_;
  ArchivePtr out_;
  DiskPtr disk_;
  const LogFn& log_;
};

}  // namespace

Status WriteTarGz(const std::string& dir, const std::string& top, const ByteSink& sink,
                  const LogFn& log) {
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st))
    return NotFoundError("source directory " + QuoteJson(dir) + " does not exist");
  if (!fs::is_directory(st)) {
    return InvalidArgumentError("source " + QuoteJson(dir) + " is not a directory");
  }
  TarWriter writer(sink, log);
  MGW_RETURN_IF_ERROR(writer.Open());
  MGW_RETURN_IF_ERROR(writer.Add(dir, top));
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::path rel = it->path().lexically_relative(dir);
    MGW_RETURN_IF_ERROR(writer.Add(it->path(), top + "/" + rel.generic_string()));
  }
  if (ec) {
    LogTo(log, spdlog::level::warn, "stopped walking the source directory early",
          {{"dir", dir}, {"reason", ec.message()}});
  }
  return writer.Close();
}

}  // namespace mgw
