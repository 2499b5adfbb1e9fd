# kubectl's YAML to JSON converter as a test oracle: test/support/kubectl_yaml_oracle
# (Go) built offline in GOPATH mode over Debian's gocode tree (golang-go,
# golang-k8s-sigs-yaml-dev, golang-gopkg-yaml.v2-dev), with its build cache in the build
# directory. The library mgw_kubectl_yaml_oracle is the C++ client; it compiles with
# MGW_KUBECTL_YAML_ORACLE="" when Go or the packages are missing, and its users skip.
include_guard(GLOBAL)

find_program(MGW_GO go)
set(MGW_GOPATH /usr/share/gocode CACHE PATH "GOPATH holding sigs.k8s.io/yaml and gopkg.in/yaml.v2")
set(_oracle_src ${PROJECT_SOURCE_DIR}/test/support/kubectl_yaml_oracle/main.go)
set(MGW_KUBECTL_YAML_ORACLE "")
if(MGW_GO AND EXISTS ${MGW_GOPATH}/src/sigs.k8s.io/yaml/yaml.go
   AND EXISTS ${MGW_GOPATH}/src/gopkg.in/yaml.v2/yaml.go)
  set(MGW_KUBECTL_YAML_ORACLE ${PROJECT_BINARY_DIR}/kubectl_yaml_oracle)
  add_custom_command(OUTPUT ${MGW_KUBECTL_YAML_ORACLE}
    COMMAND ${CMAKE_COMMAND} -E env GO111MODULE=off GOPATH=${MGW_GOPATH}
            GOCACHE=${PROJECT_BINARY_DIR}/go-cache GOFLAGS= GOPROXY=off
            ${MGW_GO} build -o ${MGW_KUBECTL_YAML_ORACLE} ${_oracle_src}
    DEPENDS ${_oracle_src}
    COMMENT "Building kubectl's YAML converter (Go, sigs.k8s.io/yaml from Debian)")
  add_custom_target(kubectl_yaml_oracle ALL DEPENDS ${MGW_KUBECTL_YAML_ORACLE})
else()
  message(STATUS "go or golang-k8s-sigs-yaml-dev missing: the kubectl YAML oracle tests skip")
endif()

add_library(mgw_kubectl_yaml_oracle STATIC
            ${PROJECT_SOURCE_DIR}/test/support/kubectl_yaml_oracle.cpp)
target_include_directories(mgw_kubectl_yaml_oracle PUBLIC ${PROJECT_SOURCE_DIR}/test)
target_link_libraries(mgw_kubectl_yaml_oracle PUBLIC mgw_manifest)
target_compile_definitions(mgw_kubectl_yaml_oracle
                           PRIVATE MGW_KUBECTL_YAML_ORACLE="${MGW_KUBECTL_YAML_ORACLE}")
if(TARGET kubectl_yaml_oracle)
  add_dependencies(mgw_kubectl_yaml_oracle kubectl_yaml_oracle)
endif()
mgw_enable_warnings(mgw_kubectl_yaml_oracle)
mgw_enable_sanitizers(mgw_kubectl_yaml_oracle)
