// What the CSM job engine reads in IOS XR answers (orchestrator/csm/exr_text.hpp,
// exr_packages.hpp). The texts are what tools/xr-device prints (captured from it) and what real
// eXR 6.x / classic XR devices print (CSM's plugin docstrings, Cisco's documentation).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "orchestrator/csm/exr_packages.hpp"
#include "orchestrator/csm/exr_text.hpp"

namespace escd::orchestrator::csm {
namespace {

using ExrNames = std::vector<std::string>;

// --- Discovery -----------------------------------------------------------------------------

constexpr std::string_view kXrv9kVersion = R"(Mon Dec  7 00:18:38.637 UTC

Cisco IOS XR Software, Version 6.1.3
Copyright (c) 2013-2017 by Cisco Systems, Inc.

Build Information:
 Built By     : ahoang
 Built On     : Fri Mar 17 18:46:08 PDT 2017
 Build Host   : iox-lnx-069
 Workspace    : /auto/srcarchive11/production/6.1.3/xrv9k/workspace
 Version      : 6.1.3
 Location     : /opt/cisco/XR/packages/

cisco IOS-XRv 9000 () processor
System uptime is 3 hours, 17 minutes
)";

constexpr std::string_view kXrv9kInventory = R"(Mon Dec  7 00:18:38.640 UTC
NAME: "0/RP0", DESCR: "Cisco IOS-XRv 9000 Centralized Route Processor"
PID: R-IOSXRV9000-RP-C , VID: V01, SN: SALUZWFR4JV

NAME: "0/0", DESCR: "Cisco IOS-XRv 9000 Centralized Line Card"
PID: R-IOSXRV9000-LC-C , VID: V01, SN: SALFGE51HYE

NAME: "Rack 0", DESCR: "Cisco IOS-XRv 9000 Centralized Virtual Router"
PID: R-IOSXRV9000-CC   , VID: V01, SN: FOXGC30P0GY
)";

std::string ExrVersion(std::string_view platform) {
    return "\nCisco IOS XR Software, Version 6.1.3\n\nBuild Information:\n Version      : 6.1.3\n\n"
           "cisco " +
           std::string(platform) + " () processor\nSystem uptime is 3 hours\n";
}

std::string AdminInventory(std::string_view descr, std::string_view pid) {
    return "\n Name: Rack 0                Descr: " + std::string(descr) +
           "\n PID: " + std::string(pid) +
           "               VID: V01                   SN: FOXHC30P0GY\n";
}

TEST(ExrTextDiscovery, EmulatedXrv9000IsAnExrIosXrv9k) {
    const auto facts = FactsFrom(kXrv9kVersion, kXrv9kInventory);
    EXPECT_EQ(facts.os_type, "eXR");
    EXPECT_EQ(facts.software_version, "6.1.3");
    EXPECT_EQ(facts.family, "IOSXRv-9K");
    EXPECT_EQ(facts.software_platform, "IOSXRv-9K");
    EXPECT_EQ(facts.chassis, "XRV9000") << "CSM's regex on R-IOSXRV9000-CC";
    const auto udi = ChassisUdiOf(kXrv9kInventory);
    ASSERT_TRUE(udi);
    EXPECT_EQ(*udi, (ChassisUdi{"Rack 0", "Cisco IOS-XRv 9000 Centralized Virtual Router",
                                "R-IOSXRV9000-CC", "V01", "FOXGC30P0GY"}))
        << "Rack 0 although the cards come first and no line says chassis";
}

TEST(ExrTextDiscovery, Ncs5500AndAsr9kFromTheAdminPlaneInventory) {
    auto facts = FactsFrom(ExrVersion("NCS-5500"),
                           AdminInventory("NCS5500 8 Slot Single Chassis", "NCS-5508"));
    EXPECT_EQ(facts, (model::csm::DeviceFacts{"NCS5500", "NCS-5508", "NCS5500", "6.1.3", "eXR"}));
    facts = FactsFrom(ExrVersion("ASR9K"), AdminInventory("ASR-9904 AC Chassis", "ASR-9904-AC"));
    EXPECT_EQ(facts.family, "ASR9K");
    EXPECT_EQ(facts.software_platform, "ASR9K-X64");
    EXPECT_EQ(facts.chassis, "ASR-9904");
    const auto udi = ChassisUdiOf(AdminInventory("ASR-9904 AC Chassis", "ASR-9904-AC"));
    ASSERT_TRUE(udi);
    EXPECT_EQ(udi->name, "Rack 0");
    EXPECT_EQ(udi->description, "ASR-9904 AC Chassis");
    EXPECT_EQ(udi->serial_number, "FOXHC30P0GY");
}

TEST(ExrTextDiscovery, ExrFamiliesTakeTheLongestPrefix) {
    const std::pair<const char*, const char*> cases[] = {
        {"NCS-1001", "NCS1001"},       {"NCS-1002", "NCS1K"},   {"NCS1K", "NCS1K"},
        {"NCS-540", "NCS540"},         {"NCS-55A1", "NCS5500"}, {"NCS-5001", "NCS5K"},
        {"NCS-560", "NCS560"},         {"NCS-4016", "NCS4K"},   {"NCS-6008", "NCS6K"},
        {"ASR-9010", "ASR9K"},         {"ASR9K", "ASR9K"},      {"IOS XRv x64", "IOSXRv-X64"},
        {"IOS-XRv 9000", "IOSXRv-9K"}, {"8201", "Unknown"},     {"CRS-16", "Unknown"},
    };
    for (const auto& [platform, family] : cases)
        EXPECT_EQ(FactsFrom(ExrVersion(platform), "").family, family) << platform;
}

