// Where "install add source <src>" and "scp" take files from, and how they are copied: remote
// repositories through curl (tftp, ftp, sftp, scp, http), device disks (harddisk:) by a copy.
// fetch.cpp also holds the scp command and the install add worker of both modes (ops.h).
#pragma once

#include <string>
#include <vector>

#include "session.h"
#include "state.h"

namespace xr {

struct Source {
    std::string scheme;  // tftp | ftp | sftp | scp | http | https | local
    std::string user, password;
    bool has_password = false;
    std::string base;       // scheme://host[:port]/dir without user info, for curl
    std::string local_dir;  // for scheme local
    std::string shown;      // the source as it may be printed (never with the password)
};

// Parses tftp://host[;vrf]/dir, ftp|sftp|scp://user[:pass]@host[;vrf]/dir, http(s)://...,
// harddisk:[/dir], disk0:..., or an absolute path. Returns false with a reason on bad input.
bool parse_source(const Config& c, const std::string& src, Source& out, std::string& err);
bool needs_password(const Source& s);

// Copies one file; err gets a one-line reason on failure.
bool fetch_file(const Config& c,
                const Source& s,
                const std::string& file,
                const std::string& dest,
                std::string& err);
// Fetches user@host:/path (the scp command) into dest.
bool scp_fetch(const Config& c,
               const std::string& user,
               const std::string& password,
               const std::string& host,
               const std::string& path,
               const std::string& dest,
               std::string& err);

// Unpacks the .rpm/.iso members of a tar bundle into dir; returns the member file names.
std::vector<std::string> untar(const std::string& tar_path,
                               const std::string& dir,
                               std::string& err);

// key=value attributes a test package may carry in its first 4 KiB (reload=yes, version=6.2.1).
std::string package_attr(const std::string& path, const std::string& key);

// The scp command (both modes): copies user@host:/path to a device disk, asking the password.
void scp_command(Session& s, const std::string& source, const std::string& dest);

}  // namespace xr
