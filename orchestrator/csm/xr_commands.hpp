#pragma once
/// @file
/// What the install jobs type on an IOS XR device, for each of its two command sets
/// (docs/csm.md, "Running a job"): IOS XR 64-bit (eXR: `install add source ...`, operations in
/// the background) and classic IOS XR (`admin install ... async`, the admin plane's `show`s).
/// Pure text; the runner sends it. The commands are CSM's (csmpe's exr and ios_xr plugins).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/csm/inventory.hpp"

namespace escd::orchestrator::csm {

enum class XrCommandSet {
    kExr,        ///< IOS XR 64-bit (os_type eXR or Calvados)
    kClassicXr,  ///< IOS XR 32-bit (os_type XR)
};

/// The command set of a discovered device; nullopt for a device escd cannot install on (IOS,
/// IOS XE, NX-OS, or a device whose discovery found nothing it knows).
std::optional<XrCommandSet> CommandSetOf(const model::csm::DeviceFacts& facts);

/// The package lists `show install ...` reads.
enum class PackageList { kActive, kInactive, kCommitted };

/// The commands of one command set.
class XrCommands {
  public:
    explicit XrCommands(XrCommandSet set) : set_(set) {}

    static constexpr std::string_view kShowRunningConfig = "show running-config";

    std::string ShowPlatform() const;
    std::string ShowPackages(PackageList list) const;
    std::string ShowRequest() const;
    std::string ShowLogDetail(int operation) const;
    /// The newest operations started, newest first (LastStartedOperationId reads it).
    std::string ShowStartedOperations() const;

    /// `install add source <source> <packages>` (classic: admin, async).
    std::string Add(std::string_view source, const std::vector<std::string>& packages) const;
    std::string Activate(const std::vector<std::string>& packages) const;
    std::string Deactivate(const std::vector<std::string>& packages) const;
    std::string Remove(const std::vector<std::string>& packages) const;
    std::string RemoveAllInactive() const;
    std::string Commit() const;

    XrCommandSet set() const { return set_; }

  private:
    XrCommandSet set_;
};

/// Where an Add fetches its packages from, as the device's `install add source` takes it.
struct PackageSource {
    std::string text;      ///< `tftp://198.18.1.1/repo/6.1.3`, `sftp://xfer@198.18.1.1/home/x`
    std::string password;  ///< typed when the device asks (`Password:`); "" when none
};

/// The source of `repository` for the job's `server_directory` (CSM's rules, docs/csm.md):
///   TFTP   tftp://<tftp_server_path with ;vrf before its first '/'>/<server_directory>
///   FTP    ftp://<user>@<server_address>[;vrf]/<home_directory>/<server_directory>
///   SFTP   sftp://<user>@<server_address>/<home_directory>/<server_directory>
///   SCP    scp://<user>@<server_address>/<home_directory>/<server_directory> (eXR)
///   LOCAL  <device_path>, e.g. `harddisk:`
/// eXR asks for the password of an FTP, SFTP or SCP source (CSM took it out of the URL so that
/// the device's log does not keep it); classic XR takes it in the URL (`user:password@`), as
/// CSM gave it. Throws Error(kNotSupported) for SCP on classic XR (CSM copied each package
/// with the device's `scp` first; escd does not) and for a repository without an address.
PackageSource SourceOf(const model::csm::ServerRepository& repository,
                       std::string_view server_directory,
                       XrCommandSet set);

}  // namespace escd::orchestrator::csm