TEST(ExrTextDiscovery, ClassicXrFromShowVersionBrief) {
    constexpr std::string_view kVersion = R"(
Cisco IOS XR Software, Version 5.3.3[Default]
Copyright (c) 2016 by Cisco Systems, Inc.

ROM: System Bootstrap, Version 2.04(20140424:063844) [ASR9K ROMMON],

asr9k-1 uptime is 2 weeks, 1 day, 3 hours, 19 minutes
System image file is "bootflash:disk0/asr9k-os-mbi-5.3.3/0x100305/mbiasr9k-rsp3.vm"

cisco ASR9K Series (Intel 686 F6M14S4) processor with 12582912K bytes of memory.
Intel 686 F6M14S4 processor at 2134MHz, Revision 2.174
ASR 9006 4 Line Card Slot Chassis with V2 AC PEM
)";
    constexpr std::string_view kInventory =
        "NAME: \"module 0/RSP0/CPU0\", DESCR: \"ASR9K Route Switch Processor\"\n"
        "PID: A9K-RSP440-SE, VID: V05, SN: FOC1234X5YZ\n\n"
        "NAME: \"chassis ASR-9006-AC-V2\", DESCR: \"ASR 9006 4 Line Card Slot Chassis\"\r\n"
        "PID: ASR-9006-AC-V2, VID: V02, SN: FOX1234ABCD\r\n";
    const auto facts = FactsFrom(kVersion, kInventory);
    EXPECT_EQ(facts, (model::csm::DeviceFacts{"ASR9K", "ASR-9006", "ASR9K", "5.3.3", "XR"}));
    EXPECT_EQ(ChassisUdiOf(kInventory)->serial_number, "FOX1234ABCD") << "the chassis record";
    auto classic = [](std::string_view line) {
        return FactsFrom("Cisco IOS XR Software, Version 4.3.4[Default]\n" + std::string(line), "")
            .family;
    };
    EXPECT_EQ(classic("cisco CRS-16/S-B (Intel 686 F6M14S4) processor\n"), "CRS");
    EXPECT_EQ(classic("cisco 12406/PRP (7457) processor with 2097152K bytes\n"), "XR12K");
    EXPECT_EQ(classic("cisco IOS XRv Series (Pentium Celeron Stepping 3) processor\n"), "IOSXRv");
    EXPECT_EQ(classic("  cisco ASR-9001 (P4040) processor\n"), "ASR9K");
}

TEST(ExrTextDiscovery, AdminPlaneOtherOsesAndGarbage) {
    std::string admin(kXrv9kVersion);
    admin.replace(admin.find("XR Software"), 11, "XR Admin Software");
    EXPECT_EQ(FactsFrom(admin, "").os_type, "Calvados");
    EXPECT_EQ(FactsFrom(admin, "").family, "IOSXRv-9K");
    const auto xe =
        FactsFrom("Cisco IOS XE Software, Version 16.09.03\ncisco CSR1000V (VXE) processor\n", "");
    EXPECT_EQ(xe.os_type, "XE");
    EXPECT_EQ(xe.software_version, "16.09.03");
    EXPECT_EQ(xe.family, "Unknown");
    const auto ios = FactsFrom(
        "Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M), Version 12.2(55)SE, RELEASE",
        "NAME: \"1\", DESCR: \"WS-C3750E-24TD\"\nPID: WS-C3750E-24TD-S , VID: V02, SN: FDO1\n");
    EXPECT_EQ(ios.os_type, "IOS");
    EXPECT_EQ(ios.software_version, "12.2(55)SE");
    EXPECT_EQ(FactsFrom("Cisco Nexus Operating System (NX-OS) Software\n", "").os_type, "NX-OS");
    EXPECT_EQ(FactsFrom("", ""), model::csm::DeviceFacts{});
    EXPECT_EQ(FactsFrom(" \n\r\n", "garbage"), model::csm::DeviceFacts{});
    EXPECT_EQ(FactsFrom("bash: show: command not found\n", ""), model::csm::DeviceFacts{});
    EXPECT_FALSE(ChassisUdiOf(""));
    EXPECT_FALSE(ChassisUdiOf("% Invalid input detected at '^' marker.\n"));
}

