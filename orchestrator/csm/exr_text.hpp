#pragma once
/// @file
/// What the CSM job engine reads in an IOS XR device's answers, without I/O: discovery (`show
/// version`, `show inventory`), whether the nodes are up (`show platform`), and the files of the
/// Pre-/Post-Upgrade captures (their names, the HTML diff of two captures). The install
/// operations' messages and the package lists are in exr_packages.hpp.
///
/// The rules are CSM's (condoor's discovery, csmpe's plugins), written out in exr_text.cpp, so that
/// a device discovered by escd gets the same family, chassis and software platform as under CSM
/// (plugins, REST filters and users' scripts key on them). The texts these functions are tested
/// with are what tools/xr-device prints (modelled on eXR 6.x) and what real eXR / classic XR
/// devices print.
///
/// Every function takes the output of one command (the echo and the prompt already cut off,
/// cli_text.hpp) and accepts any text: an empty or unexpected answer gives "Unknown", an empty
/// list or false, never an exception.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/csm/inventory.hpp"

namespace escd::orchestrator::csm {

// --- Discovery -----------------------------------------------------------------------------

/// The facts CSM derived from `show version` (eXR: `show version`; classic XR: `show version
/// brief`) and the chassis inventory (`admin show inventory chassis`, either plane's layout):
/// - os_type: the first of `XR`, `XE`, `NX-OS` in the version text; `XR` with `Build
///   Information` is `eXR`, with `XR Admin Software` `Calvados`; a Cisco text without them `IOS`.
/// - software_version: the first non-empty `Version (.*?)(?:\[| |$)` (`5.3.3` of
///   `Version 5.3.3[Default]`).
/// - family: the platform line (eXR `^cisco (.*?) \(`, else `^(?:  )?cisco (?:IOS )?(.*?) `)
///   through CSM's longest-prefix table of the OS (XR: ASR9K, CRS, XR12K, IOSXRv; eXR: ASR9K,
///   NCS1K, NCS1001, NCS4K, NCS5K, NCS540, NCS5500, NCS560, NCS6K, IOSXRv-9K, IOSXRv-X64).
/// - chassis: CSM's `([A-Z]{3}[-| ]?[0-9]{2,4})` (XR, eXR also `XRV`; eXR also
///   `PROTO-L-CHASSIS`) in the PID of the chassis record (ChassisUdiOf): `ASR-9904` of
///   `ASR-9904-AC`, `XRV9000` of `R-IOSXRV9000-CC`.
/// - software_platform: the family, `ASR9K-X64` for an eXR ASR9K.
/// Whatever cannot be told stays "Unknown" (an unknown platform string too: CSM kept the raw
/// string, which no plugin or filter matched; "Unknown" makes escd discover the host again
/// before its next install job, as CSM did for Unknown families).
model::csm::DeviceFacts FactsFrom(std::string_view show_version, std::string_view show_inventory);

/// The chassis' Unique Device Identifier, which CSM saved with the facts.
struct ChassisUdi {
    std::string name;         ///< "Rack 0"
    std::string description;  ///< "NCS5500 8 Slot Single Chassis"
    std::string pid;          ///< "NCS-5508"
    std::string vid;          ///< "V01"
    std::string serial_number;
    friend bool operator==(const ChassisUdi&, const ChassisUdi&) = default;
};

/// The chassis record of `show inventory [chassis]` in the XR layout (`NAME: "Rack 0", DESCR:
/// "..."` / `PID: ..., VID: ..., SN: ...`) or the admin plane's (`Name: Rack 0   Descr: ...` /
/// `PID: ...   VID: ...   SN: ...`): the record named `Rack 0`, else the first whose name or
/// description says chassis (CSM's rule), else the first record. nullopt without any record.
std::optional<ChassisUdi> ChassisUdiOf(std::string_view show_inventory);

// --- Node state ----------------------------------------------------------------------------

/// One line of `show platform`.
struct NodeState {
    std::string node;   ///< "0/RP0/CPU0"
    std::string type;   ///< "NC55-RP(Active)"
    std::string state;  ///< "IOS XR RUN", "OPERATIONAL", "BOOTING"
    friend bool operator==(const NodeState&, const NodeState&) = default;
};

/// The node lines (those starting with a digit) of `show platform` (eXR, XE) or `admin show
/// platform` (classic XR, CRS with its PLIM column). Columns are found from the header line
/// (`Node  Type  [PLIM]  State  Config state`; the admin plane's `SW State`), so that an empty
/// column does not shift the state; without a header the columns are node, type, state.
std::vector<NodeState> PlatformNodes(std::string_view show_platform);

/// CSM's node check (Node Status Check, the wait after a reload): every node whose name has
/// `CPU` is in one of CSM's valid states: IOS XR RUN, PRESENT, READY, FAILED, OK, DISABLED,
/// UNPOWERED, ADMIN DOWN, PWD, NOT ALLOW ONLIN (classic XR) and, for eXR, POWERED_OFF,
/// SW_INACTIVE, OPERATIONAL. Other lines (fans, fabric cards, power modules) are not checked;
/// a node still booting (`BOOTING`, the emulator's line cards after a reload) is not up. False
/// when there is no CPU node at all: an empty or garbled answer proves nothing.
bool AllNodesUp(const std::vector<NodeState>& nodes);

// --- Pre-/Post-Upgrade captures ------------------------------------------------------------

/// The file a capture of `command` is saved in: CSM's `re.sub(r"\W+", "-", command)` (ASCII
/// word characters, as CSM's Python 2) + ".txt": `show running-config` ->
/// `show-running-config.txt`. Never a dot file or a path; at most 200 characters before ".txt"
/// (a file system limit, CSM had none).
std::string CommandFileName(std::string_view command);

/// A self-contained HTML page (inline style, no script) showing the unified line diff of two
/// captures (`before` = Pre-Upgrade, `after` = Post-Upgrade): a minimal diff (Myers, i.e. a
/// longest common subsequence) in hunks with 3 lines of context, old and new line numbers, a
/// summary line; everything HTML-escaped. CSM wrote such a page (difflib.HtmlDiff) for every
/// capture present in both phases. A difference too large to compute within bounded memory
/// (over 2000 edits after the common head and tail) is shown as the whole middle replaced.
std::string DiffHtml(std::string_view before, std::string_view after, std::string_view title);

/// What exr_text.cpp and exr_packages.cpp both read CLI text with; shared here rather than
/// copied, since the unity build joins the two files (docs/decisions.md).
namespace exr_detail {
inline bool IsBlank(char c) {
    return c == ' ' || c == '\t';
}
inline bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}
/// `text` without blanks and CRs at its ends.
std::string_view Trim(std::string_view text);
/// The lines of `text` without their line ends (CR LF too); no empty last line for a text
/// ending with a newline.
std::vector<std::string_view> Lines(std::string_view text);
}  // namespace exr_detail

}  // namespace escd::orchestrator::csm
