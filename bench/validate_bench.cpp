// Throughput of `mustgather-webhook validate`: generates MustGather documents (a mix
// of valid and invalid ones, plus the MustGatherImage allowlist) in a temporary
// directory, then times RunValidate over (a) one file per document in nested
// directories and (b) one multi-document file, on one thread, printing wall time,
// CPU time and documents per second. Measures only; there is no pass/fail.
// Exit status: 0 done, 1 the generated input did not load, 2 usage error.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <time.h>

#include "mgw/cmd/validate_cli.h"

namespace {

namespace fs = std::filesystem;

constexpr char kUsage[] = R"(Usage: validate_bench [options]
  --docs N    MustGather documents to generate (default 10000)
  --runs N    timed runs per layout (default 3)
  --format F  report format to render: text, json or junit (default text)
  --json      print one JSON object instead of text
  --keep      keep the generated files and print where they are
)";

struct Options {
  int docs = 10000;
  int runs = 3;
  mgw::OutputFormat format = mgw::OutputFormat::kText;
  std::string format_name = "text";
  bool json = false;
  bool keep = false;
};

struct Timing {
  double wall_s = 0;
  double cpu_s = 0;
  int exit_code = 0;
};

// Swallows the report, so only producing it is timed.
class NullBuf : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--json") {
      o.json = true;
    } else if (arg == "--keep") {
      o.keep = true;
    } else if (arg == "--docs" && has_value) {
      o.docs = std::atoi(argv[++i]);
    } else if (arg == "--runs" && has_value) {
      o.runs = std::atoi(argv[++i]);
    } else if (arg == "--format" && has_value) {
      o.format_name = argv[++i];
      if (o.format_name == "json")
        o.format = mgw::OutputFormat::kJson;
      else if (o.format_name == "junit")
        o.format = mgw::OutputFormat::kJunit;
      else if (o.format_name != "text")
        return false;
    } else {
      return false;
    }
  }
  return o.docs > 0 && o.runs > 0;
}

// Document i: 60% valid, 10% with an allowed custom image, 30% rejected for one of
// three reasons (missing storage, bad claim name, image not on the allowlist).
std::string MustGatherYaml(int i) {
  std::string name = "mg-" + std::to_string(i);
  std::string out =
      "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGather\nmetadata:\n"
      "  name: " +
      name + "\n  namespace: team-" + std::to_string(i % 7) +
      "\n  labels:\n    app: must-gather\nspec:\n"
      "  serviceAccountRef:\n    name: must-gather-admin\n"
      "  mustGatherTimeout: 30m\n";
  switch (i % 10) {
    case 0:
      return out + "  retainResourcesOnCompletion: false\n";
    case 1:
      return out + "  storage:\n    persistentVolume:\n      claim:\n        name: MG_Bad\n";
    case 2:
      out += "  mustGatherImage: quay.io/my-org/my-custom-must-gather:latest\n";
      break;
    case 3:
      out += "  mustGatherImage: quay.io/someone-else/gather:1.0\n";
      break;
    default:
      break;
  }
  return out +
         "  storage:\n    type: PersistentVolume\n    persistentVolume:\n      claim:\n"
         "        name: mg-artifacts\n      subPath: runs/" +
         name + "\n";
}

constexpr char kAllowlist[] =
    "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGatherImage\nmetadata:\n"
    "  name: cluster\nspec:\n  images:\n  - quay.io/my-org/my-custom-must-gather:latest\n";

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Layout (a): 100 directories of files, one document each. Layout (b): one file.
void Generate(const fs::path& root, int docs) {
  fs::create_directories(root / "files");
  WriteFile(root / "files" / "allowlist.yaml", kAllowlist);
  std::string all = std::string(kAllowlist);
  for (int i = 0; i < docs; ++i) {
    fs::path dir = root / "files" / ("d" + std::to_string(i % 100));
    if (i < 100) fs::create_directories(dir);
    std::string doc = MustGatherYaml(i);
    WriteFile(dir / ("mg-" + std::to_string(i) + ".yaml"), doc);
    all += "---\n" + doc;
  }
  WriteFile(root / "all.yaml", all);
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Timing TimeOnce(const fs::path& input, const Options& o) {
  mgw::ValidateOptions v;
  v.paths = {input.string()};
  v.output = o.format;
  NullBuf null;
  std::ostream sink(&null);
  std::istringstream no_stdin;
  Timing t;
  double cpu0 = CpuSeconds();
  auto wall0 = std::chrono::steady_clock::now();
  t.exit_code = mgw::RunValidate(v, no_stdin, sink, std::cerr);
  t.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  t.cpu_s = CpuSeconds() - cpu0;
  return t;
}

// Times `o.runs` runs over `path`, printing each unless o.json; false when an input
// error shows the generated files did not load.
bool RunLayout(const std::string& name, const fs::path& path, const Options& o,
               nlohmann::ordered_json& layout) {
  bool loaded = true;
  layout = {{"layout", name}, {"results", nlohmann::json::array()}};
  for (int run = 1; run <= o.runs; ++run) {
    Timing t = TimeOnce(path, o);
    loaded = loaded && t.exit_code != 2;
    double rate = (o.docs + 1) / t.wall_s;
    layout["results"].push_back({{"wall_s", t.wall_s},
                                 {"cpu_s", t.cpu_s},
                                 {"docs_per_s", rate},
                                 {"exit_code", t.exit_code}});
    if (!o.json) {
      std::printf("  %-32s run %d: wall %.3f s, cpu %.3f s, %.0f docs/s (exit %d)\n", name.c_str(),
                  run, t.wall_s, t.cpu_s, rate, t.exit_code);
    }
  }
  return loaded;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, o)) {
    std::cerr << kUsage;
    return 2;
  }
  std::string tmpl = (fs::temp_directory_path() / "validate_bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  fs::path root = tmpl;
  Generate(root, o.docs);
  if (!o.json) {
    std::printf(
        "validate_bench: %d MustGather documents + 1 MustGatherImage, %s report, one "
        "thread\n",
        o.docs, o.format_name.c_str());
  }
  nlohmann::ordered_json report = {{"docs", o.docs}, {"runs", o.runs}, {"format", o.format_name}};
  bool loaded = true;
  const std::pair<std::string, fs::path> layouts[] = {
      {std::to_string(o.docs) + " files in 100 directories", root / "files"},
      {"one file of " + std::to_string(o.docs) + " documents", root / "all.yaml"}};
  for (const auto& [name, path] : layouts) {
    nlohmann::ordered_json layout;
    loaded = RunLayout(name, path, o, layout) && loaded;
    report["layouts"].push_back(layout);
  }
  if (o.json) std::cout << report.dump(2) << "\n";
  std::error_code ec;
  if (o.keep) {
    std::cerr << "generated files kept in " << root.string() << "\n";
  } else {
    fs::remove_all(root, ec);
  }
  return loaded ? 0 : 1;
}