TEST(ExrTextDiscovery, ChassisPatternsOfEachOs) {
    auto chassis = [](std::string_view version, std::string_view pid) {
        return FactsFrom(version, "NAME: \"Rack 0\", DESCR: \"x\"\nPID: " + std::string(pid) +
                                      ", VID: V01, SN: 1\n")
            .chassis;
    };
    const auto exr = ExrVersion("NCS-1001");
    EXPECT_EQ(chassis(exr, "PROTO-L-CHASSIS"), "PROTO-L-CHASSIS");
    EXPECT_EQ(chassis(exr, "NCS1001-K9"), "NCS1001");
    EXPECT_EQ(chassis(exr, "N540X-ACC-SYS"), "Unknown") << "no three letters before digits";
    EXPECT_EQ(chassis(exr, "NCS-55A1-36H-SE"), "NCS-55") << "CSM's regex, as it was";
    EXPECT_EQ(chassis("Cisco IOS XR Software, Version 6.0.1\ncisco IOS XRv Series (x) ", "XRV"),
              "XRV");
    EXPECT_EQ(chassis("Cisco IOS XR Software, Version 6.0.1\n", "PROTO-L-CHASSIS"), "Unknown");
    EXPECT_EQ(chassis(exr, ""), "Unknown");
}

// --- Node state ----------------------------------------------------------------------------

constexpr std::string_view kNcs5500Platform = R"(Mon Dec  7 00:19:08.588 UTC
Node              Type                       State             Config state
--------------------------------------------------------------------------------
0/RP0/CPU0        NC55-RP(Active)            IOS XR RUN        NSHUT
0/0/CPU0          NC55-36X100G               IOS XR RUN        NSHUT
0/RP0/NPU0        Slice                      UP                
0/FC0             NC55-5508-FC               OPERATIONAL       NSHUT
0/FT0             NC55-5508-FAN              OPERATIONAL       NSHUT
)";

TEST(ExrTextNodes, EmulatedNcs5500IsUp) {
    const auto nodes = PlatformNodes(kNcs5500Platform);
    ASSERT_EQ(nodes.size(), 5u);
    EXPECT_EQ(nodes[0], (NodeState{"0/RP0/CPU0", "NC55-RP(Active)", "IOS XR RUN"}));
    EXPECT_EQ(nodes[2], (NodeState{"0/RP0/NPU0", "Slice", "UP"}));
    EXPECT_EQ(nodes[3].state, "OPERATIONAL");
    EXPECT_TRUE(AllNodesUp(nodes)) << "only CPU nodes are checked";
}

TEST(ExrTextNodes, LineCardBootingAfterAReloadIsNotUp) {
    const auto nodes = PlatformNodes(
        "Node              Type                       State             Config state\n"
        "--------------------------------------------------------------------------------\n"
        "0/RP0/CPU0        R-IOSXRV9000-RP-C(Active)  IOS XR RUN        NSHUT\n"
        "0/0/CPU0          R-IOSXRV9000-LC-C          BOOTING           NSHUT\n");
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[1].state, "BOOTING");
    EXPECT_FALSE(AllNodesUp(nodes));
}

TEST(ExrTextNodes, ClassicLayoutsAndStates) {
    // Classic ASR9K (`admin show platform`): a fan line without config state, unpowered LC.
    const auto asr =
        PlatformNodes(R"(Node            Type                      State            Config State
-----------------------------------------------------------------------------
0/RSP0/CPU0     A9K-RSP440-SE(Active)     IOS XR RUN       PWR,NSHUT,MON
0/FT0/SP        ASR-9006-FAN              READY
0/2/CPU0        A9K-MOD80-SE              UNPOWERED        NPWR,NSHUT,MON
0/3/CPU0        A9K-8T-L                  IN-RESET         NPWR,NSHUT,MON
)");
    ASSERT_EQ(asr.size(), 4u);
    EXPECT_EQ(asr[1], (NodeState{"0/FT0/SP", "ASR-9006-FAN", "READY"}));
    EXPECT_FALSE(AllNodesUp(asr)) << "IN-RESET";
    // CRS: the PLIM column sits between type and state.
    const auto crs = PlatformNodes(
        R"(Node          Type              PLIM               State           Config State
------------- ----------------- ------------------ --------------- ---------------
0/0/CPU0      MSC-X             40-10GbE           IOS XR RUN      PWR,NSHUT,MON
0/1/1         MSC-B(SPA)        1x10GE             OK              PWR,NSHUT,MON
0/RP1/CPU0    RP(Standby)       N/A                NOT ALLOW ONLIN PWR,NSHUT,MON
)");
    ASSERT_EQ(crs.size(), 3u);
    EXPECT_EQ(crs[0], (NodeState{"0/0/CPU0", "MSC-X", "IOS XR RUN"}));
    EXPECT_EQ(crs[2].state, "NOT ALLOW ONLIN");
    EXPECT_TRUE(AllNodesUp(crs));
    // eXR-only states, and no header at all (node, type, state by position).
    EXPECT_TRUE(
        AllNodesUp(PlatformNodes("0/1/CPU0  NC6-10X100G  SW_INACTIVE  NSHUT\n"
                                 "0/2/CPU0  NC6-10X100G  POWERED_OFF  SHUT\n")));
}

TEST(ExrTextNodes, AdminPlaneEmptyAndGarbageProveNothing) {
    const auto admin = PlatformNodes(
        "Location  Card Type               HW State      SW State      Config State  \n"
        "----------------------------------------------------------------------------\n"
        "0/RP0     R-IOSXRV9000-RP-C       OPERATIONAL   OPERATIONAL   NSHUT\n"
        "0/0       R-IOSXRV9000-LC-C       OPERATIONAL   BOOTING       NSHUT\n");
    ASSERT_EQ(admin.size(), 2u);
    EXPECT_EQ(admin[1], (NodeState{"0/0", "R-IOSXRV9000-LC-C", "BOOTING"})) << "the SW State";
    EXPECT_FALSE(AllNodesUp(admin)) << "no CPU node";
    EXPECT_TRUE(PlatformNodes("").empty());
    EXPECT_FALSE(AllNodesUp(PlatformNodes("")));
    EXPECT_FALSE(AllNodesUp(PlatformNodes("% Invalid input detected at '^' marker.\n")));
}

