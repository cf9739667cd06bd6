#pragma once
/// @file
/// RAII owners of libvirt objects, and libvirt's last error as text. libvirt reports failures
/// per thread (virGetLastError), so read it on the thread that made the failing call.

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <memory>
#include <string>

namespace escd::vim::libvirt {

struct NetworkFree {
    void operator()(virNetworkPtr p) const { virNetworkFree(p); }
};
struct PoolFree {
    void operator()(virStoragePoolPtr p) const { virStoragePoolFree(p); }
};
struct VolumeFree {
    void operator()(virStorageVolPtr p) const { virStorageVolFree(p); }
};
struct StreamFree {
    void operator()(virStreamPtr p) const { virStreamFree(p); }
};
struct ConnectClose {
    void operator()(virConnectPtr p) const { virConnectClose(p); }
};
struct DomainFree {
    void operator()(virDomainPtr p) const { virDomainFree(p); }
};
struct SnapshotFree {
    void operator()(virDomainSnapshotPtr p) const { virDomainSnapshotFree(p); }
};

using Network = std::unique_ptr<virNetwork, NetworkFree>;
using Pool = std::unique_ptr<virStoragePool, PoolFree>;
using Volume = std::unique_ptr<virStorageVol, VolumeFree>;
using Stream = std::unique_ptr<virStream, StreamFree>;
/// A counted reference to the adapter's connection (virConnectRef), so that a long call (a
/// volume upload) holds no lock while a reconnect swaps the adapter's connection.
using ConnectionRef = std::unique_ptr<virConnect, ConnectClose>;
using Domain = std::unique_ptr<virDomain, DomainFree>;
using Snapshot = std::unique_ptr<virDomainSnapshot, SnapshotFree>;

inline std::string LastError() {
    const char* message = virGetLastErrorMessage();
    return message ? message : "unknown libvirt error";
}

/// virErrorNumber of the last error on this thread (VIR_ERR_OK when none).
inline int LastErrorCode() {
    virErrorPtr error = virGetLastError();
    return error ? error->code : VIR_ERR_OK;
}

/// Frees a string libvirt allocated.
inline std::string Take(char* text) {
    std::string out = text ? text : "";
    free(text);
    return out;
}

}  // namespace escd::vim::libvirt
