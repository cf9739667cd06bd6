// LibvirtAdapter: escd's storage pool on each host, and the volumes of images, volumes and
// config drives (made by CreateVm, libvirt_domains.cpp) in it.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <sstream>
#include <vector>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_host.hpp"
#include "vim/libvirt/network_xml.hpp"

namespace escd::vim {
using namespace libvirt;

std::string libvirt::VolumeName(VolumeKind kind, const std::string& internal_id) {
    return "escd-" + std::string(ToString(kind)) + "-" + internal_id;
}

std::string libvirt::VolumeXml(const std::string& name,
                               std::uint64_t capacity,
                               const std::string& format) {
    pugi::xml_document doc;
    auto volume = doc.append_child("volume");
    volume.append_child("name").text().set(name.c_str());
    auto size = volume.append_child("capacity");
    size.append_attribute("unit").set_value("bytes");
    size.text().set(static_cast<unsigned long long>(capacity));
    // Sparse: a blank disk takes no space until written (an upload fills what it writes).
    volume.append_child("allocation").text().set(0);
    volume.append_child("target").append_child("format").append_attribute("type").set_value(
        format.c_str());
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return out.str();
}

std::pair<std::uint64_t, std::string> libvirt::ShapeOf(virStorageVolPtr volume) {
    virStorageVolInfo info;
    if (virStorageVolGetInfo(volume, &info) != 0) Fail("cannot read a volume's size");
    pugi::xml_document doc;
    doc.load_string(Take(virStorageVolGetXMLDesc(volume, 0)).c_str());
    std::string format =
        doc.document_element().child("target").child("format").attribute("type").value();
    return {info.capacity, format.empty() ? "raw" : format};
}

bool libvirt::DeleteStaleVolume(virStoragePoolPtr pool, const std::string& name) {
    Volume stale(virStorageVolLookupByName(pool, name.c_str()));
    if (!stale) return false;
    if (virStorageVolDelete(stale.get(), 0) != 0) Fail("cannot replace volume " + name);
    return true;
}

namespace {

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

// Reads the next bytes of what is uploaded into `buffer` (at most `size`); 0 at its end.
using ReadSome = std::function<std::size_t(char* buffer, std::size_t size)>;

// Streams `size` bytes that `read` gives into `volume` (`what` names them for errors). Returns
// false (with nothing read or sent) when the driver has no upload.
bool Upload(virConnectPtr conn,
            virStorageVolPtr volume,
            const std::string& what,
            std::uint64_t size,
            const ReadSome& read) {
    Stream stream(virStreamNew(conn, 0));
    if (!stream) Fail("cannot open a libvirt stream");
    if (virStorageVolUpload(volume, stream.get(), 0, size, 0) != 0) {
        if (LastErrorCode() == VIR_ERR_NO_SUPPORT) return false;
        Fail("cannot start the volume upload");
    }
    try {
        std::vector<char> buffer(1 << 20);
        std::uint64_t sent = 0;
        while (const auto n = read(buffer.data(), buffer.size())) {
            for (std::size_t off = 0; off < n;) {
                int wrote = virStreamSend(stream.get(), buffer.data() + off, n - off);
                if (wrote < 0)
                    Fail("volume upload failed after " + std::to_string(sent) + " bytes");
                off += static_cast<std::size_t>(wrote);
                sent += static_cast<std::uint64_t>(wrote);
            }
        }
        if (sent != size) {
            throw VimError(ErrorCode::kVimError, what + " changed during the upload (" +
                                                     std::to_string(sent) + " of " +
                                                     std::to_string(size) + " bytes)");
        }
    } catch (...) {
        virStreamAbort(stream.get());
        throw;
    }
    if (virStreamFinish(stream.get()) != 0) Fail("volume upload did not finish");
    return true;
}

// Upload() of the file at `path`, opened once the driver accepted the upload.
bool UploadFile(virConnectPtr conn,
                virStorageVolPtr volume,
                const std::string& path,
                std::uint64_t size) {
    int fd = -1;
    const ReadSome read = [&fd, &path](char* buffer, std::size_t capacity) {
        if (fd < 0 && (fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0)
            throw Error(ErrorCode::kInternal, "cannot open " + path);
        const auto n = ::read(fd, buffer, capacity);
        if (n < 0) throw Error(ErrorCode::kInternal, "cannot read " + path);
        return static_cast<std::size_t>(n);
    };
    try {
        const bool uploaded = Upload(conn, volume, path, size, read);
        if (fd >= 0) ::close(fd);
        return uploaded;
    } catch (...) {
        if (fd >= 0) ::close(fd);
        throw;
    }
}

// Upload() of `bytes`.
bool UploadBytes(virConnectPtr conn, virStorageVolPtr volume, std::string_view bytes) {
    std::size_t offset = 0;
    const ReadSome read = [&bytes, &offset](char* buffer, std::size_t capacity) {
        const auto n = bytes.copy(buffer, capacity, offset);
        offset += n;
        return n;
    };
    return Upload(conn, volume, "the data", bytes.size(), read);
}
}  // namespace

virStoragePoolPtr LibvirtAdapter::EscdPool(virConnectPtr conn) {
    const auto& name = options_.storage_pool;
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name.c_str());
    if (!pool) {
        auto dir = options_.storage_dir.empty() ? std::string("/var/lib/escd/vim-storage")
                                                : options_.storage_dir;
        const char* driver = virConnectGetType(conn);
        if (!driver || std::string_view(driver) != "TEST") {
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
        throw VimError(ErrorCode::kVimError, "cannot start storage pool " + name + ": " + why);
    }
    return pool;
}

VimObject LibvirtAdapter::CreateVolumeOn(Host& host,
                                         const VolumeRequest& request,
                                         std::string_view contents) {
    ConnectionRef conn(Ref(host));
    Pool pool(EscdPool(conn.get()));
    const auto name = VolumeName(request.kind, request.internal_id);

    if (DeleteStaleVolume(pool.get(), name))
        ESCD_WARN("vim") << "replaced the leftover volume " << name;
    // An uploaded image keeps its own format (the bytes are copied as they are).
    const auto xml = VolumeXml(name, request.capacity_bytes, request.format);
    Volume volume(virStorageVolCreateXML(pool.get(), xml.c_str(), 0));
    if (!volume) Fail("cannot create volume " + name);

    VimObject out;
    if (!request.source_file.empty() || !contents.empty()) {
        bool uploaded = false;
        try {
            uploaded = request.source_file.empty()
                           ? UploadBytes(conn.get(), volume.get(), contents)
                           : UploadFile(conn.get(), volume.get(), request.source_file,
                                        request.capacity_bytes);
        } catch (...) {
            virStorageVolDelete(volume.get(), 0);  // no half volume stays behind
            throw;
        }
        if (!uploaded) {
            out.note = "the VIM driver cannot upload volume data (" + host.uri +
                       "); the volume has the image's size but holds no data";
        }
    }
    const char* key = virStorageVolGetKey(volume.get());
    if (!key) Fail("cannot read the key of volume " + name);
    out.external_id = key;
    ESCD_INFO("vim") << "created volume " << name << " (" << request.capacity_bytes
                     << " bytes) key " << out.external_id
                     << (hosts_.size() > 1 ? " on host " + host.name : std::string());
    return out;
}

VimObject LibvirtAdapter::CreateVolumeNow(const VolumeRequest& request) {
    // An image may be needed on any host a VM is placed on: every host gets it.
    if (request.kind == VolumeKind::kImage) {
        VimObject first;
        for (auto& host : hosts_) {
            auto made = CreateVolumeOn(*host, request);
            if (first.external_id.empty()) first = made;
        }
        return first;
    }
    return CreateVolumeOn(DefaultHost(), request);  // a blank volume: where no VM is yet
}

asio::awaitable<VimObject> LibvirtAdapter::CreateVolume(const VolumeRequest& request) {
    co_return co_await Offload(pool_, [this, &request] { return CreateVolumeNow(request); });
}

void LibvirtAdapter::DeleteVolumeOn(Host& host, const std::string& name) {
    ConnectionRef conn(Ref(host));
    Pool pool(EscdPool(conn.get()));
    Volume volume(virStorageVolLookupByName(pool.get(), name.c_str()));
    if (!volume) {
        if (LastErrorCode() == VIR_ERR_NO_STORAGE_VOL) return;  // gone already: done
        Fail("cannot look up volume " + name);
    }
    if (virStorageVolDelete(volume.get(), 0) != 0) Fail("cannot delete volume " + name);
    ESCD_INFO("vim") << "deleted volume " << name
                     << (hosts_.size() > 1 ? " on host " + host.name : std::string());
}

std::vector<std::string> LibvirtAdapter::VolumesStartingWith(Host& host,
                                                             const std::string& prefix) {
    ConnectionRef conn(Ref(host));
    Pool pool(EscdPool(conn.get()));
    std::vector<std::string> out;
    virStorageVolPtr* volumes = nullptr;
    const int n = virStoragePoolListAllVolumes(pool.get(), &volumes, 0);
    for (int i = 0; i < n; ++i) {
        Volume volume(volumes[i]);
        const char* name = virStorageVolGetName(volume.get());
        if (name && std::string_view(name).starts_with(prefix)) out.emplace_back(name);
    }
    free(volumes);
    return out;
}

bool LibvirtAdapter::HasVolumeOn(Host& host, const std::string& name) {
    ConnectionRef conn(Ref(host));
    Pool pool(EscdPool(conn.get()));
    Volume volume(virStorageVolLookupByName(pool.get(), name.c_str()));
    if (!volume && LastErrorCode() != VIR_ERR_NO_STORAGE_VOL) Fail("cannot look up volume " + name);
    return static_cast<bool>(volume);
}

asio::awaitable<void> LibvirtAdapter::DeleteVolume(VolumeKind kind,
                                                   const std::string& internal_id) {
    co_await Offload(pool_, [this, &kind, &internal_id] {
        // Wherever it is: images are on every host, a config drive on its VM's, a volume on
        // the host it was made on.
        for (auto& host : hosts_) DeleteVolumeOn(*host, VolumeName(kind, internal_id));
        return 0;
    });
}

namespace {
// Streams the bytes of `from` into `to`. False (nothing sent) when either driver cannot.
bool Transfer(virConnectPtr from_conn,
              virStorageVolPtr from,
              virConnectPtr to_conn,
              virStorageVolPtr to) {
    Stream down(virStreamNew(from_conn, 0));
    Stream up(virStreamNew(to_conn, 0));
    if (!down || !up) Fail("cannot open a libvirt stream");
    if (virStorageVolDownload(from, down.get(), 0, 0, 0) != 0) {
        if (LastErrorCode() == VIR_ERR_NO_SUPPORT) return false;
        Fail("cannot start the volume download");
    }
    if (virStorageVolUpload(to, up.get(), 0, 0, 0) != 0) {
        const int code = LastErrorCode();
        virStreamAbort(down.get());
        if (code == VIR_ERR_NO_SUPPORT) return false;
        Fail("cannot start the volume upload");
    }
    std::vector<char> buffer(1 << 20);
    while (true) {
        const int got = virStreamRecv(down.get(), buffer.data(), buffer.size());
        if (got < 0) {
            virStreamAbort(up.get());
            Fail("volume download failed");
        }
        if (got == 0) break;
        for (int off = 0; off < got;) {
            const int sent =
                virStreamSend(up.get(), buffer.data() + off, static_cast<std::size_t>(got - off));
            if (sent < 0) {
                virStreamAbort(down.get());
                Fail("volume upload failed");
            }
            off += sent;
        }
    }
    if (virStreamFinish(down.get()) != 0) Fail("volume download did not finish");
    if (virStreamFinish(up.get()) != 0) Fail("volume upload did not finish");
    return true;
}
}  // namespace

bool LibvirtAdapter::CopyVolume(Host& from, Host& to, const std::string& name) {
    ConnectionRef from_conn(Ref(from));
    Pool from_pool(EscdPool(from_conn.get()));
    Volume source(virStorageVolLookupByName(from_pool.get(), name.c_str()));
    if (!source) {
        if (LastErrorCode() == VIR_ERR_NO_STORAGE_VOL) return false;
        Fail("cannot look up volume " + name);
    }
    const auto [capacity, format] = ShapeOf(source.get());
    ConnectionRef to_conn(Ref(to));
    Pool to_pool(EscdPool(to_conn.get()));
    DeleteStaleVolume(to_pool.get(), name);
    Volume copy(
        virStorageVolCreateXML(to_pool.get(), VolumeXml(name, capacity, format).c_str(), 0));
    if (!copy) Fail("cannot create volume " + name + " on host " + to.name);
    bool transferred = false;
    try {
        transferred = Transfer(from_conn.get(), source.get(), to_conn.get(), copy.get());
    } catch (...) {
        virStorageVolDelete(copy.get(), 0);  // no half copy stays behind
        throw;
    }
    if (transferred) {
        ESCD_INFO("vim") << "copied volume " << name << " from host " << from.name << " to "
                         << to.name;
    } else {
        ESCD_WARN("vim") << "the VIM driver cannot copy volume data: volume " << name << " on host "
                         << to.name << " has the size of the one on " << from.name
                         << " but holds no data";
    }
    return true;
}

std::vector<std::string> LibvirtAdapter::HostsOfVolumeForTest(VolumeKind kind,
                                                              const std::string& internal_id) {
    std::vector<std::string> out;
    for (auto& host : hosts_)
        if (HasVolumeOn(*host, VolumeName(kind, internal_id))) out.push_back(host->name);
    return out;
}

}  // namespace escd::vim