// --- Install operations --------------------------------------------------------------------

constexpr std::string_view kAddOutput = R"(Mon Dec  7 00:18:41.837 UTC
Dec 07 00:18:41 Install operation 1 started by root:
  install add source harddisk: xrv9k-bgp-1.0.0.0-r613.x86_64.rpm xrv9k-os-supp-1.1.0.1-r613.CSCvb12345.x86_64.rpm
Dec 07 00:18:41 Install operation will continue in the background
)";

constexpr std::string_view kAddLog = R"(Mon Dec  7 00:18:45.854 UTC
Dec 07 00:18:41 Install operation 1 started by root:
  install add source harddisk: xrv9k-bgp-1.0.0.0-r613.x86_64.rpm xrv9k-os-supp-1.1.0.1-r613.CSCvb12345.x86_64.rpm
Dec 07 00:18:41 Install operation will continue in the background
Dec 07 00:18:41 Action 1: install add action, copying xrv9k-bgp-1.0.0.0-r613.x86_64.rpm from harddisk:
Dec 07 00:18:43 Packages added:
Dec 07 00:18:43     xrv9k-bgp-1.0.0.0-r613
Dec 07 00:18:43     xrv9k-os-supp-1.1.0.1-r613.CSCvb12345
Dec 07 00:18:43 Install operation 1 finished successfully
Dec 07 00:18:43 Ending operation 1

)";

// An activation with a reload, then `install commit` typed while it runs, then the async end.
constexpr std::string_view kActivateSession = R"(RP/0/RP0/CPU0:r1#Mon Dec  7 00:18:48.584 UTC
Dec 07 00:18:48 Install operation 2 started by root:
  install activate pkg xrv9k-bgp-1.0.0.0-r613 xrv9k-os-supp-1.1.0.1-r613.CSCvb12345
Dec 07 00:18:48 Package list:
Dec 07 00:18:48     xrv9k-bgp-1.0.0.0-r613
Dec 07 00:18:48     xrv9k-os-supp-1.1.0.1-r613.CSCvb12345

This install operation will reload the system, continue?
 [yes/no]:[yes] Dec 07 00:18:48 Install operation will continue in the background
RP/0/RP0/CPU0:r1#Mon Dec  7 00:18:49.586 UTC
Could not start this install operation. Install operation 2 is still in progress
RP/0/RP0/CPU0:r1#Dec 07 00:18:51 Install operation 2 finished successfully
)";

TEST(ExrTextInstall, AddStartsInTheBackgroundAndFinishes) {
    EXPECT_EQ(StartedOperationId(kAddOutput), 1);
    EXPECT_TRUE(ContinuesInBackground(kAddOutput));
    EXPECT_EQ(OperationEndOf(kAddOutput, 1), OperationEnd::kRunning);
    EXPECT_EQ(OperationEndOf(kAddLog, 1), OperationEnd::kSucceeded);
    EXPECT_EQ(OperationPackages(kAddLog),
              (ExrNames{"xrv9k-bgp-1.0.0.0-r613", "xrv9k-os-supp-1.1.0.1-r613.CSCvb12345"}));
    EXPECT_TRUE(InstallErrors(kAddLog).empty());
}

TEST(ExrTextInstall, ActivationAsksToReloadAndASecondCommandIsRefused) {
    EXPECT_EQ(StartedOperationId(kActivateSession), 2);
    EXPECT_TRUE(AsksToReload(kActivateSession));
    EXPECT_EQ(CouldNotStart(kActivateSession), "Install operation 2 is still in progress");
    EXPECT_EQ(OperationEndOf(kActivateSession, 2), OperationEnd::kSucceeded) << "async message";
    EXPECT_EQ(OperationEndOf(kActivateSession, 1), OperationEnd::kRunning);
    EXPECT_EQ(OperationPackages(kActivateSession),
              (ExrNames{"xrv9k-bgp-1.0.0.0-r613", "xrv9k-os-supp-1.1.0.1-r613.CSCvb12345"}));
    // Real eXR (NCS6K, ASR9K) wording, and what is not a reload question.
    EXPECT_TRUE(AsksToReload("This install operation will reboot the sdr, continue?\n"));
    EXPECT_TRUE(AsksToReload("\nThis install operation will reload the sdr, continue?\n"));
    EXPECT_FALSE(AsksToReload("The system will reload to complete the operation\n"));
    EXPECT_FALSE(AsksToReload(""));
}

