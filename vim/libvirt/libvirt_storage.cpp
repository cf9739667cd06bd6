// LibvirtAdapter: escd's storage pool, and the volumes of images and volumes in it.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_adapter.hpp"
#include "vim/libvirt/libvirt_handles.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd::vim {
using namespace libvirt;

namespace {
[[noreturn]] void Fail(const std::string& what) {
    throw Error(ErrorCode::kVimError, what + ": " + LastError());
}

std::string VolumeName(const std::string& kind, const std::string& internal_id) {
    return "escd-" + kind + "-" + internal_id;
}

std::string PoolXml(const std::string& name, const std::string& dir) {
    pugi::xml_document doc;
    auto pool = doc.append_child("pool");
    pool.append_attribute("type").set_value("dir");
    pool.append_child("name").text().set(name.c_str());
    pool.append_child("target").append_child("path").text().set(dir.c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return out.str();
}

std::string VolumeXml(const VolumeRequest& request) {
    pugi::xml_document doc;
    auto volume = doc.append_child("volume");
    volume.append_child("name").text().set(VolumeName(request.kind, request.internal_id).c_str());
    auto capacity = volume.append_child("capacity");
    capacity.append_attribute("unit").set_value("bytes");
    capacity.text().set(static_cast<unsigned long long>(request.capacity_bytes));
    // An uploaded image keeps its own format (the bytes are copied as they are).
    volume.append_child("target").append_child("format").append_attribute("type").set_value(
        request.format.c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return out.str();
}

// qemu runs as a user of its own (libvirt-qemu on Debian), not as escd or libvirtd: libvirt
// hands it the disk files, but every directory above them must be searchable by others, or
// each VM fails to start with "Permission denied". Said once, when escd defines its pool.
void WarnIfQemuCannotReach(const std::string& dir) {
    std::error_code ec;
    for (auto path = std::filesystem::absolute(dir, ec); !ec && !path.empty();
         path = path.parent_path()) {
        const auto perms = std::filesystem::status(path, ec).permissions();
        if (!ec && (perms & std::filesystem::perms::others_exec) == std::filesystem::perms::none) {
            ESCD_WARN("vim") << "storage dir " << dir << ": " << path.string()
                             << " is not searchable by other users, so qemu (which runs as a "
                                "user of its own) cannot open the VMs' disks; choose a "
                                "storage_dir below directories with o+x";
            return;
        }
        if (path == path.root_path()) return;
    }
}

// Streams `path` into `volume`. Returns false (with nothing sent) when the driver has no upload.
bool Upload(virConnectPtr conn,
            virStorageVolPtr volume,
            const std::string& path,
            std::uint64_t size) {
    Stream stream(virStreamNew(conn, 0));
    if (!stream) Fail("cannot open a libvirt stream");
    if (virStorageVolUpload(volume, stream.get(), 0, size, 0) != 0) {
        if (LastErrorCode() == VIR_ERR_NO_SUPPORT) return false;
        Fail("cannot start the volume upload");
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        virStreamAbort(stream.get());
        throw Error(ErrorCode::kInternal, "cannot open " + path);
    }
    std::vector<char> buffer(1 << 20);
    std::uint64_t sent = 0;
    while (true) {
        auto n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            ::close(fd);
            virStreamAbort(stream.get());
            throw Error(ErrorCode::kInternal, "cannot read " + path);
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            int wrote =
                virStreamSend(stream.get(), buffer.data() + off, static_cast<std::size_t>(n - off));
            if (wrote < 0) {
                ::close(fd);
                virStreamAbort(stream.get());
                Fail("volume upload failed after " + std::to_string(sent) + " bytes");
            }
            off += wrote;
            sent += static_cast<std::uint64_t>(wrote);
        }
    }
    ::close(fd);
    if (sent != size) {
        virStreamAbort(stream.get());
        throw Error(ErrorCode::kVimError, path + " changed during the upload (" +
                                              std::to_string(sent) + " of " + std::to_string(size) +
                                              " bytes)");
    }
    if (virStreamFinish(stream.get()) != 0) Fail("volume upload did not finish");
    return true;
}
}  // namespace

virStoragePoolPtr LibvirtAdapter::EscdPool(virConnectPtr conn) {
    const auto& name = options_.storage_pool;
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name.c_str());
    if (!pool) {
        auto dir = options_.storage_dir.empty() ? std::string("/var/lib/escd/vim-storage")
                                                : options_.storage_dir;
        if (options_.uri.rfind("test:", 0) != 0) {
            std::error_code ec;
            std::filesystem::create_directories(dir, ec);  // libvirt's build does too; be early
            WarnIfQemuCannotReach(dir);
        }
        pool = virStoragePoolDefineXML(conn, PoolXml(name, dir).c_str(), 0);
        if (!pool) Fail("cannot define storage pool " + name);
        ESCD_INFO("vim") << "defined storage pool " << name << " at " << dir;
        virStoragePoolBuild(pool, 0);  // may exist already; Create reports real problems
        virStoragePoolSetAutostart(pool, 1);
    }
    if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) != 0) {
        std::string why = LastError();
        virStoragePoolFree(pool);
        throw Error(ErrorCode::kVimError, "cannot start storage pool " + name + ": " + why);
    }
    return pool;
}

