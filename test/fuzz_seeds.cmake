# Fuzz targets run once over their seed corpora (no libFuzzer needed).
# fuzz/run.sh seeds the libFuzzer runs from the same directories.
mgw_fuzz_seed_test(NAME admission_review LIBS mgw_admission
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/admission_review
          ${PROJECT_SOURCE_DIR}/test/testdata/admission
          ${PROJECT_SOURCE_DIR}/examples/admission)
mgw_fuzz_seed_test(NAME mustgather_rules LIBS mgw_admission
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/mustgather_rules
          ${PROJECT_SOURCE_DIR}/examples/admission)
mgw_fuzz_seed_test(NAME manifest LIBS mgw_cmd
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/manifest
          ${PROJECT_SOURCE_DIR}/test/testdata/manifests
          ${PROJECT_SOURCE_DIR}/test/testdata/validate/mixed
          ${PROJECT_SOURCE_DIR}/examples
          ${PROJECT_SOURCE_DIR}/examples/bad)
include(KubectlYamlOracle)
mgw_fuzz_seed_test(NAME kubectl_yaml LIBS mgw_kubectl_yaml_oracle
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/kubectl_yaml
          ${PROJECT_SOURCE_DIR}/fuzz/corpus/manifest
          ${PROJECT_SOURCE_DIR}/test/testdata/manifests
          ${PROJECT_SOURCE_DIR}/examples)
mgw_fuzz_seed_test(NAME image_ref LIBS mgw_rules)
mgw_fuzz_seed_test(NAME http_request_head LIBS mgw_net)
mgw_fuzz_seed_test(NAME proxy_url LIBS mgw_upload)
mgw_fuzz_seed_test(NAME admission_decoder_diff LIBS mgw_admission
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/admission_review
          ${PROJECT_SOURCE_DIR}/fuzz/corpus/mustgather_rules
          ${PROJECT_SOURCE_DIR}/test/testdata/admission
          ${PROJECT_SOURCE_DIR}/examples/admission)
mgw_fuzz_seed_test(NAME json_select_fast_diff LIBS mgw_base
  CORPORA ${PROJECT_SOURCE_DIR}/fuzz/corpus/admission_review
          ${PROJECT_SOURCE_DIR}/fuzz/corpus/mustgather_rules
          ${PROJECT_SOURCE_DIR}/test/testdata/admission)