TEST(ExrTextInstall, AbortsRefusalsAndTheirReasons) {
    constexpr std::string_view kAborted = R"(Dec 07 00:19:03 Install operation 3 started by root:
  install activate pkg xrv9k-nothere-1.0.0.0-r613
Dec 07 00:19:03 Error:    Package xrv9k-nothere-1.0.0.0-r613 is not present in the software repository
Dec 07 00:19:03 Install operation 3 aborted
)";
    EXPECT_EQ(StartedOperationId(kAborted), 3);
    EXPECT_FALSE(ContinuesInBackground(kAborted));
    EXPECT_EQ(OperationEndOf(kAborted, 3), OperationEnd::kAborted);
    EXPECT_EQ(InstallErrors(kAborted),
              ExrNames{"Package xrv9k-nothere-1.0.0.0-r613 is not present in the software "
                       "repository"});
    EXPECT_EQ(OperationEndOf("May 23 22:57:48 Install operation 28 aborted\n", 2),
              OperationEnd::kRunning)
        << "28 is not 2";
    EXPECT_EQ(OperationEndOf("Install operation 12 finished successfully\n", 1),
              OperationEnd::kRunning);
    EXPECT_EQ(CouldNotStart("Could not start this install operation\n"
                            "Jun 02 20:19:31 Error:    Install operation 56 is in progress\n"),
              "Install operation 56 is in progress");
    EXPECT_EQ(CouldNotStart("Could not start this install operation\n"),
              "Could not start this install operation");
    EXPECT_FALSE(CouldNotStart(kAborted));
    EXPECT_FALSE(StartedOperationId(kActivateSession.substr(kActivateSession.find("Could"))));
    EXPECT_TRUE(NoImpactOperation("Jun 02 ... NO IMPACT OPERATION\n"));
    EXPECT_TRUE(SuIssuCommitPending(
        "ERROR! there was an SU/ISSU done. please perform install commit before this operation"));
    EXPECT_FALSE(NoImpactOperation(kAddLog));
    EXPECT_FALSE(SuIssuCommitPending(kAddLog));
    EXPECT_FALSE(StartedOperationId(""));
    EXPECT_FALSE(StartedOperationId("Install operation 12345678901 started by root:"));
}

TEST(ExrTextInstall, ClassicXrWording) {
    constexpr std::string_view kClassic =
        "Install operation 30 '(admin) install add source tftp://10.0.0.1/images "
        "asr9k-mpls-px.pie-5.3.3 async' started by user 'admin' via CLI at 10:00:00 UTC.\n"
        "The install operation will continue asynchronously.\n";
    EXPECT_EQ(StartedOperationId(kClassic), 30);
    EXPECT_TRUE(ContinuesInBackground(kClassic));
    EXPECT_EQ(OperationEndOf("Install operation 30 completed successfully at 10:05:00 UTC", 30),
              OperationEnd::kSucceeded);
    EXPECT_EQ(OperationEndOf("Install operation 30 completed with failure at 10:05", 30),
              OperationEnd::kSucceeded)
        << "past the point of no return, CSM went on";
    EXPECT_EQ(OperationEndOf("Install operation 30 failed at 10:05:00 UTC", 30),
              OperationEnd::kAborted);
    const std::string request = std::string(kClassic) + "The operation is 10% complete\n";
    EXPECT_EQ(PercentComplete(request, 30), 10);
    EXPECT_FALSE(PercentComplete(request, 31));
    EXPECT_TRUE(NoOperationInProgress("There are no install requests in operation.\n"));
}

TEST(ExrTextInstall, ProgressOfTheRunningOperation) {
    constexpr std::string_view kRequest = R"(Mon Dec  7 00:18:42.846 UTC
User root, Op Id 1
  install add source harddisk: xrv9k-bgp-1.0.0.0-r613.x86_64.rpm
The install operation 1 is 47% complete
)";
    EXPECT_EQ(PercentComplete(kRequest, 1), 47);
    EXPECT_FALSE(PercentComplete(kRequest, 11));
    EXPECT_FALSE(NoOperationInProgress(kRequest));
    EXPECT_EQ(PercentComplete("The install add operation 9 is 40% complete\n", 9), 40);
    EXPECT_EQ(PercentComplete("The install prepare operation 9 is 100% complete", 9), 100);
    const std::string_view idle = "Mon Dec  7 00:18:45.851 UTC\nNo install operation in progress\n";
    EXPECT_TRUE(NoOperationInProgress(idle));
    EXPECT_FALSE(PercentComplete(idle, 1));
    EXPECT_FALSE(PercentComplete("The install operation 1 is complete", 1));
}

TEST(ExrTextInstall, LastOperationOfTheLog) {
    constexpr std::string_view kEgrep = R"(Mon Dec  7 00:19:06.486 UTC
Dec 07 00:19:03 Install operation 4 started by root:
Dec 07 00:19:03 Install operation 3 started by root:
Dec 07 00:18:48 Install operation 2 started by root:
Dec 07 00:18:41 Install operation 1 started by root:
)";
    EXPECT_EQ(LastStartedOperationId(kEgrep), 4);
    EXPECT_EQ(LastStartedOperationId("Install operation 9 started by a:\n"
                                     "Install operation 10 started by b:\n"),
              10)
        << "the highest, whatever the order";
    EXPECT_FALSE(
        LastStartedOperationId("Mon Dec  7 00:18:38.689 UTC\n"
                               "No install operation found in log\n"));
}