VimObject LibvirtAdapter::CreateVolumeNow(const VolumeRequest& request) {
    ConnectionRef conn(Ref());
    Pool pool(EscdPool(conn.get()));
    const auto name = VolumeName(request.kind, request.internal_id);

    // A volume of this id left by an interrupted create may be incomplete: replace it.
    if (Volume stale{virStorageVolLookupByName(pool.get(), name.c_str())}) {
        if (virStorageVolDelete(stale.get(), 0) != 0) Fail("cannot replace volume " + name);
        ESCD_WARN("vim") << "replaced the leftover volume " << name;
    }
    Volume volume(virStorageVolCreateXML(pool.get(), VolumeXml(request).c_str(), 0));
    if (!volume) Fail("cannot create volume " + name);

    VimObject out;
    if (!request.source_file.empty()) {
        bool uploaded = false;
        try {
            uploaded =
                Upload(conn.get(), volume.get(), request.source_file, request.capacity_bytes);
        } catch (...) {
            virStorageVolDelete(volume.get(), 0);  // no half volume stays behind
            throw;
        }
        if (!uploaded) {
            out.note = "the VIM driver cannot upload volume data (" + uri_ +
                       "); the volume has the image's size but holds no data";
        }
    }
    const char* key = virStorageVolGetKey(volume.get());
    if (!key) Fail("cannot read the key of volume " + name);
    out.external_id = key;
    ESCD_INFO("vim") << "created volume " << name << " (" << request.capacity_bytes
                     << " bytes) key " << out.external_id;
    return out;
}

asio::awaitable<VimObject> LibvirtAdapter::CreateVolume(const VolumeRequest& request) {
    co_return co_await Offload(pool_, [this, &request] { return CreateVolumeNow(request); });
}

asio::awaitable<void> LibvirtAdapter::DeleteVolume(const std::string& kind,
                                                   const std::string& internal_id) {
    co_await Offload(pool_, [this, &kind, &internal_id] {
        ConnectionRef conn(Ref());
        Pool pool(EscdPool(conn.get()));
        const auto name = VolumeName(kind, internal_id);
        Volume volume(virStorageVolLookupByName(pool.get(), name.c_str()));
        if (!volume) {
            if (LastErrorCode() == VIR_ERR_NO_STORAGE_VOL) return 0;  // gone already: done
            Fail("cannot look up volume " + name);
        }
        if (virStorageVolDelete(volume.get(), 0) != 0) Fail("cannot delete volume " + name);
        ESCD_INFO("vim") << "deleted volume " << name;
        return 0;
    });
}

}  // namespace escd::vim
