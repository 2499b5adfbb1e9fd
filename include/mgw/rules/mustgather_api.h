// The MustGather API as this project reads it: the group, version, kinds and resources,
// where each MustGather field lives (spelled as field errors spell it, and read with
// JsonAtField), and readers for the fields several modules need. Every module that looks
// inside a MustGather or names the API goes through here, so each is spelled once.
// Pure; thread-safe.
#ifndef MGW_RULES_MUSTGATHER_API_H_
#define MGW_RULES_MUSTGATHER_API_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw {

inline constexpr std::string_view kApiGroup = "operator.openshift.io";
inline constexpr std::string_view kApiVersion = "v1alpha1";
inline constexpr std::string_view kApiGroupVersion = "operator.openshift.io/v1alpha1";
inline constexpr std::string_view kMustGatherKind = "MustGather";
inline constexpr std::string_view kMustGatherImageKind = "MustGatherImage";
inline constexpr std::string_view kMustGatherResource = "mustgathers";
inline constexpr std::string_view kMustGatherImageResource = "mustgatherimages";
// The one MustGatherImage that is the allowlist.
inline constexpr std::string_view kAllowlistObjectName = "cluster";
inline constexpr std::string_view kStorageTypePersistentVolume = "PersistentVolume";
inline constexpr std::string_view kDefaultGatherImage =
    "quay.io/openshift/origin-must-gather:latest";

// MustGather fields.
inline constexpr std::string_view kSpecField = "spec";
inline constexpr std::string_view kStorageField = "spec.storage";
inline constexpr std::string_view kStorageTypeField = "spec.storage.type";
inline constexpr std::string_view kPersistentVolumeField = "spec.storage.persistentVolume";
inline constexpr std::string_view kClaimField = "spec.storage.persistentVolume.claim";
inline constexpr std::string_view kClaimNameField = "spec.storage.persistentVolume.claim.name";
inline constexpr std::string_view kSubPathField = "spec.storage.persistentVolume.subPath";
inline constexpr std::string_view kMustGatherImageField = "spec.mustGatherImage";
inline constexpr std::string_view kImagesField = "spec.images";
inline constexpr std::string_view kServiceAccountRefField = "spec.serviceAccountRef";
inline constexpr std::string_view kServiceAccountNameField = "spec.serviceAccountRef.name";
inline constexpr std::string_view kTimeoutField = "spec.mustGatherTimeout";
inline constexpr std::string_view kRetainField = "spec.retainResourcesOnCompletion";
inline constexpr std::string_view kAdditionalConfigField = "spec.additionalConfig";
inline constexpr std::string_view kAuditField = "spec.additionalConfig.audit";
inline constexpr std::string_view kProxyConfigField = "spec.proxyConfig";
inline constexpr std::string_view kHttpProxyField = "spec.proxyConfig.httpProxy";
inline constexpr std::string_view kHttpsProxyField = "spec.proxyConfig.httpsProxy";
inline constexpr std::string_view kNoProxyField = "spec.proxyConfig.noProxy";
inline constexpr std::string_view kUploadTargetField = "spec.uploadTarget";
inline constexpr std::string_view kUploadTypeField = "spec.uploadTarget.type";
inline constexpr std::string_view kSftpField = "spec.uploadTarget.sftp";
inline constexpr std::string_view kCaseIdField = "spec.uploadTarget.sftp.caseID";
inline constexpr std::string_view kCaseSecretRefField =
    "spec.uploadTarget.sftp.caseManagementAccountSecretRef";
inline constexpr std::string_view kCaseSecretNameField =
    "spec.uploadTarget.sftp.caseManagementAccountSecretRef.name";
inline constexpr std::string_view kSftpHostField = "spec.uploadTarget.sftp.host";
inline constexpr std::string_view kInternalUserField = "spec.uploadTarget.sftp.internalUser";

// spec.uploadTarget values and defaults (the CRD defaults them as well).
inline constexpr std::string_view kUploadTypeSftp = "SFTP";
inline constexpr std::string_view kDefaultSftpHost = "sftp.access.redhat.com";
// The keys the credentials Secret must hold, non-empty.
inline constexpr std::string_view kSecretUsernameKey = "username";
inline constexpr std::string_view kSecretPasswordKey = "password";

// An image a MustGather names, with the field that names it.
struct NamedImage {
  std::string field;  // "spec.mustGatherImage" or "spec.images[i]"
  std::string image;
};

// The images a MustGather names: spec.mustGatherImage (when a non-empty string) then
// spec.images[*]. Non-string entries are skipped; the rules report them.
std::vector<NamedImage> ImagesOf(const nlohmann::json& mustgather);

// The object's namespace: metadata.namespace when a non-empty string, else `fallback`.
std::string NamespaceOf(const nlohmann::json& object, const std::string& fallback);

// spec.retainResourcesOnCompletion is true.
bool RetainsResources(const nlohmann::json& mustgather);

// spec.additionalConfig.audit is true.
bool GathersAuditLogs(const nlohmann::json& mustgather);

// spec.uploadTarget.type is "SFTP" and spec.uploadTarget.sftp an object.
bool UploadsToSftp(const nlohmann::json& mustgather);

// The group of an apiVersion: "operator.openshift.io" for
// "operator.openshift.io/v1alpha1", "" for a core version such as "v1".
std::string GroupOf(std::string_view api_version);

// True when `object` has kind `kind` and an apiVersion in this API's group.
bool IsOurKind(const nlohmann::json& object, std::string_view kind);

}  // namespace mgw

#endif  // MGW_RULES_MUSTGATHER_API_H_