TEST(ExrTextInstall, PackagesOfRealEventLogs) {
    // ASR9K eXR `install activate id 25` (CSM's docstring), then a remove and the emulator's
    // `install remove inactive all` that found nothing.
    constexpr std::string_view kLog = R"(Jun 09 15:49:15 Install operation 27 started by root:
install activate id 25
Jun 09 15:49:15 Package list:
Jun 09 15:49:15     asr9k-sysadmin-system-6.1.1.17-r61116I.CSCcv44444.x86_64
Jun 09 15:49:15     asr9k-os-supp-64-3.1.0.1-r61116I.CSCxr90021.x86_64

May 23 21:20:28 Package list:
May 23 21:20:28     ncs6k-5.2.5.47I.CSCux97367-0.0.15.i
May 23 21:20:28     asr9k-os-supp-64-3.1.0.1-r61116I.CSCxr90021.x86_64
May 23 21:20:29 Install operation will continue in the background
)";
    EXPECT_EQ(OperationPackages(kLog),
              (ExrNames{"asr9k-sysadmin-system-6.1.1.17-r61116I.CSCcv44444.x86_64",
                        "asr9k-os-supp-64-3.1.0.1-r61116I.CSCxr90021.x86_64",
                        "ncs6k-5.2.5.47I.CSCux97367-0.0.15.i"}));
    EXPECT_TRUE(OperationPackages(R"(Dec 07 00:19:03 Install operation 4 started by root:
  install remove inactive all
Dec 07 00:19:04 Error:    No inactive package(s) in software repository
Dec 07 00:19:04 Install operation 4 aborted
)")
                    .empty());
    EXPECT_TRUE(OperationPackages("").empty());
}

// --- Package lists -------------------------------------------------------------------------

TEST(ExrTextPackages, EveryEmulatedListing) {
    const ExrNames active{"xrv9k-xr-6.1.3", "xrv9k-mgbl-3.0.0.0-r613"};
    EXPECT_EQ(PackagesOf(R"(Mon Dec  7 00:18:38.660 UTC
Node 0/RP0/CPU0 [RP]
  Boot Partition: xr_lv0
  Active Packages: 2
        xrv9k-xr-6.1.3 version=6.1.3 [Boot image]
        xrv9k-mgbl-3.0.0.0-r613

Node 0/0/CPU0 [LC]
  Boot Partition: xr_lcp_lv0
  Active Packages: 2
        xrv9k-xr-6.1.3 version=6.1.3 [Boot image]
        xrv9k-mgbl-3.0.0.0-r613

)"),
              active);
    EXPECT_EQ(PackagesOf("    Label : 6.1.3\n\n    Active Packages: 2\n"
                         "        xrv9k-xr-6.1.3 version=6.1.3 [Boot image]\n"
                         "        xrv9k-mgbl-3.0.0.0-r613\n"),
              active);
    EXPECT_EQ(PackagesOf("Node 0/RP0/CPU0 [RP]\n  Boot Partition: xr_lv0\n  Committed Packages: 2\n"
                         "        xrv9k-xr-6.1.3 version=6.1.3 [Boot image]\n"
                         "        xrv9k-mgbl-3.0.0.0-r613\n"),
              active);
    const ExrNames inactive{"xrv9k-bgp-1.0.0.0-r613", "xrv9k-os-supp-1.1.0.1-r613.CSCvb12345"};
    EXPECT_EQ(PackagesOf("2 inactive package(s) found:\n    xrv9k-bgp-1.0.0.0-r613\n"
                         "    xrv9k-os-supp-1.1.0.1-r613.CSCvb12345\n"),
              inactive);
    EXPECT_EQ(PackagesOf("    Inactive Packages: 2\n        xrv9k-bgp-1.0.0.0-r613\n"
                         "        xrv9k-os-supp-1.1.0.1-r613.CSCvb12345\n"),
              inactive);
    // Admin plane (its own indentation), with and without packages.
    EXPECT_EQ(PackagesOf(" Node 0/RP0 [RP]\n    Active Packages: 1\n"
                         "       xrv9k-sysadmin-6.1.3 version=6.1.3 [Boot image]\n\n"
                         " Node 0/0 [LC]\n    Active Packages: 1\n"
                         "       xrv9k-sysadmin-6.1.3 version=6.1.3 [Boot image]\n\n"),
              ExrNames{"xrv9k-sysadmin-6.1.3"});
    EXPECT_TRUE(PackagesOf(" Node 0/RP0 [RP]\n    Inactive Packages:\n\n"
                           " Node 0/0 [LC]\n    Inactive Packages:\n\n")
                    .empty());
    EXPECT_TRUE(PackagesOf("    Inactive Packages:\n").empty());
    EXPECT_TRUE(PackagesOf("Mon Dec  7 00:18:38.666 UTC\n"
                           "No inactive package(s) in software repository\n")
                    .empty());
}

