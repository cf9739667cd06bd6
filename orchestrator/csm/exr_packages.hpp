#pragma once
/// @file
/// What the CSM job engine reads in an IOS XR device's answers while it installs: the install
/// operations' messages (started, continuing in the background, finished or aborted, progress,
/// the reload question, refusals), the packages an operation touched, and the package lists of
/// `show install active|inactive|committed`. Discovery, node state and captures are in
/// exr_text.hpp. Pure functions over the text of one command's output (or of what a session
/// printed, async messages included), no I/O.
///
/// The texts are eXR's (IOS XR 64-bit: `Install operation 12 started by root:`, `Install
/// operation 12 finished successfully`) as tools/xr-device and real eXR 6.x print them; where
/// classic XR says the same thing differently (`Install operation 12 '...' started`, `completed
/// successfully`, `failed`) it is accepted too, so that one reading serves both. The patterns
/// are CSM's (csmpe's exr and ios_xr install plugins),
/// matched case-sensitively as CSM did.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escd::orchestrator::csm {

// --- Install operations --------------------------------------------------------------------

/// The id of the operation an install command started: `Install operation 12 started by
/// root:` (eXR) or `Install operation 12 '...' started by user` (classic XR). The last one
/// when the output shows several (an older operation's lines printed before). nullopt when
/// none started (`Could not start this install operation`, a syntax error).
std::optional<int> StartedOperationId(std::string_view output);

/// Whether the command's output says the operation goes on without the session: eXR's
/// `Install operation will continue in the background`, classic XR's `The install operation
/// will continue asynchronously`. CSM required it before watching an operation.
bool ContinuesInBackground(std::string_view output);

enum class OperationEnd { kRunning, kSucceeded, kAborted };

/// How operation `operation_id` ended according to `text` (`show install log N [detail]`, or a
/// session's output with the async message): `Install operation N finished successfully`
/// (eXR) / `completed successfully` (classic) -> kSucceeded; `Install operation N aborted`
/// (eXR) / `failed` (classic) -> kAborted; neither -> kRunning. Classic XR's `completed with
/// failure` counts as kSucceeded: it comes after the point of no return and CSM went on with
/// the reload (the failures are the InstallErrors lines). Other operations' lines are ignored
/// (`Install operation 1` never matches 12); the last verdict in the text wins.
OperationEnd OperationEndOf(std::string_view text, int operation_id);

/// `show install request` says no operation runs: `No install operation in progress` (eXR),
/// `There are no install requests in operation` (classic XR).
bool NoOperationInProgress(std::string_view show_install_request);

/// The progress of operation `operation_id` in `show install request`: `The install operation
/// 12 is 40% complete` (also ASR9K eXR's `The install add operation 12 is 40% complete`), or
/// classic XR's `The operation is 40% complete` when the output names `Install operation 12`.
std::optional<int> PercentComplete(std::string_view show_install_request, int operation_id);

/// The newest operation id in `show install log reverse | utility egrep "Install operation
/// [0-9]+ started"` (the highest id listed; CSM's guess for `install remove inactive all`,
/// which prints no id, is this + 1). nullopt for `No install operation found in log`.
std::optional<int> LastStartedOperationId(std::string_view install_log);

/// The activation asks before reloading: `This install operation will reload the system,
/// continue?` (also `reboot`, and `the sdr`). The answer the device waits for is Enter/`yes`.
bool AsksToReload(std::string_view output);

/// Why the device refused to start an operation (another one runs): what follows `Could not
/// start this install operation` on its line (`Install operation 7 is still in progress`), or
/// the next non-empty line (an `Error:` prefix dropped), or the sentence itself. nullopt when
/// the output does not say so.
/// Classic XR's refusal, `Error:    Cannot proceed with the operation as another install
/// command is ...`, is that line from `Cannot` on.
std::optional<std::string> CouldNotStart(std::string_view output);

/// The operation log says the device reloads to put the operation in place: classic XR's
/// `Install Method: Parallel Reload` (its activation asks nothing), eXR's `The system will
/// reload to complete the operation`.
bool OperationReloads(std::string_view install_log_detail);

/// Whether a package the device lists (`disk0:asr9k-mpls-px-5.3.3`,
/// `disk0:asr9k-px-5.3.3.CSCuy12345-1.0.0`, `xrv9k-mgbl-3.0.0.0-r621`) is the one a job names
/// by its file (`asr9k-mpls-px.pie-5.3.3`, `asr9k-px-5.3.3.CSCuy12345.pie`,
/// `xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm`): the same InternalName, or, for an SMU (a `.CSC` id
/// in its name), the listed one is that name followed by the SMU's version (`-1.0.0`).
bool SamePackage(std::string_view listed, std::string_view wanted);

/// `NO IMPACT OPERATION`: the packages were active already (CSM: a warning, not a failure).
bool NoImpactOperation(std::string_view output);

/// `ERROR! there was an SU/ISSU done. please perform install commit ...`: nothing can be
/// activated before a commit (CSM: a failure).
bool SuIssuCommitPending(std::string_view output);

/// The reasons in `Error:    <reason>` lines (the operation log of an aborted operation; CSM
/// logged each as a warning), in order.
std::vector<std::string> InstallErrors(std::string_view text);

/// The packages operation N added or acted on, from `show install log N detail`: the indented
/// lines after `Packages added:` (install add) and `Package list:` (activate, deactivate,
/// remove), time stamps (`Dec 07 10:00:00 `) ignored; in order, each once. This is the job's
/// package_change_list.
std::vector<std::string> OperationPackages(std::string_view install_log_detail);

// --- Package lists -------------------------------------------------------------------------

/// The package names of `show install active|inactive|committed [summary]` in either plane,
/// eXR or classic XR: the indented lines under an `Active Packages: N` / `Inactive Packages:` /
/// `Committed Packages: N` / `N inactive package(s) found:` header, first word only (`xrv9k-xr-
/// 6.1.3` of `xrv9k-xr-6.1.3 version=6.1.3 [Boot image]`). Node headers, `Boot Partition:` and
/// `Label :` lines are not packages. In order of appearance, each once although every node
/// lists it. Empty for `No inactive package(s) in software repository` or any other text.
std::vector<std::string> PackagesOf(std::string_view show_install);

/// The name a device lists for a package file (what `install activate` and PackagesOf use):
/// the directory dropped, and eXR's file suffixes: `xrv9k-mgbl-3.0.0.0-r613.x86_64.rpm` ->
/// `xrv9k-mgbl-3.0.0.0-r613`, `xrv9k-mini-x-6.2.1.iso` -> `xrv9k-mini-x-6.2.1`, `.tar` dropped.
/// External (CCO) names carry the release after the type: `ncs5500-mgbl-3.0.0.0-r601.x86_64.rpm-
/// 6.0.1` -> `ncs5500-mgbl-3.0.0.0-r601`, `ncs5500-mini-x.iso-6.0.1` -> `ncs5500-mini-x-6.0.1`,
/// `ncs6k-mcast.pkg-5.2.4` -> `ncs6k-mcast-5.2.4`, classic `asr9k-mpls-px.pie-5.3.3` ->
/// `asr9k-mpls-px-5.3.3`; engineering builds' `.DT_IMAGE` is dropped. A name without any of
/// these is returned as it is.
std::string InternalName(std::string_view file_name);

/// eXR's `Please try command later` (the install subsystem is busy right after a reload or an
/// operation): CSM asked again every 10 s, for at most 10 min, when collecting the inventory.
bool TryCommandLater(std::string_view output);

}  // namespace escd::orchestrator::csm
