// Helpers the install operations of both modes share (install.cpp: IOS XR 64-bit,
// classic_install.cpp: classic IOS XR): time, the detached background worker, an operation's
// start and end, what a command names and whether it may act on it, and the parts of the workers
// that are the same (install add, the next active set, remove, commit). What differs between the
// modes comes in as parameters: texts, how package files are named, platform prefixes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fetch.h"
#include "session.h"
#include "state.h"

namespace xr {

long now_s();               // seconds since the epoch
void pause_s(double secs);  // sleeps; nothing for secs <= 0
// Double fork + setsid: the worker is re-parented to init, has no controlling terminal and keeps
// running after the session (and its sshd/telnetd connection) is gone. A non-zero op_id gets the
// worker's pid recorded in the operation (a dead worker then counts as aborted).
void spawn_detached(const std::string& dir, int op_id, std::function<void()> fn);
void set_percent(Db& db, int id, int pct);
// "y"/"yes" (any case); an empty answer counts when empty_is_yes.
bool yes(const std::string& answer, bool empty_is_yes);
// Whether the name contains one of the comma-separated substrings of reload_patterns.
bool matches_reload_pattern(const Config& c, const std::string& name);

// --- an operation's start and end (install.cpp) ------------------------------------------------
// Starts operation `kind` (the next id, running from now, by the session's user) unless another
// one runs: then an Op with id 0, and busy gets the running one's id. A running operation whose
// worker died is marked aborted first; log_aborted logs its end. Call with the db lock held.
Op start_op(Session& s,
            const std::string& kind,
            const std::string& command,
            int& busy,
            const std::function<void(const Op&)>& log_aborted);
// Marks operation id ended at time t, successfully or aborted; it is no longer the current one.
void end_op(Db& db, int id, bool ok, long t);

// --- what a command names, and whether it may act on it (install.cpp) -------------------------
// How a mode's install commands find the packages they name, and what they say when they refuse;
// "%s" in a text stands for the word or the package concerned.
struct Naming {
    const Package* (*find)(Session& s, const std::string& typed);  // a package by what was typed
    bool completed_only = true;  // by id: only completed install add operations count
    std::string not_add_op;      // by id: the operation is no (completed) install add
    std::string not_found;       // no package of that name
    std::string already_active, not_active, boot_image;  // install activate / deactivate
    std::string active, committed;                       // install remove
};
// The packages `words` name: after "id", the packages (still in the repository) of these install
// add operations; otherwise each word as naming.find resolves it. Stops at the first word that
// names nothing, with error set. Call with the db lock held.
std::vector<std::string> named_packages(Session& s,
                                        const std::vector<std::string>& words,
                                        const Naming& naming,
                                        std::string& error);
// Why pkgs cannot be (de)activated, or ""; reload: whether one of them reloads the system.
std::string activation_refusal(Db& db,
                               const std::vector<std::string>& pkgs,
                               bool deactivate,
                               const Naming& naming,
                               bool& reload);
// Why pkgs cannot be removed (one is active or committed), or "".
std::string removal_refusal(const Db& db,
                            const std::vector<std::string>& pkgs,
                            const Naming& naming);

// --- install add (fetch.cpp) -------------------------------------------------------------------
// Asks for the password of a source that needs one (ftp://user@host/... without it).
void ask_password(Session& s, Source& src);
// What install add does differently in the two modes.
struct AddRules {
    std::function<void(Db& db, const std::string& file)> copying;  // before a copy; may be empty
    std::function<std::string(const std::string& file, const std::string& err)> copy_failed;
    std::function<bool(const std::string& member)> keep;  // the packages of a tar; empty: all
    std::function<std::string(const std::string& tar, const std::string& err)> unpack_failed;
    // Fills in name, kind and version of the package in file p.file (p.version: the version the
    // file states, if any); returns why it cannot be added, or "".
    std::function<std::string(Package& p)> describe;
    std::function<void(Db& db, const std::vector<std::string>& names)> added;  // logs them
    std::function<void(Db& db, bool ok, const std::string& error)> finish;     // ends the op
};
// The install add worker: copies files from src into the repository, unpacks tar
// bundles, and registers the packages as added by operation id; pauses op_seconds in all.
void add_files(const Config& cfg,
               const Source& src,
               const std::vector<std::string>& files,
               int id,
               const AddRules& rules);
// Whether a package name starts with one of the platform prefixes, but not with cfg's.
bool other_platform(const Config& cfg,
                    const std::string& name,
                    const std::vector<std::string>& prefixes);

// --- the other workers' common parts (install.cpp) ---------------------------------------------
// How a mode compares the releases of packages when (de)activating.
struct Releases {
    std::function<std::string(const Package&)> of;  // "" when it has none
    // Whether activating pkg drops the active package `active` (another release of it); may be
    // empty.
    std::function<bool(const std::string& pkg, const std::string& active)> replaces;
};
// The progress of an activation: 20% more every quarter of op_seconds.
void activation_progress(const Config& cfg, Db& db, int id);
// The active set after (de)activating pkgs (a new boot image drops the active packages of other
// releases), or with reload the one the next reload boots.
void set_active(Db& db,
                const std::vector<std::string>& pkgs,
                bool deactivate,
                bool reload,
                const Releases& releases);
// Deletes the packages `goes` picks (the database is loaded) from the repository; their names.
std::vector<std::string> remove_packages(Db& db, const std::function<bool(const Package&)>& goes);
// The active software becomes the committed software.
void commit_active(Db& db);

}  // namespace xr