TEST(ExrTextPackages, RealExrAndClassicListings) {
    EXPECT_EQ(PackagesOf("Node 0/RP0/CPU0 [RP]\r\n    Boot Partition: xr_lv36\r\n"
                         "    Active Packages: 3\r\n"
                         "        ncs5500-xr-6.1.3 version=6.1.3 [Boot image]\r\n"
                         "        ncs5500-isis-1.1.0.0-r613\r\n"
                         "        ncs5500-mpls-te-rsvp-2.0.0.0-r613\r\n"),
              (ExrNames{"ncs5500-xr-6.1.3", "ncs5500-isis-1.1.0.0-r613",
                        "ncs5500-mpls-te-rsvp-2.0.0.0-r613"}));
    EXPECT_EQ(PackagesOf("Default Profile:\n  SDRs:\n    Owner\n  Active Packages:\n"
                         "    disk0:asr9k-mini-px-5.3.3\n    disk0:asr9k-mpls-px-5.3.3\n\n"),
              (ExrNames{"disk0:asr9k-mini-px-5.3.3", "disk0:asr9k-mpls-px-5.3.3"}))
        << "classic XR: as listed; InternalName drops the disk";
    EXPECT_TRUE(PackagesOf("").empty());
    EXPECT_TRUE(PackagesOf("% Invalid input detected at '^' marker.\n").empty());
    EXPECT_TRUE(TryCommandLater("Install operation in progress. Please try command later\n"));
    EXPECT_FALSE(TryCommandLater("No install operation in progress\n"));
}

TEST(ExrTextPackages, InternalNamesOfPackageFiles) {
    const std::pair<const char*, const char*> cases[] = {
        {"xrv9k-mgbl-3.0.0.0-r613.x86_64.rpm", "xrv9k-mgbl-3.0.0.0-r613"},
        {"xrv9k-os-supp-1.1.0.1-r613.CSCvb12345.x86_64.rpm",
         "xrv9k-os-supp-1.1.0.1-r613.CSCvb12345"},
        {"xrv9k-mini-x-6.2.1.iso", "xrv9k-mini-x-6.2.1"},
        {"ncs5500-k9sec-rpms.6.1.3.tar", "ncs5500-k9sec-rpms.6.1.3"},
        {"ncs5500-mgbl-3.0.0.0-r601.x86_64.rpm-6.0.1", "ncs5500-mgbl-3.0.0.0-r601"},
        {"ncs5500-mini-x.iso-6.0.1", "ncs5500-mini-x-6.0.1"},
        {"ncs6k-mcast.pkg-5.2.4", "ncs6k-mcast-5.2.4"},
        {"ncs6k-mcast.pkg-5.2.5.47I.DT_IMAGE", "ncs6k-mcast-5.2.5.47I"},
        {"asr9k-mcast-x64-2.0.0.0-r61116I.x86_64.rpm-6.1.1.16I.DT_IMAGE",
         "asr9k-mcast-x64-2.0.0.0-r61116I"},
        {"asr9k-mpls-px.pie-5.3.3", "asr9k-mpls-px-5.3.3"},
        {"tftp://10.0.0.1/images/xrv9k-bgp-1.0.0.0-r613.x86_64.rpm", "xrv9k-bgp-1.0.0.0-r613"},
        {"disk0:asr9k-mini-px-5.3.3", "asr9k-mini-px-5.3.3"},
        {"xrv9k-mgbl-3.0.0.0-r613", "xrv9k-mgbl-3.0.0.0-r613"},
        {"weird.rpm-", "weird.rpm-"},
        {".rpm", ".rpm"},
        {"", ""},
    };
    for (const auto& [file, name] : cases) EXPECT_EQ(InternalName(file), name) << file;
}

// --- Captures ------------------------------------------------------------------------------

TEST(ExrTextCapture, CommandFileNames) {
    EXPECT_EQ(CommandFileName("show running-config"), "show-running-config.txt");
    EXPECT_EQ(CommandFileName("show install log reverse | utility egrep \"Install\""),
              "show-install-log-reverse-utility-egrep-Install-.txt");
    EXPECT_EQ(CommandFileName("show isis  neighbor_summary"), "show-isis-neighbor_summary.txt");
    EXPECT_EQ(CommandFileName("../../etc/passwd"), "-etc-passwd.txt");
    EXPECT_EQ(CommandFileName("show caf\xc3\xa9"), "show-caf-.txt") << "ASCII words, as CSM";
    EXPECT_EQ(CommandFileName(""), "-.txt");
    EXPECT_EQ(CommandFileName(std::string(500, 'x')), std::string(200, 'x') + ".txt");
}

TEST(ExrTextCapture, DiffPageShowsHunksWithContextEscaped) {
    const auto html =
        DiffHtml("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nb\nc\nd\n<E & 'x'>\nf\ng\nh\ni\nj\n",
                 "show running-config <r1>");
    EXPECT_NE(html.find("<title>show running-config &lt;r1&gt;</title>"), std::string::npos);
    EXPECT_NE(html.find("@@ -2,7 +2,7 @@"), std::string::npos) << html;
    EXPECT_NE(html.find("<td class=\"t\">+&lt;E &amp; &#39;x&#39;&gt;</td>"), std::string::npos);
    EXPECT_NE(html.find("<tr class=\"del\"><td class=\"n\">5</td><td class=\"n\"></td>"),
              std::string::npos);
    EXPECT_EQ(html.find("> a</td>"), std::string::npos) << "line 1 is beyond the context";
    EXPECT_NE(html.find("> b</td>"), std::string::npos);
    EXPECT_NE(html.find("1 line(s) removed, 1 line(s) added."), std::string::npos);

    const auto same = DiffHtml("x\r\ny\r\n", "x\ny", "t");
    EXPECT_NE(same.find("No differences."), std::string::npos) << "line ends do not count";
    EXPECT_EQ(same.find("<table"), std::string::npos);
    EXPECT_NE(DiffHtml("", "new\n", "t").find("@@ -0,0 +1,1 @@"), std::string::npos);
    EXPECT_NE(DiffHtml("old\n", "", "t").find("@@ -1,1 +0,0 @@"), std::string::npos);
    const auto two = DiffHtml("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
                              "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\nY\n16\n", "t");
    EXPECT_NE(two.find("@@ -1,5 +1,5 @@"), std::string::npos) << two;
    EXPECT_NE(two.find("@@ -12,5 +12,5 @@"), std::string::npos) << "far apart: two hunks";
}

