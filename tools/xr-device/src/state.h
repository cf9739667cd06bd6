// Device configuration (device.conf) and the persistent package/operation database that lives in
// the state directory. Every process of a device (CLI sessions, background install workers, the
// reloader) shares these files, so all read-modify-write goes through Db under an flock.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace xr {

struct Card {
    std::string node;   // XR node name, e.g. 0/RP0/CPU0 or 0/FC0
    std::string type;   // card type shown by show platform, e.g. NC55-RP
    std::string descr;  // inventory DESCR
    std::string sn;     // serial number
    bool rp = false;    // route processor: shown with (Active)
    bool cpu = false;   // runs IOS XR (state IOS XR RUN) rather than OPERATIONAL
};

struct Config {
    std::string state_dir;
    std::string os = "exr";  // exr (IOS XR 64-bit) | classic (IOS XR 32-bit, e.g. ASR9K 5.3.3)
    std::string hostname = "ios";
    std::string platform = "IOS-XRv 9000";  // text of the "cisco <platform> () processor" line
    std::string chassis_pid, chassis_descr, serial, pkg_prefix;
    std::string version = "6.1.3";  // version of the boot image on first start
    std::string username = "cisco", password = "cisco";
    std::string reload_command;
    std::string initial_packages;  // optional rpms active+committed at first start
    std::string reload_patterns;   // substrings of package names whose activation reloads
    int reload_seconds = 60;
    int reload_delay = 2;         // seconds between "finished successfully" and the reload
    int op_seconds = 3;           // artificial duration of every install operation
    int fetch_timeout = 120;      // curl --max-time per package
    int node_settle_seconds = 0;  // after a reload, line cards are BOOTING this long
    bool async_messages = true;
    // reload_command reboots the machine (a VM): from the reload until the next boot (--boot)
    // every new login is refused, so that none lands on the system that is going down.
    bool reload_reboots = false;
    std::vector<Card> cards;  // derived from the platform
    std::string rp_node() const;
    bool classic() const { return os == "classic"; }
};

// Loads device.conf from the state dir; unknown keys are ignored, missing file means defaults.
// A non-empty os_override (--os) replaces the os key of device.conf.
Config load_config(const std::string& state_dir, const std::string& os_override = "");

struct Package {
    std::string
        name;  // internal name as shown in show install inactive, e.g. xrv9k-mgbl-3.0.0.0-r613
    std::string file;     // file in repo/ it came from ("" for the factory image)
    std::string kind;     // image | rpm
    std::string version;  // release for images (6.2.1); release tag digits for rpms (613)
    bool reload = false;  // activating/deactivating it reloads the system
    int add_op = 0;       // install add operation that brought it
};

struct Op {
    int id = 0;
    std::string kind;  // add | activate | deactivate | remove | commit
    std::string user, command;
    std::string status = "running";  // running | success | aborted
    int percent = 0;
    long start = 0, end = 0;
    int worker_pid = 0;
    bool reload = false;
    std::vector<std::string> packages;
};

class Db {
  public:
    explicit Db(const Config& cfg);
    // Exclusive lock on the state dir, held while the object lives (RAII). It opens its own file
    // description so a forked worker never shares the session's lock.
    class Lock {
      public:
        explicit Lock(const std::string& dir);
        ~Lock();
        Lock(const Lock&) = delete;
        Lock& operator=(const Lock&) = delete;

      private:
        int fd_;
    };

    void load();  // call with the lock held
    void save();  // call with the lock held
    std::string dir() const { return dir_; }
    std::string repo_dir() const { return dir_ + "/repo"; }

    std::vector<Package> packages;
    std::vector<std::string> active, committed;
    std::vector<std::string> pending_active;  // applied by the next reload (reload activation)
    bool has_pending = false;
    int next_op = 1;
    int current_op = 0;
    long boot_time = 0;     // epoch when the system (last) came up
    long reload_until = 0;  // device is down until then
    // Set by every reload (its software is in place), cleared by the next boot_device (--boot):
    // in a VM, reload_command reboots the guest and the boot completes the reload. Only
    // boot_device reads it; on a host nothing boots and it stays set.
    bool reloading = false;

    Package* find(const std::string& name);
    bool is_active(const std::string& name) const;
    bool is_committed(const std::string& name) const;
    std::string image_version() const;  // version of the active boot image

    Op load_op(int id) const;
    void save_op(const Op& op) const;
    std::vector<int> op_ids() const;
    std::vector<std::string> op_log(int id) const;
    // Appends one line to an operation's log, stamped with ts_install(now) unless stamped is
    // false (the command under "started by"). detail_only lines are shown only by
    // "show install log N detail".
    void log(int id, const std::string& text, bool detail_only = false, bool stamped = true) const;
    void syslog(const std::string& process, const std::string& msg) const;
    // True when the op is marked running but its worker is gone (killed, machine restarted).
    bool op_stale(const Op& op) const;

  private:
    void init_factory();
    Config cfg_;
    std::string dir_;
};

// Canonical internal name for something typed by a user or found as a file name:
// strips .x86_64.rpm / .rpm / .iso and the "-6.0.1" tail of external names like
// ncs5500-mgbl-3.0.0.0-r601.x86_64.rpm-6.0.1.
std::string internal_name(const std::string& file_or_name);
// Release of an image file name (ncs5500-mini-x-6.2.1.iso -> 6.2.1), "" when none.
std::string image_version_of(const std::string& name);
bool is_image_name(const std::string& name);
// The digits of an rpm's release tag (xrv9k-mgbl-3.0.0.0-r613 -> 613), "" when none.
std::string rpm_release(const std::string& name);
std::string release_digits(const std::string& version);  // 6.2.1 -> 621

// Classic IOS XR names. The name a package file gets on the device (without its disk0:):
// asr9k-mpls-px.pie-5.3.3 and asr9k-mpls-px-5.3.3.pie -> asr9k-mpls-px-5.3.3, an SMU or
// service pack asr9k-px-5.3.3.CSCuy12345.pie -> asr9k-px-5.3.3.CSCuy12345-1.0.0; a disk prefix
// (disk0:) and a directory are dropped.
std::string classic_internal_name(const std::string& file_or_name);
// The release of a classic package (asr9k-px-5.3.3.CSCuy12345-1.0.0 -> 5.3.3), "" when none.
std::string classic_release_of(const std::string& name);
// Whether a classic package is the boot image (the mini pie: asr9k-mini-px-5.3.3).
bool is_classic_image_name(const std::string& name);

// Live CLI sessions are registered as files sessions/<pid> so that a reload can end them and
// "show users" can list them.
void register_session(const std::string& dir, const std::string& user, const std::string& line);
void unregister_session(const std::string& dir);
struct SessionInfo {
    int pid;
    std::string user, line, from;
    long since;
};
std::vector<SessionInfo> live_sessions(const std::string& dir);

}  // namespace xr
