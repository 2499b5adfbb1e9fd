// Feeds every file named on the command line (directories: every regular file in
// them, in name order) to LLVMFuzzerTestOneInput once. Lets a fuzz target's seed
// corpus run as an ordinary CTest test, without libFuzzer or clang.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The inputs named by `arg`, or an empty list when it names nothing readable.
std::vector<fs::path> Inputs(const fs::path& arg) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return {arg};
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(arg, ec)) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool Run(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  // A null pointer for an empty input, as libFuzzer may pass.
  const auto* data = bytes.empty() ? nullptr : reinterpret_cast<const uint8_t*>(bytes.data());
  LLVMFuzzerTestOneInput(data, bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR_OR_FILE...\n";
    return 2;
  }
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::vector<fs::path> files = Inputs(argv[i]);
    if (files.empty()) {
      std::cerr << "no inputs in " << argv[i] << "\n";  // a typo must not pass silently
      return 1;
    }
    for (const fs::path& file : files) {
      if (!Run(file)) {
        std::cerr << "cannot read " << file << "\n";
        return 1;
      }
      ++count;
    }
  }
  std::cout << "ran " << count << " inputs\n";
  return 0;
}