std::size_t ExrCount(const std::string& text, std::string_view part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

TEST(ExrTextCapture, DiffIsMinimalAgainstTheLongestCommonSubsequence) {
    std::mt19937 random(7);
    for (int round = 0; round < 300; ++round) {
        std::vector<std::string> a(random() % 12), b(random() % 12);
        for (auto& line : a) line = std::string(1, static_cast<char>('a' + random() % 4));
        for (auto& line : b) line = std::string(1, static_cast<char>('a' + random() % 4));
        std::vector<std::vector<std::size_t>> lcs(a.size() + 1,
                                                  std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = a.size(); i-- > 0;)
            for (std::size_t j = b.size(); j-- > 0;)
                lcs[i][j] =
                    a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        std::string before, after;
        for (const auto& line : a) before += line + "\n";
        for (const auto& line : b) after += line + "\n";
        const auto html = DiffHtml(before, after, "t");
        EXPECT_EQ(ExrCount(html, "<tr class=\"del\">"), a.size() - lcs[0][0]) << before << after;
        EXPECT_EQ(ExrCount(html, "<tr class=\"add\">"), b.size() - lcs[0][0]) << before << after;
    }
}

TEST(ExrTextCapture, HugeDifferencesStayBounded) {
    std::string before, after;
    for (int i = 0; i < 6000; ++i) {
        before += "interface Gi0/0/0/" + std::to_string(i) + "\n";
        after += "interface Te0/0/0/" + std::to_string(i) + "\n";
    }
    before = "hostname r1\n" + before + "end\n";
    after = "hostname r1\n" + after + "end\n";
    const auto html = DiffHtml(before, after, "t");
    EXPECT_EQ(ExrCount(html, "<tr class=\"del\">"), 6000u);
    EXPECT_EQ(ExrCount(html, "<tr class=\"add\">"), 6000u);
    EXPECT_NE(html.find("@@ -1,6002 +1,6002 @@"), std::string::npos);
}

TEST(ExrTextPackages, ClassicXrPackagesAsListedMatchTheFilesAJobNames) {
    EXPECT_TRUE(SamePackage("disk0:asr9k-mpls-px-5.3.3", "asr9k-mpls-px.pie-5.3.3"));
    EXPECT_TRUE(
        SamePackage("disk0:asr9k-px-5.3.3.CSCuy12345-1.0.0", "asr9k-px-5.3.3.CSCuy12345.pie"));
    EXPECT_TRUE(SamePackage("xrv9k-mgbl-3.0.0.0-r621", "xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm"));
    EXPECT_FALSE(SamePackage("disk0:asr9k-mpls-px-5.3.3", "asr9k-mpls-px.pie-6.1.3"));
    EXPECT_FALSE(
        SamePackage("disk0:asr9k-px-5.3.3.CSCuy12345-beta", "asr9k-px-5.3.3.CSCuy12345.pie"));
    EXPECT_FALSE(SamePackage("asr9k-mpls-px-5.3.3", "asr9k-mpls-px"));
}

TEST(ExrTextPackages, AnEmptyClassicListHasNoPackageNamedNo) {
    EXPECT_TRUE(PackagesOf("Default Profile:\n  SDRs:\n    Owner\n  Inactive Packages:\n"
                           "    No packages.\n")
                    .empty());
    EXPECT_EQ(PackagesOf("  Active Packages:\n    disk0:asr9k-mini-px-5.3.3\n"),
              (std::vector<std::string>{"disk0:asr9k-mini-px-5.3.3"}));
}

TEST(ExrTextOperations, TheLogSaysWhetherTheOperationReloads) {
    EXPECT_TRUE(OperationReloads("Install logs:\n    Info:     Install Method: Parallel Reload\n"));
    EXPECT_TRUE(
        OperationReloads("Dec 07 02:31:06 The system will reload to complete the operation"));
    EXPECT_FALSE(OperationReloads("Info:     Install Method: Parallel Process Restart\n"));
}

TEST(ExrTextOperations, ClassicXrRefusesWhileAnotherOperationRuns) {
    EXPECT_EQ(CouldNotStart("Error:    Cannot proceed with the operation as another install "
                            "command is currently in operation.\nError:    Please retry\n"),
              "Cannot proceed with the operation as another install command is currently in "
              "operation.");
}

}  // namespace
}  // namespace escd::orchestrator::csm
