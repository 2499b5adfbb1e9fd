// The tree's architecture, checked: every #include in src/ and include/ points down
// the layer table that src/CMakeLists.txt declares (mgw_layer DEPENDS), private
// headers stay in their layer, each module has its header and its test, and the
// README's table of layers says what CMake says.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = MGW_SOURCE_DIR;

// "base=|rules=base|..." from CMake: each layer and the layers it names.
std::map<std::string, std::set<std::string>> DeclaredLayers() {
  std::map<std::string, std::set<std::string>> layers;
  std::stringstream table(MGW_LAYERS);
  std::string entry;
  while (std::getline(table, entry, '|')) {
    size_t eq = entry.find('=');
    std::set<std::string>& deps = layers[entry.substr(0, eq)];
    std::stringstream names(entry.substr(eq + 1));
    std::string dep;
    while (std::getline(names, dep, ',')) deps.insert(dep);
  }
  return layers;
}

// Each layer with every layer it may reach through DEPENDS, itself included.
std::map<std::string, std::set<std::string>> Reachable(
    const std::map<std::string, std::set<std::string>>& layers) {
  std::map<std::string, std::set<std::string>> reach;
  for (const auto& [layer, deps] : layers) {
    std::vector<std::string> todo{layer};
    while (!todo.empty()) {
      std::string next = todo.back();
      todo.pop_back();
      if (!reach[layer].insert(next).second) continue;
      auto it = layers.find(next);
      if (it != layers.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
    }
  }
  return reach;
}

struct Include {
  int line;
  std::string path;
};

std::vector<Include> QuotedIncludes(const fs::path& file) {
  static const std::regex kInclude(R"re(^\s*#\s*include\s+"([^"]+)")re");
  std::vector<Include> found;
  std::ifstream in(file);
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    std::smatch m;
    if (std::regex_search(text, m, kInclude)) found.push_back({n, m[1]});
  }
  return found;
}

bool IsSource(const fs::path& p) { return p.extension() == ".cpp" || p.extension() == ".h"; }

// Files of the layer tree: {layer, file} for src/<layer>/* and include/mgw/<layer>/*.
std::vector<std::pair<std::string, fs::path>> LayerFiles(std::vector<std::string>& strays) {
  std::vector<std::pair<std::string, fs::path>> files;
  for (const fs::path& top : {kRoot / "src", kRoot / "include" / "mgw"}) {
    for (const auto& e : fs::recursive_directory_iterator(top)) {
      if (!e.is_regular_file() || !IsSource(e.path())) continue;
      fs::path rel = fs::relative(e.path(), top);
      if (std::distance(rel.begin(), rel.end()) != 2) {
        strays.push_back(e.path().string());
        continue;
      }
      files.emplace_back(rel.begin()->string(), e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(LayersTest, IncludesPointDownTheLayerTable) {
  auto layers = DeclaredLayers();
  auto reach = Reachable(layers);
  std::vector<std::string> problems;
  for (const auto& [layer, file] : LayerFiles(problems)) {
    ASSERT_TRUE(layers.count(layer)) << file << " is in a folder that is not a layer";
    bool is_public = file.string().find("/include/mgw/") != std::string::npos;
    for (const Include& inc : QuotedIncludes(file)) {
      std::string where = file.string() + ":" + std::to_string(inc.line) + ": \"" + inc.path + "\"";
      fs::path p(inc.path);
      bool in_mgw = *p.begin() == "mgw";
      std::string target = in_mgw ? std::next(p.begin())->string() : p.begin()->string();
      if (!layers.count(target)) {
        problems.push_back(where + " is not a layer's header");
      } else if (!in_mgw && (target != layer || is_public)) {
        problems.push_back(where + " is private to " + target +
                           (is_public ? " (a public header may not include it)" : ""));
      } else if (!reach[layer].count(target)) {
        problems.push_back(where + ": " + layer + " may not use " + target);
      } else if (!fs::exists((in_mgw ? kRoot / "include" : kRoot / "src") / p)) {
        problems.push_back(where + " does not exist");
      }
    }
  }
  for (const std::string& p : problems) ADD_FAILURE() << p;
}

// A module is src/<layer>/<m>.cpp with its header (public, or private beside it) and
// test/<layer>/<m>_test.cpp. The exceptions say where their tests are instead.
TEST(LayersTest, EveryModuleHasItsHeaderAndItsTest) {
  const std::map<std::string, std::string> kTestedElsewhere = {
      {"cmd/main", "the subcommands' tests; main only dispatches"},
      {"cmd/rbac", "test/deploy/manifests_test.cpp holds manifests/ to the table"},
      {"kube/kube_tls", "test/kube/http_kube_client_test.cpp, over real TLS"},
      {"net/https_loop", "test/net/https_server_test.cpp, through the server"},
  };
  std::vector<std::string> strays;
  for (const auto& [layer, file] : LayerFiles(strays)) {
    if (file.extension() != ".cpp") continue;
    std::string module = layer + "/" + file.stem().string();
    if (module != "cmd/main" && !fs::exists(kRoot / "include/mgw" / (module + ".h")) &&
        !fs::exists(kRoot / "src" / (module + ".h"))) {
      ADD_FAILURE() << module << ".cpp has no header";
    }
    if (!kTestedElsewhere.count(module) && !fs::exists(kRoot / "test" / (module + "_test.cpp"))) {
      ADD_FAILURE() << module << ".cpp has no test/" << module << "_test.cpp";
    }
  }
  for (const std::string& s : strays) ADD_FAILURE() << s << " is outside any layer folder";
}

// The README's "Layers" table: `| \`layer\` | what | \`dep\`, \`dep\` |`, in CMake's order.
TEST(LayersTest, ReadmeTableMatchesCMake) {
  std::ifstream in(kRoot / "README.md");
  std::string line;
  bool in_section = false;
  std::vector<std::pair<std::string, std::set<std::string>>> rows;
  static const std::regex kRow(R"(^\| `([a-z]+)` \|.*\|([^|]*)\|$)");
  static const std::regex kName("`([a-z]+)`");
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) in_section = line == "### Layers";
    std::smatch m;
    if (!in_section || !std::regex_match(line, m, kRow)) continue;
    std::set<std::string> deps;
    std::string cell = m[2];
    for (std::sregex_iterator it(cell.begin(), cell.end(), kName), end; it != end; ++it) {
      deps.insert((*it)[1]);
    }
    rows.emplace_back(m[1], deps);
  }
  auto layers = DeclaredLayers();
  ASSERT_EQ(rows.size(), layers.size()) << "README.md's \"### Layers\" table has a row per layer";
  for (const auto& [layer, deps] : rows) {
    ASSERT_TRUE(layers.count(layer)) << "README names a layer CMake lacks: " << layer;
    EXPECT_EQ(deps, layers[layer]) << "README and src/" << layer << "/CMakeLists.txt disagree";
  }
}

}  // namespace
